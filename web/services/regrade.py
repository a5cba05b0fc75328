"""Regrading after a rubric change: one submission, a task, or the whole exam.

The package is read again first (`exams.reload`), and a package with problems
is never used. Every chosen submission gets a new job at a lower priority than
fresh uploads; when it is graded its old result moves to the history (see
`web.grading.jobs`). Submissions already queued or running are left alone: they
will be graded with the new rubric anyway.
"""
from __future__ import annotations

from sqlalchemy import select

from grader.models import Problem

from ..grading.dispatch import get_queue
from ..storage.db import db
from ..storage.models import Exam, Job, JobStatus, Submission, SubmissionStatus
from . import exams

PRIORITY = -10                       # below the candidates' own uploads
REGRADABLE = (SubmissionStatus.GRADED, SubmissionStatus.FAILED)


class RegradeRefused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the package")


def eligible(exam_id: int, *, task_id: str | None = None, submission_id: int | None = None) -> list[int]:
    active = select(Job.submission_id).where(Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
    q = select(Submission.id).where(Submission.exam_id == exam_id, Submission.status.in_(REGRADABLE),
                                    Submission.id.not_in(active))
    if task_id is not None:
        q = q.where(Submission.task_id == task_id)
    if submission_id is not None:
        q = q.where(Submission.id == submission_id)
    return list(db.session.scalars(q.order_by(Submission.id)))


def regrade(exam: Exam, *, task_id: str | None = None, submission_id: int | None = None) -> int:
    """Queue the regrade; returns how many submissions. Raises RegradeRefused for a broken package."""
    problems = exams.reload(exam)
    if problems:
        raise RegradeRefused(problems)
    ids = eligible(exam.id, task_id=task_id, submission_id=submission_id)
    return get_queue().enqueue_many(ids, exams.package(exam).image, priority=PRIORITY) if ids else 0
