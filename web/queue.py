"""The job queue behind a small interface: the board enqueues submission ids.

`EmbeddedQueue` (the default, `QUEUE = "embedded"`) keeps jobs as database rows
that the `web.worker.WorkerPool` of the same process pulls. A distributed
implementation (Celery + Redis, issue 5) only has to provide `enqueue`,
`enqueue_many` and `cancel` and run `web.worker.run_job` from the same app factory.
"""
from __future__ import annotations

import threading
from typing import Protocol

from flask import Flask, current_app

from . import jobs
from .db import db


class JobQueue(Protocol):
    def enqueue(self, submission_id: int, *, priority: int = 0) -> int:
        """Queue the submission for grading; return the job's id."""

    def enqueue_many(self, submission_ids: list[int], *, priority: int = 0) -> int:
        """Queue many submissions (a regrade); return how many."""

    def cancel(self, job_id: int) -> bool:
        """Cancel a job that has not started; False when it had."""


class EmbeddedQueue:
    """Job rows in the board's database, pulled by this process's worker threads."""

    def __init__(self, config: dict):
        self.max_attempts = int(config["JOB_MAX_ATTEMPTS"])
        self.wakeup = threading.Event()       # lets idle workers start at once

    def enqueue(self, submission_id: int, *, priority: int = 0) -> int:
        job = jobs.create(submission_id, max_attempts=self.max_attempts, priority=priority)
        db.session.commit()
        self.wakeup.set()
        return job.id

    def enqueue_many(self, submission_ids: list[int], *, priority: int = 0) -> int:
        n = jobs.create_many(submission_ids, max_attempts=self.max_attempts, priority=priority)
        db.session.commit()
        self.wakeup.set()
        return n

    def cancel(self, job_id: int) -> bool:
        return jobs.cancel(job_id)


QUEUES: dict[str, type] = {"embedded": EmbeddedQueue}


def get_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions["practicum.queue"]


def init_app(app: Flask) -> None:
    kind = app.config["QUEUE"]
    if kind not in QUEUES:
        raise ValueError(f"QUEUE must be one of {sorted(QUEUES)}, got {kind!r}")
    app.extensions["practicum.queue"] = QUEUES[kind](app.config)
