"""The candidate kit of one task: its statements, starter files and public data, as a zip.

The bytes are `grader.pack.pack(package, dest, task=...)`'s, the same that
`practicum exam pack EXAM --task TASK` writes; hidden inputs and answers are never read.
A package with a data generator needs its generated public data: the engine's cache
(`grader.exam_data`) holds it once anything was graded or packed, and generating it
otherwise runs the generator in a sandbox once. Built kits are kept under the board's
instance folder by package hash, task and data key, so a room downloading at the start
packs each kit once.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from grader import exam_data, grading
from grader.pack import pack

from ..storage.models import Exam
from . import exams

_lock = threading.Lock()


def kit_path(exam: Exam, task_id: str, cache_dir: Path, image: str | None = None) -> Path:
    """The kit's zip on disk, built when missing. KeyError for an unknown task;
    PracticumError when the engine is needed (generated data) and fails."""
    package = exams.package(exam)
    package.task(task_id)
    if package.generator:
        image = image or grading.resolve_image(package)
        data = exam_data.data_key(package, image, task_id if exam_data.per_task(package) else None)
    else:
        data = "committed"
    key = hashlib.sha256(f"{exam.package_sha256}\0{task_id}\0{data}".encode()).hexdigest()[:20]
    dest = Path(cache_dir) / f"{exam.key}-{task_id}-{key}.zip"
    if dest.is_file():
        return dest
    with _lock:
        if not dest.is_file():
            prepared = grading.prepare_exam(package, image) if package.generator else package
            dest.parent.mkdir(parents=True, exist_ok=True)
            part = dest.with_suffix(".part")
            pack(prepared, part, task=task_id)
            os.replace(part, dest)      # a reader never sees half a kit
    return dest
