"""The worker API's scope rules, through the Flask test client on a real SQLite database:
a worker token may claim only queued jobs of its own queues, heartbeat and finish only the
attempts it claimed, fetch only the upload and package of a job it holds, and write only
its own `workers` row; a bad or revoked token gets nothing. Every refusal is audited."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from web.grading.dispatch import queue_for_image
from web.services import worker_tokens
from web.storage.db import db
from web.storage.models import (AttemptOutcome, AuditLog, Exam, Job, JobAttempt, JobStatus, Result, Submission,
                                WorkerNode, WorkerToken)

from .conftest import SHAPES_PATH, add_candidates, submission_id

QUEUE_VALUES = {"host": "lab", "mode": "celery", "slots": 1, "busy": 0, "done": 0, "failed": 0, "status": "up",
                "speed": 1.0}


class Worker:
    """One token's view of the API (the test client with its bearer token)."""

    def __init__(self, client, secret: str, name: str):
        self.client, self.name = client, name
        self.headers = {"Authorization": f"Bearer {secret}"}

    def post(self, path: str, body=None, **kw):
        if body is not None:
            kw["json"] = body
        return self.client.post(f"/api/worker{path}", headers=self.headers, **kw)

    def register(self, queues: list[str]):
        return self.post("/record", {"name": self.name, "values": {**QUEUE_VALUES, "queues": ",".join(queues)}})

    def claim(self, job_id: int):
        return self.post("/claim", {"worker": f"{self.name}/t1", "job_id": job_id})


@pytest.fixture
def token(app):
    def make(name: str) -> str:
        with app.app_context():
            _, secret = worker_tokens.create(name, actor="test")
        return secret
    return make


@pytest.fixture
def job(app, candidate) -> dict:
    """A queued job of shapes.py: {job, sub, queue, sha, package}."""
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    with app.app_context():
        j = db.session.scalar(select(Job).where(Job.submission_id == sid))
        sub = db.session.get(Submission, sid)
        exam = db.session.get(Exam, sub.exam_id)
        return {"job": j.id, "sub": sid, "queue": j.queue, "sha": sub.sha256, "package": exam.package_sha256}


def refusals(app, action: str = "worker_api_refused") -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_a_worker_claims_fetches_and_finishes_its_own_job(app, token, job):
    w = Worker(app.test_client(), token("lab-1"), "lab:100")
    assert w.register([job["queue"]]).status_code == 200
    r = w.claim(job["job"])
    assert r.status_code == 200, r.get_json()
    claim = r.get_json()["claim"]
    assert (claim["job_id"], claim["submission_id"], claim["worker"]) == (job["job"], job["sub"], "lab:100/t1")
    work = w.post("/work", {"claim": claim}).get_json()
    assert (work["task_id"], work["sha256"], work["package_sha256"]) == ("shapes", job["sha"], job["package"])
    upload = w.post(f"/blobs/{job['sha']}", {"claim": claim})
    assert upload.status_code == 200 and upload.data == SHAPES_PATH.read_bytes()
    package = w.post(f"/blobs/{job['package']}", {"claim": claim})
    assert hashlib.sha256(package.data).hexdigest() == job["package"]
    assert w.post("/heartbeat", {"claims": [claim]}).get_json() == {"taken_away": []}

    result = {"task_id": "shapes", "score": 5.0, "max_score": 5.0, "visible_score": 99.0, "status": "ok",
              "message": "done", "messages": None, "duration_s": 1.5, "artifacts": ["out.png"],
              "tests": [{"name": "t", "score": 2.0, "visibility": "visible"}]}
    report = {"claim": claim, "outcome": "graded", "result": result, "artifacts": ["out.png"]}
    import io
    r = w.post("/finish", data={"report": json.dumps(report), "artifact0": (io.BytesIO(b"PNG!"), "a0")},
               content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "graded"
    with app.app_context():
        row = db.session.scalar(select(Result).where(Result.submission_id == job["sub"]))
        assert (row.score, row.job_id) == (5.0, job["job"])
        assert row.visible_score == 2.0                      # recomputed from the tests, not the worker's 99
        assert row.artifact_blobs == {"out.png": hashlib.sha256(b"PNG!").hexdigest()}
        attempt = db.session.get(JobAttempt, claim["attempt_id"])
        assert attempt.outcome is AttemptOutcome.GRADED
        assert attempt.token_id == db.session.scalar(select(WorkerToken.id).where(WorkerToken.name == "lab-1"))
        [node] = db.session.scalars(select(WorkerNode))
        assert (node.name, node.queues, node.token.name) == ("lab:100", job["queue"], "lab-1")
    # the job is over: its blobs are no longer this token's to read
    assert w.post(f"/blobs/{job['sha']}", {"claim": claim}).status_code == 403
    assert len(refusals(app)) == 1          # only that last fetch was refused


def test_a_job_held_by_another_token_is_out_of_reach(app, token, job):
    client = app.test_client()
    a, b = Worker(client, token("a"), "a:1"), Worker(client, token("b"), "b:2")
    a.register([job["queue"]]), b.register([job["queue"]])
    claim = a.claim(job["job"]).get_json()["claim"]
    assert b.claim(job["job"]).get_json() == {"claim": None}           # already running: nothing to claim
    for path, body in [("/heartbeat", {"claims": [claim]}), ("/work", {"claim": claim}),
                       (f"/blobs/{job['sha']}", {"claim": claim}), (f"/blobs/{job['package']}", {"claim": claim})]:
        r = b.post(path, body)
        assert r.status_code == 403, (path, r.status_code)
    r = b.post("/finish", data={"report": json.dumps({"claim": claim, "outcome": "sandbox_error"})})
    assert r.status_code == 403
    with app.app_context():
        j = db.session.get(Job, job["job"])
        assert j.status is JobStatus.RUNNING and j.current_attempt_id == claim["attempt_id"]   # untouched
    assert len(refusals(app)) == 5 and {r.target for r in refusals(app)} == {"b"}
    assert all(r.actor == "worker-token:b" for r in refusals(app))


def test_only_the_queues_of_a_registered_row_of_this_token(app, token, job):
    client = app.test_client()
    w = Worker(client, token("w"), "w:1")
    assert w.claim(job["job"]).status_code == 403                      # no row yet: not registered
    w.register([queue_for_image("practicum-sandbox-other:abc")])
    assert w.claim(job["job"]).status_code == 403                      # not a queue it listed
    other = Worker(client, token("other"), "other:9")
    other.register([job["queue"]])
    # a row of another token can be neither claimed under nor overwritten
    assert Worker(client, w.headers["Authorization"][7:], "other:9").claim(job["job"]).status_code == 403
    assert Worker(client, w.headers["Authorization"][7:], "other:9").register(["x"]).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(WorkerNode.queues).where(WorkerNode.name == "other:9")) == job["queue"]
        assert db.session.get(Job, job["job"]).status is JobStatus.QUEUED
    assert len(refusals(app)) == 4


def test_a_blob_of_another_job_is_refused_even_while_holding_one(app, token, job, exam):
    codes = add_candidates(app, exam, "2024009")
    from .conftest import Browser
    other = Browser(app.test_client())
    other.login_candidate("2024009", codes["2024009"])
    other_sid = submission_id(other.upload("shapes", data=b"def f():\n    return 1\n", name="shapes.py"))
    with app.app_context():
        other_sha = db.session.get(Submission, other_sid).sha256
    w = Worker(app.test_client(), token("w"), "w:1")
    w.register([job["queue"]])
    claim = w.claim(job["job"]).get_json()["claim"]
    assert w.post(f"/blobs/{other_sha}", {"claim": claim}).status_code == 403
    forged = {**claim, "submission_id": other_sid}                    # the board rebuilds a claim from its rows
    assert w.post(f"/blobs/{other_sha}", {"claim": forged}).status_code == 403
    assert w.post(f"/blobs/{job['sha']}", {"claim": forged}).status_code == 200


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer pwk_not-a-token", "Basic dXNlcjpwdw=="])
def test_no_valid_token_no_answer(app, job, header):
    r = app.test_client().post("/api/worker/claim", json={"worker": "x:1/t", "job_id": job["job"]},
                               headers={"Authorization": header} if header else {})
    assert r.status_code == 401 and "claim" not in r.get_json()
    assert len(refusals(app, "worker_token_refused")) == 1


def test_a_revoked_token_stops_at_its_next_call_and_its_job_is_reaped(app, token, job):
    from web.grading import jobs
    secret = token("lab-2")
    w = Worker(app.test_client(), secret, "lab:200")
    w.register([job["queue"]])
    claim = w.claim(job["job"]).get_json()["claim"]
    with app.app_context():
        row = worker_tokens.by_name("lab-2")
        assert row.last_used_at is not None and row.token_sha256 == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in json.dumps([c.name for c in db.session.scalars(select(WorkerToken))])
        worker_tokens.revoke(row.id, actor="proctor1")
    assert w.post("/heartbeat", {"claims": [claim]}).status_code == 401
    assert w.post("/finish", data={"report": json.dumps({"claim": claim, "outcome": "graded"})}).status_code == 401
    with app.app_context():
        assert jobs.reap(0.0) == [job["job"]]                  # no heartbeat got through: taken back as usual
        assert db.session.get(JobAttempt, claim["attempt_id"]).outcome is AttemptOutcome.ABANDONED
        assert db.session.get(Job, job["job"]).status is JobStatus.QUEUED
    assert len(refusals(app, "worker_token_refused")) == 2


def test_a_worker_may_not_cancel_or_forge_another_task(app, token, job):
    w = Worker(app.test_client(), token("w"), "w:1")
    w.register([job["queue"]])
    claim = w.claim(job["job"]).get_json()["claim"]
    for report in [{"claim": claim, "outcome": "cancelled"}, {"claim": claim, "outcome": "abandoned"},
                   {"claim": claim, "outcome": "graded", "result": {"task_id": "blur", "score": 6, "max_score": 6}},
                   {"claim": claim, "outcome": "graded",
                    "result": {"task_id": "shapes", "score": 5, "max_score": 5, "job_id": 1}}]:
        assert w.post("/finish", data={"report": json.dumps(report)}).status_code == 403, report
    with app.app_context():
        assert db.session.get(Job, job["job"]).status is JobStatus.RUNNING


# ------------------------------------------------------------------ the client, over real HTTP

def test_board_gateway_does_a_jobs_round_over_http(app, token, job, live_board, tmp_path):
    from grader.errors import FaultCause
    from web.grading.gateway import BoardGateway, Finish, Refused
    gw = BoardGateway(live_board, token("http-1"), cache=tmp_path / "cache", patience_s=5)
    gw.record("http:1", {**QUEUE_VALUES, "queues": job["queue"]})
    claim = gw.claim("http:1/t", job["job"])
    assert claim is not None and gw.claim("http:1/t", job["job"]) is None
    work = gw.work_of(claim)
    assert gw.blob(claim, work.sha256).read_bytes() == SHAPES_PATH.read_bytes()
    assert (gw.package(claim, work.package_sha256) / "exam.toml").is_file()
    assert gw.heartbeat([claim]) == []
    done = gw.finish(claim, Finish(AttemptOutcome.SANDBOX_ERROR, "engine gone", FaultCause.ENGINE_UNAVAILABLE))
    assert done.status is JobStatus.QUEUED and done.queue == job["queue"]       # a retry: where to send it again
    with app.app_context():
        assert db.session.get(JobAttempt, claim.attempt_id).cause == "engine_unavailable"
    again = gw.claim("http:1/t", job["job"])
    with app.app_context():
        from web.grading import jobs
        assert jobs.stop(job["job"]) is JobStatus.RUNNING                       # the proctor cancels it
    assert gw.heartbeat([again]) == [again]                                     # ... the worker learns it
    with pytest.raises(Refused) as refused:
        BoardGateway(live_board, "pwk_forged", patience_s=5).claim("http:1/t", job["job"])
    assert refused.value.revoked


def test_board_gateway_waits_out_a_board_that_does_not_answer(tmp_path):
    import socket
    import time

    from web.grading.gateway import BoardGateway, Unreachable
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]               # nobody listens here once closed
    gw = BoardGateway(f"http://127.0.0.1:{port}", "pwk_x", patience_s=1.5)
    t0 = time.monotonic()
    with pytest.raises(Unreachable):
        gw.record("x:1", {**QUEUE_VALUES, "queues": ""})
    assert time.monotonic() - t0 >= 1.0         # it tried again, more than once, before giving up


def test_worker_token_commands(app, tmp_path):
    from click.testing import CliRunner

    from web.cli import main
    instance = ["--instance", app.instance_path,
                "--database", app.config["SQLALCHEMY_DATABASE_URI"]]
    made = CliRunner().invoke(main, ["worker-token", "create", "lab-7", *instance])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("pwk_")
    with app.app_context():
        assert worker_tokens.verify(secret).name == "lab-7"
    assert CliRunner().invoke(main, ["worker-token", "create", "lab-7", *instance]).exit_code != 0   # names are unique
    assert "lab-7" in CliRunner().invoke(main, ["worker-token", "list", *instance]).output
    assert CliRunner().invoke(main, ["worker-token", "revoke", "lab-7", *instance]).exit_code == 0
    with app.app_context():
        assert worker_tokens.verify(secret) is None
    assert "revoked" in CliRunner().invoke(main, ["worker-token", "list", *instance]).output


def test_the_proctor_revokes_a_token_from_the_worker_table(app, token, job, exam, signed_in, candidate):
    w = Worker(app.test_client(), token("room-3"), "room3:77")
    w.register([job["queue"]])
    proctor = signed_in("proctor")
    proctor.set_lang("en")
    [row] = proctor.get(f"/staff/proctor/{exam}/state.json").get_json()["workers"]
    assert row["token_text"] == "room-3" and row["revoke_url"]
    assert "room-3" in proctor.get(f"/staff/proctor/{exam}").get_data(as_text=True)
    assert candidate.post(row["revoke_url"]).status_code in (302, 403)         # floor staff only
    asked = proctor.post(row["revoke_url"], confirm=False)                      # asked first, nothing done
    assert asked.status_code == 200 and "Revoke worker token room-3?" in asked.get_data(as_text=True)
    assert w.register([job["queue"]]).status_code == 200
    assert proctor.post(row["revoke_url"], csrf=False).status_code == 400       # CSRF holds
    done = proctor.post(row["revoke_url"])
    assert done.status_code == 303 and "revoked=room-3" in done.headers["Location"]
    assert "Worker token room-3 revoked" in proctor.get(done.headers["Location"]).get_data(as_text=True)
    assert w.register([job["queue"]]).status_code == 401 and w.claim(job["job"]).status_code == 401
    [row] = proctor.get(f"/staff/proctor/{exam}/state.json").get_json()["workers"]
    assert row["token_text"] == "room-3 (revoked)" and row["revoke_url"] == ""
    with app.app_context():
        [audit] = db.session.scalars(select(AuditLog).where(AuditLog.action == "worker_token_revoked"))
        assert (audit.target, audit.actor) == ("room-3", "proctor1")
        assert worker_tokens.by_name("room-3").revoked_by == "proctor1"


def test_a_restarted_board_gives_workers_a_beat_before_it_reaps(app, token, job):
    """Workers heartbeat through the board: while it restarted none got through. Its
    housekeeping waits STALE_AFTER_S after its start before taking jobs back."""
    import time
    from datetime import timedelta

    from web.grading.node import Node
    from web.storage.db import utcnow
    w = Worker(app.test_client(), token("w"), "w:1")
    w.register([job["queue"]])
    w.claim(job["job"])
    with app.app_context():
        db.session.get(Job, job["job"]).heartbeat_at = utcnow() - timedelta(seconds=2 * app.config["STALE_AFTER_S"])
        db.session.commit()
    board = Node(app, 0, [], "board", reap_from=time.monotonic() + 3600)    # just started
    board.tick()
    with app.app_context():
        assert db.session.get(Job, job["job"]).status is JobStatus.RUNNING
    board.reap_from = 0.0                                                     # the grace is over
    board.tick()
    with app.app_context():
        assert db.session.get(Job, job["job"]).status is JobStatus.QUEUED
