"""Job rows: atomic claims, attempts, retries, the reaper, idempotent results, cancelling."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grader.errors import FaultCause, SandboxError
from grader.models import TaskResult, Verdict
from web.grading import grade, jobs
from web.storage.db import db, utcnow
from web.storage.models import AttemptOutcome, Job, JobAttempt, JobStatus, Result, Submission, SubmissionStatus
from web.grading.dispatch import get_queue
from web.grading.node import Node

from .conftest import SHAPES_PATH, submission_id


@pytest.fixture(autouse=True, params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> str:
    """Every job state change is checked on SQLite and on a real PostgreSQL."""
    return request.param


@pytest.fixture
def queued(app, candidate) -> int:
    """The id of a queued submission of shapes.py."""
    return submission_id(candidate.upload("shapes", SHAPES_PATH))


def task_result(score=5.0) -> TaskResult:
    return TaskResult(id="shapes", score=score, max_score=5.0, status=Verdict.OK if score == 5 else Verdict.WRONG,
                      message="done")


def test_a_job_is_claimed_once(app, queued, ctx):
    first = jobs.claim("w1")
    assert first is not None and first.submission_id == queued and first.attempt == 1
    assert jobs.claim("w2") is None
    assert jobs.claim("w2", job_id=first.job_id) is None
    job = db.session.get(Job, first.job_id)
    assert job.status is JobStatus.RUNNING and job.worker == "w1" and job.heartbeat_at is not None
    assert db.session.get(Submission, queued).status is SubmissionStatus.RUNNING


def test_graded_job_writes_the_result_and_mirrors_the_status(app, queued, ctx):
    claim = jobs.claim("w1")
    assert jobs.finish(claim, AttemptOutcome.GRADED, result=task_result()) is JobStatus.GRADED
    db.session.expire_all()
    assert db.session.get(Submission, queued).status is SubmissionStatus.GRADED
    result = db.session.scalar(select(Result).where(Result.submission_id == queued))
    assert (result.score, result.max_score, result.status) == (5.0, 5.0, "ok")
    attempt = db.session.get(JobAttempt, claim.attempt_id)
    assert attempt.outcome is AttemptOutcome.GRADED and attempt.ended_at is not None


def test_sandbox_errors_are_retried_up_to_the_cap_then_failed(app, queued, ctx):
    statuses, mirrored = [], []
    for cause in (FaultCause.ENGINE_TIMEOUT, FaultCause.OUT_OF_DISK, None):
        claim = jobs.claim("w1")
        statuses.append(jobs.finish(claim, AttemptOutcome.SANDBOX_ERROR, detail="engine gone", cause=cause))
        mirrored.append(db.session.get(Submission, queued, populate_existing=True).status)
    assert statuses == [JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.FAILED]
    assert mirrored == [SubmissionStatus.RETRYING, SubmissionStatus.RETRYING, SubmissionStatus.FAILED]
    db.session.expire_all()
    job = db.session.scalar(select(Job))
    assert job.attempts == 3 and "engine gone" in job.error and "(sandbox)" in job.error
    outcomes = [a.outcome for a in job.attempt_records]
    assert outcomes == [AttemptOutcome.SANDBOX_ERROR] * 3
    # each attempt keeps its own cause; one finished without a cause gets the generic one
    assert [a.cause for a in job.attempt_records] == ["engine_timeout", "out_of_disk", "sandbox"]
    assert db.session.get(Submission, queued).status is SubmissionStatus.FAILED
    assert db.session.scalar(select(func.count(Result.id))) == 0          # never a score


def test_config_errors_are_not_retried(app, queued, ctx):
    claim = jobs.claim("w1")
    assert jobs.finish(claim, AttemptOutcome.CONFIG_ERROR, detail="bad package") is JobStatus.FAILED


def test_retry_waits_before_it_is_claimed_again(app, queued, ctx):
    claim = jobs.claim("w1")
    jobs.finish(claim, AttemptOutcome.ERROR, retry_delay_s=60)
    assert jobs.claim("w1") is None
    db.session.execute(Job.__table__.update().values(available_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert jobs.claim("w1").attempt == 2


def test_reaper_requeues_a_stale_running_job(app, queued, ctx):
    claim = jobs.claim("dead-worker")
    assert jobs.reap(60) == []                                            # fresh heartbeat: left alone
    later = utcnow() + timedelta(seconds=120)
    assert jobs.reap(60, now=later) == [claim.job_id]
    db.session.expire_all()
    job = db.session.get(Job, claim.job_id)
    assert job.status is JobStatus.QUEUED and job.worker is None and job.current_attempt_id is None
    attempt = db.session.get(JobAttempt, claim.attempt_id)
    assert attempt.outcome is AttemptOutcome.ABANDONED and attempt.cause == "worker_lost"
    assert "dead-worker" in attempt.detail
    assert db.session.get(Submission, queued).status is SubmissionStatus.RETRYING   # the candidate: ours, retried
    # the dead worker comes back: its late answer is ignored, the next claim grades it
    assert jobs.finish(claim, AttemptOutcome.GRADED, result=task_result(1.0)) is None
    again = jobs.claim("w2")
    assert again.attempt == 2
    assert jobs.finish(again, AttemptOutcome.GRADED, result=task_result(5.0)) is JobStatus.GRADED
    assert jobs.result_of(queued).score == 5.0


def test_reaper_fails_a_job_out_of_attempts(app, queued, ctx):
    db.session.execute(Job.__table__.update().values(max_attempts=1))
    db.session.commit()
    claim = jobs.claim("dead-worker")
    assert jobs.reap(60, now=utcnow() + timedelta(seconds=120)) == [claim.job_id]
    db.session.expire_all()
    assert db.session.get(Job, claim.job_id).status is JobStatus.FAILED
    assert db.session.get(Submission, queued).status is SubmissionStatus.FAILED


def test_heartbeat_keeps_a_job_alive(app, queued, ctx):
    claim = jobs.claim("w1")
    db.session.execute(Job.__table__.update().values(heartbeat_at=utcnow() - timedelta(seconds=600)))
    db.session.commit()
    assert jobs.heartbeat([claim]) == []
    assert jobs.reap(60) == []


def test_result_write_is_idempotent(app, queued, ctx):
    jobs.write_result(queued, task_result(2.0))
    db.session.commit()
    jobs.write_result(queued, task_result(5.0))
    jobs.write_result(queued, task_result(5.0))
    db.session.commit()
    rows = db.session.scalars(select(Result).where(Result.submission_id == queued)).all()
    assert len(rows) == 1 and rows[0].score == 5.0


def test_cancel_a_queued_job(app, queued, ctx):
    job_id = db.session.scalar(select(Job.id))
    assert get_queue().cancel(job_id)
    db.session.expire_all()
    assert db.session.get(Submission, queued).status is SubmissionStatus.CANCELLED
    assert jobs.claim("w1") is None
    assert not get_queue().cancel(job_id)


def test_worker_retries_an_engine_failure_then_fails_uncharged(app, queued, monkeypatch):
    calls = []

    def engine_down(*args, **kwargs):
        calls.append(kwargs["task"])
        raise SandboxError("cannot reach the Docker engine")
    monkeypatch.setattr(grade, "grade_accepted", engine_down)
    node = Node(app, 1, [], "embedded")
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
    assert [node.grade_job(job_id) for _ in range(4)] == [JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.FAILED, None]
    assert calls == ["shapes"] * 3
    with app.app_context():
        assert db.session.get(Submission, queued).status is SubmissionStatus.FAILED
        assert db.session.scalar(select(Job)).error.startswith("attempt 3: sandbox_error")
