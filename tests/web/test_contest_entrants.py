"""Team lists into a site's board: xlsx and CSV (GBK, UTF-8), every bad row named with its
line, field and reason and nothing half-imported; the eligibility rules; a team signing in
member by member and sharing one history and one quota. On SQLite, and on PostgreSQL for the
import (marked `postgres`)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from support.contest import Entrant, as_csv, as_xlsx, id_number, teams
from web.services.contest import entrants, setup, sheet
from web.services.contest.messages import problem_text
from web.storage.db import db
from web.storage.models import Exam, MemberRole, Person, Team, TeamMember, User

from .conftest import SHAPES_PATH, Browser, submission_id, update_exam


@pytest.fixture
def comp(app, exam) -> int:
    with app.app_context():
        return setup.create("nat2026", exam=db.session.get(Exam, exam), site="BJ", team_max=3).id


def load(app, comp_id: int, data: bytes):
    with app.app_context():
        from web.storage.models import Competition
        rows, problems = sheet.parse(data)
        if problems:
            return None, problems
        return entrants.import_teams(db.session.get(Competition, comp_id), rows)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def reasons(problems) -> set[tuple[int, str, str]]:
    return {(p.line, p.field, p.reason) for p in problems}


def test_xlsx_list_imports_teams_people_and_accounts(app, comp):
    rows = teams("S", 2, members=3) + teams("E", 1, members=2, division="employee", start=100)
    done, problems = load(app, comp, as_xlsx(rows))
    assert problems == [] and done.teams == 3 and done.members == 8 and len(done.codes) == 8
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.external_id == "E-T001"))
        assert team.division.value == "employee" and team.affiliation.kind.value == "company"
        assert [m.role for m in team.members] == [MemberRole.CAPTAIN, MemberRole.MEMBER]
        person = team.members[1].person
        assert person.gender.value == "female" and person.id_number == id_number(101, male=False)
        assert person.affiliation == "E 公司 1" and person.category.value == "employee"
        assert team.members[1].user.username == "E0012" and team.members[1].user.exam_id is not None


def test_gbk_csv_with_chinese_headers_imports(app, comp):
    done, problems = load(app, comp, as_csv(teams("G", 2), encoding="gbk"))
    assert problems == [] and done.teams == 2


def test_a_member_without_a_captain_named_makes_the_first_captain(app, comp):
    rows = teams("C", 1)
    for r in rows:
        r.role = "队员"
    load(app, comp, as_csv(rows))
    with app.app_context():
        assert [m.role for m in db.session.scalar(select(Team)).members][0] is MemberRole.CAPTAIN


def test_every_bad_row_is_named_and_nothing_is_imported(app, comp):
    rows = teams("B", 4)
    rows[1].id_number = rows[1].id_number[:-1] + ("0" if rows[1].id_number[-1] != "0" else "1")   # line 3
    rows[4].affiliation = "另一所学校"                                                  # line 6: two schools
    rows[6].category = "学生"                                                           # fine: students
    rows[7].division = "employee"                                                      # line 9: team's division
    extra = Entrant("B-T004", "B 队 4", "student", "B 学校 4", "第四人", id_number(900), "B0044")
    rows.append(extra)                                                                 # line 14: 4 > 3
    data = as_csv(rows)
    rows_, problems = sheet.parse(data)
    assert reasons(problems) == {(3, "id_number", "entrants.id_checksum")}
    rows[1].id_number = id_number(1, male=False)
    done, problems = load(app, comp, as_csv(rows))
    assert done is None
    got = reasons(problems)
    assert (6, "affiliation", "entrants.two_affiliations") in got
    assert (9, "division", "entrants.division_differs") in got
    assert (14, "team_id", "entrants.team_too_big") in got
    texts = {problem_text(p, "en") for p in problems} | {problem_text(p, "zh") for p in problems}
    assert "line 6, affiliation: a team's members come from two affiliations: B 学校 2 / 另一所学校" in texts
    assert "第 6 行，单位：同一队伍的成员来自不同单位：B 学校 2 / 另一所学校" in texts
    assert count(app, Team) == 0 and count(app, Person) == 0 and count(app, User) == 0


def test_eligibility_student_employee_and_national_title(app, comp):
    rows = teams("S", 1) + teams("E", 1, division="employee", start=50)
    rows[0].category = "教师"           # line 2: a teacher in the student division
    rows[3].category = "学生"           # line 5: a student in the employee division
    rows[4].title = "是"                # line 6: holds a national title
    done, problems = load(app, comp, as_xlsx(rows))
    assert reasons(problems) == {(2, "category", "entrants.not_eligible_student"),
                                 (5, "category", "entrants.not_eligible_employee"),
                                 (6, "title", "entrants.national_title")}
    assert count(app, Team) == 0


def test_a_person_in_two_teams_is_refused_in_the_file_and_against_the_board(app, comp):
    rows = teams("P", 2)
    rows[4].id_number = rows[0].id_number
    _, problems = load(app, comp, as_csv(rows))
    assert (6, "id_number", "entrants.person_twice") in reasons(problems)
    first, problems = load(app, comp, as_csv(teams("P", 2)))
    assert problems == []
    later = teams("Q", 1, start=500)
    later[1].id_number = id_number(0)            # already in team P-T001, which this file does not replace
    _, problems = load(app, comp, as_csv(later))
    assert reasons(problems) == {(3, "id_number", "entrants.in_other_team")}


def test_too_small_two_captains_missing_and_bad_words(app, exam):
    with app.app_context():
        cid = setup.create("c2", exam=db.session.get(Exam, exam), site="X", team_min=2, team_max=3).id
    rows = teams("M", 2)[:4]              # team 2 has one member
    rows[1].role = "队长"
    rows[2].name = ""
    data = as_csv(rows).replace("学生组".encode(), "少年组".encode(), 1)
    _, problems = load(app, cid, data)
    assert reasons(problems) == {(2, "division", "entrants.bad_division"), (4, "name", "entrants.missing")}
    _, problems = load(app, cid, as_csv(teams("M", 2)[:4]))
    assert reasons(problems) == {(5, "team_id", "entrants.team_too_small")}
    rows = teams("M", 1)
    rows[1].role = "队长"
    _, problems = load(app, cid, as_csv(rows))
    assert reasons(problems) == {(3, "role", "entrants.two_captains")}


def test_reimport_replaces_a_teams_members(app, comp):
    load(app, comp, as_csv(teams("R", 1)))
    again = teams("R", 1)[:2]
    done, problems = load(app, comp, as_csv(again))
    assert problems == [] and done.codes == []          # their accounts exist: no new codes
    with app.app_context():
        assert db.session.scalar(select(func.count(TeamMember.id))) == 2


def test_a_bad_xlsx_is_named(app, comp):
    _, problems = load(app, comp, b"PK\x03\x04 not really a zip")
    assert [(p.line, p.reason) for p in problems] == [(0, "entrants.sheet_xlsx")]


@pytest.mark.postgres
def test_import_and_refusal_on_postgres(app, comp):
    done, problems = load(app, comp, as_xlsx(teams("PG", 3)))
    assert problems == [] and done.teams == 3
    rows = teams("PH", 1, start=300)
    rows[0].id_number = id_number(0)
    _, problems = load(app, comp, as_xlsx(rows))
    assert reasons(problems) == {(2, "id_number", "entrants.in_other_team")}
    assert count(app, Team) == 3


# ------------------------------------------------------------------ one team, one history

def test_members_sign_in_with_their_own_codes_and_share_one_history_and_quota(app, comp, make_browser):
    done, _ = load(app, comp, as_csv(teams("H", 1)))
    codes = {c.number: c.code for c in done.codes}
    update_exam(app, db_exam_id(app, comp), attempt_limit=1)
    a, b = make_browser(), make_browser()
    assert a.login_candidate("H0011", codes["H0011"]).status_code == 302
    assert b.login_candidate("H0012", codes["H0012"]).status_code == 302
    sid = submission_id(a.upload("shapes", SHAPES_PATH))
    assert "shapes.py" in b.get("/submissions").get_data(as_text=True)
    assert b.get(f"/submissions/{sid}").status_code == 200
    refused = b.upload("shapes", SHAPES_PATH)               # the team's one attempt is used
    assert refused.status_code == 429


def db_exam_id(app, comp_id: int) -> int:
    with app.app_context():
        from web.storage.models import Competition
        return db.session.get(Competition, comp_id).exam_id
