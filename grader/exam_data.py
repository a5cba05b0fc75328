"""Generated exam data: run a package's seeded generator once, keep the result.

A package may name a generator (`[data] generator = "generate.py"`). It is the
examiner's code, so it runs in the exam's own sandbox image (the same numpy,
OpenCV and SDK the candidates get), with no network, as

    python3 generate.py OUT [TASK ...]

and writes OUT/<task id>/public/, hidden/ and answers/. When the package keeps
one module per task (gen/<task id>.py), each task's data is cached under a hash
of the generator, that module and the shared gen/ files, and only the tasks
whose data is missing are generated (a change to one task's generator leaves
the others alone); otherwise the whole exam is one cache entry. The image tag
is part of every key. Generated folders take the place of committed ones.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import shutil
import time
from pathlib import Path

from . import sandbox
from .errors import ExamConfigError
from .manifest import Exam
from .models import Limits, Problem, Verdict
from .runner import copy_artifacts

PARTS = ("public", "hidden", "answers")
GENERATED_FILES_CAP = 100_000
GENERATOR_LIMITS = Limits(wall_s=900, cell_s=900, test_s=900, memory_mb=4096, cpus=2.0, pids=256,
                          output_mb=1024, stdout_kb=256, tmpfs_mb=512)


def cache_root() -> Path:
    return Path(os.environ.get("PRACTICUM_CACHE", "/var/cache/practicum")) / "exam-data"


def _task_ids(exam: Exam) -> set[str]:
    return {t.id for t in exam.tasks}


def _gen_files(exam: Exam) -> list[Path]:
    gen = exam.root / "gen"
    if not gen.is_dir():
        return []
    return sorted(p for p in gen.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def per_task(exam: Exam) -> bool:
    """Packages with gen/<task>.py modules are generated and cached task by task."""
    return any((exam.root / "gen" / f"{t.id}.py").is_file() for t in exam.tasks)


def generator_inputs(exam: Exam, task_id: str | None = None) -> list[Path]:
    """The files whose content decides the data of one task (or of the whole exam).

    For one task: the generator, that task's module or folder under gen/, and the
    shared files in gen/ (those not named after any task)."""
    files = [exam.root / exam.generator]
    ids = _task_ids(exam)
    for path in _gen_files(exam):
        rel = path.relative_to(exam.root / "gen").parts
        owner = rel[0][:-3] if len(rel) == 1 and rel[0].endswith(".py") else rel[0]
        if task_id is None or owner == task_id or owner not in ids:
            files.append(path)
    return files


def data_key(exam: Exam, image: str, task_id: str | None = None) -> str:
    h = hashlib.sha256(image.encode())
    for path in generator_inputs(exam, task_id):
        h.update(str(path.relative_to(exam.root)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def prepare(exam: Exam, image: str, *, force: bool = False, progress=None) -> Exam:
    """Return the exam with its generated data in place (generating what is missing)."""
    if not exam.generator:
        return exam
    root = cache_root() / exam.id
    root.mkdir(parents=True, exist_ok=True)
    if per_task(exam):
        groups = {t.id: root / f"{t.id}-{data_key(exam, image, t.id)}"
                  for t in exam.tasks if (exam.root / "gen" / f"{t.id}.py").is_file()}
    else:
        whole = root / f"all-{data_key(exam, image)}"
        groups = {t.id: whole / t.id for t in exam.tasks}
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # one generator at a time, across processes
        if force:
            for target in set(groups.values()):
                shutil.rmtree(_marker_dir(target, exam), ignore_errors=True)
        missing = sorted(tid for tid, target in groups.items()
                         if not (_marker_dir(target, exam) / ".complete").exists())
        if missing:
            _generate(exam, image, missing, groups, progress, per_task(exam))
    tasks = tuple(dataclasses.replace(t, data_root=groups.get(t.id)) for t in exam.tasks)
    return dataclasses.replace(exam, tasks=tasks)


def _marker_dir(target: Path, exam: Exam) -> Path:
    """Where `.complete` lives: the task's own folder, or the whole exam's."""
    return target if per_task(exam) else target.parent


def _generate(exam: Exam, image: str, missing: list[str], groups: dict[str, Path], progress,
              by_task: bool) -> None:
    say = progress or (lambda s: None)
    what = ", ".join(missing) if by_task else "all tasks"
    say(f"generating data for exam {exam.id} ({what}) with {exam.generator}; cached for next time")
    t0 = time.monotonic()
    command = ["python3", f"/exam/{exam.generator}", "/out/work/data", *(missing if by_task else [])]
    with sandbox.raw_run(image, command, GENERATOR_LIMITS, binds=(sandbox.Bind(exam.root, "/exam"),)) as (run, out):
        if run.verdict is not Verdict.OK:
            detail = (run.stderr.strip().splitlines() or [run.infra_error or ""])[-1][:400]
            raise ExamConfigError([Problem(exam.generator, "", f"the generator failed ({run.verdict.value}): {detail}")])
        produced = out / "work" / "data"
        if not produced.is_dir():
            raise ExamConfigError([Problem(exam.generator, "", "the generator wrote nothing to the folder it was given")])
        if by_task:
            for tid in missing:
                _install(produced / tid, groups[tid])
        else:
            _install(produced, groups[missing[0]].parent)
    say(f"generated in {time.monotonic() - t0:.1f}s")


def _install(produced: Path, target: Path) -> None:
    """Copy regular files only (links skipped), then swap the folder in whole."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    copied = copy_artifacts(produced, partial, max_files=GENERATED_FILES_CAP)
    if len(copied) >= GENERATED_FILES_CAP:
        raise ExamConfigError([Problem("generate.py", "", f"the generator wrote more than {GENERATED_FILES_CAP} files for one task")])
    partial.mkdir(parents=True, exist_ok=True)
    for root, dirs, files in os.walk(partial):
        for name in (*dirs, *files):
            path = os.path.join(root, name)
            os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
    (partial / ".complete").write_text(f"{time.time()}\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
