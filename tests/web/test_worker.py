"""The embedded Celery worker grades real submissions end to end with the real Docker engine."""
from __future__ import annotations

import hashlib
import time

import pytest
from sqlalchemy import select

from web.storage.db import db
from web.storage.models import Job, JobAttempt, JobStatus, Result, Submission, SubmissionStatus
from web.grading.launch import EmbeddedWorker

from .conftest import FULL, submission_id

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def wait_for(app, sid: int, timeout: float = 300.0) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            sub = db.session.get(Submission, sid)
            if sub.status in (SubmissionStatus.GRADED, SubmissionStatus.FAILED):
                db.session.expunge(sub)
                return sub
        time.sleep(0.2)
    pytest.fail(f"submission {sid} not graded within {timeout:.0f} s")


def test_the_embedded_worker_grades_real_submissions(app, candidate, signed_in, image_tag):
    app.config["SANDBOX_IMAGE"] = image_tag
    sid = submission_id(candidate.upload("shapes", FULL / "shapes.py"))
    candidate.set_lang("en")
    nb = submission_id(candidate.upload("blur", FULL / "blur.ipynb"))
    candidate.set_lang("zh")
    pool = EmbeddedWorker(app, size=2).start()
    try:
        sub, notebook = wait_for(app, sid), wait_for(app, nb)
    finally:
        pool.stop()
    assert sub.status is SubmissionStatus.GRADED and notebook.status is SubmissionStatus.GRADED
    with app.app_context():
        result = db.session.scalar(select(Result).where(Result.submission_id == sid))
        assert (result.score, result.max_score, result.status) == (5.0, 5.0, "ok")
        assert {t["name"] for t in result.tests} == {"test_classify_answers_every_picture", "test_accuracy"}
        assert result.message == "全部检查通过。"                   # graded in the candidate's language
        blur = db.session.scalar(select(Result).where(Result.submission_id == nb))
        assert (blur.score, blur.max_score, blur.message) == (6.0, 6.0, "All checks passed.")
        assert blur.artifacts and blur.artifacts_dir.startswith(app.config["ARTIFACTS_DIR"])
        kept = dict(blur.artifact_blobs)     # every artifact also in the database, for any board
        assert set(kept) <= set(blur.artifacts) and kept
        job = db.session.scalar(select(Job).where(Job.submission_id == sid))
        assert job.status is JobStatus.GRADED and job.attempts == 1
        assert [a.outcome.value for a in db.session.scalars(select(JobAttempt))] == ["graded", "graded"]
    name, sha = sorted(kept.items())[0]
    url = f"/staff/examiner/submissions/{nb}/artifacts/{name}"
    examiner = signed_in("examiner")
    got = examiner.get(url)
    assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == sha
    assert name in examiner.get(f"/staff/examiner/submissions/{nb}").get_data(as_text=True)
    assert candidate.get(url).status_code in (302, 403, 404)            # staff only
    page = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "<strong>5</strong> / 5" in page and "全部检查通过。" in page


def test_a_worker_measures_its_speed_and_every_result_carries_it(app, candidate, signed_in, exam, image_tag,
                                                                   monkeypatch):
    # a worker a quarter as fast as the one the demo exam was proven on: its limits would need x4,
    # the clamp allows x3, so it grades with x3 and the proctor is told it is too slow
    monkeypatch.setenv("PRACTICUM_WORKER_SPEED", "0.25")
    app.config["SANDBOX_IMAGE"] = image_tag
    sid = submission_id(candidate.upload("shapes", FULL / "shapes.py"))
    pool = EmbeddedWorker(app, size=1).start()
    try:
        assert pool.node.speed.speed == 0.25
        sub = wait_for(app, sid)
        b = signed_in("proctor")
        b.set_lang("en")
        s = b.get(f"/staff/proctor/{exam}/state.json").get_json()
    finally:
        pool.stop()
    assert sub.status is SubmissionStatus.GRADED
    with app.app_context():
        result = db.session.scalar(select(Result).where(Result.submission_id == sid))
        assert (result.score, result.worker_speed, result.time_factor) == (5.0, 0.25, 3.0)
        from web.storage.models import WorkerNode
        assert [w.speed for w in db.session.scalars(select(WorkerNode))] == [0.25]
    [w] = s["workers"]
    assert w["speed"] == 0.25 and w["too_slow"] and w["speed_text"] == "0.25 ⚠"
    assert any(pool.node.name in a["text"] and "speed 0.25" in a["text"] for a in s["alerts"])
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    assert "worker speed 0.25, time limits ×3.00" in examiner.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)


def test_a_worker_without_the_database_grades_through_the_board(app, candidate, signed_in, image_tag, tmp_path):
    """A worker machine's app has no database configured; it registers, claims, fetches the upload
    and package, grades in the real sandbox and sends result and artifacts through the worker API."""
    import threading

    from werkzeug.serving import make_server

    from web.grading.dispatch import queue_for_image
    from web.grading.gateway import BoardGateway
    from web.grading.launch import worker_app
    from web.grading.node import Node
    from web.services import worker_tokens
    from web.storage.models import WorkerNode

    app.config["SANDBOX_IMAGE"] = image_tag
    nb = submission_id(candidate.upload("blur", FULL / "blur.ipynb"))
    with app.app_context():
        _, secret = worker_tokens.create("far-1")
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == nb))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        far = worker_app({"INSTANCE_PATH": str(tmp_path / "far"), "SANDBOX_IMAGE": image_tag,
                          "BROKER_URL": "redis://127.0.0.1:1/0"}, database=False)
        assert "SQLALCHEMY_DATABASE_URI" not in far.config
        gateway = BoardGateway(f"http://127.0.0.1:{server.server_port}", secret, cache=tmp_path / "far-cache")
        node = Node(far, 1, [queue_for_image(image_tag)], "celery", gateway=gateway)
        node.tick()                                       # its row, written by the board for its token
        assert node.grade_job(job_id) is JobStatus.GRADED
    finally:
        server.shutdown()
    with app.app_context():
        blur = db.session.scalar(select(Result).where(Result.submission_id == nb))
        assert (blur.score, blur.max_score) == (6.0, 6.0) and blur.artifact_blobs
        [row] = db.session.scalars(select(WorkerNode))
        assert row.token.name == "far-1" and row.done == 0   # its row as of its last heartbeat
    name, sha = sorted(blur.artifact_blobs.items())[0]
    got = signed_in("examiner").get(f"/staff/examiner/submissions/{nb}/artifacts/{name}")
    assert got.status_code == 200 and hashlib.sha256(got.data).hexdigest() == sha
