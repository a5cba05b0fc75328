"""Which submission counts: last graded, best, or last before the deadline, per exam and per task,
chosen on the exam settings page and applied alike by the candidate's pages, the scoreboard,
the CSV and Gradescope exports, the item analysis and regrades."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import event, update

from grader.models import Phase, TestResult, TestStatus, Visibility
from web.services import counting
from web.services.counting import Graded, Policy
from web.storage.db import db
from web.storage.models import Exam, Submission

from .conftest import FULL, SHAPES_PATH, add_candidates, grade_by_hand, submission_id, update_exam

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)


def g(sid: int, score: float, minutes: int) -> Graded:
    return Graded(sid, 1, "shapes", T0 + timedelta(minutes=minutes), score, 0.0, 5.0)


def test_the_rules_pick_one_contender():
    pool = [g(1, 5.0, 0), g(2, 2.0, 10), g(3, 5.0, 20), g(4, 1.0, 30)]
    assert counting.choose(Policy.LAST, pool, None).submission_id == 4
    assert counting.choose(Policy.BEST, pool, None).submission_id == 3          # a tie: the later one
    until = T0 + timedelta(minutes=15)
    assert counting.choose(Policy.BEFORE_DEADLINE, pool, until).submission_id == 2
    assert counting.choose(Policy.BEFORE_DEADLINE, pool, None).submission_id == 4   # no deadline: last
    assert counting.choose(Policy.BEFORE_DEADLINE, pool, T0 - timedelta(minutes=1)) is None
    assert counting.choose(Policy.BEST, [], None) is None
    assert counting.parse("best") is Policy.BEST and counting.parse("first") is None


def hand_in(app, make_browser, exam, number: str, marks: list[float]) -> tuple[object, list[int]]:
    """A candidate hands in shapes once per mark, each graded with that mark, in order."""
    codes = add_candidates(app, exam, number)
    b = make_browser()
    b.login_candidate(number, codes[number])
    sids = []
    for mark in marks:
        sids.append(submission_id(b.upload("shapes", SHAPES_PATH)))
        grade_by_hand(app, sids[-1], mark)
    return b, sids


def settings(examiner, exam: int, **form) -> int:
    data = {"window_start": "", "window_end": "", "attempt_limit": "", "min_interval_s": "0",
            "count_policy": "last", **form}
    return examiner.post(f"/staff/exams/{exam}", data).status_code


def board_points(html: str, number: str) -> str:
    """The practical points (the bold cell) of the candidate's row."""
    row = re.search(rf"<tr[^>]*><td class=\"num\">\d+</td><td>{number}</td>(.*?)</tr>", html, re.S).group(1)
    return re.search(r"<strong>([^<]*)</strong>", row).group(1)


def csv_rows(examiner, exam: int) -> dict[str, list[str]]:
    text = examiner.get(f"/staff/examiner/exams/{exam}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    return {r[0]: r for r in list(csv.reader(io.StringIO(text)))[1:]}


def test_best_counts_everywhere_once_the_examiner_chooses_it(app, make_browser, signed_in, exam):
    cand, (first, second) = hand_in(app, make_browser, exam, "5000001", [5.0, 2.0])
    examiner = signed_in("examiner")
    # today's rule: the last graded counts, and the candidate is told so
    page = cand.get("/exam").get_data(as_text=True)
    assert "以最后一次评分完成的提交为准" in page
    assert f"#{second} shapes.py" in page.split('id="counted-shapes"')[1].split("</div>")[0]
    assert "计分总分" in page and "<strong>2</strong> / 15" in page
    assert board_points(examiner.get(f"/staff/scoreboard/{exam}").get_data(as_text=True), "5000001") == "2"

    assert settings(examiner, exam, count_policy="best") == 303
    with app.app_context():
        assert db.session.get(Exam, exam).count_policy == "best"
    page = cand.get("/exam").get_data(as_text=True)
    counted = page.split('id="counted-shapes"')[1].split("</div>")[0]
    assert "以得分最高的一次提交为准" in counted and f"#{first} shapes.py" in counted and "5 / 5" in counted
    assert "<strong>5</strong> / 15" in page
    history = cand.get("/submissions").get_data(as_text=True)
    marked = re.findall(r'<tr class="counted-row">\s*<td><a href="/submissions/(\d+)"', history)
    assert marked == [str(first)] and "计分总分" in history
    assert board_points(examiner.get(f"/staff/scoreboard/{exam}").get_data(as_text=True), "5000001") == "5"
    assert csv_rows(examiner, exam)["5000001"][5] == "5"
    listed = json.loads(examiner.get(f"/staff/examiner/exams/{exam}/gradescope.json").get_data(as_text=True))
    assert [(i["submission"], i["counted"]) for i in listed] == [(first, True), (second, False)]
    analysis = examiner.get(f"/staff/examiner/exams/{exam}/analysis").get_data(as_text=True)
    assert analysis.count("5000001") == 0          # analysis is anonymous; it must still render
    cand.set_lang("en")
    assert "your best graded submission counts" in cand.get("/exam").get_data(as_text=True)


def test_a_task_can_have_its_own_rule(app, make_browser, signed_in, exam):
    cand, (first, _) = hand_in(app, make_browser, exam, "5100001", [5.0, 1.0])
    fast = submission_id(cand.upload("fast", FULL / "fast.py"))
    grade_by_hand(app, fast, 4.0, task="fast", max_score=4.0)
    fast2 = submission_id(cand.upload("fast", FULL / "fast.py"))
    grade_by_hand(app, fast2, 0.0, task="fast", max_score=4.0)
    examiner = signed_in("examiner")
    assert settings(examiner, exam, count_policy="last", count_policy_shapes="best") == 303
    with app.app_context():
        row = db.session.get(Exam, exam)
        assert row.task_count_policy == {"shapes": "best"}
        assert counting.policy_for(row, "fast") is Policy.LAST
        assert {k[1]: v.submission_id for k, v in counting.counted(row).items()} == {"shapes": first, "fast": fast2}
    assert board_points(examiner.get(f"/staff/scoreboard/{exam}").get_data(as_text=True), "5100001") == "5"
    assert settings(examiner, exam, count_policy="best", count_policy_shapes="best") == 303
    with app.app_context():
        assert db.session.get(Exam, exam).task_count_policy is None     # same as the exam: no exception kept
    assert settings(examiner, exam, count_policy="first") == 400
    assert settings(examiner, exam, count_policy="last", count_policy_shapes="worst") == 400


def test_last_before_the_deadline_ignores_later_uploads(app, make_browser, signed_in, exam):
    cand, (early, late) = hand_in(app, make_browser, exam, "5200001", [3.0, 5.0])
    with app.app_context():          # the first was handed in ten minutes ago, the second just now
        db.session.execute(update(Submission).where(Submission.id == early)
                           .values(created_at=datetime.now(timezone.utc) - timedelta(minutes=10)))
        db.session.commit()
    examiner = signed_in("examiner")
    deadline = (datetime.now(timezone.utc) - timedelta(minutes=5)).astimezone(
        __import__("zoneinfo").ZoneInfo(app.config["TIMEZONE"])).strftime("%Y-%m-%dT%H:%M")
    assert settings(examiner, exam, count_policy="before_deadline", count_deadline=deadline) == 303
    page = cand.get("/exam").get_data(as_text=True)
    counted = page.split('id="counted-shapes"')[1].split("</div>")[0]
    assert "之前最后一次评分完成的提交为准" in counted and f"#{early} shapes.py" in counted
    assert board_points(examiner.get(f"/staff/scoreboard/{exam}").get_data(as_text=True), "5200001") == "3"
    assert settings(examiner, exam, count_policy="before_deadline") == 303   # no deadline, no window end: last
    assert board_points(examiner.get(f"/staff/scoreboard/{exam}").get_data(as_text=True), "5200001") == "5"


def test_a_regrade_moves_the_counted_submission_under_best(app, make_browser, signed_in, exam):
    cand, (first, second) = hand_in(app, make_browser, exam, "5300001", [5.0, 2.0])
    update_exam(app, exam, count_policy="best")
    examiner = signed_in("examiner")
    assert examiner.post(f"/staff/examiner/exams/{exam}/regrade", {"task": "shapes"}).status_code == 303
    grade_by_hand(app, first, 1.0)          # the new rubric is stricter with the first one
    grade_by_hand(app, second, 4.0)
    with app.app_context():
        assert counting.counted_ids(db.session.get(Exam, exam)) == {second}
    assert board_points(examiner.get(f"/staff/scoreboard/{exam}").get_data(as_text=True), "5300001") == "4"
    assert csv_rows(examiner, exam)["5300001"][5] == "4"


def withheld(later: float) -> list[TestResult]:
    return [TestResult(name="test_seen", score=1.0, max_score=1.0, status=TestStatus.PASSED, message="",
                       visibility=Visibility.VISIBLE, phase=Phase.HIDDEN),
            TestResult(name="test_later", score=later, max_score=4.0, status=TestStatus.PARTIAL, message="",
                       visibility=Visibility.AFTER_PUBLISHED, phase=Phase.TRUSTED)]


def test_best_does_not_reveal_withheld_scores_through_the_marker(app, make_browser, exam):
    codes = add_candidates(app, exam, "5400001")
    cand = make_browser()
    cand.login_candidate("5400001", codes["5400001"])
    first = submission_id(cand.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, first, 5.0, tests=withheld(4.0))
    second = submission_id(cand.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, second, 1.0, tests=withheld(0.0))
    update_exam(app, exam, count_policy="best")
    page = cand.get("/exam").get_data(as_text=True)
    counted = page.split('id="counted-shapes"')[1].split("</div>")[0]
    assert "成绩公布后显示" in counted and f"#{first}" not in counted
    assert 'class="counted-row"' not in cand.get("/submissions").get_data(as_text=True)
    update_exam(app, exam, count_policy="last")      # the choice no longer depends on scores: shown
    counted = cand.get("/exam").get_data(as_text=True).split('id="counted-shapes"')[1].split("</div>")[0]
    assert f"#{second}" in counted and "公布后可见" in counted
    update_exam(app, exam, count_policy="best", published=True)
    counted = cand.get("/exam").get_data(as_text=True).split('id="counted-shapes"')[1].split("</div>")[0]
    assert f"#{first}" in counted and "5 / 5" in counted


def test_counting_needs_no_query_per_candidate(app, make_browser, exam):
    for n in range(3):
        hand_in(app, make_browser, exam, f"55000{n:02d}", [1.0, 2.0])
    from sqlalchemy import event
    with app.app_context():
        row = db.session.get(Exam, exam)
        row.count_policy = "best"
        db.session.commit()
        row = db.session.get(Exam, exam)
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        picked = counting.counted(row)
        assert len(statements) == 1 and len(picked) == 3
        assert {p.score for p in picked.values()} == {2.0}
