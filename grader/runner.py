"""How one task of one submission executes: two sandboxes, split by trust.

1. The candidate sandbox gets the candidate's files, the hidden *inputs* and
   the public/hidden rubric tests. It runs the notebook or imports the script,
   runs those tests and leaves outputs and observations in its /out.
2. The judge sandbox gets the trusted tests, the *answers* and a read-only
   copy of what the candidate's run left behind, and no candidate code. Only
   it decides the trusted tests.

Hidden answers are never mounted into the first. What comes back from either
is read with size caps, without following links, and validated.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import stat
import time
from pathlib import Path

from . import sandbox
from .harness import protocol
from .intake import TaskFiles
from .manifest import Exam, Task
from .models import Limits, Phase, TaskResult
from .pool import slot
from .scoring import PhaseReport, limit_usage, parse_events, parse_notebook_report, score_task_bilingual

RESULTS_CAP = 2 * 1024 * 1024
REPORT_CAP = 1024 * 1024
ARTIFACT_FILES_CAP = 200


def read_bytes_capped(path: Path, cap: int) -> bytes | None:
    """Up to cap + 1 bytes of a file the sandbox wrote: regular files only, never through a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)   # a planted FIFO must not block us
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, cap + 1)
    finally:
        os.close(fd)


def read_capped(path: Path, cap: int) -> str | None:
    """Read a file the sandbox wrote, as text of at most `cap` bytes."""
    data = read_bytes_capped(path, cap)
    return None if data is None else data[:cap].decode("utf-8", "replace")


def copy_artifacts(src: Path, dest: Path, max_files: int = ARTIFACT_FILES_CAP) -> list[str]:
    """Copy regular files out of a sandbox's folder; links and devices are skipped.

    At most `max_files` (a candidate's run keeps a few screenshots, not thousands);
    callers that copy trusted output (generated exam data) raise it."""
    copied: list[str] = []
    if not src.is_dir() or src.is_symlink():
        return copied
    for root, dirs, files in os.walk(src, followlinks=False):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for name in sorted(files):
            if len(copied) >= max_files:
                return copied
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)   # a planted FIFO must not block us
            except OSError:
                continue
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with os.fdopen(os.dup(fd), "rb") as fin, open(target, "wb") as fout:
                    shutil.copyfileobj(fin, fout)
                copied.append(rel)
            finally:
                os.close(fd)
    return copied


def _data_binds(task: Task, *parts: str) -> list[sandbox.Bind]:
    binds = []
    for part in parts:
        folder = task.dir(part)
        if folder.is_dir():
            binds.append(sandbox.Bind(folder, f"/exam/{part}"))
    return binds


def _inputs_bind(task: Task) -> list[sandbox.Bind]:
    """The hidden inputs, where the candidate's code expects its data (e.g. ./data)."""
    hidden = task.dir("hidden")
    return [sandbox.Bind(hidden, f"{protocol.WORK}/{task.data_dir}")] if hidden.is_dir() else []


def _test_binds(task: Task, phases: tuple[Phase, ...]) -> tuple[list[sandbox.Bind], list[str]]:
    binds, dirs = [], []
    for phase in phases:
        folder = task.root / "tests" / phase.value
        if folder.is_dir() and task.tests_in(phase):
            target = f"/exam/tests/{phase.value}"
            binds.append(sandbox.Bind(folder, target))
            dirs.append(target)
    return binds, dirs


def _limits_dict(limits: Limits) -> dict:
    return dataclasses.asdict(limits)


def _tests_budget(task: Task, phases) -> float:
    return sum(t.timeout_s + 2 for t in task.tests if t.phase in phases) + 10


def judge_limits(task: Task) -> Limits:
    """The judge runs only examiner code: give it room, but still limits."""
    lim = task.limits
    return dataclasses.replace(lim, wall_s=max(lim.wall_s, 120.0), memory_mb=max(lim.memory_mb, 1024),
                               pids=max(lim.pids, 128))


SEALED_CAP = 8 * 1024 * 1024


def keep_only_sealed(out_dir: Path, run) -> None:
    """Remove each results file the supervisor did not write: one whose bytes do not match
    the digest in its log line was written or changed by the candidate's code."""
    for name, path in protocol.SEALED.items():
        target = out_dir / Path(path).name
        digest = run.sealed.get(name)
        if digest and _digest(target) == digest:
            continue
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
        else:
            try:
                target.unlink()
            except FileNotFoundError:
                pass


def _digest(path: Path) -> str | None:
    data = read_bytes_capped(path, SEALED_CAP)
    return hashlib.sha256(data).hexdigest() if data is not None and len(data) <= SEALED_CAP else None


def _read_events(out_dir: Path, known: set[str]):
    """The validated test events a run left in its output folder, and its watchdog flag."""
    raw = read_capped(out_dir / Path(protocol.RESULTS).name, RESULTS_CAP) or ""
    records, started = parse_events(raw.splitlines(), known)
    watchdog = bool((read_capped(out_dir / Path(protocol.WATCHDOG).name, 4096) or "").strip())
    return records, started, watchdog


def _collect(out_dir: Path, task: Task, phases, run) -> PhaseReport:
    known = {t.name for t in task.tests if t.phase in phases}
    records, started, watchdog = _read_events(out_dir, known)
    notebook = parse_notebook_report(read_capped(out_dir / Path(protocol.NOTEBOOK_REPORT).name, REPORT_CAP))
    return PhaseReport(run=run, records=records, started=started, watchdog=watchdog, notebook=notebook)


def _keep_logs(run, dest: Path, prefix: str) -> list[str]:
    kept = []
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        if text:
            (dest / f"{prefix}{name}.txt").write_text(text, encoding="utf-8")
            kept.append(f"{prefix}{name}.txt")
    return kept


def run_candidate(task: Task, files: TaskFiles, image: str, out_dir: Path, job: str | None = None) -> PhaseReport:
    phases = (Phase.PUBLIC, Phase.HIDDEN)
    test_binds, test_dirs = _test_binds(task, phases)
    spec = sandbox.SandboxSpec(
        image=image, limits=task.limits,
        run_spec={
            "mode": "candidate", "kind": files.kind.value, "entry": files.entry,
            "test_dirs": test_dirs,
            "public_dir": "/exam/public", "hidden_dir": "/exam/hidden",
            "limits": _limits_dict(task.limits), "tests_budget_s": _tests_budget(task, phases),
            "time_factor": task.time_factor,
        },
        binds=(*_data_binds(task, "public", "hidden"), *_inputs_bind(task), *test_binds),
        job=job,
    )
    sandbox.stage(files.root, out_dir)
    with slot():
        run = sandbox.run(spec, out_dir)
    keep_only_sealed(out_dir, run)      # before the judge reads the observations
    return _collect(out_dir, task, phases, run)


def _judge_limits(tasks: list[Task]) -> Limits:
    each = [judge_limits(t) for t in tasks]
    return dataclasses.replace(
        each[0], wall_s=min(1800.0, sum(l.wall_s for l in each)), memory_mb=max(l.memory_mb for l in each),
        pids=max(l.pids for l in each), cpus=max(l.cpus for l in each),
        output_mb=max(l.output_mb for l in each), test_s=max(l.test_s for l in each))


def run_judge(tasks: list[Task], image: str, candidate_outs: dict[str, Path], out_dir: Path,
              job: str | None = None) -> dict[str, PhaseReport]:
    """One judge sandbox for every task with trusted tests: one container, not one per task.

    Each task's tests, inputs, answers and candidate outputs sit under its own
    id, and the harness answers each test's fixtures from its task's folder.
    """
    limits = _judge_limits(tasks)
    binds, dirs, paths = [], [], {}
    for task in tasks:
        tid = task.id
        base = f"/exam/{tid}"
        dirs.append(f"{base}/tests/trusted")
        binds.append(sandbox.Bind(task.root / "tests" / "trusted", f"{base}/tests/trusted"))
        for part in ("public", "hidden"):
            if task.dir(part).is_dir():
                binds.append(sandbox.Bind(task.dir(part), f"{base}/{part}"))
        if task.dir("answers").is_dir():
            binds.append(sandbox.Bind(task.dir("answers"), f"/answers/{tid}"))
        binds.append(sandbox.Bind(candidate_outs[tid], f"/candidate/{tid}"))
        paths[tid] = {"test_dir": f"{base}/tests/trusted",
                      "public_dir": f"{base}/public", "hidden_dir": f"{base}/hidden",
                      "answers_dir": f"/answers/{tid}", "candidate_out": f"/candidate/{tid}",
                      "artifacts_dir": f"{protocol.ARTIFACTS}/{tid}"}
    spec = sandbox.SandboxSpec(
        image=image, limits=limits,
        run_spec={"mode": "judge", "kind": "judge", "entry": "", "test_dirs": dirs, "tasks": paths,
                  "limits": _limits_dict(limits), "time_factor": tasks[0].time_factor,
                  "tests_budget_s": sum(_tests_budget(t, (Phase.TRUSTED,)) for t in tasks)},
        binds=tuple(binds),
        job=job,
    )
    with slot():
        run = sandbox.run(spec, out_dir)
    keep_only_sealed(out_dir, run)
    known = {f"{t.id}/{spec_.name}" for t in tasks for spec_ in t.tests_in(Phase.TRUSTED)}
    records, started, watchdog = _read_events(out_dir, known)
    reports = {}
    for t in tasks:
        prefix = f"{t.id}/"
        mine = {k[len(prefix):]: r.model_copy(update={"name": k[len(prefix):]})
                for k, r in records.items() if k.startswith(prefix)}
        reports[t.id] = PhaseReport(run=run, records=mine, watchdog=watchdog,
                                    started=frozenset(k[len(prefix):] for k in started if k.startswith(prefix)))
    return reports


def grade_tasks(exam: Exam, items: list[tuple[Task, TaskFiles]], *, image: str, artifacts: Path | None,
                lang: str, parallel: int = 1, progress=None, job: str | None = None) -> dict[str, TaskResult]:
    """Every handed-in task: candidate sandboxes side by side, then one judge sandbox."""
    say = progress or (lambda text: None)
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import ExitStack

    with ExitStack() as stack:
        outs = {task.id: stack.enter_context(sandbox.output_folder(task.limits)) for task, _ in items}
        def candidate(item):
            task, files = item
            t0 = time.monotonic()
            report = run_candidate(task, files, image, outs[task.id], job=job)
            say(f"  {task.id:<14} candidate sandbox: {report.run.verdict.value} ({time.monotonic() - t0:.1f}s)")
            return task.id, report, time.monotonic() - t0

        if parallel > 1 and len(items) > 1:
            with ThreadPoolExecutor(parallel) as ex:
                done = list(ex.map(candidate, items))
        else:
            done = [candidate(i) for i in items]
        reports = {tid: rep for tid, rep, _ in done}
        durations = {tid: d for tid, _, d in done}

        judged = [task for task, _ in items if task.tests_in(Phase.TRUSTED)]
        judges: dict[str, PhaseReport] = {}
        judge_s = 0.0
        if judged:
            judge_out = stack.enter_context(sandbox.output_folder(_judge_limits(judged)))
            t0 = time.monotonic()
            say(f"  judge sandbox for {', '.join(t.id for t in judged)} ...")
            judges = run_judge(judged, image, {t.id: outs[t.id] for t in judged}, judge_out, job=job)
            judge_s = time.monotonic() - t0
            say(f"  judge sandbox: done ({judge_s:.1f}s)")

        results = {}
        for task, _ in items:
            kept: list[str] = []
            if artifacts is not None:
                dest = artifacts / task.id
                kept += [f"candidate/{p}" for p in copy_artifacts(outs[task.id] / "artifacts", dest / "candidate")]
                kept += [f"candidate/{p}" for p in _keep_logs(reports[task.id].run, dest / "candidate", "")]
                if task.id in judges:
                    kept += [f"judge/{p}" for p in copy_artifacts(judge_out / "artifacts" / task.id, dest / "judge")]
            duration = durations[task.id] + (judge_s if task.id in judges else 0.0)
            scored = score_task_bilingual(task, reports[task.id], judges.get(task.id), lang,
                                          duration_s=duration, artifacts=tuple(kept))
            usage = limit_usage(task, reports[task.id], judges.get(task.id),
                                _judge_limits(judged).wall_s if task.id in judges else None)
            results[task.id] = dataclasses.replace(scored, usage=usage)
        return results
