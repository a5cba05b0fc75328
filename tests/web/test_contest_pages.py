"""The competition pages: a site's division boards (live for staff with awards, the public
one frozen with the exam's board), the team import by upload (every bad row named, a
confirmation first), exports as xlsx and CSV; the national board's package import by upload
(confirmed, refused with its reason and listed, the same package twice changing nothing) and
its ranking per division with awards and finalists. Real SQLite, and PostgreSQL where marked."""
from __future__ import annotations

import csv
import io
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from support.contest import as_csv, as_xlsx, teams
from web.services import sheets
from web.services.contest import keys, national, setup
from web.storage.db import db
from web.storage.models import AuditLog, Division, Exam, ImportStatus, ResultImport, Team

from .conftest import SHAPES_PATH, grade_by_hand, submission_id, update_exam
from .test_contest_results import EXAM_SHA, make, rewrite, team

STAGED = re.compile(r'name="staged" value="([0-9a-f]{64})"')


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def upload(b, url, field, data: bytes, name: str, *, confirm: bool):
    return b.post(url, {field: (io.BytesIO(data), name)}, confirm=confirm, content_type="multipart/form-data")


def confirm_staged(b, url, page: str):
    """Post what the server's confirmation page posts (the staged file's hash, confirm=yes)."""
    staged = STAGED.search(page).group(1)
    name = re.search(r'name="filename" value="([^"]*)"', page).group(1)
    return b.post(url, {"staged": staged, "filename": name}, confirm=True)


@pytest.fixture
def site(app, exam):
    """Site A of competition `prov` on the demo exam; finals are the practical % (no theory)."""
    with app.app_context():
        setup.create("prov", exam=db.session.get(Exam, exam), site="A", theory_weight=0, title_zh="省赛",
                     title_en="Provincial", award_rule={"mode": "count", "tiers": [1, 1]})
    return "prov"


def import_teams(b, rows) -> dict[str, str]:
    """Import through the page (asked, then confirmed); {candidate number: code}."""
    url = "/staff/contests/prov/teams"
    asked = upload(b, url, "teams", as_xlsx(rows), "teams.xlsx", confirm=False)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Teams with the same team id are replaced" in page, page[:3000]
    done = confirm_staged(b, url, page)
    body = done.get_data(as_text=True)
    assert done.status_code == 200, body[:3000]
    return dict(re.findall(r"<strong>(\w+)</strong></div>\s*<div>[^<]*</div>\s*<div>[^<]*<code class=\"code\">([^<]+)</code>",
                           body))


def test_team_import_by_upload_names_every_bad_row_and_imports_nothing(app, site, signed_in):
    b = signed_in("examiner")
    b.set_lang("en")
    rows = teams("S", 2)
    rows[1].affiliation = "another school"          # a team of two schools
    rows[4].category = "职工"                        # an employee in the student division
    r = upload(b, "/staff/contests/prov/teams", "teams", as_csv(rows, "gbk"), "teams.csv", confirm=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "2 problem(s); nothing was imported" in page
    assert "line 3, affiliation: a team&#39;s members come from two affiliations" in page
    assert "line 6, category: an employee or teacher may not enter the student division" in page
    assert count(app, Team) == 0
    proctor = signed_in("proctor")
    assert upload(proctor, "/staff/contests/prov/teams", "teams", as_csv(teams("S", 1)), "t.csv",
                  confirm=True).status_code == 403


def test_division_boards_live_for_staff_frozen_for_the_public_and_exports(app, exam, site, signed_in, make_browser):
    b = signed_in("examiner")
    b.set_lang("en")
    codes = import_teams(b, teams("S", 2) + teams("E", 1, division="employee", start=100))
    assert len(codes) == 9 and count(app, Team) == 3
    assert upload(b, "/staff/contests/prov/teams", "teams", as_csv(teams("S", 1)), "again.csv",
                  confirm=False).status_code == 200 and count(app, Team) == 3      # asked only

    def hand_in(number: str, score: float):
        m = make_browser()
        assert m.login_candidate(number, codes[number]).status_code == 302
        grade_by_hand(app, submission_id(m.upload("shapes", SHAPES_PATH)), score)
        return m

    hand_in("S0011", 3.0)
    hand_in("S0021", 4.0)
    hand_in("E0011", 5.0)
    page = b.get("/staff/contests/prov?tab=student").get_data(as_text=True)
    assert "Student division (2)" in page and "Employee division (1)" in page
    s1, s2 = page.index("S 队 2"), page.index("S 队 1")
    assert s1 < s2 and "First prize" in page and "Second prize" in page and "E 队 1" not in page
    assert "E 队 1" in b.get("/staff/contests/prov?tab=employee").get_data(as_text=True)
    whole = b.get("/staff/contests/prov?tab=site").get_data(as_text=True)
    assert whole.index("E 队 1") < whole.index("S 队 2") < whole.index("S 队 1")

    # public: only once the exam's board is public; before publication only `visible` points
    # count (none here: both teams at 0); frozen, it keeps what was handed in before the freeze
    assert b.get("/scoreboard/contest/prov").status_code == 404
    assert b.post(f"/staff/scoreboard/{exam}/public", {"public": "1"}).status_code == 303
    unpublished = b.get("/scoreboard/contest/prov?tab=student").get_data(as_text=True)
    assert "only points from checks candidates can see" in unpublished
    assert unpublished.count("<strong>0.00</strong>") == 2
    update_exam(app, exam, published=True)
    assert b.post(f"/staff/scoreboard/{exam}/freeze").status_code == 303
    hand_in("S0012", 5.0)                             # S 队 1 takes the lead after the freeze
    live = b.get("/staff/contests/prov?tab=student").get_data(as_text=True)
    assert live.index("S 队 1") < live.index("S 队 2")
    anon = make_browser()
    anon.set_lang("en")
    frozen = anon.get("/scoreboard/contest/prov?tab=student").get_data(as_text=True)
    assert frozen.index("S 队 2") < frozen.index("S 队 1") and "frozen" in frozen
    assert "First prize" not in frozen and "选手" not in frozen       # no awards, no member names
    assert b.post(f"/staff/scoreboard/{exam}/unfreeze").status_code == 303
    after = anon.get("/scoreboard/contest/prov?tab=student").get_data(as_text=True)
    assert after.index("S 队 1") < after.index("S 队 2") and "First prize" in after

    got = b.get("/staff/contests/prov/export.csv?what=ranking&lang=en")
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert table[0][:3] == ["division", "rank", "site"]
    assert [(r[0], r[1], r[4], r[10]) for r in table[1:]] == [
        ("Employee division", "1", "E 队 1", "First prize"), ("Student division", "1", "S 队 1", "First prize"),
        ("Student division", "2", "S 队 2", "Second prize")]
    x = b.get("/staff/contests/prov/export.xlsx?what=awards&lang=zh")
    assert x.status_code == 200 and sheets.is_xlsx(x.data)
    cells = [cells for _, cells in sheets.rows(x.data)]
    assert cells[0][:2] == ["组别", "名次"] and len(cells) == 4 and cells[1][10] == "一等奖"


@pytest.fixture
def nat_board(app):
    site_keys = {"A": Ed25519PrivateKey.generate(), "B": Ed25519PrivateKey.generate()}
    with app.app_context():
        comp = setup.create("nat", exam=None, exam_sha256=EXAM_SHA, title_en="National",
                            award_rule={"mode": "count", "tiers": [1, 1, 1]},
                            finalist_rule={"mode": "quota", "quota": 1, "top": 1})
        for code, k in site_keys.items():
            national.trust(comp, code, keys.public_hex(k.public_key()))
    return site_keys


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_national_import_page_confirms_refuses_with_reason_and_ranks(app, nat_board, signed_in, database):
    b = signed_in("examiner")
    b.set_lang("en")
    url = "/staff/contests/nat/import"
    good = make("A", nat_board["A"], [team("a1", 95), team("a2", 60, rank=2), team("ae", 70, Division.EMPLOYEE)])
    asked = upload(b, url, "package", good, "site-a.zip", confirm=False)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Import site A&#39;s package site-a.zip" in page and "3 teams" in page
    assert count(app, ResultImport) == 0                                          # nothing yet
    done = confirm_staged(b, url, page)
    assert done.status_code == 200 and "A: imported: 3 team(s)" in done.get_data(as_text=True)
    early = b.get("/staff/contests/nat/export.csv?what=awards&lang=en").data.decode("utf-8-sig")
    assert "a1" in early and "b1" not in early            # kept for this ranking; a new import replaces it

    def cheat(files):
        files["results.json"] = files["results.json"].replace(b'"final": 60', b'"final": 99')
    bad = upload(b, url, "package", rewrite(make("B", nat_board["B"], [team("b1", 60)]), cheat), "site-b.zip",
                 confirm=False)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Package refused: the file results.json does not match the signed manifest (changed)" in text
    listed = b.get("/staff/contests/nat?tab=imports").get_data(as_text=True)
    assert "site-b.zip" in listed and "refused" in listed and "does not match the signed manifest" in listed
    wrong_key = upload(b, url, "package", make("B", nat_board["A"], [team("b1", 60)]), "b-wrong-key.zip", confirm=True)
    assert wrong_key.status_code == 400 and "bad signature" in wrong_key.get_data(as_text=True)
    again = upload(b, url, "package", good, "site-a-again.zip", confirm=False)
    assert again.status_code == 200 and "nothing changed" in again.get_data(as_text=True)
    assert upload(b, url, "package", make("B", nat_board["B"], [team("b1", 80)]), "site-b2.zip",
                  confirm=True).status_code == 200
    with app.app_context():
        statuses = sorted(r.status.value for r in national.imports(setup.by_key("nat")))
        assert statuses == ["current", "current", "refused", "refused"]
        assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "results_import")) == 5

    students = b.get("/staff/contests/nat?tab=student").get_data(as_text=True)
    order = [students.index(f"team {t}") for t in ("a1", "b1", "a2")]
    assert order == sorted(order) and "Student division (3)" in students and "Employee division (1)" in students
    assert "finalist (site quota)" in students and "finalist (national top)" in students    # quota 1, then top 1
    assert "First prize" in students and "Third prize" in students
    got = b.get("/staff/contests/nat/export.csv?what=awards&lang=en")
    table = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert [(r[3], r[10], r[11]) for r in table[1:]] == [
        ("ae", "First prize", "finalist (site quota)"), ("a1", "First prize", "finalist (site quota)"),
        ("b1", "Second prize", "finalist (site quota)"), ("a2", "Third prize", "finalist (national top)")]
    assert signed_in("proctor").get("/staff/contests/nat?tab=imports").status_code == 200
    assert upload(signed_in("proctor"), url, "package", good, "x.zip", confirm=True).status_code == 403


def test_pages_speak_chinese_by_default(app, nat_board, site, signed_in):
    b = signed_in("admin")
    listing = b.get("/staff/contests").get_data(as_text=True)
    assert "竞赛" in listing and "省赛" in listing and "全国汇总" in listing
    page = b.get("/staff/contests/nat?tab=imports").get_data(as_text=True)
    assert "成绩包导入" in page and "验证并导入" in page and "学生组" in page
    assert "参赛队" in b.get("/staff/contests/prov?tab=teams").get_data(as_text=True)
