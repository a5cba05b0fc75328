"""Exam-day intake in real Chromium: a proctor's pause reaches an open candidate page over its
event stream (no reload), an upload over the size limit gets the refusal page, and a script
saved in GBK is graded with a note saying it was converted."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .conftest import (GRADE_TIMEOUT_S, REPO, STAFF, login_candidate, login_staff, screenshot, staff_page,
                       upload_from_exam_page)

pytestmark = [pytest.mark.docker, pytest.mark.slow]

MIB = 1024 * 1024


def proctor_page(new_page, board):
    page = new_page()
    page.goto(f"/staff/proctor/{board.exam_id}")
    login_staff(page, STAFF["proctor"], expect=f"**/staff/proctor/{board.exam_id}")
    return page


def press(page, action: str) -> None:
    """Press the dashboard's pause or resume button (its confirmation answered yes)."""
    with page.expect_navigation():
        page.locator(f'form[action$="/{action}"] button[type=submit]').click()


def test_a_pause_hides_the_upload_form_on_an_open_page_and_resume_shows_it(new_page, board):
    cand = new_page()
    login_candidate(cand, *board.take_candidate())
    form = cand.locator("#task-fast form.upload-form")
    assert form.is_visible() and cand.locator("#paused").is_hidden()
    cand.evaluate("window.__stayed = true")          # gone if the page reloads

    proctor = proctor_page(new_page, board)
    try:
        press(proctor, "pause")
        assert proctor.dialogs and "暂停" in proctor.dialogs[-1]
        form.wait_for(state="hidden")                # pushed over /events: the poll is SSE_POLL_S
        assert cand.locator("#paused").is_visible()
        assert "提交暂时关闭" in cand.locator("#paused").inner_text()
        assert cand.evaluate("window.__stayed") is True
        screenshot(cand, "candidate-intake-paused")
        # the server refuses too, whatever the page shows
        r = cand.request.post("/exam/fast/upload", multipart={"file": {"name": "fast.py", "mimeType": "text/x-python",
                                                                         "buffer": b"x = 1\n"}})
        assert r.status in (400, 403)
    finally:
        if "恢复提交" in proctor.content():
            press(proctor, "resume")
    form.wait_for(state="visible")
    assert cand.locator("#paused").is_hidden() and cand.evaluate("window.__stayed") is True


def set_window_end(page, exam_id: int, value: str) -> None:
    """The examiner's exam settings: the window's end (a datetime-local value, '' for none)."""
    page.goto(f"/staff/exams/{exam_id}")
    page.fill("input[name=window_end]", value)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.url.endswith("/staff/exams"), page.url


def test_a_moved_window_end_is_counted_down_on_an_open_page(new_page, board):
    cand = new_page()
    login_candidate(cand, *board.take_candidate())
    cand.evaluate("window.__stayed = true")
    examiner = staff_page(new_page, "examiner")
    examiner.goto(f"/staff/exams/{board.exam_id}")
    before = examiner.locator("input[name=window_end]").input_value()
    end = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(hours=3, minutes=30)
    try:
        set_window_end(examiner, board.exam_id, end.strftime("%Y-%m-%dT%H:%M"))
        # pushed as an `intake` event: the countdown runs to the new end, the page never reloads
        cand.locator("#countdown", has_text=re.compile(r"^距结束 03:")).wait_for()
        assert cand.evaluate("window.__stayed") is True
        assert cand.locator("#task-fast form.upload-form").is_visible()
    finally:
        set_window_end(examiner, board.exam_id, before)


def test_an_upload_over_the_limit_is_refused_with_the_limit_and_a_way_back(new_page, board, tmp_path):
    big = tmp_path / "fast.py"
    big.write_bytes(b"#" * (21 * MIB))               # the board's UPLOAD_MAX_BYTES is 20 MiB
    cand = new_page()
    login_candidate(cand, *board.take_candidate())
    assert "每次上传的文件最大为 20 MB" in cand.locator("#task-fast").inner_text()
    card = cand.locator("#task-fast")
    card.locator("input[type=file]").set_input_files(str(big))
    with cand.expect_navigation():
        card.locator("button[type=submit]").click()
    assert cand.locator("h1").inner_text() == "上传未被接受"
    text = cand.locator("section.refused").inner_text()
    assert "超过了 20 MB 的上限" in text and "没有被保存" in text
    screenshot(cand, "candidate-upload-refused")
    with cand.expect_navigation():
        cand.get_by_role("link", name="返回考试页面").click()
    assert cand.url.endswith("/exam#task-fast")
    cand.goto("/submissions")                      # the refusal is on record, with its size
    assert cand.locator(".badge.status-rejected").count() == 1


def test_a_script_saved_in_gbk_is_graded_with_a_note_in_the_feedback(new_page, board, tmp_path):
    reference = (REPO / "reference_solutions" / "demo" / "full" / "shapes.py").read_text(encoding="utf-8")
    gbk = tmp_path / "shapes.py"                      # what Notepad on Chinese Windows saves
    gbk.write_bytes(("# 形状分类：先看圆度，再数轮廓的角\n" + reference).encode("gbk"))
    cand = new_page()
    login_candidate(cand, *board.take_candidate())
    sid = upload_from_exam_page(cand, "shapes", gbk)
    cand.locator("p.score").wait_for(timeout=GRADE_TIMEOUT_S * 1000)     # the receipt reloads itself once graded
    assert f"/submissions/{sid}" in cand.url
    assert cand.locator("p.score strong").inner_text() == "5"              # graded as the reference it is
    message = cand.locator("p.message").inner_text()
    assert "shapes.py 以 GBK / GB18030 编码保存，评分时已转换为 UTF-8" in message, message
    screenshot(cand, "candidate-gbk-note", full_page=False)
