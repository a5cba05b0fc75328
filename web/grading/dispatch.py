"""Celery: the one transport between the board and the graders, in both modes.

The database's job rows say what must happen (queued, running, graded, with
attempts and heartbeats); a Celery message only says "job N may be graded now".
So a message may be lost (a broker restarted without its data) or delivered
twice (a redelivery after a worker died) without harm: a worker first claims the
job row with a guarded UPDATE, and a job nobody claimed is sent again by
`republish` (run by the board's housekeeping, and by its own grading threads).

Modes (`BROKER_URL`):
- embedded (`memory://`, the default): `practicum serve` runs the Celery worker
  in its own process (threads); no server to install. Messages live in memory,
  which is enough because the rows are the truth: on start every queued job is
  sent again.
- distributed (`redis://host:6379/0`): `practicum worker` processes on any
  number of machines, each with its own Docker engine, consume the queues of
  the sandbox images they have.

Queues are per sandbox image tag, so a worker only takes work it has the image for.

The board's side (`JobQueue`): a job row is written and committed before its
message is sent, so an upload that was acknowledged is never lost, even when
the broker is down at that moment (`republish` sends it later).
"""
from __future__ import annotations

import functools
import logging
from datetime import timedelta

from celery import Celery
from flask import Flask, current_app
from sqlalchemy import or_, select, update

from grader import images

from ..storage.db import db, utcnow
from ..storage.models import Job, JobStatus, Submission

log = logging.getLogger("practicum.dispatch")

TASK_NAME = "practicum.grade"


def queue_for_image(image_ref: str) -> str:
    """`practicum-sandbox-default:b0b73f65f3be` -> `grade.practicum-sandbox-default.b0b73f65f3be`."""
    return "grade." + image_ref.replace(":", ".").replace("/", "_")


@functools.lru_cache(maxsize=32)
def _tag(image_name: str) -> str:
    return images.image_tag(image_name)     # hashes the definition's files: once per process


def image_ref(app: Flask, image_name: str) -> str:
    """The tag a job of an exam with image `image_name` runs in (the board's configured
    override wins, as in grading)."""
    return app.config.get("SANDBOX_IMAGE") or _tag(image_name)


def is_embedded(app: Flask) -> bool:
    return app.config["BROKER_URL"].startswith("memory://")


def make_celery(app: Flask) -> Celery:
    broker = app.config["BROKER_URL"]
    cel = Celery("practicum", broker=broker, set_as_current=False)
    transport = {"visibility_timeout": float(app.config["BROKER_VISIBILITY_S"])}
    if broker.startswith("memory://"):
        transport = {"polling_interval": 0.05}      # in-process: poll often, it costs nothing
    cel.conf.update(
        task_acks_late=True,                 # a message is done when its job is, not when it is read
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,        # a busy worker holds no job another could take
        task_ignore_result=True,             # results go to the database, not to a backend
        task_serializer="json", accept_content=["json"],
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a broker restart is waited out, not fatal
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_default_queue="grade.default",
    )
    return cel


def get_celery(app: Flask | None = None) -> Celery:
    return (app or current_app).extensions["practicum.celery"]


def send(app: Flask, job_id: int, queue: str, countdown: float | None = None) -> bool:
    """Send job `job_id`'s message; False (logged) when the broker cannot be reached:
    the job stays queued in the database and `republish` sends it later."""
    try:
        get_celery(app).send_task(TASK_NAME, args=[job_id], queue=queue, countdown=countdown or None,
                                  retry=True, retry_policy={"max_retries": 2, "interval_start": 0.2,
                                                            "interval_step": 0.5, "interval_max": 1.0})
        return True
    except Exception as exc:   # noqa: BLE001 - any broker failure: the row is kept, resent later
        log.warning("could not send job %s to %s: %s", job_id, queue, exc)
        return False


def queue_depth(app: Flask, queue: str) -> int | None:
    """Messages waiting in `queue` (not those a worker holds); None when the broker does not answer."""
    try:
        with get_celery(app).connection_for_write() as conn:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
    except Exception:   # noqa: BLE001 - a missing queue or an unreachable broker
        return 0 if is_embedded(app) else None


def republish(app: Flask, older_than_s: float, limit: int = 500) -> list[int]:
    """Send again the queued jobs whose message was sent longer than `older_than_s` ago (or
    never) and that nobody claimed while their queue is empty: lost messages, a restarted
    broker, a restarted board. Each resend is claimed by one process first (a guarded UPDATE
    of `published_at`), so several housekeepers do not send it several times."""
    now = utcnow()
    cutoff = now - timedelta(seconds=older_than_s)
    rows = db.session.execute(
        select(Job.id, Job.queue, Job.published_at)
        .where(Job.status == JobStatus.QUEUED, Job.available_at <= now,
               or_(Job.published_at.is_(None), Job.published_at < cutoff))
        .order_by(Job.priority.desc(), Job.id).limit(limit)).all()
    sent, depth = [], {}
    for job_id, queue, published in rows:
        queue = queue or "grade.default"
        if queue not in depth:
            depth[queue] = queue_depth(app, queue)
        if depth[queue]:
            continue        # messages still wait there: workers are behind, nothing was lost yet
        cond = Job.published_at.is_(None) if published is None else Job.published_at == published
        won = db.session.execute(update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED, cond)
                                 .values(published_at=now)
                                 .execution_options(synchronize_session=False)).rowcount == 1
        db.session.commit()
        if won and send(app, job_id, queue):
            sent.append(job_id)
    return sent


# ------------------------------------------------------------------ the board's side

class JobQueue:
    """The board's side. It imports the job state machine when used (`from . import jobs`), so
    a worker machine, which only consumes messages, never loads it."""

    def __init__(self, app: Flask):
        self.app = app
        self.max_attempts = int(app.config["JOB_MAX_ATTEMPTS"])

    def queue_of(self, image_name: str) -> str:
        """The broker queue of an exam whose package names sandbox image `image_name`."""
        return queue_for_image(image_ref(self.app, image_name))

    def enqueue(self, submission_id: int, image_name: str, *, priority: int = 0) -> int:
        """Queue the submission for grading (commits the session); return the job's id."""
        from . import jobs
        queue = self.queue_of(image_name)
        job = jobs.create(submission_id, max_attempts=self.max_attempts, priority=priority)
        job.queue, job.published_at = queue, utcnow()
        db.session.commit()
        send(self.app, job.id, queue)
        return job.id

    def enqueue_many(self, submission_ids: list[int], image_name: str, *, priority: int = 0) -> int:
        """Queue many submissions of one exam (a regrade); return how many."""
        from . import jobs
        if not submission_ids:
            return 0
        before = db.session.scalar(select(db.func.max(Job.id))) or 0
        n = jobs.create_many(submission_ids, max_attempts=self.max_attempts, priority=priority)
        ids = list(db.session.scalars(
            select(Job.id).join(Submission, Submission.id == Job.submission_id)
            .where(Job.id > before, Job.submission_id.in_(submission_ids), Job.status == JobStatus.QUEUED)))
        queue, now = self.queue_of(image_name), utcnow()
        for i in range(0, len(ids), 500):
            db.session.execute(update(Job).where(Job.id.in_(ids[i:i + 500])).values(queue=queue, published_at=now)
                               .execution_options(synchronize_session=False))
        db.session.commit()
        for job_id in ids:
            send(self.app, job_id, queue)
        return n

    def cancel(self, job_id: int) -> bool:
        """Cancel a job that has not started; False when it had. Its message, if any,
        finds the job cancelled and does nothing."""
        from . import jobs
        return jobs.cancel(job_id)


def get_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions["practicum.queue"]


def init_app(app: Flask) -> None:
    broker = app.config["BROKER_URL"]
    if not broker.startswith(("memory://", "redis://", "rediss://", "sentinel://")):
        raise ValueError(f"BROKER_URL must be memory:// (embedded) or a redis:// URL, got {broker!r}")
    app.extensions["practicum.celery"] = make_celery(app)
    app.extensions["practicum.queue"] = JobQueue(app)
