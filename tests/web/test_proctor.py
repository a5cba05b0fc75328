"""The proctor's dashboard: roles, candidates' activity, queue, verdicts and faults, worker health,
pausing intake, cancelling jobs (and their sandboxes, with the real engine), no query per candidate."""
from __future__ import annotations

import time
from datetime import timedelta

import docker
import pytest
from sqlalchemy import event, select

from grader import sandbox
from grader.errors import SandboxError
from grader.models import Verdict
from web.grading import grade, jobs
from web.services import cancel
from web.storage.db import db, utcnow
from web.storage.models import (AttemptOutcome, AuditLog, Job, JobAttempt, JobStatus, Result, Submission,
                        SubmissionStatus, WorkerNode)
from web.grading.launch import EmbeddedWorker
from web.grading.node import Node

from .conftest import FULL, SHAPES_PATH, add_candidates, grade_by_hand, submission_id


def state(b, exam: int, **args) -> dict:
    r = b.get(f"/staff/proctor/{exam}/state.json", query_string=args)
    assert r.status_code == 200
    return r.get_json()


def audited(app, action: str) -> list[AuditLog]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))
        db.session.expunge_all()
        return rows


def test_only_staff_reach_the_dashboard_and_its_actions(app, candidate, signed_in, make_browser, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
    routes = [("GET", "/staff/proctor/"), ("GET", f"/staff/proctor/{exam}"), ("GET", f"/staff/proctor/{exam}/state.json"),
              ("POST", f"/staff/proctor/{exam}/pause"), ("POST", f"/staff/proctor/{exam}/resume"),
              ("POST", f"/staff/proctor/jobs/{job_id}/cancel")]
    anonymous = make_browser()
    for method, url in routes:
        r = candidate.get(url) if method == "GET" else candidate.post(url)
        assert r.status_code == 403, url
        r = anonymous.get(url) if method == "GET" else anonymous.post(url)
        assert r.status_code in (302, 400), url
    with app.app_context():
        assert db.session.get(Job, job_id).status is JobStatus.QUEUED
    for role in ("proctor", "examiner", "admin"):
        assert signed_in(role).get(f"/staff/proctor/{exam}").status_code == 200


def test_the_dashboard_lists_candidates_queue_and_clock(app, candidate, signed_in, exam):
    submission_id(candidate.upload("shapes", SHAPES_PATH))
    b = signed_in("proctor")
    b.set_lang("en")
    page = b.get(f"/staff/proctor/{exam}").get_data(as_text=True)
    assert 'id="window"' in page and 'id="countdown"' in page and "live.js" in page
    assert "2024001" in page and "not handed in" in page
    s = state(b, exam)
    assert s["window"] == "open" and s["paused"] is False
    assert s["counts"]["candidates"] == 2 and s["counts"]["handed_in"] == 1 and s["queue"] == {"all": 1, "exam": 1}
    lines = {c["number"]: c for c in s["candidates"]}
    assert lines["2024001"]["submissions"] == 1 and lines["2024001"]["status"] == "queued"
    assert lines["2024001"]["last_activity"]
    assert lines["2024002"]["status"] == "none" and lines["2024002"]["status_label"] == "not handed in"
    assert [c["number"] for c in state(b, exam, show="missing")["candidates"]] == ["2024002"]
    assert [c["number"] for c in state(b, exam, show="active")["candidates"]] == ["2024001"]
    assert s["workers"] == [] and any("no grading worker" in a["text"] for a in s["alerts"])


def test_pausing_refuses_uploads_with_a_clear_message_until_resumed(app, candidate, signed_in, exam):
    b = signed_in("proctor")
    assert b.post(f"/staff/proctor/{exam}/pause").status_code == 303
    assert state(b, exam)["paused"] is True
    r = candidate.upload("shapes", SHAPES_PATH)
    assert r.status_code == 403 and "提交暂时关闭" in r.get_data(as_text=True)
    assert "提交暂时关闭" in candidate.get("/exam").get_data(as_text=True)
    assert b.post(f"/staff/proctor/{exam}/resume").status_code == 303
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 303
    assert len(audited(app, "intake_pause")) == 1 and len(audited(app, "intake_resume")) == 1


def test_verdicts_faults_and_runaway_jobs_raise_alerts(app, candidate, signed_in, exam):
    slow = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, slow, 0.0, status=Verdict.TIME_LIMIT)
    oom = submission_id(candidate.upload("blur", FULL / "blur.ipynb"))
    grade_by_hand(app, oom, 0.0, task="blur", max_score=6.0, status=Verdict.MEMORY_LIMIT)
    faulty = submission_id(candidate.upload("fast", FULL / "fast.py"))
    runaway = submission_id(candidate.upload("shapes", SHAPES_PATH))
    with app.app_context():
        claim = jobs.claim("w1", job_id=db.session.scalar(select(Job.id).where(Job.submission_id == faulty)))
        jobs.finish(claim, AttemptOutcome.SANDBOX_ERROR, detail="engine gone")
        stuck = jobs.claim("w2", job_id=db.session.scalar(select(Job.id).where(Job.submission_id == runaway)))
        db.session.execute(Job.__table__.update().where(Job.id == stuck.job_id)
                           .values(started_at=utcnow() - timedelta(seconds=700)))
        db.session.commit()
    b = signed_in("proctor")
    b.set_lang("en")
    s = state(b, exam)
    v = s["verdicts"]
    assert (v["time_limit"], v["memory_limit"], v["runtime_error"], v["faults"], v["recent_faults"]) == (1, 1, 0, 1, 1)
    [running] = s["running"]
    assert running["job_id"] == stuck.job_id and running["candidate"] == "2024001" and running["task"] == "shapes"
    assert running["runaway"] is True and running["elapsed"].startswith("11:4")
    assert running["cancel_url"] == f"/staff/proctor/jobs/{stuck.job_id}/cancel"
    texts = " | ".join(a["text"] for a in s["alerts"])
    assert "1 grading job(s) are being retried after a technical fault (sandbox failure)" in texts
    assert f"Job #{stuck.job_id} has run for" in texts
    page = b.get(f"/staff/proctor/{exam}").get_data(as_text=True)
    assert 'class="runaway-true"' in page


def test_cancelling_a_queued_job(app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
    r = signed_in("proctor").post(f"/staff/proctor/jobs/{job_id}/cancel")
    assert r.status_code == 303 and f"cancelled={job_id}" in r.headers["Location"]
    with app.app_context():
        assert db.session.get(Job, job_id).status is JobStatus.CANCELLED
        assert db.session.get(Submission, sid).status is SubmissionStatus.CANCELLED
    [entry] = audited(app, "job_cancel")
    assert entry.target == str(job_id) and entry.details["was"] == "queued" and entry.details["killed"] == 0


def test_cancelling_a_running_job_kills_its_sandboxes_and_ignores_the_late_result(app, candidate, signed_in, exam,
                                                                                   monkeypatch):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    killed = []
    monkeypatch.setattr(cancel.sandbox, "cancel", lambda job: killed.append(job) or 2)
    with app.app_context():
        claim = jobs.claim("w1")
    signed_in("examiner").post(f"/staff/proctor/jobs/{claim.job_id}/cancel")
    assert killed == [str(claim.job_id)]
    with app.app_context():
        assert db.session.get(Job, claim.job_id).status is JobStatus.CANCELLED
        assert db.session.get(JobAttempt, claim.attempt_id).outcome is AttemptOutcome.CANCELLED
        assert jobs.finish(claim, AttemptOutcome.SANDBOX_ERROR, detail="killed") is None      # the worker, later
        assert db.session.get(Submission, sid).status is SubmissionStatus.CANCELLED
        assert db.session.scalar(select(Result)) is None
    [entry] = audited(app, "job_cancel")
    assert entry.details == {"was": "running", "killed": 2, "error": None}


def test_an_unreachable_engine_is_reported_not_raised(app, candidate, signed_in, exam, monkeypatch):
    submission_id(candidate.upload("shapes", SHAPES_PATH))

    def down(job):
        raise SandboxError("cannot reach the Docker engine")
    monkeypatch.setattr(cancel.sandbox, "cancel", down)
    with app.app_context():
        claim = jobs.claim("w1")
    assert signed_in("proctor").post(f"/staff/proctor/jobs/{claim.job_id}/cancel").status_code == 303
    assert "Docker engine" in audited(app, "job_cancel")[0].details["error"]


def test_the_worker_labels_sandboxes_with_the_job_and_keeps_artifacts_per_job(app, candidate, exam, monkeypatch):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    seen = {}

    def fake(package, src, **kwargs):
        seen.update(kwargs)
        raise SandboxError("stop here")
    monkeypatch.setattr(grade, "grade_accepted", fake)
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
    Node(app, 1, [], "embedded").grade_job(job_id)
    assert seen["job"] == str(job_id) and seen["artifacts_root"].name == f"job-{job_id}"


def test_worker_health_is_shown_with_late_workers_flagged(app, candidate, signed_in, exam, monkeypatch):
    app.config["SANDBOX_IMAGE"] = "practicum-test:1"          # its queue: grade.practicum-test.1
    submission_id(candidate.upload("shapes", SHAPES_PATH))
    monkeypatch.setattr(grade, "grade_accepted", lambda *a, **k: (_ for _ in ()).throw(SandboxError("down")))
    b = signed_in("proctor")
    grader = EmbeddedWorker(app, size=1).start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            workers = state(b, exam)["workers"]
            if workers and workers[0]["failed"] >= 1:
                break
            time.sleep(0.1)
        [w] = workers
        assert w["failed"] >= 1 and w["level"] == "ok" and w["mode"] == "embedded"
        assert w["slots"].endswith("/1") and w["image"] == "practicum-test.1" and w["name"] == grader.node.name
    finally:
        grader.stop()
    assert [w["level"] for w in state(b, exam)["workers"]] == ["stopped"]      # kept for the record
    with app.app_context():
        db.session.add(WorkerNode(name="lab:1", host="lab", queues="grade.x", slots=2,
                                  heartbeat_at=utcnow() - timedelta(seconds=200)))
        db.session.commit()
    s = state(b, exam)
    assert {w["name"]: w["level"] for w in s["workers"]}["lab:1"] == "critical"
    assert any("lab:1" in a["text"] and a["level"] == "bad" for a in s["alerts"])
    b.set_lang("en")
    assert "level-critical" in b.get(f"/staff/proctor/{exam}").get_data(as_text=True)


def count_queries(app, fn) -> int:
    n = [0]

    def before(*args, **kwargs):
        n[0] += 1
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return n[0]


def test_the_dashboard_needs_no_query_per_candidate(app, make_browser, signed_in, exam):
    b = signed_in("proctor")

    def add(numbers):
        codes = add_candidates(app, exam, *numbers)
        for number in numbers:
            c = make_browser()
            c.login_candidate(number, codes[number])
            grade_by_hand(app, submission_id(c.upload("shapes", SHAPES_PATH)), 3.0)
    add(["3000001", "3000002"])
    few = count_queries(app, lambda: (state(b, exam), b.get(f"/staff/proctor/{exam}")))
    add([f"30001{i:02d}" for i in range(25)])
    many = count_queries(app, lambda: (state(b, exam), b.get(f"/staff/proctor/{exam}")))
    assert many == few and len(state(b, exam)["candidates"]) == 27


@pytest.mark.docker
@pytest.mark.slow
def test_a_runaway_job_is_cancelled_and_its_sandbox_killed(app, candidate, signed_in, exam, image_tag):
    app.config["SANDBOX_IMAGE"] = image_tag
    hang = b"import time\ntime.sleep(600)\n\ndef classify(img):\n    return 'circle'\n"
    sid = submission_id(candidate.upload("shapes", name="shapes.py", data=hang))
    client = docker.from_env()
    pool = EmbeddedWorker(app, size=1).start()
    try:
        with app.app_context():
            job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
        label = {"label": f"{sandbox.JOB_LABEL}={job_id}"}
        deadline = time.monotonic() + 120
        while not client.containers.list(filters=label):
            assert time.monotonic() < deadline, "the job's sandbox never started"
            time.sleep(0.2)
        b = signed_in("proctor")
        assert [j["job_id"] for j in state(b, exam)["running"]] == [job_id]
        t0 = time.monotonic()
        assert b.post(f"/staff/proctor/jobs/{job_id}/cancel").status_code == 303
        assert audited(app, "job_cancel")[0].details["killed"] >= 1
        while pool.node.running:                                   # the worker lets go well before the wall clock
            assert time.monotonic() - t0 < 45, "the worker is still grading the cancelled job"
            time.sleep(0.2)
    finally:
        pool.stop()
    with app.app_context():
        assert db.session.get(Job, job_id).status is JobStatus.CANCELLED
        assert db.session.get(Submission, sid).status is SubmissionStatus.CANCELLED
        assert db.session.scalar(select(Result)) is None
    deadline = time.monotonic() + 30
    while client.containers.list(all=True, filters=label):
        assert time.monotonic() < deadline, "the cancelled job left a container behind"
        time.sleep(0.5)
