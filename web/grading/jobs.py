"""Job rows and their state changes: create, claim, heartbeat, finish, reap, cancel, stop.

Every change is a guarded `UPDATE ... WHERE status = ... AND current_attempt_id = ...`,
so two workers can never both claim a job and a worker whose job was reaped
cannot overwrite what happened after (portable: SQLite and PostgreSQL alike;
no `SELECT ... FOR UPDATE SKIP LOCKED` needed). Each execution is a
`JobAttempt` record, ended exactly once with its outcome. The submission's
status mirrors its job's in the same transaction, except that a submission which
has a result stays `graded` when a later job of it (a regrade) fails or is
cancelled: its result is still the current one.

A finished job writes its result here too: the same job writing twice
overwrites (idempotent); a different job (a regrade) first moves the result it
replaces into `ResultHistory`, so nothing an examiner or candidate once saw is
lost: the newest is current, older ones are listed.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from grader.errors import FaultCause
from grader.models import TaskResult, TimeScale

from ..storage.db import db, utcnow
from ..storage.models import (AttemptOutcome, Job, JobAttempt, JobStatus, Result, ResultHistory, Submission,
                              SubmissionStatus)
from .gateway import Claim, result_values


RETRYABLE = frozenset({AttemptOutcome.SANDBOX_ERROR, AttemptOutcome.ERROR})
_MIRROR = {JobStatus.QUEUED: SubmissionStatus.QUEUED, JobStatus.RUNNING: SubmissionStatus.RUNNING,
           JobStatus.GRADED: SubmissionStatus.GRADED, JobStatus.FAILED: SubmissionStatus.FAILED,
           JobStatus.CANCELLED: SubmissionStatus.CANCELLED}


def _guarded(stmt) -> bool:
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1


def _mirror(submission_id: int, status: JobStatus, now: datetime, retrying: bool = False) -> None:
    """The submission's status from its job's; `retrying`: queued again after an infrastructure
    fault, which the candidate is told is ours (and not counted against them)."""
    mirrored = SubmissionStatus.RETRYING if retrying and status is JobStatus.QUEUED else _MIRROR[status]
    if status in (JobStatus.FAILED, JobStatus.CANCELLED) and db.session.scalar(
            select(exists().where(Result.submission_id == submission_id))):
        mirrored = SubmissionStatus.GRADED       # a regrade that did not happen: the result stands
    db.session.execute(update(Submission).where(Submission.id == submission_id)
                       .values(status=mirrored, updated_at=now)
                       .execution_options(synchronize_session=False))


def create(submission_id: int, *, max_attempts: int, priority: int = 0) -> Job:
    now = utcnow()
    job = Job(submission_id=submission_id, status=JobStatus.QUEUED, max_attempts=max_attempts,
              priority=priority, enqueued_at=now, available_at=now)
    db.session.add(job)
    _mirror(submission_id, JobStatus.QUEUED, now)
    return job


def create_many(submission_ids: list[int], *, max_attempts: int, priority: int = 0, chunk: int = 500) -> int:
    """Queue many submissions at once (a regrade): one INSERT and one UPDATE per chunk."""
    now = utcnow()
    for i in range(0, len(submission_ids), chunk):
        ids = submission_ids[i:i + chunk]
        db.session.execute(insert(Job), [dict(submission_id=sid, status=JobStatus.QUEUED, priority=priority,
                                              attempts=0, max_attempts=max_attempts, enqueued_at=now,
                                              available_at=now) for sid in ids])
        db.session.execute(update(Submission).where(Submission.id.in_(ids))
                           .values(status=SubmissionStatus.QUEUED, updated_at=now)
                           .execution_options(synchronize_session=False))
    return len(submission_ids)


def claim(worker: str, job_id: int | None = None, token_id: int | None = None) -> Claim | None:
    """Take the next queued job (or `job_id`) for `worker`; None when there is none. `token_id`:
    the worker token it was claimed with over the board's API, kept on the attempt."""
    for _ in range(8):
        now = utcnow()
        jid = job_id or db.session.scalar(
            select(Job.id).where(Job.status == JobStatus.QUEUED, Job.available_at <= now)
            .order_by(Job.priority.desc(), Job.id).limit(1))
        if jid is None:
            return None
        won = _guarded(update(Job).where(Job.id == jid, Job.status == JobStatus.QUEUED).values(
            status=JobStatus.RUNNING, worker=worker, heartbeat_at=now, started_at=now,
            finished_at=None, attempts=Job.attempts + 1))
        if not won:
            db.session.rollback()
            if job_id:
                return None
            continue
        job = db.session.get(Job, jid, populate_existing=True)
        attempt = JobAttempt(job_id=jid, number=job.attempts, worker=worker, started_at=now,
                             token_id=token_id)
        db.session.add(attempt)
        db.session.flush()
        job.current_attempt_id = attempt.id
        _mirror(job.submission_id, JobStatus.RUNNING, now)
        db.session.commit()
        return Claim(job_id=jid, attempt_id=attempt.id, attempt=attempt.number,
                     submission_id=job.submission_id, worker=worker)
    return None


def heartbeat(claims) -> list[Claim]:
    """Mark the jobs behind `claims` alive; returns the claims that are no longer theirs
    (cancelled by staff, or reaped): the caller stops grading those."""
    now, lost = utcnow(), []
    for c in claims:
        if not _guarded(update(Job).where(Job.id == c.job_id, Job.status == JobStatus.RUNNING,
                                          Job.current_attempt_id == c.attempt_id)
                        .values(heartbeat_at=now)):
            lost.append(c)
    db.session.commit()
    return lost


def _end_attempt(attempt_id: int, outcome: AttemptOutcome, detail: str | None, now: datetime,
                 cause: FaultCause | None = None) -> None:
    db.session.execute(update(JobAttempt).where(JobAttempt.id == attempt_id, JobAttempt.outcome.is_(None))
                       .values(outcome=outcome, detail=(detail or None) and detail[:4000], ended_at=now,
                               cause=cause.value if cause else None)
                       .execution_options(synchronize_session=False))


def next_status(job: Job, outcome: AttemptOutcome) -> JobStatus:
    if outcome is AttemptOutcome.GRADED:
        return JobStatus.GRADED
    if outcome is AttemptOutcome.CANCELLED:
        return JobStatus.CANCELLED
    if outcome in RETRYABLE and job.attempts < job.max_attempts:
        return JobStatus.QUEUED
    return JobStatus.FAILED


def finish(claim: Claim, outcome: AttemptOutcome, *, detail: str | None = None,
           result: TaskResult | None = None, artifacts_dir: str | None = None,
           descriptions: dict[str, str] | None = None, retry_delay_s: float = 0.0,
           artifact_blobs: dict[str, str] | None = None,
           time_scale: TimeScale | None = None, cause: FaultCause | None = None,
           result_json: dict | None = None) -> JobStatus | None:
    """End the claimed attempt. Returns the job's new status, or None when the claim was lost
    (the reaper took the job back): then nothing is written. `cause`: an infrastructure
    fault's category, kept on the attempt (a retryable outcome without one gets the generic).
    The result is `result` (with the other keywords), or `result_json` already made by
    `result_values` (what a worker on another machine sends)."""
    now = utcnow()
    job = db.session.get(Job, claim.job_id, populate_existing=True)
    if job is None or job.status is not JobStatus.RUNNING or job.current_attempt_id != claim.attempt_id:
        db.session.rollback()
        return None
    new = next_status(job, outcome)
    if outcome in RETRYABLE and cause is None:
        cause = FaultCause.INTERNAL if outcome is AttemptOutcome.ERROR else FaultCause.SANDBOX
    values = dict(status=new, heartbeat_at=None, worker=None, current_attempt_id=None)
    if new is JobStatus.QUEUED:
        values["available_at"] = now + timedelta(seconds=retry_delay_s * job.attempts)
    else:
        values["finished_at"] = now
    if outcome is not AttemptOutcome.GRADED:
        values["error"] = (f"attempt {claim.attempt}: {outcome.value}" + (f" ({cause.value})" if cause else "")
                           + (f": {detail}" if detail else ""))
    if not _guarded(update(Job).where(Job.id == claim.job_id, Job.status == JobStatus.RUNNING,
                                      Job.current_attempt_id == claim.attempt_id).values(**values)):
        db.session.rollback()
        return None
    _end_attempt(claim.attempt_id, outcome, detail, now, cause)
    if result is not None:
        result_json = result_values(result, artifacts_dir=artifacts_dir, descriptions=descriptions,
                                    artifact_blobs=artifact_blobs, time_scale=time_scale)
    if result_json is not None and new is JobStatus.GRADED:
        write_values(claim.submission_id, result_json, job_id=claim.job_id)
    _mirror(claim.submission_id, new, now, retrying=outcome in RETRYABLE)
    db.session.commit()
    return new


def reap(stale_after_s: float, now: datetime | None = None) -> list[int]:
    """Take back running jobs whose heartbeat is older than `stale_after_s`: queued again, or
    failed once their attempts are used up. Returns their ids."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=stale_after_s)
    stale = list(db.session.scalars(select(Job).where(
        Job.status == JobStatus.RUNNING, or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < cutoff))))
    reaped = []
    for job in stale:
        new = JobStatus.QUEUED if job.attempts < job.max_attempts else JobStatus.FAILED
        detail = f"no heartbeat from {job.worker} for more than {stale_after_s:g} s"
        values = dict(status=new, worker=None, current_attempt_id=None, heartbeat_at=None,
                      error=f"attempt {job.attempts}: abandoned ({FaultCause.WORKER_LOST.value}): {detail}")
        if new is JobStatus.FAILED:
            values["finished_at"] = now
        else:
            values["available_at"] = utcnow()
        if _guarded(update(Job).where(Job.id == job.id, Job.status == JobStatus.RUNNING,
                                      Job.current_attempt_id == job.current_attempt_id).values(**values)):
            if job.current_attempt_id is not None:
                _end_attempt(job.current_attempt_id, AttemptOutcome.ABANDONED, detail, now,
                             FaultCause.WORKER_LOST)
            _mirror(job.submission_id, new, now, retrying=True)
            reaped.append(job.id)
    db.session.commit()
    return reaped


def cancel(job_id: int) -> bool:
    """Cancel a job that has not started (a running sandbox is not stopped from here yet)."""
    now = utcnow()
    job = db.session.get(Job, job_id)
    if job is None or not _guarded(update(Job).where(Job.id == job_id, Job.status == JobStatus.QUEUED)
                                   .values(status=JobStatus.CANCELLED, finished_at=now)):
        db.session.rollback()
        return False
    _mirror(job.submission_id, JobStatus.CANCELLED, now)
    db.session.commit()
    return True


def stop(job_id: int, reason: str = "cancelled by staff") -> JobStatus | None:
    """Cancel a queued or running job. Returns the status it had (RUNNING: the caller kills its
    sandboxes), None when it had ended already. A worker finishing it later is ignored."""
    now = utcnow()
    job = db.session.get(Job, job_id, populate_existing=True)
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        db.session.rollback()
        return None
    was, attempt = job.status, job.current_attempt_id
    if not _guarded(update(Job).where(Job.id == job_id, Job.status == was, Job.current_attempt_id == attempt)
                    .values(status=JobStatus.CANCELLED, finished_at=now, worker=None, current_attempt_id=None,
                            heartbeat_at=None, error=reason)):
        db.session.rollback()
        return None
    if attempt is not None:
        _end_attempt(attempt, AttemptOutcome.CANCELLED, reason, now)
    _mirror(job.submission_id, JobStatus.CANCELLED, now)
    db.session.commit()
    return was


def active_job(submission_id: int) -> Job | None:
    return db.session.scalar(select(Job).where(Job.submission_id == submission_id,
                                               Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
                             .order_by(Job.id.desc()).limit(1))


def latest_job(submission_id: int) -> Job | None:
    return db.session.scalar(select(Job).where(Job.submission_id == submission_id).order_by(Job.id.desc()).limit(1))


# ------------------------------------------------------------------ results

COPIED = ("task_id", "job_id", "score", "max_score", "visible_score", "status", "message", "messages", "tests",
          "artifacts", "artifacts_dir", "artifact_blobs", "duration_s", "graded_at", "worker_speed", "time_factor")


def write_result(submission_id: int, task: TaskResult, *, artifacts_dir: str | None = None,
                 descriptions: dict[str, str] | None = None, job_id: int | None = None,
                 artifact_blobs: dict[str, str] | None = None, time_scale: TimeScale | None = None) -> Result:
    """Insert the result, or replace the one already there (no commit: the caller's transaction).
    A result from another job is archived first. `time_scale`: the grading worker's speed and
    the factor its time limits got, kept so staff can see them."""
    return write_values(submission_id, result_values(task, artifacts_dir=artifacts_dir, descriptions=descriptions,
                                                     artifact_blobs=artifact_blobs, time_scale=time_scale),
                        job_id=job_id)


def write_values(submission_id: int, values: dict, *, job_id: int | None = None) -> Result:
    """`write_result` from `result_values` (no commit)."""
    values = {**values, "job_id": job_id, "graded_at": utcnow()}
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
