"""Generated exam data: run a package's seeded generator once, keep the result.

A package may name a generator (`[data] generator = "generate.py"`). It is the
examiner's code, so it runs in the exam's own sandbox image (the same numpy,
OpenCV and SDK the candidates get), with no network, and writes

    OUT/<task id>/public/   OUT/<task id>/hidden/   OUT/<task id>/answers/

The output is cached under a hash of the generator's inputs and the image
tag, so grading never regenerates it; a change to the generator makes a new
folder. Generated folders take the place of committed ones.
"""
from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from . import sandbox
from .errors import ExamConfigError
from .manifest import Exam
from .models import Limits, Problem, Verdict
from .runner import copy_artifacts

PARTS = ("public", "hidden", "answers")
GENERATOR_LIMITS = Limits(wall_s=900, cell_s=900, test_s=900, memory_mb=4096, cpus=2.0, pids=256,
                          output_mb=1024, stdout_kb=256, tmpfs_mb=512)


def cache_root() -> Path:
    return Path(os.environ.get("PRACTICUM_CACHE", "/var/cache/practicum")) / "exam-data"


def generator_inputs(exam: Exam) -> list[Path]:
    """The files whose content decides the generated data."""
    root = exam.root
    files = [root / exam.generator]
    gen = root / "gen"
    if gen.is_dir():
        files += sorted(p for p in gen.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return files


def data_key(exam: Exam, image: str) -> str:
    h = hashlib.sha256(image.encode())
    for path in generator_inputs(exam):
        h.update(str(path.relative_to(exam.root)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def with_data(exam: Exam, data_root: Path) -> Exam:
    tasks = tuple(dataclasses.replace(t, data_root=data_root / t.id) for t in exam.tasks)
    return dataclasses.replace(exam, tasks=tasks)


def prepare(exam: Exam, image: str, *, force: bool = False, progress=None) -> Exam:
    """Return the exam with its generated data in place (generating it if needed)."""
    if not exam.generator:
        return exam
    target = cache_root() / f"{exam.id}-{data_key(exam, image)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{exam.id}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)     # one generator at a time, across processes
        if force and target.exists():
            shutil.rmtree(target)
        if not (target / ".complete").exists():
            _generate(exam, image, target, progress)
    return with_data(exam, target)


def _generate(exam: Exam, image: str, target: Path, progress) -> None:
    say = progress or (lambda s: None)
    say(f"generating data for exam {exam.id} with {exam.generator} (once; cached in {target})")
    t0 = time.monotonic()
    spec = sandbox.SandboxSpec(
        image=image, limits=GENERATOR_LIMITS,
        run_spec={"mode": "raw", "command": ["python3", f"/exam/{exam.generator}", "/out/work/data"],
                  "limits": {"stdout_kb": GENERATOR_LIMITS.stdout_kb}},
        binds=(sandbox.Bind(exam.root, "/exam"),),
        grace_s=5.0,
    )
    with tempfile.TemporaryDirectory(prefix="practicum-gen-") as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        with sandbox.output_folder(GENERATOR_LIMITS) as out:
            sandbox.stage(empty, out)
            run = sandbox.run(spec, out)
            if run.verdict is not Verdict.OK:
                detail = (run.stderr.strip().splitlines() or [run.infra_error or ""])[-1][:400]
                raise ExamConfigError([Problem(exam.generator, "", f"the generator failed ({run.verdict.value}): {detail}")])
            produced = out / "work" / "data"
            if not produced.is_dir():
                raise ExamConfigError([Problem(exam.generator, "", "the generator wrote nothing to the folder it was given")])
            partial = target.with_name(target.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            copy_artifacts(produced, partial)      # regular files only, links skipped
    for root, dirs, files in os.walk(partial):
        for name in (*dirs, *files):
            path = os.path.join(root, name)
            os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
    (partial / ".complete").write_text(f"{time.time()}\n")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
    say(f"generated in {time.monotonic() - t0:.1f}s")
