"""Exam day as a candidate lives it, in real Chromium against the real board with real grading:
which submission counts, the candidate kit, refused uploads, intake pushed live, feedback
wording, the public scoreboard's privacy."""
from __future__ import annotations

import re
import time

import pytest

from .conftest import GRADE_TIMEOUT_S, REPO, STAFF, login_candidate, login_staff, screenshot

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SOLUTIONS = REPO / "reference_solutions" / "demo"


def upload(page, task: str, path) -> int:
    page.goto("/exam")
    card = page.locator(f"#task-{task}")
    card.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    m = re.search(r"/submissions/(\d+)", page.url)
    assert m, page.url
    return int(m.group(1))


def wait_graded(page, sid: int) -> None:
    deadline = time.monotonic() + GRADE_TIMEOUT_S
    while page.request.get(f"/submissions/{sid}/status").json()["status"] != "graded":
        assert time.monotonic() < deadline, f"submission {sid} not graded"
        time.sleep(0.25)


def staff_page(new_page, role: str = "examiner"):
    page = new_page()
    page.goto("/login/staff")
    login_staff(page, STAFF[role])
    return page


def set_count_policy(page, exam_id: int, value: str) -> None:
    page.goto(f"/staff/exams/{exam_id}")
    page.select_option("select[name=count_policy]", value)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.url.endswith("/staff/exams"), page.url


def test_the_counted_submission_follows_the_examiners_rule(new_page, board):
    cand = new_page()
    login_candidate(cand, *board.take_candidate())
    good = upload(cand, "shapes", SOLUTIONS / "full" / "shapes.py")
    wait_graded(cand, good)
    worse = upload(cand, "shapes", SOLUTIONS / "shapes_always_circle.py")
    wait_graded(cand, worse)
    cand.goto("/exam")
    counted = cand.locator("#counted-shapes")
    assert "以最后一次评分完成的提交为准" in counted.inner_text()
    assert f"#{worse}" in counted.inner_text() and "1 / 5" in counted.inner_text()
    assert "计分总分: 1 / 15" in cand.locator("#counted-total").inner_text().replace("：", ":")

    examiner = staff_page(new_page)
    set_count_policy(examiner, board.exam_id, "best")
    try:
        cand.reload()
        counted = cand.locator("#counted-shapes")
        assert "以得分最高的一次提交为准" in counted.inner_text()
        assert f"#{good}" in counted.inner_text() and "5 / 5" in counted.inner_text()
        assert "5 / 15" in cand.locator("#counted-total").inner_text()
        cand.locator("#task-shapes .upload").scroll_into_view_if_needed()
        screenshot(cand, "candidate-counted", full_page=False)
        cand.goto("/submissions")
        marked = cand.locator("tr.counted-row")
        assert marked.count() == 1 and marked.locator("a").first.inner_text() == str(good)
        assert "计分" in marked.locator(".counted-mark").inner_text()
    finally:
        set_count_policy(examiner, board.exam_id, "last")      # the board is shared with other tests
