"""Where a queued submission stands: its place in the grading queue and a wait estimated from
recent grading times, for the candidate's receipt.

The place is the claim order (`web.grading.jobs.claim`: priority, then age) among queued
jobs, plus the jobs running now. The estimate is the mean time of the last `recent`
graded attempts (any exam: they share the workers) times the rounds of work before this
one finishes, a round being one job per slot of the workers up now (at least one):
ceil((ahead + 1) / slots) × mean. A rough figure, said as one; none without recent gradings.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from ..storage.db import db
from ..storage.models import AttemptOutcome, Job, JobAttempt, JobStatus, WorkerNode, WorkerStatus


@dataclass(frozen=True)
class Wait:
    position: int                 # its place among queued jobs; 1: claimed next
    running: int                  # jobs being graded now
    ahead: int                    # jobs queued before it or running now
    mean_s: float | None          # of the recent gradings; None: none to go by
    sample: int                   # how many gradings the mean is from
    slots: int                    # grading slots of the workers up now (at least 1)

    @property
    def estimate_s(self) -> float | None:
        if self.mean_s is None:
            return None
        return math.ceil((self.ahead + 1) / self.slots) * self.mean_s


def wait_for(submission_id: int, now: datetime, *, recent: int = 20, worker_fresh_s: float = 120.0) -> Wait | None:
    """The wait of the submission's queued job; None when it has none (running, finished)."""
    job = db.session.scalar(select(Job).where(Job.submission_id == submission_id, Job.status == JobStatus.QUEUED)
                            .order_by(Job.id.desc()).limit(1))
    if job is None:
        return None
    before = db.session.scalar(select(func.count(Job.id)).where(
        Job.status == JobStatus.QUEUED,
        or_(Job.priority > job.priority, (Job.priority == job.priority) & (Job.id < job.id)))) or 0
    running = db.session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.RUNNING)) or 0
    durations = [(ended - started).total_seconds() for started, ended in db.session.execute(
        select(JobAttempt.started_at, JobAttempt.ended_at)
        .where(JobAttempt.outcome == AttemptOutcome.GRADED, JobAttempt.ended_at.is_not(None))
        .order_by(JobAttempt.ended_at.desc()).limit(recent)).all()]
    slots = db.session.scalar(select(func.sum(WorkerNode.slots)).where(
        WorkerNode.status == WorkerStatus.UP, WorkerNode.heartbeat_at >= now - timedelta(seconds=worker_fresh_s)))
    mean = sum(max(0.0, d) for d in durations) / len(durations) if durations else None
    return Wait(position=before + 1, running=running, ahead=before + running, mean_s=mean, sample=len(durations),
                slots=max(1, int(slots or 0)))
