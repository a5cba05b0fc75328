"""The `practicum` command: thin glue over the engine's functions.

Exit codes: 0 graded (whatever the score) or check passed; 1 prove failed or
unexpected error; 2 the submission was rejected (bad input) or bad usage;
3 the exam package is wrong; 4 our infrastructure failed (engine, image).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import messages
from .errors import PracticumError, SubmissionRejected

LANG = click.Choice(["zh", "en"])


def practicum_home() -> Path:
    return Path(os.environ.get("PRACTICUM_HOME", Path.home() / ".practicum"))


def _fail(exc: PracticumError, lang: str | None, as_json: bool) -> None:
    if as_json and isinstance(exc, SubmissionRejected):
        click.echo(json.dumps({"status": "rejected", "code": exc.code, "error": exc.show(lang)},
                              ensure_ascii=False))
    elif as_json:
        click.echo(json.dumps({"status": "error", "error": exc.show(lang)}, ensure_ascii=False))
    click.echo(f"practicum: {exc.show(lang)}", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="practicum")
def main() -> None:
    """Practicum grades hands-on AI practical exams in hardened Docker sandboxes.

    \b
    Typical use:
      practicum image build default             build the sandbox image (once)
      practicum exam check exams/demo           validate an exam package
      practicum exam prove exams/demo           grade the reference solutions
      practicum grade exams/demo answer.zip     grade one submission
    """


# --------------------------------------------------------------------------- grade

def _worker_speed_option(fn):
    return click.option(
        "--worker-speed", "worker_speed", type=click.FloatRange(0.01, 100), default=None,
        help="Take this worker speed instead of measuring it (1.0 = the reference machine; "
             "0.5 = half as fast, so time limits x2 for an exam proven at 1.0). Default: "
             "measured in about a second, or $PRACTICUM_WORKER_SPEED.")(fn)


def _worker(value):
    """The worker speed given on the command line, or None to measure (or take the env's)."""
    from . import speed
    return speed.fixed(value) if value is not None else None


@main.command()
@click.argument("exam_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--task", "task_id", help="Grade the submission as this task (single files).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (same as --format json).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "gradescope"]), default=None,
              help="Output format. gradescope writes a Gradescope results.json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of stdout.")
@click.option("--lang", type=LANG, default=None, help="Language of candidate messages (default en, or $PRACTICUM_LANG).")
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for screenshots, executed notebooks and logs (default under $PRACTICUM_HOME).")
@click.option("--jobs", type=int, default=None, help="Sandboxes at once (default: the number of cores).")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines on stderr.")
@_worker_speed_option
def grade(exam_dir, submission, task_id, as_json, fmt, output, lang, artifacts, jobs, quiet, worker_speed):
    """Grade SUBMISSION (a .ipynb, .py, .zip or folder) against the exam in EXAM_DIR.

    Time limits are scaled to this machine's measured speed against the speed the
    exam was proven at (the report's last line says by how much).

    Exit 0 when graded, whatever the score; 2 with the reason when the
    submission is rejected (it is still kept in the store); 4 when a sandbox
    could not run (never charged to the candidate).
    """
    from . import grading, pool, report, sandbox
    from .manifest import load_exam
    from .store import Store

    fmt = fmt or ("json" if as_json else "table")
    lang = lang or messages.default_lang()
    sandbox.install_signal_cleanup()
    pool.configure(jobs)
    try:
        exam = load_exam(exam_dir)
        store = Store(practicum_home() / "store")
        if artifacts is None:
            artifacts = practicum_home() / "artifacts" / exam.id
        rep = grading.grade_path(exam, submission, store=store, task=task_id, lang=lang,
                                 artifacts_root=artifacts, parallel_tasks=pool.size(), worker=_worker(worker_speed),
                                 progress=None if quiet else lambda s: click.echo(s, err=True))
    except PracticumError as exc:
        _fail(exc, lang, fmt != "table")
        return
    if fmt == "table":
        text = report.to_table(rep)
    else:
        data = report.to_json(rep) if fmt == "json" else report.to_gradescope(rep)
        text = json.dumps(data, ensure_ascii=False, indent=None if fmt == "json" else 2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
    if not rep.infra_ok:
        sys.exit(4)


@main.command()
@click.argument("exam_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("folder", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the reports, artifacts and class table (default: FOLDER-graded beside it).")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Submissions (and sandboxes) at once (default: the number of cores).")
@click.option("--force", is_flag=True, help="Grade again even what was graded before with the same bytes and package.")
@click.option("--task", "task_id", help="Grade every submission as this task.")
@click.option("--assignment", help="nbgrader layout: the assignment folder to grade (when students have several).")
@click.option("--lang", type=LANG, default=None, help="Language of candidate messages (default en, or $PRACTICUM_LANG).")
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@_worker_speed_option
def batch(exam_dir, folder, out, jobs, force, task_id, assignment, lang, quiet, worker_speed):
    """Grade every submission in FOLDER (or an LMS download .zip) against EXAM_DIR.

    \b
    FOLDER holds one file (.ipynb, .py, .zip) or folder per candidate, named after
    them (Otter's layout too); an nbgrader course (submitted/<student>/<assignment>/);
    or it is the zip a learning platform downloads (Moodle, Canvas).
    Writes OUT/reports/<candidate>.json (the `grade --json` report), OUT/artifacts/<candidate>/,
    OUT/class.csv, OUT/class.xlsx and OUT/gradescope.json; prints the class table.

    \b
    Resumable: a re-run skips what was graded with the same sha256 and exam package
    (unless --force). Ctrl-C stops cleanly (its sandboxes are killed and removed);
    running the command again finishes the rest. A refused submission is a row with
    its reason, never the end of the batch.

    Exit 0 when every submission was dealt with; 4 when a sandbox failed for some
    (run again to retry them); 130 when stopped.
    """
    from . import pool, sandbox as sb
    from .batch.exports import summary
    from .batch.run import Options, grade_folder
    from .manifest import load_exam
    from .store import Store

    lang = lang or messages.default_lang()
    sb.install_signal_cleanup()
    jobs = pool.configure(jobs)
    if out is None:
        stem = folder.stem if folder.is_file() else folder.resolve().name
        out = folder.resolve().parent / f"{stem}-graded"
    try:
        loaded = load_exam(exam_dir)
        if task_id is not None:
            loaded.task(task_id)
        outcome = grade_folder(loaded, folder, out, Options(jobs=jobs, force=force, lang=lang, task=task_id,
                                                            assignment=assignment, worker=_worker(worker_speed)),
                               store=Store(practicum_home() / "store"),
                               stream=open(os.devnull, "w") if quiet else None,
                               say=None if quiet else lambda s: click.echo(s, err=True))
    except KeyError:
        raise click.BadParameter(f"no task {task_id!r} in this exam", param_hint="--task")
    except PracticumError as exc:
        _fail(exc, lang, False)
        return
    click.echo(summary(list(outcome.records), list(outcome.task_ids)))
    click.echo(f"graded now {outcome.graded}, kept from before {outcome.kept}; "
               + ", ".join(f"{name} {path}" for name, path in outcome.files.items()), err=True)
    if outcome.interrupted:
        click.echo(f"practicum: stopped; {outcome.left} submission(s) not graded yet. "
                   f"Run the same command again to finish them.", err=True)
        sys.exit(130)
    if not outcome.infra_ok:
        sys.exit(4)


# --------------------------------------------------------------------------- sandbox

@main.group()
def sandbox() -> None:
    """Run code in an exam's sandbox by hand (for examiners trying things out)."""


@sandbox.command("run")
@click.option("--exam", "exam_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Exam package whose image and limits to use.")
@click.option("--task", "task_id", help="Use this task's limits instead of the exam's.")
@click.argument("script", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def sandbox_run(exam_dir, task_id, script, as_json):
    """Run SCRIPT (a .py file) once in the exam's sandbox, under its limits.

    Reports the verdict (ok, runtime_error, time_limit, memory_limit,
    output_limit, sandbox_error), exit code, duration and capped output.
    """
    from . import images, sandbox as sb
    from .manifest import load_exam
    from .tryout import run_script

    sb.install_signal_cleanup()
    try:
        exam = load_exam(exam_dir)
        limits = exam.task(task_id).limits if task_id else exam.limits
        image = images.ensure_image(sb.get_client(), exam.image)
        result = run_script(script, image=image, limits=limits)
    except KeyError:
        raise click.BadParameter(f"no task {task_id!r} in this exam", param_hint="--task")
    except PracticumError as exc:
        _fail(exc, None, as_json)
        return
    data = {"verdict": result.verdict.value, "exit_code": result.exit_code, "oom_killed": result.oom_killed,
            "timed_out": result.timed_out, "duration_s": result.duration_s,
            "stdout": result.stdout, "stderr": result.stderr, "stdout_truncated": result.stdout_truncated}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(f"verdict {data['verdict']}  exit {data['exit_code']}  {data['duration_s']:.2f}s"
                   f"{'  (out of memory)' if data['oom_killed'] else ''}")
        if result.stdout:
            click.echo("--- stdout ---\n" + result.stdout.rstrip())
        if result.stderr:
            click.echo("--- stderr ---\n" + result.stderr.rstrip())


# --------------------------------------------------------------------------- exam

@main.group()
def exam() -> None:
    """Check and prove exam packages."""


@exam.command("check")
@click.argument("exam_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def exam_check(exam_dir):
    """Validate an exam package; list every problem with its file and field."""
    from .manifest import read_exam

    loaded, problems = read_exam(exam_dir)
    if problems:
        click.echo(f"{exam_dir}: {len(problems)} problem(s)", err=True)
        for p in problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(3)
    tests = sum(len(t.tests) for t in loaded.tasks)
    click.echo(f"{loaded.id}: ok — {len(loaded.tasks)} task(s), {tests} test(s), "
               f"{loaded.max_score:g} points")
    if loaded.reference_speed is None:
        click.echo("  reference speed: none recorded (`practicum exam prove` writes it): time limits are not "
                   "scaled to the grading machine")
    else:
        click.echo(f"  reference speed: {loaded.reference_speed:.3f} (the worker speed its limits were proven at; "
                   f"each worker scales time limits by this / its own speed)")
    for t in loaded.tasks:
        phases = ", ".join(f"{p}: {n}" for p, n in _count_phases(t).items())
        lim = t.limits
        click.echo(f"  {t.id:<16} {t.points:>5g} pts  accepts {'/'.join(k.value for k in t.accepts):<16} {phases}"
                   f"  limits run {lim.wall_s:g}s / cell {lim.cell_s:g}s / test {lim.test_s:g}s")


def _count_phases(task) -> dict:
    out: dict[str, int] = {}
    for t in task.tests:
        out[t.phase.value] = out.get(t.phase.value, 0) + 1
    return out


@exam.command("prove")
@click.argument("exam_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--solutions", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of solutions (default: reference_solutions/<exam id> beside exams/).")
@click.option("--jobs", type=int, default=None, help="Sandboxes at once (default: the number of cores).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option("--only", help="Prove only the solutions whose path or task contains this text.")
@click.option("--record-speed", is_flag=True,
              help="Write this worker's speed into exam.toml as the reference speed once proven "
                   "(done anyway when the package records none).")
@_worker_speed_option
def exam_prove(exam_dir, solutions, jobs, as_json, only, record_speed, worker_speed):
    """Grade every reference solution and fail unless each earns its recorded score.

    \b
    Each must also have headroom, so the proof holds on any machine:
      - a solution recorded as time_limit is graded at 3x its limits and must still be stopped;
      - any other may use at most half of each time limit (run, cell, test, judge);
      - timings judged in rubric tests must lie clear of their band boundaries.
    The headroom column shows the largest share of a limit each solution used.
    """
    from . import pool, sandbox as sb
    from .manifest import load_exam
    from .prove import prove, record_reference_speed, render

    sb.install_signal_cleanup()
    pool.configure(jobs)
    try:
        loaded = load_exam(exam_dir)
        outcome = prove(loaded, solutions, only=only, worker=_worker(worker_speed),
                        progress=None if as_json else lambda s: click.echo(s, err=True))
    except PracticumError as exc:
        _fail(exc, None, as_json)
        return
    if as_json:
        click.echo(json.dumps(outcome.to_json(), ensure_ascii=False))
    else:
        click.echo(render(outcome))
    scale = outcome.time_scale
    if outcome.ok and not only and scale is not None and (record_speed or loaded.reference_speed is None):
        record_reference_speed(loaded.root, scale.worker_speed)
        click.echo(f"recorded reference_speed = {scale.worker_speed:.3f} in {loaded.root / 'exam.toml'}", err=True)
    sys.exit(0 if outcome.ok else 1)


@exam.command("new")
@click.argument("exam_id", metavar="ID")
@click.option("--into", "root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The folder holding exams/ and reference_solutions/.")
@click.option("--title-zh", default="", help="The exam's Chinese title (default: 'ID 实操考试').")
@click.option("--title-en", default="", help="The exam's English title (default: 'ID practical exam').")
def exam_new(exam_id, root, title_zh, title_en):
    """Write a new exam package ROOT/exams/ID that checks and proves as written.

    \b
    One task with a rubric test at every trust level (public, hidden, trusted),
    statements in Chinese and English, a seeded data generator, a reference
    solution and a flawed one with its expected score in
    ROOT/reference_solutions/ID. docs/authoring.md walks through every file.
    """
    from .scaffold import ScaffoldError, new_exam

    try:
        made = new_exam(root, exam_id, title_zh=title_zh, title_en=title_en)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"{made.exam_dir}: {len(made.files)} files written (package and reference solutions)")
    click.echo(f"  next: practicum exam check {made.exam_dir}")
    click.echo(f"        practicum exam prove {made.exam_dir}")


@exam.command("data")
@click.argument("exam_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Generate again even when the cache is current.")
def exam_data(exam_dir, force):
    """Generate the exam's data with its seeded generator (cached) and print where it is."""
    from . import exam_data as data, sandbox as sb
    from .grading import resolve_image
    from .manifest import load_exam

    sb.install_signal_cleanup()
    try:
        loaded = load_exam(exam_dir)
        if not loaded.generator:
            click.echo(f"{loaded.id}: no generator; the data is committed in the package")
            return
        prepared = data.prepare(loaded, resolve_image(loaded), force=force,
                                progress=lambda s: click.echo(s, err=True))
    except PracticumError as exc:
        _fail(exc, None, False)
        return
    for t in prepared.tasks:
        counts = ", ".join(f"{p} {sum(1 for f in t.dir(p).rglob('*') if f.is_file())}"
                           for p in ("public", "hidden", "answers") if t.dir(p).is_dir())
        click.echo(f"  {t.id:<16} {counts}   {t.data_root or '(committed)'}")


@exam.command("pack")
@click.argument("exam_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The zip to write.")
@click.option("--task", "task_id", default=None, help="One task's kit only (the board's download for that task).")
def exam_pack(exam_dir, output, task_id):
    """Write the candidates' kit: statements, starter files, public samples (nothing hidden)."""
    from . import exam_data as data, sandbox as sb
    from .grading import resolve_image
    from .manifest import load_exam
    from .pack import pack

    try:
        loaded = load_exam(exam_dir)
        if loaded.generator:
            sb.install_signal_cleanup()
            loaded = data.prepare(loaded, resolve_image(loaded), progress=lambda s: click.echo(s, err=True))
        if task_id is not None and task_id not in {t.id for t in loaded.tasks}:
            raise click.BadParameter(f"the exam has no task {task_id!r}", param_hint="--task")
        names = pack(loaded, output, task=task_id)
    except PracticumError as exc:
        _fail(exc, None, False)
        return
    click.echo(f"{output}: {len(names)} files")


# --------------------------------------------------------------------------- image

@main.group()
def image() -> None:
    """Build the sandbox images (offline: Debian packages and PyPI wheels, no registry)."""


@image.command("build")
@click.argument("name", default="default")
@click.option("--force", is_flag=True, help="Rebuild even when the inputs are unchanged.")
def image_build(name, force):
    """Build sandbox image NAME from sandbox_images/NAME (skipped when up to date)."""
    from . import images

    try:
        tag = images.build_image(name, force=force, progress=lambda s: click.echo(s, err=True))
    except PracticumError as exc:
        _fail(exc, None, False)
        return
    click.echo(tag)


@image.command("tag")
@click.argument("name", default="default")
def image_tag(name):
    """Print the tag the image NAME has for its current inputs."""
    from . import images

    click.echo(images.image_tag(name))


if __name__ == "__main__":
    main()
