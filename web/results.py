"""A submission's one final result: written idempotently, keyed by submission id."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grader.models import TaskResult
from grader.report import test_json

from .db import db, utcnow
from .models import Result


def tests_json(task: TaskResult, descriptions: dict[str, str] | None = None) -> list[dict]:
    out = []
    for t in task.tests:
        item = test_json(t)
        item["description"] = (descriptions or {}).get(t.name, t.name)
        out.append(item)
    return out


def write_result(submission_id: int, task: TaskResult, *, artifacts_dir: str | None = None,
                 descriptions: dict[str, str] | None = None) -> Result:
    """Insert the result, or overwrite the one already there (no commit: the caller's transaction)."""
    values = dict(task_id=task.id, score=task.score, max_score=task.max_score, status=task.status.value,
                  message=task.message, tests=tests_json(task, descriptions),
                  artifacts=list(task.artifacts), artifacts_dir=artifacts_dir,
                  duration_s=task.duration_s, graded_at=utcnow())
    row = db.session.scalar(select(Result).where(Result.submission_id == submission_id))
    if row is None:
        try:
            with db.session.begin_nested():
                row = Result(submission_id=submission_id, **values)
                db.session.add(row)
            return row
        except IntegrityError:   # written meanwhile by another writer: overwrite it
            row = db.session.scalar(select(Result).where(Result.submission_id == submission_id))
    for key, value in values.items():
        setattr(row, key, value)
    return row


def result_of(submission_id: int) -> Result | None:
    return db.session.scalar(select(Result).where(Result.submission_id == submission_id))
