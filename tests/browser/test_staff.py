"""Staff pages in real Chromium: every one needs a staff sign-in, and the right role."""
from __future__ import annotations

import pytest

from .conftest import NAMES, STAFF, login_candidate, login_staff, screenshot

pytestmark = [pytest.mark.docker, pytest.mark.slow]

STAFF_PAGES = ["/staff/", "/staff/exams", "/staff/roster", "/staff/audit"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_the_staff_sign_in(new_page, path):
    page = new_page()
    page.goto(path)
    assert "/login/staff" in page.url
    assert page.locator("h1").inner_text() == "工作人员登录"


def test_a_candidate_may_not_open_staff_pages(new_page, board):
    page = new_page()
    login_candidate(page, *board.take_candidate())
    for path in STAFF_PAGES:
        response = page.goto(path)
        assert response.status == 403, path
        assert "你没有权限访问此页面" in page.locator("main").inner_text()
    assert page.goto("/staff/candidates/1/code").status in (403, 405)


def test_staff_sign_in_with_password_and_roles(new_page, board):
    page = new_page()
    page.goto("/staff/")
    login_staff(page, STAFF["proctor"], "wrong password!")
    assert "用户名或密码不正确" in page.locator("p.error").inner_text()
    login_staff(page, STAFF["proctor"], expect="**/staff/")            # back to the page asked for
    assert page.locator("h1").first.inner_text() == "考生"
    assert "监考" in page.locator(".who").inner_text()
    table = page.locator("table.list").inner_text()
    for name in NAMES[:3]:
        assert name in table
    assert page.goto("/staff/roster").status == 403                     # examiners and admins only
    assert page.goto("/staff/exams").status == 200

    examiner = new_page()
    examiner.goto("/staff/roster")
    login_staff(examiner, STAFF["examiner"], expect="**/staff/roster")
    assert examiner.locator("h1").first.inner_text() == "导入名单"
    examiner.goto("/staff/")
    screenshot(examiner, "staff-candidates", full_page=False)

    # a candidate's one-time code does not open staff pages
    other = new_page()
    number, code = board.take_candidate()
    other.goto("/login/staff")
    login_staff(other, number, code)
    assert "用户名或密码不正确" in other.locator("p.error").inner_text()
