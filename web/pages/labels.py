"""Words staff pages show where the database keeps ids: a task's title in the reader's
language (from the exam's package, read once per request and exam), and the verdict label
that fits the score, the same one the candidate reads (services/feedback.py)."""
from __future__ import annotations

from flask import Flask, g, has_request_context

from ..services import artifacts, exams
from ..services.feedback import verdict_key
from ..storage.models import Exam
from .i18n import get_lang, t


def task_titles(exam: Exam) -> dict[str, str]:
    """{task id: title} of `exam` in the reader's language."""
    if not has_request_context():
        return exams.task_titles(exam, get_lang())
    cache = g.setdefault("task_titles", {})
    if exam.id not in cache:
        cache[exam.id] = exams.task_titles(exam, get_lang())
    return cache[exam.id]


def task_title(exam: Exam | None, task_id: str) -> str:
    """The task's title, or its id when the package does not name it (a task since removed)."""
    if exam is None:
        return task_id
    return task_titles(exam).get(task_id, task_id)


def check_titles(exam: Exam, task_id: str) -> dict[str, str]:
    """{check name: title} of one task in the reader's language (results keep the English one)."""
    return exams.check_titles(exam, task_id, get_lang())


def verdict_label(status: str | None, score: float | None = None, max_score: float | None = None) -> str:
    return t(verdict_key(status, score, max_score))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(task_title=task_title, verdict_label=verdict_label,
                                 check_titles=check_titles, task_titles=task_titles)
    app.jinja_env.tests["image_artifact"] = lambda name: artifacts.kind_of(name) == "image"
