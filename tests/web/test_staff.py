"""Staff pages: exam settings (audited), the candidate list, the audit log."""
from __future__ import annotations

from sqlalchemy import select

from web.storage.db import db
from web.storage.models import AuditLog, Exam


def test_examiner_sets_the_window_and_it_is_audited(app, make_browser, staff, exam, codes):
    b = make_browser()
    b.login_staff(staff["examiner"])
    r = b.post(f"/staff/exams/{exam}", {"window_start": "2030-01-01T09:00", "window_end": "2030-01-01T11:00",
                                         "attempt_limit": "3", "min_interval_s": "60", "published": "1"})
    assert r.status_code == 303
    with app.app_context():
        row = db.session.get(Exam, exam)
        assert row.window_start.isoformat() == "2030-01-01T01:00:00+00:00"      # entered in Asia/Shanghai
        assert (row.attempt_limit, row.min_interval_s, row.published, row.intake_paused) == (3, 60, True, False)
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "exam_settings"))
        assert entry.actor == staff["examiner"] and entry.details["after"]["attempt_limit"] == 3
    assert "2030-01-01 09:00:00" in b.get("/staff/exams").get_data(as_text=True)
    cand = make_browser()
    cand.login_candidate("2024001", codes["2024001"])
    assert "考试尚未开始" in cand.get("/exam").get_data(as_text=True)


def test_invalid_settings_are_refused(app, make_browser, staff, exam):
    b = make_browser()
    b.login_staff(staff["admin"])
    r = b.post(f"/staff/exams/{exam}", {"window_start": "2030-01-01T11:00", "window_end": "2030-01-01T09:00"})
    assert r.status_code == 400
    r = b.post(f"/staff/exams/{exam}", {"attempt_limit": "zero"})
    assert r.status_code == 400


def test_proctor_sees_candidates_but_cannot_change_settings(make_browser, staff, exam, codes):
    b = make_browser()
    b.login_staff(staff["proctor"])
    page = b.get("/staff/").get_data(as_text=True)
    assert "2024001" in page and "考生2024002" in page
    assert b.post(f"/staff/exams/{exam}", {"published": "1"}).status_code == 403


def test_audit_page_lists_staff_actions(make_browser, staff):
    b = make_browser()
    b.login_staff(staff["admin"], "wrong password")
    b.login_staff(staff["admin"])
    page = b.get("/staff/audit").get_data(as_text=True)
    assert "login_failed" in page and "login" in page and staff["admin"] in page
