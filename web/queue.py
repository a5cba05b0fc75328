"""The board's side of grading: record a job, then tell the graders over Celery.

A job row is written and committed before its message is sent, so an upload
that was acknowledged is never lost, even when the broker is down at that
moment (`dispatch.republish` sends it later). The same code serves the
embedded mode (`memory://`) and the distributed one (Redis).
"""
from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select, update

from . import dispatch, exams, jobs
from .db import db, utcnow
from .models import Exam, Job, JobStatus, Submission


class JobQueue:
    def __init__(self, app: Flask):
        self.app = app
        self.max_attempts = int(app.config["JOB_MAX_ATTEMPTS"])

    def queue_of(self, exam: Exam) -> str:
        return dispatch.queue_for_image(dispatch.image_ref(self.app, exams.package(exam).image))

    def enqueue(self, submission_id: int, *, priority: int = 0) -> int:
        """Queue the submission for grading (commits the session); return the job's id."""
        sub = db.session.get(Submission, submission_id)
        queue = self.queue_of(sub.exam)
        job = jobs.create(submission_id, max_attempts=self.max_attempts, priority=priority)
        job.queue, job.published_at = queue, utcnow()
        db.session.commit()
        dispatch.send(self.app, job.id, queue)
        return job.id

    def enqueue_many(self, submission_ids: list[int], *, priority: int = 0) -> int:
        """Queue many submissions (a regrade); return how many."""
        if not submission_ids:
            return 0
        before = db.session.scalar(select(db.func.max(Job.id))) or 0
        n = jobs.create_many(submission_ids, max_attempts=self.max_attempts, priority=priority)
        new = db.session.execute(
            select(Job.id, Exam.id).join(Submission, Submission.id == Job.submission_id)
            .join(Exam, Exam.id == Submission.exam_id)
            .where(Job.id > before, Job.submission_id.in_(submission_ids), Job.status == JobStatus.QUEUED)).all()
        queues = {eid: self.queue_of(db.session.get(Exam, eid)) for eid in {e for _, e in new}}
        now = utcnow()
        for eid, queue in queues.items():
            ids = [j for j, e in new if e == eid]
            for i in range(0, len(ids), 500):
                db.session.execute(update(Job).where(Job.id.in_(ids[i:i + 500])).values(queue=queue, published_at=now)
                                   .execution_options(synchronize_session=False))
        db.session.commit()
        for job_id, eid in new:
            dispatch.send(self.app, job_id, queues[eid])
        return n

    def cancel(self, job_id: int) -> bool:
        """Cancel a job that has not started; False when it had. Its message, if any,
        finds the job cancelled and does nothing."""
        return jobs.cancel(job_id)


def get_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions["practicum.queue"]


def init_app(app: Flask) -> None:
    broker = app.config["BROKER_URL"]
    if not broker.startswith(("memory://", "redis://", "rediss://", "sentinel://")):
        raise ValueError(f"BROKER_URL must be memory:// (embedded) or a redis:// URL, got {broker!r}")
    app.extensions["practicum.celery"] = dispatch.make_celery(app)
    app.extensions["practicum.queue"] = JobQueue(app)
