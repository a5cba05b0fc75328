"""A grading fault on the board, end to end with the real engine: the attempt keeps its cause,
the candidate reads "a technical problem, being retried, not counted against you", the proctor's
alert names the cause and links to the faults table, and both clear once the retry grades."""
from __future__ import annotations

from sqlalchemy import select

from web.grading.node import Node
from web.storage.db import db
from web.storage.models import Job, JobAttempt, JobStatus, Submission, SubmissionStatus

from .conftest import SHAPES_PATH, submission_id


def state(b, exam: int) -> dict:
    r = b.get(f"/staff/proctor/{exam}/state.json")
    assert r.status_code == 200
    return r.get_json()


def test_a_missing_image_is_kept_as_the_cause_shown_to_staff_and_cleared_by_the_retry(
        app, candidate, signed_in, exam, image_tag):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
    node = Node(app, 1, [], "embedded")
    app.config["SANDBOX_IMAGE"] = "practicum-not-built:never"     # a worker whose image is missing
    assert node.grade_job(job_id) is JobStatus.QUEUED
    with app.app_context():
        [attempt] = db.session.scalars(select(JobAttempt))
        assert attempt.cause == "image_missing" and "practicum-not-built" in attempt.detail
        assert db.session.get(Submission, sid).status is SubmissionStatus.RETRYING

    candidate.set_lang("zh")
    page = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "技术问题，正在重试（不计次）" in page and "不计入你的提交次数" in page
    candidate.set_lang("en")
    page = candidate.get(f"/submissions/{sid}").get_data(as_text=True)
    assert "not counted against you" in page and "practicum-not-built" not in page   # no internals
    assert "not counted against you" in candidate.get("/submissions").get_data(as_text=True)

    proctor = signed_in("proctor")
    proctor.set_lang("en")
    s = state(proctor, exam)
    [alert] = [a for a in s["alerts"] if "technical fault" in a["text"]]
    assert "sandbox image missing" in alert["text"] and alert["href"] == "#faults"
    [fault] = s["faults"]
    assert (fault["job_id"], fault["candidate"], fault["cause"], fault["resolved"]) == (job_id, "2024001",
                                                                                      "image_missing", False)
    assert fault["cause_label"] == "sandbox image missing" and fault["job_url"] == ""   # proctors: no examiner page
    html = proctor.get(f"/staff/proctor/{exam}").get_data(as_text=True)
    assert 'id="faults"' in html and 'href="#faults"' in html and "practicum-not-built" in html
    examiner = signed_in("examiner")
    examiner.set_lang("en")
    assert state(examiner, exam)["faults"][0]["job_url"] == f"/staff/examiner/submissions/{sid}"
    page = examiner.get(f"/staff/examiner/submissions/{sid}").get_data(as_text=True)
    assert "sandbox image missing" in page and "practicum-not-built" in page

    app.config["SANDBOX_IMAGE"] = image_tag                        # the image is built: the retry grades
    assert node.grade_job(job_id) is JobStatus.GRADED
    s = state(proctor, exam)
    assert not [a for a in s["alerts"] if "technical fault" in a["text"] or "failed" in a["text"]]
    [fault] = s["faults"]
    assert fault["resolved"] is True and fault["state_label"] == "resolved"
    with app.app_context():
        assert db.session.get(Submission, sid).status is SubmissionStatus.GRADED


def test_a_job_out_of_attempts_alerts_until_an_examiner_regrades_it(app, candidate, signed_in, exam, image_tag,
                                                                  monkeypatch):
    from grader import sandbox
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
    node = Node(app, 1, [], "embedded")
    app.config["SANDBOX_IMAGE"] = image_tag
    monkeypatch.setattr(sandbox, "_client", None)
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:9")       # an engine nobody answers for
    assert [node.grade_job(job_id) for _ in range(3)] == [JobStatus.QUEUED, JobStatus.QUEUED, JobStatus.FAILED]
    with app.app_context():
        assert {a.cause for a in db.session.scalars(select(JobAttempt))} == {"engine_unavailable"}
    proctor = signed_in("proctor")
    proctor.set_lang("en")
    [alert] = [a for a in state(proctor, exam)["alerts"] if "failed" in a["text"]]
    assert "Docker engine unreachable" in alert["text"] and alert["href"] == "#faults"
    monkeypatch.undo()                                              # the engine is back
    app.config["SANDBOX_IMAGE"] = image_tag
    examiner = signed_in("examiner")
    assert examiner.post(f"/staff/examiner/submissions/{sid}/regrade").status_code == 303
    s = state(proctor, exam)
    assert not [a for a in s["alerts"] if "failed" in a["text"] or "technical fault" in a["text"]]
    assert all(f["resolved"] for f in s["faults"]) and len(s["faults"]) == 3
