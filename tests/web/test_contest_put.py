"""Results packages sent over HTTPS: `PUT /api/contests/<key>/results/<site>` on the national
board and `practicum results send`, against a real board served on a local port. The package's
signature is the only authentication: unsigned, wrongly keyed, tampered or mis-addressed
packages are refused and write nothing; the same package twice changes nothing."""
from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from web.cli import main as cli
from web.storage.models import ImportStatus, NationalTeam, ResultImport

from .test_contest_results import T0, count, make, nat, rewrite, team  # noqa: F401 - the national board fixture

URL = "/api/contests/nat/results/{site}"


def put(client, site, data):
    answer = client.put(URL.format(site=site), data=data, content_type="application/zip")
    return answer.status_code, answer.get_json()


def test_a_signed_package_is_taken_once_and_a_newer_one_replaces_it(app, nat):
    client = app.test_client()
    first = make("A", nat["A"], [team("a1", 90), team("a2", 80, rank=2)])
    code, body = put(client, "A", first)
    assert code == 201 and body["status"] == "imported" and "2" in body["message"]["en"] and body["message"]["zh"]
    assert put(client, "A", first)[0:1] == (200,) and put(client, "A", first)[1]["status"] == "same"
    newer = make("A", nat["A"], [team("a1", 95)], at=T0 + timedelta(hours=1))
    assert put(client, "A", newer)[1]["status"] == "replaced"
    code, body = put(client, "A", make("A", nat["A"], [team("a1", 99)], at=T0 - timedelta(hours=1)))
    assert code == 409 and body["reason"] == "results.older"
    assert count(app, NationalTeam) == 3     # two of the first export (kept as history) + one current


def test_refused_packages_write_nothing(app, nat):
    client = app.test_client()
    good = make("A", nat["A"], [team("a1", 90)])
    cases = {
        "results.unsigned": rewrite(good, lambda f: f.pop("manifest.sig")),
        "results.bad_signature": make("A", nat["B"], [team("a1", 90)]),
        "results.not_zip": b"not a zip",
    }
    for reason, data in cases.items():
        code, body = put(client, "A", data)
        assert (code, body["reason"]) == (422, reason)
    code, body = put(client, "B", good)                     # signed by A, sent as B
    assert code == 409 and body["reason"] == "results.api_wrong_site"
    assert client.put("/api/contests/nope/results/A", data=good).status_code == 404
    assert count(app, ResultImport) == 0 and count(app, NationalTeam) == 0


def test_a_body_over_the_limit_is_refused_unread(app, nat, monkeypatch):
    from web.pages import results_api

    monkeypatch.setattr(results_api, "UPLOAD_MAX", 1000)
    code, body = put(app.test_client(), "A", b"x" * 2000)
    assert code == 413 and body["reason"] == "results.api_too_large"


def test_results_send_puts_the_package_and_says_what_happened(app, nat, live_board, tmp_path):
    served = live_board
    pkg = tmp_path / "A.zip"
    pkg.write_bytes(make("A", nat["A"], [team("a1", 90)]))
    run = CliRunner().invoke(cli, ["results", "send", str(pkg), "--to", served, "--competition", "nat"])
    assert run.exit_code == 0 and "imported: 1 team(s)" in run.output
    run = CliRunner().invoke(cli, ["results", "send", str(pkg), "--to", served, "--competition", "nat"])
    assert run.exit_code == 0 and "nothing changed" in run.output
    bad = tmp_path / "bad.zip"
    bad.write_bytes(make("A", nat["B"], [team("a1", 90)]))
    run = CliRunner().invoke(cli, ["results", "send", str(bad), "--to", served, "--competition", "nat"])
    assert run.exit_code == 1 and "REFUSED (422)" in run.output
    with app.app_context():
        from web.storage.db import db
        assert [r.status for r in db.session.query(ResultImport)] == [ImportStatus.CURRENT]
    run = CliRunner().invoke(cli, ["results", "send", str(pkg), "--to", "http://127.0.0.1:9", "--competition", "nat",
                                   "--timeout", "5"])
    assert run.exit_code == 3 and "could not be reached" in run.output
