"""The scoreboard: ranks with ties, the last hand-in counts, the staff view live, the public view
frozen and withholding what candidates may not see yet, roles, no query per candidate."""
from __future__ import annotations

import re

from sqlalchemy import event, select

from grader.models import Phase, TestResult, TestStatus, Visibility
from web.services import scores
from web.storage.db import db
from web.storage.models import AuditLog, BoardFreeze

from .conftest import SHAPES_PATH, add_candidates, grade_by_hand, submission_id, update_exam


def hand_in(app, make_browser, exam, marks: dict[str, list[float]], tests=None) -> None:
    """Each candidate hands in shapes once per mark, graded with that mark, in order."""
    codes = add_candidates(app, exam, *marks)
    for number, points in marks.items():
        b = make_browser()
        b.login_candidate(number, codes[number])
        for p in points:
            grade_by_hand(app, submission_id(b.upload("shapes", SHAPES_PATH)), p, tests=tests)


def ranks(html: str) -> list[tuple[str, str, str]]:
    """(rank, candidate number, practical) per row of the board table."""
    body = html.split('<table class="list board">', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        rows.append((cells[0], cells[1], cells[-3] if len(cells) > 8 else cells[-1]))
    return rows


def test_rank_shares_places_for_equal_keys():
    rows = [scores.Row(i, n, n, None, {}, p, None, None) for i, (n, p) in
            enumerate([("c", 3.0), ("a", 5.0), ("b", 5.0), ("d", 1.0), ("e", 1.0)])]
    ranked = scores.rank(rows, lambda r: (r.practical,))
    assert [(r.number, r.rank) for r in ranked] == [("a", 1), ("b", 1), ("c", 3), ("d", 4), ("e", 4)]


def test_weighted_total():
    assert scores.weighted(15, 15, 100, 30) == 100.0
    assert scores.weighted(7.5, 15, 60, 30) == 53.0
    assert scores.weighted(7.5, 15, None, 30) is None
    assert scores.weighted(7.5, 15, None, 0) == 50.0
    assert scores.weighted(0, 0, 50, 30) == 15.0


def test_the_staff_board_ranks_live_and_the_last_hand_in_counts(app, make_browser, signed_in, exam):
    hand_in(app, make_browser, exam, {"4000001": [5.0], "4000002": [1.0, 5.0], "4000003": [5.0, 3.0],
                                      "4000004": []})
    b = signed_in("proctor")
    html = b.get(f"/staff/scoreboard/{exam}").get_data(as_text=True)
    assert ranks(html) == [("1", "4000001", "5"), ("1", "4000002", "5"), ("3", "4000003", "3"),
                           ("4", "4000004", "0")]


def visible_and_later(later: float) -> list[TestResult]:
    return [TestResult(name="test_classify_answers_every_picture", score=1.0, max_score=1.0, status=TestStatus.PASSED,
                       message="", visibility=Visibility.VISIBLE, phase=Phase.HIDDEN),
            TestResult(name="test_accuracy", score=later, max_score=4.0, status=TestStatus.PARTIAL, message="",
                       visibility=Visibility.AFTER_PUBLISHED, phase=Phase.TRUSTED)]


def test_the_public_board_is_off_until_made_public_and_withholds_until_published(app, make_browser, signed_in, exam):
    codes = add_candidates(app, exam, "4100001", "4100002")
    for number, later in (("4100001", 4.0), ("4100002", 0.0)):
        c = make_browser()
        c.login_candidate(number, codes[number])
        grade_by_hand(app, submission_id(c.upload("shapes", SHAPES_PATH)), 1 + later, tests=visible_and_later(later))
    anonymous = make_browser()
    assert anonymous.get("/scoreboard/demo").status_code == 404
    staff = signed_in("proctor")
    assert staff.post(f"/staff/scoreboard/{exam}/public", {"public": "1"}).status_code == 303
    public = anonymous.get("/scoreboard/demo").get_data(as_text=True)
    assert ranks(public) == [("1", "4100001", "1"), ("1", "4100002", "1")]     # only `visible` points
    assert "data-reload-s" in public
    signed_in("examiner").post(f"/staff/examiner/exams/{exam}/publish", {"published": "1"})
    assert ranks(anonymous.get("/scoreboard/demo").get_data(as_text=True)) == [("1", "4100001", "5"),
                                                                              ("2", "4100002", "1")]
    staff.post(f"/staff/scoreboard/{exam}/public", {"public": "0"})
    assert anonymous.get("/scoreboard/demo").status_code == 404


def test_a_frozen_board_shows_its_snapshot_in_public_while_staff_see_it_live(app, make_browser, signed_in, exam):
    update_exam(app, exam, published=True)              # full points on the public board
    hand_in(app, make_browser, exam, {"4200001": [5.0], "4200002": [2.0]})
    staff = signed_in("proctor")
    staff.post(f"/staff/scoreboard/{exam}/public", {"public": "1"})
    assert staff.post(f"/staff/scoreboard/{exam}/freeze").status_code == 303
    codes = add_candidates(app, exam, "4200003")
    c = make_browser()
    c.login_candidate("4200003", codes["4200003"])
    grade_by_hand(app, submission_id(c.upload("shapes", SHAPES_PATH)), 5.0)
    anonymous = make_browser()
    anonymous.set_lang("en")
    public = anonymous.get("/scoreboard/demo").get_data(as_text=True)
    assert "frozen since" in public
    assert ranks(public) == [("1", "4200001", "5"), ("2", "4200002", "2")]
    live = ranks(staff.get(f"/staff/scoreboard/{exam}").get_data(as_text=True))
    assert live == [("1", "4200001", "5"), ("1", "4200003", "5"), ("3", "4200002", "2")]
    assert staff.post(f"/staff/scoreboard/{exam}/unfreeze").status_code == 303
    assert len(ranks(anonymous.get("/scoreboard/demo").get_data(as_text=True))) == 3
    with app.app_context():
        assert db.session.scalar(select(BoardFreeze)) is None
        actions = list(db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("board_%")).order_by(AuditLog.id)))
    assert actions == ["board_public", "board_freeze", "board_unfreeze"]


def test_candidates_cannot_use_the_staff_board(app, candidate, exam):
    for url in (f"/staff/scoreboard/{exam}",):
        assert candidate.get(url).status_code == 403
    for action in ("freeze", "unfreeze", "public"):
        assert candidate.post(f"/staff/scoreboard/{exam}/{action}", {"public": "1"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(BoardFreeze)) is None


def test_the_board_needs_no_query_per_candidate(app, make_browser, signed_in, exam):
    staff = signed_in("examiner")
    staff.post(f"/staff/scoreboard/{exam}/public", {"public": "1"})
    with app.app_context():
        engine = db.engine
    counts = []
    for batch in (["4300001", "4300002"], [f"43001{i:02d}" for i in range(20)]):
        hand_in(app, make_browser, exam, {n: [2.0] for n in batch})
        n = [0]

        def before(*args, **kwargs):
            n[0] += 1
        event.listen(engine, "before_cursor_execute", before)
        try:
            staff.get(f"/staff/scoreboard/{exam}")
            make_browser().get("/scoreboard/demo")
            staff.get(f"/staff/examiner/exams/{exam}/export.csv")
            staff.get(f"/staff/examiner/exams/{exam}/analysis")
        finally:
            event.remove(engine, "before_cursor_execute", before)
        counts.append(n[0])
    assert counts[0] == counts[1]
