"""Results packages: a site's board exports a signed zip, the national board verifies and
imports it. Tampering, no signature, the wrong key, an unknown site, the wrong exam, extra
files, replays of older exports; idempotent re-import; newer exports replacing older ones
(kept as history); the national ranking with awards and finalists; the CLI's exit codes.
The national board runs on SQLite, and on PostgreSQL for the tests marked `postgres`."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from support.contest import as_csv, teams
from web.cli import main as cli
from web.pages.app import create_app
from web.services import exams
from web.services.contest import entrants, export, keys, national, package, setup, sheet
from web.services.contest.ranking import Member, TeamScore
from web.storage.db import db, upgrade
from web.storage.models import Competition, Division, Exam, ImportStatus, NationalTeam, ResultImport, Submission

from .conftest import DEMO, SHAPES_PATH, grade_by_hand, submission_id

EXAM_SHA = "ab" * 32
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)


def team(tid, final, division=Division.STUDENT, rank=1, site="A"):
    return TeamScore(tid, f"team {tid}", f"school {tid}", division, site, {"shapes": final / 20}, final / 20,
                     final, 80.0, final, T0, (Member("m", "captain", f"{tid}1", "110101200101010018", None, 80.0),),
                     rank=rank)


def make(site: str, key: Ed25519PrivateKey, rows: list[TeamScore], *, at: datetime = T0, exam_sha: str = EXAM_SHA,
         competition: str = "nat") -> bytes:
    header = package.Header(competition, "preliminary", site, at, "demo", exam_sha, 5.0, 30)
    return package.build(header, rows, key)


@pytest.fixture
def nat(app):
    """The national board (the `app` fixture's database) with sites A and B trusted."""
    site_keys = {"A": Ed25519PrivateKey.generate(), "B": Ed25519PrivateKey.generate()}
    with app.app_context():
        comp = setup.create("nat", exam=None, exam_sha256=EXAM_SHA,
                            award_rule={"mode": "count", "tiers": [1, 1, 1]},
                            finalist_rule={"mode": "quota", "quota": 1, "top": 1})
        for code, k in site_keys.items():
            national.trust(comp, code, keys.public_hex(k.public_key()))
    return site_keys


def do_import(app, data: bytes):
    with app.app_context():
        got = national.import_package(setup.by_key("nat"), data, "x.zip", "test")
        return got.status, got.reason


def rewrite(data: bytes, change) -> bytes:
    """The zip with `change({name: bytes})` applied, manifest and signature left as they were."""
    files = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for n in zf.namelist():
            files[n] = zf.read(n)
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for n, b in files.items():
            zf.writestr(n, b)
    return out.getvalue()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


# ------------------------------------------------------------------ refusals

def test_a_valid_package_imports_and_the_same_one_again_changes_nothing(app, nat):
    data = make("A", nat["A"], [team("a1", 90), team("a2", 80, rank=2)])
    assert do_import(app, data) == ("imported", None)
    assert do_import(app, data) == ("same", None)
    assert count(app, NationalTeam) == 2 and count(app, ResultImport) == 1


def test_a_changed_score_is_refused_as_tampered(app, nat):
    data = make("A", nat["A"], [team("a1", 90)])

    def cheat(files):
        files["results.json"] = files["results.json"].replace(b'"final": 90', b'"final": 99')
    assert do_import(app, rewrite(data, cheat)) == ("refused", "results.tampered")
    assert count(app, NationalTeam) == 0


def test_a_changed_manifest_breaks_the_signature(app, nat):
    data = make("A", nat["A"], [team("a1", 90)])

    def cheat(files):
        files["manifest.json"] = files["manifest.json"].replace(b'"stage": "preliminary"', b'"stage": "preliminary" ')
    assert do_import(app, rewrite(data, cheat)) == ("refused", "results.bad_signature")


def test_unsigned_wrong_key_unknown_site_wrong_exam_extra_file_not_a_zip(app, nat):
    good = make("A", nat["A"], [team("a1", 90)])
    assert do_import(app, rewrite(good, lambda f: f.pop("manifest.sig"))) == ("refused", "results.unsigned")
    assert do_import(app, make("A", nat["B"], [team("a1", 90)])) == ("refused", "results.bad_signature")
    assert do_import(app, make("Z", nat["A"], [team("a1", 90)])) == ("refused", "results.unknown_site")
    assert do_import(app, make("A", nat["A"], [team("a1", 90)], exam_sha="cd" * 32)) == ("refused", "results.wrong_exam")
    assert do_import(app, make("A", nat["A"], [], competition="other")) == ("refused", "results.wrong_competition")
    assert do_import(app, rewrite(good, lambda f: f.update({"extra.txt": b"hi"}))) == ("refused", "results.extra_file")
    assert do_import(app, b"not a zip") == ("refused", "results.not_zip")
    assert count(app, NationalTeam) == 0
    with app.app_context():
        rows = national.imports(setup.by_key("nat"))
        assert all(r.status is ImportStatus.REFUSED for r in rows) and rows[-1].reason == "results.unsigned"
        assert rows[-2].site == "A"      # named even when refused


def test_a_newer_export_replaces_the_older_which_stays_as_history(app, nat):
    old = make("A", nat["A"], [team("a1", 50)], at=T0)
    new = make("A", nat["A"], [team("a1", 70), team("a2", 60, rank=2)], at=T0 + timedelta(hours=1))
    assert do_import(app, old)[0] == "imported"
    assert do_import(app, new)[0] == "replaced"
    assert do_import(app, old) == ("same", None)                  # seen before: nothing changes
    older = make("A", nat["A"], [team("a1", 99)], at=T0 - timedelta(hours=1))
    assert do_import(app, older) == ("refused", "results.older")  # a replay of an earlier export
    with app.app_context():
        comp = setup.by_key("nat")
        statuses = [r.status for r in reversed(national.imports(comp))]
        assert statuses == [ImportStatus.SUPERSEDED, ImportStatus.CURRENT, ImportStatus.REFUSED]
        finals = [t.final for t in national.ranking(comp)[Division.STUDENT]]
        assert finals == [70.0, 60.0]


def test_national_ranking_awards_and_finalists_across_sites(app, nat):
    do_import(app, make("A", nat["A"], [team("a1", 95), team("a2", 94, rank=2), team("a3", 50, rank=3),
                                        team("ae", 70, Division.EMPLOYEE)]))
    do_import(app, make("B", nat["B"], [team("b1", 60), team("b2", 40, rank=2)]))
    with app.app_context():
        ranked = national.ranking(setup.by_key("nat"))
    students = [(t.team_id, t.rank, t.award, t.finalist) for t in ranked[Division.STUDENT]]
    assert students == [("a1", 1, 1, "quota"), ("a2", 2, 2, "top"), ("b1", 3, 3, "quota"),
                        ("a3", 4, None, None), ("b2", 5, None, None)]
    assert [(t.team_id, t.award, t.finalist) for t in ranked[Division.EMPLOYEE]] == [("ae", 1, "quota")]


def test_the_kept_ranking_is_recomputed_after_an_import_not_after_a_refusal(app, nat):
    cache = {}
    do_import(app, make("A", nat["A"], [team("a1", 90)]))
    with app.app_context():
        first = national.cached_ranking(setup.by_key("nat"), cache)
    assert do_import(app, make("B", nat["A"], [team("b1", 99)]))[0] == "refused"     # B signed with A's key
    with app.app_context():
        assert national.cached_ranking(setup.by_key("nat"), cache) is first
    do_import(app, make("B", nat["B"], [team("b1", 80)]))
    with app.app_context():
        again = national.cached_ranking(setup.by_key("nat"), cache)
    assert again is not first and [t.team_id for t in again[Division.STUDENT]] == ["a1", "b1"]


@pytest.mark.postgres
def test_import_replay_and_ranking_on_postgres(app, nat):
    data = make("A", nat["A"], [team("a1", 90)])
    assert do_import(app, data)[0] == "imported"
    assert do_import(app, data) == ("same", None)
    assert do_import(app, rewrite(data, lambda f: f.pop("manifest.sig"))) == ("refused", "results.unsigned")
    assert do_import(app, make("A", nat["A"], [team("a1", 91)], at=T0 + timedelta(minutes=1)))[0] == "replaced"
    with app.app_context():
        assert [t.final for t in national.ranking(setup.by_key("nat"))[Division.STUDENT]] == [91.0]


# ------------------------------------------------------------------ from a real site board, through the CLI

def test_site_export_verify_import_through_the_cli(app, exam, make_browser, tmp_path):
    """A site board grades a team, exports; the national board (its own database) imports."""
    with app.app_context():
        comp = setup.create("nat", exam=db.session.get(Exam, exam), site="A")
        rows, _ = sheet.parse(as_csv(teams("S", 1)))
        done, _ = entrants.import_teams(comp, rows)
        code = {c.number: c.code for c in done.codes}
        keys_dir = tmp_path / "board" / "keys"
        public = keys.generate(keys.key_path(keys_dir, "nat", "A"))
        exam_sha = db.session.get(Exam, exam).package_sha256
    b = make_browser()
    b.login_candidate("S0012", code["S0012"])
    sid = submission_id(b.upload("shapes", SHAPES_PATH))
    grade_by_hand(app, sid, 4.0)
    with app.app_context():
        data = export.export(setup.by_key("nat"), keys_dir)
        sha = db.session.get(Submission, sid).sha256
    got = package.verify(data, {"A": keys.parse_public(public)}, exam_sha256=exam_sha)
    assert got.teams[0]["counted"][0]["sha256"] == sha and got.teams[0]["tasks"] == {"shapes": 4.0}

    nat_home = tmp_path / "national"
    runner = CliRunner()
    run = lambda *args: runner.invoke(cli, [*args, "--instance", str(nat_home)])
    assert run("contest", "create", "nat", "--exam-sha256", exam_sha).exit_code == 0
    assert run("results", "trust", "nat", "--site", "A", "--public-key", public).exit_code == 0
    pkg = tmp_path / "a.zip"
    pkg.write_bytes(data)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rewrite(data, lambda f: f.update({"results.json": f["results.json"].replace(b"4.0", b"5.0")})))
    ok = run("results", "verify", str(pkg), "--competition", "nat")
    assert ok.exit_code == 0 and "OK: site A" in ok.output
    refused = run("results", "verify", str(bad), "--competition", "nat")
    assert refused.exit_code == 1 and "does not match the signed manifest" in refused.output
    assert run("results", "import", str(pkg), "--competition", "nat").exit_code == 0
    again = run("results", "import", str(pkg), str(bad), "--competition", "nat")
    assert again.exit_code == 1 and "nothing changed" in again.output
    ranking = run("results", "ranking", "nat")
    assert ranking.exit_code == 0 and "S 队 1" in ranking.output
    standalone = runner.invoke(cli, ["results", "verify", str(pkg), "--public-key", public])
    assert standalone.exit_code == 0
    assert runner.invoke(cli, ["results", "verify", str(pkg), "--public-key", "00" * 32]).exit_code == 1
