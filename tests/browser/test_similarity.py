"""The similarity report in Chromium: three candidates hand in the shapes task on the real
board (graded by the real engine), one a disguised copy with hostile HTML in a comment; the
examiner finds the pair from the exam page, opens it side by side, the shared fragments are
marked and nothing in the candidates' code runs."""
from __future__ import annotations

import time

from support.similarity_set import make_set

from .conftest import GRADE_TIMEOUT_S, STAFF, login_candidate, login_staff, screenshot
from .test_candidate import status_of, upload

HOSTILE = '# <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">\n'


def test_examiner_finds_the_copy_and_reads_it_side_by_side(new_page, board):
    entries = {e.owner: e for e in make_set()}
    codes = {"cand-h01_polygon": entries["cand-h01_polygon"].code,
             "c11": HOSTILE + entries["c11"].code,                 # h01 with every name renamed
             "cand-h02_fill": entries["cand-h02_fill"].code}
    sids, numbers = {}, {}
    for owner, code in codes.items():
        page = new_page()
        numbers[owner], secret = board.take_candidate()
        login_candidate(page, numbers[owner], secret)
        path = board.instance.parent / owner / "shapes.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
        sids[owner] = (page, upload(page, "shapes", path))
    deadline = time.monotonic() + GRADE_TIMEOUT_S
    for owner, (page, sid) in sids.items():
        while status_of(page, sid) != "graded":
            assert time.monotonic() < deadline, f"{owner}'s submission was not graded:\n{board.log_text()}"
            time.sleep(0.3)

    examiner = new_page("en-US")
    dialogs = []
    examiner.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login_staff(examiner, STAFF["examiner"])
    examiner.goto(f"/staff/examiner/exams/{board.exam_id}")
    examiner.click("a[href$='/similarity']")
    examiner.wait_for_selector("#task-shapes")
    # other browser tests on this board hand in shapes.py too (some the same reference file):
    # the planted copy must be among the suspects, the honest solution paired with neither side
    suspects = examiner.locator("#task-shapes table.pairs tr.suspect")
    planted = suspects.filter(has_text=numbers["cand-h01_polygon"]).filter(has_text=numbers["c11"])
    assert planted.count() == 1
    similarity = planted.first.locator("td.num").inner_text()
    assert similarity.endswith("%") and int(similarity[:-1]) >= 90, similarity
    assert suspects.filter(has_text=numbers["cand-h02_fill"]).count() == 0
    assert examiner.locator("#task-shapes svg.chart line.chart-mark").count() == 1
    assert examiner.locator("#task-shapes ol.clusters li").count() >= 1
    screenshot(examiner, "similarity-report")

    with examiner.expect_navigation():
        planted.first.locator("a").click()
    marks_a = examiner.locator("#code-a mark.frag")
    marks_b = examiner.locator("#code-b mark.frag")
    assert marks_a.count() >= 1 and marks_b.count() >= 1
    # the shared fragments cover much of the copy (which ones are longest depends on what the
    # other submissions on this board share, which the report ignores as common)
    marked = "".join(examiner.locator("#code-a mark.frag").all_inner_texts())
    assert len(marked) >= 200, marked
    whole = examiner.locator("#code-a").inner_text() + examiner.locator("#code-b").inner_text()
    assert "<script>window.__pwned = 1</script>" in whole               # shown as text ...
    assert examiner.evaluate("window.__pwned === undefined")             # ... never run
    assert examiner.locator("#code-a script, #code-b script, #code-a img, #code-b img").count() == 0
    assert not dialogs
    screenshot(examiner, "similarity-pair")
