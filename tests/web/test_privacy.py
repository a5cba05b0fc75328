"""The public scoreboard shows of a candidate what the examiner chose: masked by default."""
from __future__ import annotations

from web.services import privacy
from web.services.privacy import Privacy
from web.services.scores import Row

from .conftest import SHAPES_PATH, add_candidates, grade_by_hand, submission_id


def test_masking_keeps_the_first_character():
    assert privacy.mask("张伟") == "张*" and privacy.mask("欧阳小明") == "欧***"
    assert privacy.mask("A") == "A*" and privacy.mask("") == ""
    rows = [Row(1, "2024001", "王芳", "A1", {}, 0.0, None, None)]
    assert [(r.number, r.name, r.seat) for r in privacy.public_rows(rows, Privacy.MASKED)] == [("2024001", "王*", None)]
    assert [(r.name, r.seat) for r in privacy.public_rows(rows, Privacy.NO_SEAT)] == [("王芳", None)]
    assert [(r.name, r.seat) for r in privacy.public_rows(rows, Privacy.NUMBER_ONLY)] == [("", None)]
    assert [(r.name, r.seat) for r in privacy.public_rows(rows, Privacy.FULL)] == [("王芳", "A1")]
    assert privacy.parse("everything") is None


def settings(examiner, exam: int, **form) -> int:
    data = {"window_start": "", "window_end": "", "attempt_limit": "", "min_interval_s": "0",
            "count_policy": "last", **form}
    return examiner.post(f"/staff/exams/{exam}", data).status_code


def test_the_public_board_is_masked_by_default_and_follows_the_examiner(app, make_browser, signed_in, exam):
    codes = add_candidates(app, exam, "6000001")            # named 考生6000001, seat A1
    c = make_browser()
    c.login_candidate("6000001", codes["6000001"])
    grade_by_hand(app, submission_id(c.upload("shapes", SHAPES_PATH)), 5.0)
    proctor = signed_in("proctor")
    proctor.post(f"/staff/scoreboard/{exam}/public", {"public": "1"})
    anonymous = make_browser()

    def public() -> str:
        return anonymous.get("/scoreboard/demo").get_data(as_text=True)

    page = public()
    assert "6000001" in page and "考******" in page and "考生6000001" not in page
    assert "<th>座位</th>" not in page and "<td>A1</td>" not in page
    staff = proctor.get(f"/staff/scoreboard/{exam}").get_data(as_text=True)
    assert "考生6000001" in staff and "<td>A1</td>" in staff                 # staff see everything
    assert "部分隐藏的姓名" in staff                                         # and are told what the public sees
    examiner = signed_in("examiner")
    assert settings(examiner, exam, board_privacy="number_only") == 303
    page = public()
    table = page.split("<table class=\"list board\">")[1].split("</table>")[0]
    assert "6000001" in table and "考生" not in table and "<th>姓名</th>" not in table
    assert settings(examiner, exam, board_privacy="no_seat") == 303
    page = public()
    assert "考生6000001" in page and "<td>A1</td>" not in page
    assert settings(examiner, exam, board_privacy="full") == 303
    assert "<td>A1</td>" in public()
    assert settings(examiner, exam, board_privacy="everything") == 400
    proctor.post(f"/staff/scoreboard/{exam}/freeze")                    # a frozen board is filtered the same way
    assert settings(examiner, exam, board_privacy="masked") == 303
    page = public()
    assert "考******" in page and "考生6000001" not in page
