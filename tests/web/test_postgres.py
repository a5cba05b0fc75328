"""The board on a real PostgreSQL: the Alembic migrations build exactly the models' schema, and
the candidate's flow, job claims and results work there as they do on SQLite. The `postgres`
mark puts the shared `app` fixture (and so exam, codes, candidate, ctx) on a fresh PG database."""
from __future__ import annotations

import re
import shutil
import threading
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from grader.models import TaskResult, Verdict
from web.grading import jobs
from web.services import exams
from web.storage.db import alembic_config, current_revision, db, upgrade, utcnow
from web.storage.models import (AttemptOutcome, AuditLog, Exam, Job, JobAttempt, JobStatus, Result, Submission,
                        SubmissionStatus, User)

from .conftest import DEMO, SHAPES_PATH, add_candidates, submission_id

pytestmark = pytest.mark.postgres


def task_result(score=5.0) -> TaskResult:
    return TaskResult(id="shapes", score=score, max_score=5.0, status=Verdict.OK if score == 5 else Verdict.WRONG,
                      message="done")


@pytest.fixture
def queued(app, candidate) -> int:
    return submission_id(candidate.upload("shapes", SHAPES_PATH))


# ------------------------------------------------------------------ schema

def test_migrations_build_the_models_schema_on_postgres(app):
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_downgrade_and_upgrade_again_on_postgres(app):
    with app.app_context():
        command.downgrade(alembic_config(app), "base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    upgrade(app)
    assert current_revision(app) == ScriptDirectory.from_config(alembic_config(app)).get_current_head()
    upgrade(app)


# ------------------------------------------------------------------ the candidate's flow

def test_register_import_login_upload_on_postgres(app, exam, candidate):
    r = candidate.upload("shapes", SHAPES_PATH)
    assert r.status_code == 303
    sid = submission_id(r)
    assert candidate.get(f"/submissions/{sid}/status").get_json() == {"id": sid, "task": "shapes", "status": "queued"}
    with app.app_context():
        row = db.session.get(Exam, exam)
        assert row.key == "demo" and row.window_start.tzinfo is not None
        assert row.window_start < utcnow() < row.window_end
        people = db.session.scalars(select(User).where(User.exam_id == exam).order_by(User.username)).all()
        assert [u.username for u in people] == ["2024001", "2024002"]
        assert people[0].last_login_at is not None and people[0].last_login_at.tzinfo is timezone.utc
        sub = db.session.get(Submission, sid)
        assert sub.status is SubmissionStatus.QUEUED and sub.candidate_id == people[0].id
        assert sub.created_at.tzinfo is timezone.utc and abs(sub.created_at - utcnow()) < timedelta(minutes=1)
        job = db.session.scalar(select(Job).where(Job.submission_id == sid))
        assert job.status is JobStatus.QUEUED and job.attempts == 0
        assert db.session.scalar(select(func.count(AuditLog.id))) > 0
    history = candidate.get("/submissions").get_data(as_text=True)
    assert "shapes.py" in history


def test_rejected_upload_keeps_its_params_as_json(app, candidate):
    r = candidate.upload("shapes", name="notes.txt", data=b"hello")
    assert r.status_code == 400
    with app.app_context():
        sub = db.session.scalar(select(Submission))
        assert sub.status is SubmissionStatus.REJECTED and sub.reject_code
        assert sub.reject_params is None or isinstance(sub.reject_params, dict)


def test_min_interval_compares_aware_times(app, candidate, exam):
    """`func.max(created_at)` comes back through the driver, not the column type: on PG too."""
    with app.app_context():
        db.session.get(Exam, exam).min_interval_s = 3600
        db.session.commit()
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 303
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 429


def test_a_second_roster_import_does_not_clash_on_the_sequence(app, exam):
    first = add_candidates(app, exam, "2024101")
    second = add_candidates(app, exam, "2024102", "2024103")
    assert set(first) == {"2024101"} and set(second) == {"2024102", "2024103"}
    with app.app_context():
        ids = db.session.scalars(select(User.id).order_by(User.id)).all()
        assert len(ids) == len(set(ids)) == 3


# ------------------------------------------------------------------ jobs, exactly as test_jobs.py on SQLite

def test_stored_times_are_utc_whatever_the_session_zone(app, queued, ctx):
    """The columns are `timestamp without time zone` holding UTC: a server or session in another
    zone must not shift them."""
    db.session.execute(db.text("SET TIME ZONE 'Asia/Shanghai'"))
    job = db.session.scalar(select(Job))
    assert abs(job.enqueued_at - utcnow()) < timedelta(minutes=1)
    db.session.rollback()


# ------------------------------------------------------------------ concurrency

def test_concurrent_claims_never_take_the_same_job(app, candidate, exam):
    """Two threads, each its own session and connection, drain 30 queued jobs: every job is
    claimed exactly once and has exactly one attempt."""
    for _ in range(30):
        assert candidate.upload("shapes", SHAPES_PATH).status_code == 303
    with app.app_context():
        db.session.execute(Exam.__table__.update().values(attempt_limit=None, min_interval_s=0))
        db.session.commit()
        total = db.session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.QUEUED))
        db.session.remove()
    assert total == 30

    claimed: dict[str, list[int]] = {"w1": [], "w2": []}
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def drain(worker: str) -> None:
        try:
            with app.app_context():
                barrier.wait()
                while (claim := jobs.claim(worker)) is not None:
                    claimed[worker].append(claim.job_id)
                    assert jobs.finish(claim, AttemptOutcome.GRADED, result=task_result()) is JobStatus.GRADED
                db.session.remove()
        except BaseException as exc:       # surfaced to the test below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(w,)) for w in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    together = claimed["w1"] + claimed["w2"]
    assert len(together) == len(set(together)) == 30
    with app.app_context():
        assert db.session.scalar(select(func.count(JobAttempt.id))) == 30
        assert db.session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.GRADED)) == 30
        assert db.session.scalar(select(func.count(Result.id))) == 30
        per_job = db.session.execute(select(JobAttempt.job_id, func.count()).group_by(JobAttempt.job_id)).all()
        assert {n for _, n in per_job} == {1}
        db.session.remove()


def test_concurrent_claims_of_one_job_by_id(app, queued):
    """Many threads race for the same job id: exactly one wins."""
    with app.app_context():
        job_id = db.session.scalar(select(Job.id))
        db.session.remove()
    wins, errors = [], []
    barrier = threading.Barrier(8)

    def race(i: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                if jobs.claim(f"w{i}", job_id=job_id) is not None:
                    wins.append(i)
                db.session.remove()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(wins) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(JobAttempt.id))) == 1
        db.session.remove()


def test_naive_datetimes_are_still_refused(app, ctx):
    row = db.session.scalar(select(Exam)) or Exam(key="x", package_path="/x")
    row.window_end = datetime(2030, 1, 1)
    db.session.add(row)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()


def test_nul_characters_from_a_sandbox_do_not_make_a_result_unwritable(app, queued, ctx):
    """PostgreSQL's text refuses NUL (SQLite's does not): what a candidate's program printed
    reaches the result's message, a job's error and an attempt's detail."""
    claim = jobs.claim("w1")
    assert jobs.finish(claim, AttemptOutcome.SANDBOX_ERROR, detail="engine said \x00\x00") is JobStatus.QUEUED
    again = jobs.claim("w1")
    bad = TaskResult(id="shapes", score=1.0, max_score=5.0, status=Verdict.WRONG, message="printed \x00 here")
    assert jobs.finish(again, AttemptOutcome.GRADED, result=bad) is JobStatus.GRADED
    db.session.expire_all()
    assert jobs.result_of(queued).message == "printed \ufffd here"
    assert db.session.get(JobAttempt, claim.attempt_id).detail == "engine said \ufffd\ufffd"
    assert db.session.get(Job, claim.job_id).error is None or "\x00" not in db.session.get(Job, claim.job_id).error


def test_a_package_title_longer_than_its_column_is_cut(app, tmp_path):
    pkg = tmp_path / "demo"
    shutil.copytree(DEMO, pkg)
    toml = (pkg / "exam.toml").read_text(encoding="utf-8")
    toml = re.sub(r'^title = \{ zh = "[^"]*"', 'title = { zh = "' + "长" * 400 + '"', toml, count=1, flags=re.M)
    (pkg / "exam.toml").write_text(toml, encoding="utf-8")
    with app.app_context():
        row = exams.register_exam(pkg)
        assert row.title_zh == "长" * 300
        db.session.remove()
