"""Signing in: one-time codes, passwords, roles, CSRF, sessions."""
from __future__ import annotations

from sqlalchemy import select

from web.services import accounts
from web.storage.db import db
from web.storage.models import AuditLog, User

from .conftest import STAFF_PASSWORD, add_candidates


def test_candidate_signs_in_with_code_once(make_browser, codes):
    first = make_browser()
    r = first.login_candidate("2024001", codes["2024001"])
    assert r.status_code == 302 and r.headers["Location"].endswith("/exam")
    assert first.get("/exam").status_code == 200

    again = make_browser()
    r = again.login_candidate("2024001", codes["2024001"])
    assert r.status_code == 401
    assert "登录码不正确" in r.get_data(as_text=True) or "已使用" in r.get_data(as_text=True)
    assert again.get("/exam").status_code == 302          # still anonymous: to the login page


def test_code_is_forgiving_about_case_and_dashes(browser, codes):
    code = codes["2024001"].replace("-", "").lower()
    assert browser.login_candidate("2024001", f" {code} ").status_code == 302


def test_wrong_code_and_unknown_number_are_refused_and_audited(app, browser, codes):
    assert browser.login_candidate("2024001", "AAAA-AAAA").status_code == 401
    assert browser.login_candidate("nobody", codes["2024001"]).status_code == 401
    with app.app_context():
        failed = db.session.scalars(select(AuditLog.target).where(AuditLog.action == "login_failed")).all()
    assert sorted(failed) == ["2024001", "nobody"]


def test_csrf_token_required_on_every_form(browser, codes):
    r = browser.post("/login", {"number": "2024001", "code": codes["2024001"]}, csrf=False)
    assert r.status_code == 400
    assert "安全令牌" in r.get_data(as_text=True)
    r = browser.post("/login", {"number": "2024001", "code": codes["2024001"], "csrf_token": "forged"})
    assert r.status_code == 400
    assert browser.login_candidate("2024001", codes["2024001"]).status_code == 302   # the code was not used up


def test_logout_needs_post_and_token(candidate):
    assert candidate.get("/logout").status_code == 405
    assert candidate.post("/logout", csrf=False).status_code == 400
    assert candidate.get("/exam").status_code == 200
    assert candidate.post("/logout").status_code == 302
    assert candidate.get("/exam").status_code == 302


def test_staff_sign_in_and_roles(make_browser, staff, codes):
    for role, username in staff.items():
        b = make_browser()
        assert b.login_staff(username, "wrong password").status_code == 401
        r = b.login_staff(username)
        assert r.status_code == 302 and r.headers["Location"].endswith("/staff/")
        assert b.get("/staff/").status_code == 200
        assert b.get("/staff/exams").status_code == 200
        allowed = role in ("admin", "examiner")
        assert b.get("/staff/roster").status_code == (200 if allowed else 403)
        assert b.get("/staff/audit").status_code == (200 if allowed else 403)
        assert b.get("/exam").status_code == 403                        # staff are not candidates


def test_candidate_cannot_open_staff_pages(candidate, app):
    for url in ("/staff/", "/staff/roster", "/staff/audit", "/staff/exams"):
        assert candidate.get(url).status_code == 403, url
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "2024002"))
    assert candidate.post(f"/staff/candidates/{uid}/code").status_code == 403


def test_anonymous_is_sent_to_the_right_login(browser):
    r = browser.get("/staff/audit")
    assert r.status_code == 302 and "/login/staff" in r.headers["Location"]
    r = browser.get("/exam")
    assert r.status_code == 302 and r.headers["Location"].split("?")[0].endswith("/login")


def test_a_new_code_ends_the_old_session(app, candidate, make_browser, staff):
    proctor = make_browser()
    proctor.login_staff(staff["proctor"])
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == "2024001"))
    r = proctor.post(f"/staff/candidates/{uid}/code")
    assert r.status_code == 200
    new_code = __import__("re").search(r'class="code">([A-Z0-9-]+)<', r.get_data(as_text=True)).group(1)
    assert candidate.get("/exam").status_code == 302                     # signed out
    assert candidate.login_candidate("2024001", new_code).status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditLog.action).where(AuditLog.actor == staff["proctor"])).all()
    assert "code_reset" in actions and "login" in actions


def test_passwords_and_codes_are_stored_hashed(app, exam, staff):
    codes = add_candidates(app, exam, "2024009")
    with app.app_context():
        for u in db.session.scalars(select(User)):
            stored = (u.password_hash or "") + (u.code_hash or "")
            assert STAFF_PASSWORD not in stored and codes["2024009"].replace("-", "") not in stored
            assert stored.startswith(("scrypt:", "pbkdf2:"))
        assert accounts.check_password("admin1", STAFF_PASSWORD) is not None
        assert accounts.check_password("admin1", "wrong") is None
