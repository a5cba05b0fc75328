"""Staff review in real Chromium, with real grading (issue 12, finding 8): the executed notebook
read in the page with nothing of it running, the original upload downloaded, a proctor opening a
candidate's page from the dashboard, task titles on staff pages, check labels inside the chart."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import REPO, login_candidate, screenshot
from .test_exam_day import staff_page, upload, wait_graded

pytestmark = [pytest.mark.docker, pytest.mark.slow]

BLUR = REPO / "reference_solutions" / "demo" / "full" / "blur.ipynb"


def test_an_examiner_reads_the_executed_notebook_and_downloads_the_upload(new_page, board):
    number, code = board.take_candidate()
    cand = new_page()
    login_candidate(cand, number, code)
    sid = upload(cand, "blur", BLUR)
    wait_graded(cand, sid)

    examiner = staff_page(new_page)
    examiner.goto(f"/staff/examiner/submissions/{sid}")
    assert "灰度化与高斯模糊" in examiner.locator("dl.receipt").inner_text()       # the title, not "blur"
    link = examiner.locator("ul.artifacts a", has_text="executed.ipynb").first
    with examiner.expect_download() as dl:
        examiner.click("a.upload-download")
    assert Path(dl.value.path()).read_bytes() == BLUR.read_bytes()
    assert dl.value.suggested_filename == "blur.ipynb"
    screenshot(examiner, "examiner-artifacts")

    with examiner.expect_navigation():
        link.click()
    cells = examiner.locator(".nb-cell")
    assert cells.count() >= 2 and examiner.locator(".nb-code pre.code").count() >= 1
    assert "cv2" in examiner.locator(".artifact").inner_text()                   # the candidate's code, as text
    assert examiner.evaluate("document.querySelectorAll('.artifact script, .artifact iframe, .artifact object').length") == 0
    screenshot(examiner, "examiner-notebook")

    # a log the run wrote, when it wrote one, is text in the page. Since the kernel serves the
    # harness's calls from its own process (the unforgeable-verdicts design) a quiet notebook
    # may leave no stderr.txt; tests/web/test_artifacts_view.py shows text artifacts in any case
    examiner.goto(f"/staff/examiner/submissions/{sid}")
    logs = examiner.locator("ul.artifacts a", has_text="stderr.txt")
    if logs.count():
        with examiner.expect_navigation():
            logs.first.click()
        assert examiner.locator(".artifact-text pre.log").count() == 1
        assert examiner.locator(".artifact-text pre.log").inner_text().strip()


def test_a_proctor_opens_a_candidates_page_from_the_dashboard(new_page, board):
    number, code = board.take_candidate()
    cand = new_page()
    login_candidate(cand, number, code)
    sid = upload(cand, "blur", BLUR)
    wait_graded(cand, sid)

    proctor = staff_page(new_page, "proctor")
    proctor.goto(f"/staff/proctor/{board.exam_id}")
    row_link = proctor.locator(f'a.candidate-link:text-is("{number}")')
    row_link.wait_for()
    with proctor.expect_navigation():
        row_link.click()
    assert re.search(rf"/staff/proctor/{board.exam_id}/candidates/\d+$", proctor.url), proctor.url
    assert number in proctor.locator("h1").inner_text()
    uploads = proctor.locator("#uploads tbody tr")
    assert uploads.count() == 1 and "灰度化与高斯模糊" in uploads.inner_text() and "满分" in uploads.inner_text()
    assert proctor.locator("#uploads .pill.counted-mark").count() == 1
    assert "登录" in proctor.locator("#sign-ins").inner_text()
    screenshot(proctor, "proctor-candidate")
    # the proctor reads, but may not open the examiner's pages: no links to them here
    assert proctor.locator('#uploads a[href*="/staff/examiner/"]').count() == 0


def test_item_analysis_labels_stay_inside_the_chart(new_page, board):
    number, code = board.take_candidate()
    cand = new_page()
    login_candidate(cand, number, code)
    wait_graded(cand, upload(cand, "blur", BLUR))

    for lang in ("zh-CN", "en-US"):
        examiner = staff_page(new_page)
        if lang == "en-US":
            examiner.goto("/lang/en")
        examiner.goto(f"/staff/examiner/exams/{board.exam_id}/analysis")
        labels = examiner.locator("svg.chart .chart-label")
        assert labels.count() >= 3
        # every label's drawn box (as Chromium lays it out, in the chart's own units) starts inside the chart
        outside = examiner.evaluate("""() => Array.from(document.querySelectorAll('svg.chart text.chart-label'))
            .filter(t => t.getBBox().x < 0 || t.getBBox().x + t.getBBox().width > t.ownerSVGElement.viewBox.baseVal.width)
            .map(t => t.textContent)""")
        assert outside == [], outside
        if lang == "zh-CN":
            screenshot(examiner, "examiner-analysis")
