"""The candidate's pages: the exam, uploads with the CLI's validation, limits, the window, privacy."""
from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from web.storage.db import db, utcnow
from web.services import exams
from web.storage.models import Exam, Job, JobStatus, Submission, SubmissionStatus

from .conftest import FULL, SHAPES_PATH, submission_id, update_exam

SHAPES = SHAPES_PATH


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        when = (2024, 1, 1, 0, 0, 0)         # the same bytes every call (the test compares two)
        zf.writestr(zipfile.ZipInfo("shapes.py", when), SHAPES.read_bytes(), zipfile.ZIP_DEFLATED)
        zf.writestr(zipfile.ZipInfo("data.bin", when), b"\0" * (4 * 1024 * 1024), zipfile.ZIP_DEFLATED)  # ratio far over 200
    return buf.getvalue()


def test_exam_page_shows_statements_in_the_chosen_language(candidate):
    page = candidate.get("/exam").get_data(as_text=True)
    assert "形状分类" in page and "<table>" in page            # zh by default, markdown rendered
    assert "距结束" in page                                     # the countdown's label
    candidate.set_lang("en")
    page = candidate.get("/exam").get_data(as_text=True)
    assert "Shape classification" in page and "Ends in" in page and "形状分类" not in page


def test_upload_gives_a_receipt_with_the_sha256_and_queues_a_job(app, candidate):
    r = candidate.upload("shapes", SHAPES)
    assert r.status_code == 303
    sid = submission_id(r)
    page = candidate.get(f"/submissions/{sid}?new=1").get_data(as_text=True)
    digest = hashlib.sha256(SHAPES.read_bytes()).hexdigest()
    assert digest in page and "排队" in page
    assert candidate.get(f"/submissions/{sid}/status").get_json() == {"id": sid, "task": "shapes", "status": "queued"}
    with app.app_context():
        sub = db.session.get(Submission, sid)
        assert sub.sha256 == digest and sub.status is SubmissionStatus.QUEUED and sub.lang == "zh"
        job = db.session.scalar(select(Job).where(Job.submission_id == sid))
        assert job.status is JobStatus.QUEUED
        assert Path(sub.stored_path).read_bytes() == SHAPES.read_bytes()
    history = candidate.get("/submissions").get_data(as_text=True)
    assert digest[:12] in history and "shapes.py" in history


def test_zip_bomb_is_refused_with_the_catalogue_message(app, candidate):
    r = candidate.upload("shapes", name="answer.zip", data=zip_bomb())
    assert r.status_code == 400
    assert "解压后超过 100 MB 或超过 2000 个文件" in r.get_data(as_text=True)
    candidate.set_lang("en")
    r = candidate.upload("shapes", name="answer.zip", data=zip_bomb())
    assert "unpacks to more than 100 MB or more than 2000 files" in r.get_data(as_text=True)
    with app.app_context():
        subs = db.session.scalars(select(Submission)).all()
        assert [(s.status, s.reject_code) for s in subs] == [(SubmissionStatus.REJECTED, "zip_bomb")] * 2
        assert db.session.scalar(select(Job)) is None                     # never queued
        assert subs[0].stored_path and Path(subs[0].stored_path).read_bytes() == zip_bomb()   # but kept


def test_other_refusals_name_the_problem(candidate):
    r = candidate.upload("shapes", name="notes.txt", data=b"hello")
    assert r.status_code == 400 and "不是可接受的文件类型" in r.get_data(as_text=True)
    r = candidate.upload("blur", name="blur.ipynb", data=b"{not json")
    assert r.status_code == 400 and "不是有效的 Jupyter 笔记本" in r.get_data(as_text=True)
    r = candidate.upload("shapes", name="shapes.py", data=b"")
    assert r.status_code == 400 and "是空的" in r.get_data(as_text=True)
    r = candidate.post("/exam/shapes/upload", {}, content_type="multipart/form-data")
    assert r.status_code == 400 and "请先选择" in r.get_data(as_text=True)
    assert candidate.upload("nosuchtask", SHAPES).status_code == 404


def test_no_upload_before_the_window_opens(app, candidate, exam):
    update_exam(app, exam, window_start=utcnow() + timedelta(minutes=30))
    page = candidate.get("/exam").get_data(as_text=True)
    assert "考试尚未开始" in page and "<table>" not in page            # statements stay hidden
    r = candidate.upload("shapes", SHAPES)
    assert r.status_code == 403 and "还不能提交" in r.get_data(as_text=True)


def test_no_upload_after_the_window_closes(app, candidate, exam):
    update_exam(app, exam, window_end=utcnow() - timedelta(seconds=1))
    r = candidate.upload("shapes", SHAPES)
    assert r.status_code == 403 and "不再接受提交" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Submission)) is None


def test_paused_intake_refuses(app, candidate, exam):
    update_exam(app, exam, intake_paused=True)
    assert candidate.upload("shapes", SHAPES).status_code == 403


def test_attempt_limit_counts_only_accepted_uploads(app, candidate, exam):
    update_exam(app, exam, attempt_limit=2)
    assert candidate.upload("shapes", name="x.txt", data=b"no").status_code == 400     # refused: not counted
    assert candidate.upload("shapes", SHAPES).status_code == 303
    assert candidate.upload("shapes", SHAPES).status_code == 303
    r = candidate.upload("shapes", SHAPES)
    assert r.status_code == 429 and "2 次提交上限" in r.get_data(as_text=True)
    assert candidate.upload("fast", FULL / "fast.py").status_code == 303          # per task
    assert "已提交 2 / 2 次" in candidate.get("/exam").get_data(as_text=True)


def test_failed_and_cancelled_submissions_are_not_charged(app, candidate, exam):
    update_exam(app, exam, attempt_limit=1)
    sid = submission_id(candidate.upload("shapes", SHAPES))
    with app.app_context():
        db.session.get(Submission, sid).status = SubmissionStatus.FAILED
        db.session.commit()
    assert candidate.upload("shapes", SHAPES).status_code == 303


def test_minimum_interval_between_uploads(app, candidate, exam):
    update_exam(app, exam, min_interval_s=3600)
    assert candidate.upload("shapes", SHAPES).status_code == 303
    r = candidate.upload("shapes", SHAPES)
    assert r.status_code == 429 and "秒后再试" in r.get_data(as_text=True)
    with app.app_context():
        for sub in db.session.scalars(select(Submission)):
            sub.created_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    assert candidate.upload("shapes", SHAPES).status_code == 303


def test_a_candidate_never_sees_another_candidates_submission(app, make_browser, codes):
    alice, bob = make_browser(), make_browser()
    alice.login_candidate("2024001", codes["2024001"])
    bob.login_candidate("2024002", codes["2024002"])
    sid = submission_id(alice.upload("shapes", SHAPES))
    assert alice.get(f"/submissions/{sid}").status_code == 200
    assert bob.get(f"/submissions/{sid}").status_code == 404
    assert bob.get(f"/submissions/{sid}/status").status_code == 404
    assert hashlib.sha256(SHAPES.read_bytes()).hexdigest()[:12] not in bob.get("/submissions").get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_uploads_sent_at_once_cannot_beat_the_attempt_limit(app, codes, exam, backend):
    """Both pass the first quota check together; the second check, made while holding the
    candidate's row, lets only one through."""
    import threading

    from werkzeug.datastructures import FileStorage

    from web.services import submissions
    from web.storage.models import User
    update_exam(app, exam, attempt_limit=1)
    data = SHAPES_PATH.read_bytes()
    barrier, outcomes = threading.Barrier(2), []

    def upload():
        with app.test_request_context():
            ex = db.session.get(Exam, exam)
            user = db.session.scalar(select(User).where(User.username == "2024001"))
            task = exams.package(ex).task("shapes")
            barrier.wait()
            try:
                upload = FileStorage(io.BytesIO(data), "shapes.py")
                sub = submissions.take_upload(ex, user, task, upload.filename, upload.save, "zh")
                outcomes.append(sub.status.value)
            except submissions.UploadRefused as exc:
                outcomes.append(exc.key)
            finally:
                db.session.remove()
    threads = [threading.Thread(target=upload) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["queued", "upload.limit"], outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 1
