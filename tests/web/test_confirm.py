"""Every destructive or exam-wide action asks first, on the server: a form posted without
confirm=yes gets a page saying what will happen (nothing done yet), whose button posts the
same fields again with confirm=yes. The pages carry data-confirm for the static confirm.js,
and no inline script (the CSP is unchanged)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from web.pages.security import CSP
from web.storage.db import db
from web.storage.models import AuditLog, BoardFreeze, Exam, Job, JobStatus, Role, User

from .conftest import SHAPES_PATH, grade_by_hand, submission_id

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def ask_then_confirm(b, url: str, data: dict | None = None, *, expect: str):
    """Post without confirming: the confirmation page; then post what that page's form posts."""
    first = b.post(url, data, confirm=False)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and expect in page, page[:2000]
    assert f'action="{url}"' in page and "No, go back" in page
    form = page[page.index(f'action="{url}"'):]
    fields = dict(HIDDEN.findall(form[:form.index("</form>")]))
    assert fields["confirm"] == "yes"
    assert {k: v for k, v in fields.items() if k not in ("csrf_token", "confirm")} == (data or {})
    return b.post(url, fields, confirm=False)


def audited(app, action: str) -> int:
    with app.app_context():
        return len(list(db.session.scalars(select(AuditLog).where(AuditLog.action == action))))


def exam_row(app, exam_id: int) -> Exam:
    with app.app_context():
        row = db.session.get(Exam, exam_id)
        db.session.expunge(row)
        return row


def test_pause_and_resume_ask_first(app, signed_in, exam):
    b = signed_in("proctor")
    b.set_lang("en")
    done = ask_then_confirm(b, f"/staff/proctor/{exam}/pause", expect="Every candidate&#39;s upload is refused")
    assert done.status_code == 303 and exam_row(app, exam).intake_paused and audited(app, "intake_pause") == 1
    b.post(f"/staff/proctor/{exam}/resume", confirm=False)
    assert exam_row(app, exam).intake_paused                      # asked, not yet done
    ask_then_confirm(b, f"/staff/proctor/{exam}/resume", expect="Candidates can upload again")
    assert not exam_row(app, exam).intake_paused


def test_cancel_asks_naming_the_job_candidate_and_task(app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    with app.app_context():
        job_id = db.session.scalar(select(Job.id).where(Job.submission_id == sid))
    b = signed_in("proctor")
    b.set_lang("zh")
    first = b.post(f"/staff/proctor/jobs/{job_id}/cancel", confirm=False).get_data(as_text=True)
    assert f"取消任务 #{job_id}（考生 2024001，题目 shapes）" in first and "不计次" in first
    with app.app_context():
        assert db.session.get(Job, job_id).status is JobStatus.QUEUED
    b.set_lang("en")
    ask_then_confirm(b, f"/staff/proctor/jobs/{job_id}/cancel", expect=f"Cancel job #{job_id}")
    with app.app_context():
        assert db.session.get(Job, job_id).status is JobStatus.CANCELLED


def test_publish_regrade_reload_and_weight_ask_first(app, candidate, signed_in, exam):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 5.0)
    b = signed_in("examiner")
    b.set_lang("en")
    ask_then_confirm(b, f"/staff/examiner/exams/{exam}/publish", {"published": "1"}, expect="Publish the results")
    assert exam_row(app, exam).published
    ask_then_confirm(b, f"/staff/examiner/exams/{exam}/publish", {"published": "0"}, expect="Withdraw")
    assert not exam_row(app, exam).published
    b.post(f"/staff/examiner/exams/{exam}/regrade", {"task": ""}, confirm=False)
    assert audited(app, "regrade") == 0
    ask_then_confirm(b, f"/staff/examiner/exams/{exam}/regrade", {"task": ""}, expect="Regrade every submission of")
    ask_then_confirm(b, f"/staff/examiner/exams/{exam}/regrade", {"task": "shapes"}, expect="of task “")
    ask_then_confirm(b, f"/staff/examiner/submissions/{sid}/regrade", expect=f"Regrade submission #{sid}")
    assert audited(app, "regrade") == 3
    ask_then_confirm(b, f"/staff/examiner/exams/{exam}/reload", expect="Reload the package")
    assert audited(app, "package_reload") == 1
    ask_then_confirm(b, f"/staff/examiner/exams/{exam}/weight", {"theory_weight": "40"}, expect="to 40%")
    assert exam_row(app, exam).theory_weight == 40


def test_freeze_unfreeze_public_and_a_new_code_ask_first(app, signed_in, exam, candidate):
    b = signed_in("proctor")
    b.set_lang("en")
    b.post(f"/staff/scoreboard/{exam}/freeze", confirm=False)
    with app.app_context():
        assert db.session.scalar(select(BoardFreeze)) is None
    ask_then_confirm(b, f"/staff/scoreboard/{exam}/freeze", expect="Freeze the public scoreboard")
    with app.app_context():
        assert db.session.scalar(select(BoardFreeze)) is not None
    ask_then_confirm(b, f"/staff/scoreboard/{exam}/unfreeze", expect="Unfreeze")
    ask_then_confirm(b, f"/staff/scoreboard/{exam}/public", {"public": "1"}, expect="Anyone can read it")
    assert exam_row(app, exam).board_public
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.role == Role.CANDIDATE, User.username == "2024001"))
    assert "one-time code" in b.post(f"/staff/candidates/{uid}/code", confirm=False).get_data(as_text=True)
    assert audited(app, "code_reset") == 0
    ask_then_confirm(b, f"/staff/candidates/{uid}/code", expect="The old code stops working")
    assert audited(app, "code_reset") == 1


@pytest.mark.parametrize("url", ["/staff/proctor/{exam}", "/staff/examiner/exams/{exam}", "/staff/scoreboard/{exam}"])
def test_pages_say_what_the_dialog_asks_and_carry_no_inline_script(app, signed_in, exam, url):
    b = signed_in("examiner")
    r = b.get(url.format(exam=exam))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Content-Security-Policy"] == CSP and "'unsafe-inline'" not in CSP
    assert "data-confirm=" in page and 'src="/static/confirm.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) and " onsubmit=" not in page and " onclick=" not in page


def test_the_way_back_leads_to_the_page_the_form_was_on(app, signed_in, exam):
    b = signed_in("proctor")
    page = b.post(f"/staff/proctor/{exam}/pause", confirm=False,
                  headers={"Referer": f"http://localhost/staff/proctor/{exam}?show=missing"}).get_data(as_text=True)
    assert f'href="/staff/proctor/{exam}?show=missing" class="back"' in page
    page = b.post(f"/staff/proctor/{exam}/pause", confirm=False,
                  headers={"Referer": "https://evil.example/"}).get_data(as_text=True)
    assert 'href="/" class="back"' in page                      # never another site
