"""Exams on the board: register packages, load them (cached), reload them, render statements."""
from __future__ import annotations

import threading
from pathlib import Path

from markupsafe import Markup
from sqlalchemy import select

from grader.errors import PracticumError
from grader.manifest import Exam as Package
from grader.manifest import load_exam, read_exam
from grader.models import Problem

from ..storage import content
from ..storage.db import db
from ..storage.models import Exam
from . import statements
from .clock import Window

_cache: dict[str, tuple[float, Package]] = {}
_lock = threading.Lock()


def register_exam(path: Path, **settings) -> Exam:
    """Add the package at `path` to the board, or point its row at `path` again.

    Loading validates it (`ExamConfigError` for a wrong package). `settings`
    (window_start, window_end, attempt_limit, min_interval_s, published) are
    applied only to a new row: the board keeps what examiners set.
    """
    package = load_exam(Path(path))
    row = db.session.scalar(select(Exam).where(Exam.key == package.id))
    if row is None:
        row = Exam(key=package.id, **settings)
        db.session.add(row)
    row.package_path = str(package.root)
    row.package_sha256 = content.put(content.pack_package(package.root))
    row.title_zh, row.title_en = package.title.zh, package.title.en
    row.reference_speed = package.reference_speed
    db.session.commit()
    forget(row)
    return row


def package(exam: Exam) -> Package:
    """The exam's package, loaded once per change of its exam.toml."""
    manifest = Path(exam.package_path) / "exam.toml"
    mtime = manifest.stat().st_mtime
    with _lock:
        hit = _cache.get(exam.package_path)
        if hit and hit[0] == mtime:
            return hit[1]
    loaded = load_exam(Path(exam.package_path))
    with _lock:
        _cache[exam.package_path] = (mtime, loaded)
    return loaded


def forget(exam: Exam) -> None:
    """Drop the cached package: the next `package()` reads it from its folder again."""
    with _lock:
        _cache.pop(exam.package_path, None)


def reload(exam: Exam) -> list[Problem]:
    """Read the package again (after a rubric change on disk). Returns its problems; with none
    the board uses the new version from now on, with some it keeps the one it had."""
    loaded, problems = read_exam(Path(exam.package_path))
    if problems or loaded is None:
        return problems
    forget(exam)
    exam.package_sha256 = content.put(content.pack_package(loaded.root))
    exam.title_zh, exam.title_en = loaded.title.zh, loaded.title.en
    exam.reference_speed = loaded.reference_speed
    db.session.commit()
    return []


def window(exam: Exam) -> Window:
    return Window(exam.window_start, exam.window_end)


def statement_html(exam: Exam, task_id: str, lang: str) -> Markup:
    task = package(exam).task(task_id)
    return statements.render(task.statement(lang) or task.statement("zh") or task.statement("en"))


def task_titles(exam: Exam, lang: str) -> dict[str, str]:
    """{task id: its title in `lang`} from the exam's package; {} when the package cannot be
    read now (pages then show the ids)."""
    try:
        return {task.id: task.title.get(lang) for task in package(exam).tasks}
    except (OSError, PracticumError):
        return {}


def check_titles(exam: Exam, task_id: str, lang: str) -> dict[str, str]:
    """{check name: its title in `lang`} of one task (a docstring's `zh:` line for Chinese); {}
    for a task the package no longer has."""
    try:
        return {spec.name: spec.title(lang) for spec in package(exam).task(task_id).tests}
    except (KeyError, OSError, PracticumError):
        return {}


def all_exams() -> list[Exam]:
    return list(db.session.scalars(select(Exam).order_by(Exam.key)))
