"""The floor's exam-wide actions from the pages, in real Chromium with real grading: cancel a
running job from the proctor's dashboard, freeze the public scoreboard, prove the exam's
reference solutions, import theory scores (every bad row named at once)."""
from __future__ import annotations

import re
import time

import pytest

from .conftest import CANDIDATES, GRADE_TIMEOUT_S, REPO, login_candidate, screenshot, staff_page
from .conftest import upload_from_exam_page as upload

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SOLUTIONS = REPO / "reference_solutions" / "demo"
# A fast.py that sleeps while its tests import it: the job runs long enough to be cancelled.
SLEEPER = "import time\ntime.sleep(35)\n\n\ndef smooth(values, k):\n    return []\n"


def wait_status(page, sid: int, wanted: str) -> None:
    deadline = time.monotonic() + GRADE_TIMEOUT_S
    while (status := page.request.get(f"/submissions/{sid}/status").json()["status"]) != wanted:
        assert time.monotonic() < deadline, f"submission {sid} is {status}, never {wanted}"
        time.sleep(0.25)


def practical(page, number: str) -> str:
    """The practical total of the candidate's row on a scoreboard page."""
    row = page.locator("table.board tr", has=page.locator(f'td:text-is("{number}")'))
    return row.locator("td.num strong").inner_text()


def test_the_proctor_cancels_a_running_job_from_the_dashboard(new_page, board, tmp_path):
    sleeper = tmp_path / "fast.py"
    sleeper.write_text(SLEEPER)
    number, code = board.take_candidate()
    cand = new_page()
    login_candidate(cand, number, code)
    sid = upload(cand, "fast", sleeper)

    proctor = staff_page(new_page, "proctor")
    proctor.goto(f"/staff/proctor/{board.exam_id}")
    row = proctor.locator("[data-live-rows=running] tr", has=proctor.locator(f'td[data-f="candidate"]:text-is("{number}")'))
    row.wait_for(timeout=GRADE_TIMEOUT_S * 1000)      # the dashboard fills itself in once the job runs
    with proctor.expect_navigation():
        row.locator("button[type=submit]").click()
    assert proctor.dialogs and "取消这个评分任务" in proctor.dialogs[-1]
    assert proctor.locator("p.success[role=status]").is_visible()
    wait_status(cand, sid, "cancelled")
    cand.goto(f"/submissions/{sid}")
    assert cand.locator(".badge.status-cancelled").count() >= 1
    row.wait_for(state="detached", timeout=30_000)


# Installed before the page's scripts: reports every `board` event its EventSource receives.
BOARD_WATCH = """
(() => {
  const Native = window.EventSource;
  window.EventSource = function (url, opts) {
    const es = new Native(url, opts);
    es.addEventListener("board", (ev) => { try { window.__board(JSON.parse(ev.data)); } catch (e) {} });
    return es;
  };
  window.EventSource.prototype = Native.prototype;
})();
"""


def test_a_frozen_public_scoreboard_keeps_its_ranking_until_unfrozen(new_page, board):
    proctor = staff_page(new_page, "proctor")
    proctor.goto(f"/staff/scoreboard/{board.exam_id}")
    make_public = proctor.locator("form[action$='/public'] button")
    if make_public.inner_text() == "公开排行榜":
        with proctor.expect_navigation():
            make_public.click()
    public = new_page()                              # open before the freeze: it is told, not asked
    pushed: list[dict] = []
    public.context.expose_function("__board", lambda data: pushed.append(data))
    public.context.add_init_script(BOARD_WATCH)
    public.goto("/scoreboard/demo")
    assert public.locator(".pill.frozen").count() == 0
    with proctor.expect_navigation():
        proctor.locator("form[action$='/freeze'] button").click()
    assert proctor.dialogs and "冻结" in proctor.dialogs[-1]
    try:
        public.locator(".pill.frozen").wait_for()     # the open page reloaded itself on the pushed freeze
        assert any(e["frozen"] for e in pushed), pushed
        assert "已冻结于" in public.locator(".pill.frozen").inner_text()
        number, code = board.take_candidate()       # graded after the freeze
        cand = new_page()
        login_candidate(cand, number, code)
        wait_status(cand, upload(cand, "shapes", SOLUTIONS / "full" / "shapes.py"), "graded")
        public.reload()
        assert practical(public, number) == "0"      # the snapshot: nothing of theirs yet
        proctor.reload()
        assert practical(proctor, number) == "5"     # staff see the board live
        screenshot(public, "scoreboard-frozen", full_page=False)
    finally:
        proctor.goto(f"/staff/scoreboard/{board.exam_id}")
        with proctor.expect_navigation():
            proctor.locator("form[action$='/unfreeze'] button").click()
    public.locator(".pill.frozen").wait_for(state="detached")      # unfrozen: pushed too
    assert practical(public, number) == "5"


def test_the_examiner_proves_a_reference_solution_from_the_exam_page(new_page, board):
    examiner = staff_page(new_page, "examiner")
    examiner.goto(f"/staff/examiner/exams/{board.exam_id}")
    form = examiner.locator("form[action$='/prove']")
    form.locator("input[name=only]").fill("shapes_always_circle.py")
    with examiner.expect_navigation():
        form.locator("button[type=submit]").click()
    assert re.search(r"/staff/examiner/prove/\d+$", examiner.url), examiner.url
    # the page reloads itself while the run is running (data-reload-while); then the table
    badge = examiner.locator("h1 + p .badge")
    examiner.locator(".badge.prove-passed, .badge.prove-failed, .badge.prove-error").wait_for(
        timeout=GRADE_TIMEOUT_S * 1000)
    assert badge.inner_text() == "通过", examiner.content()[-3000:]
    row = examiner.locator("table.list tbody tr")
    assert row.count() == 1 and "shapes_always_circle.py" in row.inner_text()
    assert row.locator("td").nth(3).inner_text() == "是"
    screenshot(examiner, "examiner-prove")


def test_the_examiner_imports_theory_scores_and_reads_every_bad_row(new_page, board, tmp_path):
    examiner = staff_page(new_page, "examiner")
    examiner.goto(f"/staff/examiner/exams/{board.exam_id}")
    with examiner.expect_navigation():
        examiner.get_by_role("link", name="理论成绩").first.click()
    bad = tmp_path / "theory-bad.csv"
    bad.write_text(f"准考证号,理论成绩\n{CANDIDATES[0]},88\n{CANDIDATES[1]},abc\n9999999,70\n{CANDIDATES[0]},90\n",
                   encoding="utf-8")
    examiner.locator("input[name=scores]").set_input_files(str(bad))
    with examiner.expect_navigation():
        examiner.locator("form.stack button[type=submit]").click()
    assert "3 处问题，未导入任何成绩" in examiner.locator("[role=alert]").inner_text()
    lines = examiner.locator("table.problems tbody tr td:first-child").all_inner_texts()
    assert lines == ["3", "4", "5"], lines
    screenshot(examiner, "examiner-theory-refused", full_page=False)
    good = tmp_path / "theory.csv"
    good.write_text(f"准考证号,理论成绩\n{CANDIDATES[0]},88\n{CANDIDATES[1]},75.5\n", encoding="utf-8")
    examiner.locator("input[name=scores]").set_input_files(str(good))
    with examiner.expect_navigation():
        examiner.locator("form.stack button[type=submit]").click()
    assert "已导入 2 条理论成绩" in examiner.locator("p.success").inner_text()
    assert examiner.locator("table.problems").count() == 0
