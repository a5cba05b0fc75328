"""The gateway straight on the database: what the board's own grading threads and its
housekeeping use, and what the worker API (`web/services/worker_api.py`) calls once it has
checked a token's scope. The functions run in the caller's app context; `DatabaseGateway`
gives each call a context (and session) of its own, as a grading thread needs.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from ..storage import content
from ..storage.db import db, utcnow
from ..storage.models import AttemptOutcome, Exam, Job, JobAttempt, JobStatus, Submission, WorkerNode, WorkerStatus
from . import jobs
from .gateway import ARTIFACT_MAX_BYTES, ARTIFACTS_MAX_BYTES, Claim, Finish, Finished, Work


def taken_away(claims: list[Claim]) -> list[Claim]:
    """Heartbeat `claims`; of those no longer running, the ones staff cancelled or the reaper
    took back (the others had just been finished by their own grading thread)."""
    out = []
    for c in jobs.heartbeat(claims):
        outcome = db.session.scalar(select(JobAttempt.outcome).where(JobAttempt.id == c.attempt_id))
        if outcome in (AttemptOutcome.CANCELLED, AttemptOutcome.ABANDONED):
            out.append(c)
    return out


def work_of(submission_id: int) -> Work:
    sub = db.session.get(Submission, submission_id)
    exam = db.session.get(Exam, sub.exam_id)
    return Work(sub.id, sub.task_id, sub.sha256, sub.filename, sub.lang, exam.package_sha256, exam.package_path)


def keep_artifacts(artifacts: dict[str, bytes]) -> dict[str, str]:
    """Put a result's artifacts into `blobs` (in the caller's transaction), within the size caps,
    so the board shows them whichever machine graded the job: {path: sha256}."""
    kept, total = {}, 0
    for rel in sorted(artifacts):
        data = artifacts[rel]
        if len(data) > ARTIFACT_MAX_BYTES:
            continue
        if total + len(data) > ARTIFACTS_MAX_BYTES:
            break
        total += len(data)
        kept[rel] = content.put(data)
    return kept


def finish(claim: Claim, fin: Finish, retry_delay_s: float) -> Finished:
    """End the claimed attempt with its result and artifacts; a retry's queue and delay."""
    values = None
    if fin.result is not None:
        values = {**fin.result, "artifact_blobs": keep_artifacts(fin.artifacts) or None}
    status = jobs.finish(claim, fin.outcome, detail=fin.detail, cause=fin.cause, result_json=values,
                         retry_delay_s=retry_delay_s)
    if status is not JobStatus.QUEUED:
        return Finished(status)
    row = db.session.get(Job, claim.job_id)
    delay = max(0.0, (row.available_at - utcnow()).total_seconds())
    return Finished(status, row.queue or "grade.default", delay)


WORKER_FIELDS = ("host", "queues", "mode", "slots", "busy", "done", "failed", "speed")


def write_worker_row(name: str, values: dict, token_id: int | None = None) -> None:
    """The process's own row in `workers` (`Node.record`'s values), its heartbeat now."""
    now = utcnow()
    row = {k: values[k] for k in WORKER_FIELDS if k in values}
    row.update(status=WorkerStatus(values["status"]), heartbeat_at=now)
    if not db.session.execute(update(WorkerNode).where(WorkerNode.name == name).values(**row)
                              .execution_options(synchronize_session=False)).rowcount:
        db.session.add(WorkerNode(name=name, started_at=now, token_id=token_id, **row))
    db.session.commit()


class DatabaseGateway:
    """Every call in an app context and session of its own (a grading or housekeeping thread)."""

    reaps = True

    def __init__(self, app: Flask):
        self.app = app

    @contextmanager
    def _session(self):
        with self.app.app_context():
            try:
                yield
            finally:
                db.session.remove()

    def claim(self, worker: str, job_id: int) -> Claim | None:
        with self._session():
            return jobs.claim(worker, job_id=job_id)

    def heartbeat(self, claims: list[Claim]) -> list[Claim]:
        with self._session():
            return taken_away(claims)

    def work_of(self, claim: Claim) -> Work:
        with self._session():
            return work_of(claim.submission_id)

    def blob(self, claim: Claim, sha256: str) -> Path:
        with self._session():
            return content.fetch(sha256)

    def package(self, claim: Claim, sha256: str) -> Path:
        with self._session():
            return content.unpacked_package(sha256)

    def finish(self, claim: Claim, fin: Finish) -> Finished:
        with self._session():
            return finish(claim, fin, float(self.app.config["RETRY_DELAY_S"]))

    def record(self, name: str, values: dict) -> None:
        with self._session():
            write_worker_row(name, values)

