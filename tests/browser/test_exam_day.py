"""Exam day as a candidate lives it, in real Chromium against the real board with real grading:
which submission counts, the candidate kit, refused uploads, intake pushed live, feedback
wording, the public scoreboard's privacy."""
from __future__ import annotations

import time

import pytest

from .conftest import CANDIDATES, GRADE_TIMEOUT_S, NAMES, REPO, login_candidate, screenshot, staff_page
from .conftest import upload_from_exam_page as upload

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SOLUTIONS = REPO / "reference_solutions" / "demo"


def wait_graded(page, sid: int) -> None:
    deadline = time.monotonic() + GRADE_TIMEOUT_S
    while page.request.get(f"/submissions/{sid}/status").json()["status"] != "graded":
        assert time.monotonic() < deadline, f"submission {sid} not graded"
        time.sleep(0.25)


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


def test_the_public_scoreboard_masks_names_until_the_examiner_chooses_otherwise(new_page, board):
    number, code = board.take_candidate()
    name = NAMES[CANDIDATES.index(number)]
    cand = new_page()
    login_candidate(cand, number, code)
    wait_graded(cand, upload(cand, "shapes", SOLUTIONS / "full" / "shapes.py"))
    proctor = staff_page(new_page, "proctor")
    proctor.goto(f"/staff/scoreboard/{board.exam_id}")
    assert "部分隐藏的姓名" in proctor.locator("#board-privacy").inner_text()
    make_public = proctor.locator("form[action$='/public'] button")
    if make_public.inner_text() == "公开排行榜":
        with proctor.expect_navigation():
            make_public.click()
    assert proctor.locator("form[action$='/public'] button").inner_text() == "取消公开", proctor.content()[-3000:]
    public = new_page()
    public.goto("/scoreboard/demo")
    table = public.locator("table.board")
    row = table.locator("tr", has_text=number)
    assert row.count() == 1, public.content()[:3000]
    assert name[0] + "*" * (len(name) - 1) in row.inner_text() and name not in table.inner_text()
    assert "座位" not in table.locator("thead").inner_text()
    screenshot(public, "scoreboard-public", full_page=False)
    examiner = staff_page(new_page)
    examiner.goto(f"/staff/exams/{board.exam_id}")
    examiner.select_option("select[name=board_privacy]", "number_only")
    with examiner.expect_navigation():
        examiner.click("form.stack button[type=submit]")
    try:
        public.reload()
        assert "姓名" not in public.locator("table.board thead").inner_text()
        assert number in public.locator("table.board").inner_text()
    finally:
        examiner.goto(f"/staff/exams/{board.exam_id}")
        examiner.select_option("select[name=board_privacy]", "masked")
        with examiner.expect_navigation():
            examiner.click("form.stack button[type=submit]")
