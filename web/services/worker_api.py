"""The board's side of the worker API: what a worker token may do, checked before each call
reaches the job state machine (`web.grading.direct`).

A token may
- write only `workers` rows it created (its processes' own rows),
- claim only a queued job of a queue its process's row lists (the images it has),
- heartbeat and finish only attempts it claimed,
- read what a job names, and fetch its upload and its exam package, only while it holds
  the job's current attempt.
Anything else raises `OutOfScope` (the page answers 403 and audits it). A claim is never
taken from the request as it is: the board rebuilds it from the attempt row it names.
"""
from __future__ import annotations

from grader.errors import FaultCause

from ..grading import direct, jobs
from ..grading.gateway import Claim, Finish, Finished, Work, visible_points
from ..storage import content
from ..storage.db import db
from ..storage.models import (AttemptOutcome, Exam, Job, JobAttempt, JobStatus, Submission, WorkerNode, WorkerStatus,
                              WorkerToken)

# what a worker may say an attempt ended with (cancelled and abandoned are the board's to decide)
WORKER_OUTCOMES = frozenset({AttemptOutcome.GRADED, AttemptOutcome.SANDBOX_ERROR, AttemptOutcome.ERROR,
                             AttemptOutcome.CONFIG_ERROR, AttemptOutcome.REJECTED})
RESULT_KEYS = frozenset({"task_id", "score", "max_score", "visible_score", "status", "message", "messages", "tests",
                         "artifacts", "artifacts_dir", "artifact_blobs", "duration_s", "worker_speed", "time_factor"})


class OutOfScope(Exception):
    """The token may not do this; the message says why (for the audit, not the worker)."""


def _process(worker: str) -> str:
    """`host:pid` of a claim's `host:pid/thread`."""
    return worker.split("/", 1)[0]


def _own_row(token: WorkerToken, name: str) -> WorkerNode:
    row = db.session.scalar(db.select(WorkerNode).where(WorkerNode.name == name))
    if row is None or row.token_id != token.id:
        raise OutOfScope(f"worker {name!r} is not registered with this token")
    return row


def claim(token: WorkerToken, worker: str, job_id: int) -> Claim | None:
    row = _own_row(token, _process(worker))
    job = db.session.get(Job, job_id)
    if job is None or job.status is not JobStatus.QUEUED:
        return None                 # a duplicate or stale message: nothing to claim, as before
    if (job.queue or "grade.default") not in row.queues.split(","):
        raise OutOfScope(f"job {job_id} is on queue {job.queue}, not one of worker {row.name}'s")
    return jobs.claim(worker[:128], job_id=job_id, token_id=token.id)


def held(token: WorkerToken, claim: dict) -> Claim:
    """The claim an attempt of this token's is (rebuilt from the rows, not the request)."""
    try:
        attempt = db.session.get(JobAttempt, int(claim["attempt_id"]))
        job_id = int(claim["job_id"])
    except (KeyError, TypeError, ValueError):
        raise OutOfScope("not a claim") from None
    if attempt is None or attempt.token_id != token.id or attempt.job_id != job_id:
        raise OutOfScope(f"attempt {claim.get('attempt_id')} of job {job_id} was not claimed with this token")
    job = db.session.get(Job, job_id)
    return Claim(job.id, attempt.id, attempt.number, job.submission_id, attempt.worker)


def _current(token: WorkerToken, claim: dict) -> Claim:
    """A claim of this token's that is still the job's running attempt."""
    c = held(token, claim)
    job = db.session.get(Job, c.job_id)
    if job.status is not JobStatus.RUNNING or job.current_attempt_id != c.attempt_id:
        raise OutOfScope(f"job {c.job_id} is no longer held by attempt {c.attempt_id}")
    return c


def heartbeat(token: WorkerToken, claims: list[dict]) -> list[Claim]:
    return direct.taken_away([held(token, c) for c in claims])


def work(token: WorkerToken, claim: dict) -> Work:
    return direct.work_of(_current(token, claim).submission_id)


def blob(token: WorkerToken, claim: dict, sha256: str) -> bytes | None:
    """The upload or the exam package of a job this token holds; None when the board lacks it."""
    c = _current(token, claim)
    sub = db.session.get(Submission, c.submission_id)
    exam = db.session.get(Exam, sub.exam_id)
    if sha256 not in (sub.sha256, exam.package_sha256):
        raise OutOfScope(f"blob {sha256[:16]} is neither the upload nor the package of job {c.job_id}")
    return content.read(sha256)


def _result(values, sub: Submission) -> dict:
    """The result a worker sent, kept to the result's columns (the board sets the blobs and
    recomputes the visible points from the tests)."""
    if not isinstance(values, dict) or not set(values) <= RESULT_KEYS:
        raise OutOfScope("a result with unknown fields")
    if values.get("task_id") != sub.task_id:
        raise OutOfScope(f"a result for task {values.get('task_id')!r}, the job grades {sub.task_id!r}")
    tests = values.get("tests") or []
    if not isinstance(tests, list) or not all(isinstance(t, dict) for t in tests):
        raise OutOfScope("a result whose tests are not a list")
    try:
        score, max_score = float(values["score"]), float(values["max_score"])
    except (KeyError, TypeError, ValueError):
        raise OutOfScope("a result without a score") from None
    return {**values, "score": score, "max_score": max_score, "visible_score": visible_points(tests),
            "artifact_blobs": None}


def finish(token: WorkerToken, report: dict, artifacts: dict[str, bytes], retry_delay_s: float) -> Finished:
    c = held(token, report.get("claim") or {})
    try:
        outcome = AttemptOutcome(report.get("outcome"))
        cause = FaultCause(report["cause"]) if report.get("cause") else None
    except ValueError:
        raise OutOfScope(f"an unknown outcome or cause: {report.get('outcome')!r} {report.get('cause')!r}") from None
    if outcome not in WORKER_OUTCOMES:
        raise OutOfScope(f"a worker may not end an attempt as {outcome.value}")
    result = None
    if report.get("result") is not None:
        result = _result(report["result"], db.session.get(Submission, c.submission_id))
    detail = report.get("detail")
    fin = Finish(outcome, str(detail) if detail else None, cause, result, artifacts if result else {})
    return direct.finish(c, fin, retry_delay_s)


WORKER_INTS = ("slots", "busy", "done", "failed")


def record(token: WorkerToken, name: str, values: dict) -> None:
    """A process's own row: new (then it is this token's), or one this token wrote before."""
    if not isinstance(name, str) or not name or len(name) > 128 or not isinstance(values, dict):
        raise OutOfScope("not a worker row")
    row = db.session.scalar(db.select(WorkerNode).where(WorkerNode.name == name))
    if row is not None and row.token_id != token.id:
        raise OutOfScope(f"worker row {name!r} belongs to another token")
    try:
        clean = {k: int(values.get(k) or 0) for k in WORKER_INTS}
        clean.update(host=str(values.get("host") or "")[:128], queues=str(values.get("queues") or "")[:1024],
                     mode=str(values.get("mode") or "celery")[:16], status=WorkerStatus(values.get("status")).value,
                     speed=float(values["speed"]) if values.get("speed") is not None else None)
    except (TypeError, ValueError):
        raise OutOfScope("a worker row with values of the wrong kind") from None
    direct.write_worker_row(name, clean, token.id)
