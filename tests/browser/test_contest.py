"""A competition in real Chromium against the real board (Docker grading): two members of a
team sign in with their own codes, one hands in, the other sees the team's one history; the
staff's division boards (tabs) rank the team; on the national board's page an examiner
imports a signed results package through the upload form (the confirmation dialog
answered), then a tampered copy, refused with its reason and listed as refused."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from support.contest import as_csv, teams

from .conftest import GRADE_TIMEOUT_S, REPO, STAFF, login_candidate, login_staff, screenshot

pytestmark = [pytest.mark.docker, pytest.mark.slow]
SHAPES = REPO / "reference_solutions" / "demo" / "full" / "shapes.py"


def cli(board, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "web.cli", *args, "--instance", str(board.instance)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def contest(board, tmp_path_factory):
    """Site competition `prov` on the board's demo exam (teams of BT, two divisions) and the
    national competition `nat` with site X trusted; {number: code} of the teams' members."""
    folder = tmp_path_factory.mktemp("contest")
    cli(board, "contest", "create", "prov", "--exam", "demo", "--site", "A", "--title-en", "Provincial",
        "--title-zh", "省赛", "--awards", '{"mode": "count", "tiers": [1, 1]}')
    (folder / "teams.csv").write_bytes(as_csv(teams("BT", 2) + teams("BE", 1, division="employee", start=50)))
    cli(board, "contest", "teams", "prov", str(folder / "teams.csv"), "--codes", str(folder / "codes.csv"))
    codes = dict(line.split(",")[0::2] for line in (folder / "codes.csv").read_text().splitlines()[1:])
    theory(board, {number: 60 + i for i, number in enumerate(sorted(codes))})
    key = Ed25519PrivateKey.generate()
    from web.services.contest import keys
    cli(board, "contest", "create", "nat", "--exam-sha256", "ab" * 32, "--title-en", "National",
        "--awards", '{"mode": "count", "tiers": [1, 1, 1]}', "--finalists", '{"mode": "top", "top": 1}')
    cli(board, "results", "trust", "nat", "--site", "X", "--public-key", keys.public_hex(key.public_key()))
    return {"codes": codes, "key": key, "folder": folder}


def theory(board, scores: dict[str, float]) -> None:
    """The members' theory papers, as the examiner's theory import would store them."""
    from web.cli import _app
    from web.storage.db import db
    from web.storage.models import TheoryScore, User

    app = _app(board.instance, None)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(db.select(User).where(User.username.in_(scores)))}
        db.session.add_all([TheoryScore(exam_id=board.exam_id, candidate_id=users[n].id, score=s)
                            for n, s in scores.items()])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def wait_graded(page, sid: int) -> None:
    deadline = time.monotonic() + GRADE_TIMEOUT_S
    while time.monotonic() < deadline:
        status = page.request.get(f"/submissions/{sid}/status").json()["status"]
        if status == "graded":
            return
        assert status in ("queued", "running", "retrying"), status
        time.sleep(0.5)
    pytest.fail(f"submission {sid} not graded within {GRADE_TIMEOUT_S} s")


def test_team_members_share_a_history_and_the_division_boards_rank_the_team(board, contest, new_page):
    first, second = new_page("en-US"), new_page("en-US")
    login_candidate(first, "BT0011", contest["codes"]["BT0011"])
    card = first.locator("#task-shapes")
    card.locator("input[type=file]").set_input_files(str(SHAPES))
    with first.expect_navigation():
        card.locator("button[type=submit]").click()
    sid = int(first.url.split("/submissions/")[1].split("?")[0])
    wait_graded(first, sid)

    login_candidate(second, "BT0012", contest["codes"]["BT0012"])
    second.goto("/submissions")
    assert second.locator(f'a[href="/submissions/{sid}"]').count() >= 1      # the team's one history
    second.goto(f"/submissions/{sid}")
    assert second.locator(".score").inner_text().startswith("5")

    staff = new_page("zh-CN")
    login_staff(staff, STAFF["examiner"])
    staff.goto("/staff/contests")
    staff.click("text=省赛")
    staff.wait_for_url("**/staff/contests/prov")
    students = staff.locator("table.ranking tbody tr")
    assert students.first.get_attribute("data-team") == "BT-T001"
    first_row = students.first.inner_text()
    # shapes 5/5 of the 15-point exam: 33.33 %; theory mean(63, 64, 65) = 64; 0.3 × 64 + 0.7 × 33.33
    assert "一等奖" in first_row and "33.33" in first_row and "42.53" in first_row
    assert "二等奖" in students.nth(1).inner_text()
    tabs = staff.locator("nav.tabs").inner_text()
    assert "学生组 (2)" in tabs and "职工组 (1)" in tabs
    screenshot(staff, "contest-site-student-division")
    staff.click("nav.tabs >> text=职工组")
    staff.wait_for_url("**tab=employee")
    rows = staff.locator("table.ranking tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-team") == "BE-T001"
    assert "BT-T001" not in staff.locator("table.ranking").inner_text()


def package(contest, *, tamper: bool = False) -> bytes:
    from web.services.contest import package as pkg
    from web.services.contest.ranking import Member, TeamScore
    from web.storage.models import Division

    rows = [TeamScore(f"x{i}", f"site X team {i}", f"school {i}", Division.STUDENT, "X", {"shapes": 5.0 - i},
                      5.0 - i, 100.0 - 20 * i, 80.0, 94.0 - 14 * i, datetime(2026, 5, 1, 10, i, tzinfo=timezone.utc),
                      (Member(f"m{i}", "captain", f"X{i}", "", None, 80.0),), rank=i + 1) for i in range(2)]
    header = pkg.Header("nat", "preliminary", "X", datetime(2026, 5, 1, 12, tzinfo=timezone.utc), "demo", "ab" * 32,
                        5.0, 30)
    data = pkg.build(header, rows, contest["key"])
    if not tamper:
        return data
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    results = json.loads(files["results.json"])
    results["teams"][1]["final"] = 99.0
    files["results.json"] = json.dumps(results).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for n, b in files.items():
            zf.writestr(n, b)
    return out.getvalue()


def test_national_import_page_imports_and_refuses_a_tampered_package(board, contest, new_page):
    good, bad = contest["folder"] / "site-X.zip", contest["folder"] / "site-X-changed.zip"
    good.write_bytes(package(contest))
    bad.write_bytes(package(contest, tamper=True))
    page = new_page("zh-CN")
    login_staff(page, STAFF["examiner"])
    page.goto("/staff/contests/nat?tab=imports")
    page.set_input_files("input[name=package]", str(good))
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.dialogs and "验证并导入这个成绩包" in page.dialogs[-1]
    assert "已导入：2 支队伍" in page.locator("#outcome").inner_text()

    page.set_input_files("input[name=package]", str(bad))
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    outcome = page.locator("#outcome").inner_text()
    assert "成绩包被拒绝" in outcome and "results.json 与签名的清单不符" in outcome
    refused = page.locator("table.imports tr.import-refused")
    assert refused.count() == 1 and "site-X-changed.zip" in refused.inner_text()
    assert "与签名的清单不符" in refused.inner_text()
    assert page.locator("table.imports tr.import-current").count() == 1
    screenshot(page, "contest-national-imports")

    page.click("nav.tabs >> text=学生组")
    page.wait_for_url("**tab=student")
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 2 and rows.first.get_attribute("data-team") == "x0"
    assert "一等奖" in rows.first.inner_text() and "晋级（全国排名）" in rows.first.inner_text()
    assert "94.00" in rows.first.inner_text() and "99" not in rows.nth(1).inner_text()
