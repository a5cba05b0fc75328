"""The proctor's dashboard and the examiner's pages in real Chromium, with real grading."""
from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest

from .conftest import CANDIDATES, FAST_LOOP, GRADE_TIMEOUT_S, STAFF, login_candidate, login_staff, screenshot

pytestmark = [pytest.mark.docker, pytest.mark.slow]

FLOOR_PAGES = ["/staff/proctor/", "/staff/examiner/", "/staff/scoreboard/{exam}"]


def hand_in(new_page, board) -> tuple[str, int, object]:
    """A fresh candidate uploads fast_loop.py for task fast: (number, submission id, their page)."""
    number, code = board.take_candidate()
    page = new_page()
    login_candidate(page, number, code)
    card = page.locator("#task-fast")
    card.locator("input[type=file]").set_input_files(str(FAST_LOOP))
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    sid = int(re.search(r"/submissions/(\d+)", page.url).group(1))
    return number, sid, page


def wait_graded(page, sid: int) -> None:
    deadline = time.monotonic() + GRADE_TIMEOUT_S
    while page.request.get(f"/submissions/{sid}/status").json()["status"] != "graded":
        assert time.monotonic() < deadline, f"submission {sid} not graded"
        time.sleep(0.25)


@pytest.mark.parametrize("path", FLOOR_PAGES)
def test_floor_pages_need_a_staff_sign_in(new_page, board, path):
    path = path.format(exam=board.exam_id)
    page = new_page()
    page.goto(path)
    assert "/login/staff" in page.url and page.locator("h1").inner_text() == "工作人员登录"
    cand = new_page()
    login_candidate(cand, *board.take_candidate())
    assert cand.goto(path).status == 403


def test_proctors_may_not_use_examiner_pages(new_page, board):
    page = new_page()
    page.goto("/login/staff")
    login_staff(page, STAFF["proctor"])
    assert page.goto("/staff/examiner/").status == 403
    assert page.goto(f"/staff/examiner/exams/{board.exam_id}/export.csv").status == 403
    assert page.goto(f"/staff/proctor/{board.exam_id}").status == 200


def test_proctor_sees_the_submission_on_the_dashboard_live(new_page, board):
    proctor = new_page()
    proctor.goto("/staff/proctor/")
    login_staff(proctor, STAFF["proctor"], expect=f"**/staff/proctor/{board.exam_id}")
    assert proctor.locator("h1").first.inner_text().startswith("监考台")
    graded_before = int(proctor.locator('[data-live="counts.graded"]').inner_text())
    proctor.evaluate("window.__stayed = true")

    number, sid, cand = hand_in(new_page, board)
    row = proctor.locator("tbody tr", has=proctor.locator(f'[data-f="number"]:text-is("{number}")'))
    # the dashboard polls state.json (LIVE_POLL_S, 3 s) and fills itself in: no reload
    row.locator('td[data-f="submissions"]:text-is("1")').wait_for(timeout=30_000)
    row.locator(".badge.status-graded").wait_for(timeout=GRADE_TIMEOUT_S * 1000)
    assert row.locator(".badge").inner_text() == "已评分"
    assert proctor.evaluate("window.__stayed") is True
    proctor.wait_for_function(
        f"Number(document.querySelector('[data-live=\"counts.graded\"]').textContent) > {graded_before}")
    assert proctor.locator("[data-live-status]").is_hidden()            # the poll reaches the board
    screenshot(proctor, "proctor-dashboard")


def test_examiner_regrades_and_exports_csv(new_page, board):
    number, sid, cand = hand_in(new_page, board)
    wait_graded(cand, sid)

    examiner = new_page()
    examiner.goto(f"/staff/examiner/submissions/{sid}")
    login_staff(examiner, STAFF["examiner"], expect=f"**/staff/examiner/submissions/{sid}")
    assert number in examiner.locator("h1").inner_text()
    assert re.match(r"\d / 4", examiner.locator("p.score").inner_text())
    jobs_before = examiner.locator("table.list tbody tr").count()

    with examiner.expect_navigation():
        examiner.click("button:has-text('重新评分此提交')")
    assert "已将 1 份提交重新排队评分" in examiner.locator("[role=status]").inner_text()
    assert examiner.locator("table.list tbody tr").count() == jobs_before + 1
    deadline = time.monotonic() + GRADE_TIMEOUT_S
    while True:       # the examiner's submission page is not live: reload it, as an examiner would
        examiner.goto(f"/staff/examiner/submissions/{sid}")
        if examiner.locator("details.older").count() == 1 and examiner.locator("p.score").count():
            break
        assert time.monotonic() < deadline, "the regrade did not finish"
        time.sleep(0.5)
    assert "历史成绩（1）" in examiner.locator("main").inner_text()
    assert examiner.locator("table.list tbody tr .badge.status-graded").count() == jobs_before + 1
    screenshot(examiner, "examiner-submission")

    # the exam page and its CSV export
    examiner.goto(f"/staff/examiner/exams/{board.exam_id}")
    screenshot(examiner, "examiner-exam")
    with examiner.expect_download() as dl:
        examiner.click("a:has-text('成绩表（CSV）')")
    download = dl.value
    assert download.suggested_filename == "demo-results.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                               # a BOM, for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["准考证号", "姓名", "座位"] and "fast" in rows[0] and rows[0][-1] == "总成绩"
    mine = next(r for r in rows[1:] if r[0] == number)
    current = examiner.request.get(f"/staff/examiner/submissions/{sid}").text()
    shown = re.search(r'class="score"><strong>([\d.]+)</strong>', current).group(1)
    assert mine[rows[0].index("fast")] == shown                          # the regraded points count
    # every candidate of the roster (other browser tests on this board add their own candidates too)
    assert set(CANDIDATES) <= {r[0] for r in rows[1:]}

    # the scoreboard shows the candidate too
    examiner.goto(f"/staff/scoreboard/{board.exam_id}")
    assert number in examiner.locator("main").inner_text()
    screenshot(examiner, "scoreboard", full_page=False)
