"""A submission's results: the current one, keyed by submission id, and the older ones.

The same job writing twice overwrites (idempotent); a different job (a regrade)
first moves the result it replaces into `ResultHistory`, so nothing an examiner
or candidate once saw is lost: the newest is current, older ones are listed.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grader.models import TaskResult, Visibility
from grader.report import test_json

from .db import db, utcnow
from .models import Result, ResultHistory

COPIED = ("task_id", "job_id", "score", "max_score", "visible_score", "status", "message", "tests",
          "artifacts", "artifacts_dir", "artifact_blobs", "duration_s", "graded_at")


def tests_json(task: TaskResult, descriptions: dict[str, str] | None = None) -> list[dict]:
    out = []
    for t in task.tests:
        item = test_json(t)
        item["description"] = (descriptions or {}).get(t.name, t.name)
        out.append(item)
    return out


def visible_points(tests: list[dict]) -> float:
    """Points from the tests candidates may always see: what a board may show before publication."""
    return round(sum(float(t.get("score") or 0) for t in tests if t.get("visibility") == Visibility.VISIBLE.value), 4)


def write_result(submission_id: int, task: TaskResult, *, artifacts_dir: str | None = None,
                 descriptions: dict[str, str] | None = None, job_id: int | None = None,
                 artifact_blobs: dict[str, str] | None = None) -> Result:
    """Insert the result, or replace the one already there (no commit: the caller's transaction).
    A result from another job is archived first."""
    tests = tests_json(task, descriptions)
    values = dict(task_id=task.id, job_id=job_id, score=task.score, max_score=task.max_score,
                  visible_score=visible_points(tests), status=task.status.value, message=task.message,
                  tests=tests, artifacts=list(task.artifacts), artifacts_dir=artifacts_dir,
                  artifact_blobs=artifact_blobs or None, duration_s=task.duration_s, graded_at=utcnow())
    row = result_of(submission_id)
    if row is None:
        try:
            with db.session.begin_nested():
                row = Result(submission_id=submission_id, **values)
                db.session.add(row)
            return row
        except IntegrityError:   # written meanwhile by another writer: replace it
            row = result_of(submission_id)
    if row.job_id is not None and job_id is not None and row.job_id != job_id:
        db.session.add(ResultHistory(submission_id=submission_id, archived_at=utcnow(),
                                     **{k: getattr(row, k) for k in COPIED}))
    for key, value in values.items():
        setattr(row, key, value)
    return row


def result_of(submission_id: int) -> Result | None:
    return db.session.scalar(select(Result).where(Result.submission_id == submission_id))


def history_of(submission_id: int) -> list[ResultHistory]:
    """Older results of the submission, newest first."""
    return list(db.session.scalars(select(ResultHistory).where(ResultHistory.submission_id == submission_id)
                                   .order_by(ResultHistory.id.desc())))
