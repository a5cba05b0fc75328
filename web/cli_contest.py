"""`practicum contest ...` and `practicum results ...`: competitions on a site's board and the
signed results packages a site hands the national board.

Exit status: 0 done; 1 refused (bad rows, a package that fails verification: the reasons are
printed); 2 wrong usage (click's own).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

REFUSED = 1


def _app(instance_path, database_url):
    """The board's minimal app (`web.cli._app`), migrated to the newest schema."""
    from .cli import _app as board_app
    from .storage.db import upgrade

    app = board_app(instance_path, database_url)
    upgrade(app)
    return app


def _board_opts(f):
    f = click.option("--database", "database_url", envvar="PRACTICUM_DATABASE_URL",
                     help="A SQLAlchemy URL (default: SQLite in the instance folder).")(f)
    return click.option("--instance", "instance_path", type=click.Path(file_okay=False, path_type=Path),
                        help="The board's folder (default $PRACTICUM_HOME/board).")(f)


def _competition(key):
    from .services.contest import setup

    row = setup.by_key(key)
    if row is None:
        raise click.UsageError(f"no competition {key} on this board (practicum contest create)")
    return row


@click.group("contest")
def contest_command() -> None:
    """Competitions: teams, divisions, sites (see docs/contest.md)."""


@contest_command.command("create")
@click.argument("key")
@click.option("--exam", "exam_key", help="A site's board: the exam (its id on this board) the teams sit.")
@click.option("--site", default="", help="This board's site code; leave out on the national board.")
@click.option("--stage", type=click.Choice(["preliminary", "final"]), default="preliminary", show_default=True)
@click.option("--title-zh", default="")
@click.option("--title-en", default="")
@click.option("--team-min", type=int, default=1, show_default=True)
@click.option("--team-max", type=int, default=3, show_default=True)
@click.option("--theory-weight", type=int, default=30, show_default=True, help="% of the final score.")
@click.option("--theory-rule", type=click.Choice(["mean", "max", "min"]), default="mean", show_default=True,
              help="A team's theory from its members' scores.")
@click.option("--awards", "award_json", default='{"mode": "ratio", "tiers": [10, 20, 30]}', show_default=True,
              help='JSON: {"mode": "ratio"|"count", "tiers": [first, second, third]}.')
@click.option("--finalists", "finalist_json", default='{"mode": "top", "top": 10}', show_default=True,
              help='JSON: {"mode": "top", "top": N} or {"mode": "quota", "quota": Q, "top": N}.')
@click.option("--exam-sha256", help="The national board: the exam package sha256 every site ran.")
@click.option("--practical-max", type=float, help="The national board: the exam's practical maximum.")
@_board_opts
def contest_create(key, exam_key, site, stage, title_zh, title_en, team_min, team_max, theory_weight, theory_rule,
                   award_json, finalist_json, exam_sha256, practical_max, database_url, instance_path):
    """Create the competition KEY on this board (a site's, or with no --site the national one)."""
    from sqlalchemy import select

    from .services.contest import setup
    from .services.contest.awards import BadRule
    from .storage.db import db
    from .storage.models import Exam

    app = _app(instance_path, database_url)
    with app.app_context():
        exam = None
        if exam_key:
            exam = db.session.scalar(select(Exam).where(Exam.key == exam_key))
            if exam is None:
                raise click.UsageError(f"no exam {exam_key} on this board (practicum serve --exam DIR loads one)")
        try:
            row = setup.create(key, exam=exam, site=site, stage=stage, title_zh=title_zh, title_en=title_en,
                               team_min=team_min, team_max=team_max, theory_rule=theory_rule,
                               theory_weight=theory_weight, award_rule=json.loads(award_json),
                               finalist_rule=json.loads(finalist_json), exam_sha256=exam_sha256,
                               practical_max=practical_max)
        except (BadRule, ValueError) as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(f"competition {row.key} ({'site ' + row.site if row.site else 'national board'}, {row.stage.value})")


@contest_command.command("teams")
@click.argument("key")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--codes", "codes_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the new members' one-time sign-in codes to this CSV (else they are printed).")
@_board_opts
def contest_teams(key, file, codes_out, database_url, instance_path):
    """Import teams and members of competition KEY from FILE (.xlsx or CSV, UTF-8 or GBK).

    Every bad row is printed with its line, field and reason, and nothing is imported."""
    from .services.contest import entrants, sheet
    from .services.contest.messages import problem_text

    app = _app(instance_path, database_url)
    with app.app_context():
        competition = _competition(key)
        rows, problems = sheet.parse(file.read_bytes())
        done = None
        if not problems:
            done, problems = entrants.import_teams(competition, rows)
        if problems:
            for p in problems:
                click.echo(problem_text(p, "en"), err=True)
            click.echo(f"{file.name}: {len(problems)} problem(s); nothing imported", err=True)
            sys.exit(REFUSED)
        lines = ["candidate number,name,code"] + [f"{c.number},{c.name},{c.code}" for c in done.codes]
        if codes_out:
            codes_out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            click.echo("\n".join(lines))
        click.echo(f"{done.teams} team(s), {done.members} member(s) imported; {len(done.codes)} new code(s)", err=True)


@click.group("results")
def results_command() -> None:
    """Signed results packages: a site exports, the national board verifies and imports (docs/contest.md)."""


def _keys_dir(app) -> Path:
    return Path(app.instance_path) / "keys"


@results_command.command("keygen")
@click.argument("key")
@_board_opts
def results_keygen(key, database_url, instance_path):
    """Make this site's Ed25519 key for competition KEY (once); print the public key for the national board."""
    from .services.contest import keys

    app = _app(instance_path, database_url)
    with app.app_context():
        competition = _competition(key)
        if not competition.site:
            raise click.UsageError("the national board signs nothing: run keygen on a site's board")
        path = keys.key_path(_keys_dir(app), competition.key, competition.site)
        try:
            public = keys.generate(path)
        except keys.KeyProblem as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"private key kept in {path} (owner-only; back it up, never send it)", err=True)
    click.echo(f"site {competition.site} public key: {public}", err=True)
    click.echo(f"on the national board: practicum results trust {key} --site {competition.site} --public-key {public}",
               err=True)
    click.echo(public)


@results_command.command("export")
@click.argument("key")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The zip to write.")
@_board_opts
def results_export(key, out, database_url, instance_path):
    """Export this site's results of competition KEY as a signed package (zip)."""
    from .services.contest import export, keys

    app = _app(instance_path, database_url)
    with app.app_context():
        try:
            data = export.export(_competition(key), _keys_dir(app))
        except keys.KeyProblem as exc:
            raise click.UsageError(str(exc)) from None
    out.write_bytes(data)
    from .services.contest.package import sha256
    click.echo(f"{out} written ({len(data)} bytes, sha256 {sha256(data)})")


@results_command.command("trust")
@click.argument("key")
@click.option("--site", required=True, help="The site's code, as its board's competition has it.")
@click.option("--public-key", required=True, help="64 hex digits, what the site's keygen printed.")
@click.option("--name", default="", help="The site's name (shown on the pages).")
@_board_opts
def results_trust(key, site, public_key, name, database_url, instance_path):
    """National board: register the public key of SITE for competition KEY."""
    from .services.contest import keys, national

    app = _app(instance_path, database_url)
    with app.app_context():
        try:
            national.trust(_competition(key), site, public_key, name)
        except keys.KeyProblem as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"site {site} trusted for {key}")


def _say_refused(file, exc, lang="en") -> None:
    from .services.contest.messages import text

    click.echo(f"{file}: REFUSED: {text(exc.key, lang, value=exc.value)}", err=True)


@results_command.command("verify")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--competition", "key", help="Check against this competition's site keys, stage and exam on this board.")
@click.option("--public-key", help="Or: check the signature with this site public key alone (no board needed).")
@_board_opts
def results_verify(files, key, public_key, database_url, instance_path):
    """Verify results packages: signature, every file's hash, and (with --competition) the
    competition, stage and exam. Exit 0 when all are valid, 1 when any is refused."""
    from .services.contest import keys, national, package

    if bool(key) == bool(public_key):
        raise click.UsageError("give --competition KEY (on the national board) or --public-key HEX")
    refused = 0
    for file in files:
        data = file.read_bytes()
        try:
            if key:
                app = _app(instance_path, database_url)
                with app.app_context():
                    got = national.check(_competition(key), data)
            else:
                site = str(package.open_package(data)[0].get("site", ""))
                got = package.verify(data, {site: keys.parse_public(public_key)})
        except package.Refused as exc:
            _say_refused(file, exc)
            refused += 1
            continue
        except keys.KeyProblem as exc:
            raise click.UsageError(str(exc)) from None
        h = got.header
        click.echo(f"{file}: OK: site {h.site}, {h.competition} {h.stage}, exported {h.exported_at.isoformat()}, "
                   f"{len(got.teams)} team(s), exam {h.exam_key} sha256 {h.exam_sha256[:12]}")
    sys.exit(REFUSED if refused else 0)


@results_command.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--competition", "key", required=True)
@_board_opts
def results_import(files, key, database_url, instance_path):
    """National board: import sites' results packages (verified first; importing one again
    changes nothing; a newer export of a site replaces its older one). Exit 1 if any is refused."""
    from .services.contest import national
    from .services.contest.messages import import_text, text

    app = _app(instance_path, database_url)
    refused = 0
    with app.app_context():
        competition = _competition(key)
        for file in files:
            got = national.import_package(competition, file.read_bytes(), file.name, actor="cli")
            if got.status == "refused":
                click.echo(f"{file}: REFUSED: {text(got.reason, 'en', value=got.value)}", err=True)
                refused += 1
            else:
                said = import_text(got.status, got.row.teams, "en")
                click.echo(f"{file}: site {got.row.site}: {said}")
    sys.exit(REFUSED if refused else 0)


@results_command.command("send")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to", "board_url", required=True, help="The national board's address, e.g. https://national.example.org")
@click.option("--competition", "key", required=True, help="The competition's key on the national board.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for the board.")
def results_send(file, board_url, key, timeout):
    """Site board, online: send a results package to the national board over HTTPS (an
    idempotent PUT; the package's signature is its authentication). The offline file stays the
    primary path. Exit 0 when imported or already there, 1 when refused, 3 when the board
    cannot be reached."""
    import requests

    from .services.contest import package

    data = file.read_bytes()
    try:
        site = str(package.open_package(data)[0].get("site", ""))
    except package.Refused as exc:
        _say_refused(file, exc)
        sys.exit(REFUSED)
    url = f"{board_url.rstrip('/')}/api/contests/{key}/results/{site}"
    try:
        answer = requests.put(url, data=data, timeout=timeout,
                              headers={"Content-Type": "application/zip"})
    except requests.RequestException as exc:
        click.echo(f"{file}: the national board at {board_url} could not be reached: {exc}", err=True)
        sys.exit(3)
    try:
        body = answer.json()
        said = body["message"]["en"]
    except (ValueError, KeyError, TypeError):
        click.echo(f"{file}: unexpected answer {answer.status_code} from {url}", err=True)
        sys.exit(3)
    if answer.status_code in (200, 201):
        click.echo(f"{file}: site {site}: {said}")
        return
    click.echo(f"{file}: REFUSED ({answer.status_code}): {said}", err=True)
    sys.exit(REFUSED)


@results_command.command("ranking")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True)
@_board_opts
def results_ranking(key, fmt, database_url, instance_path):
    """National board: print the national ranking per division with awards and finalists."""
    from .services.contest import national, tables

    app = _app(instance_path, database_url)
    with app.app_context():
        ranked = national.ranking(_competition(key))
    if fmt == "csv":
        click.echo(tables.csv_text(tables.national_table(ranked, "en")), nl=False)
        return
    for division, rows in ranked.items():
        click.echo(f"== {tables.DIVISION_NAMES[division.value]['en']} ({len(rows)} teams)")
        for r in rows:
            award = tables.award_name(r.award, "en")
            final = "-" if r.final is None else f"{r.final:6.2f}"
            click.echo(f"{r.rank:4d}  {final}  {r.site:6s} {r.name:24s} {r.affiliation:24s} {award:12s}"
                       f"{' FINALIST (' + r.finalist + ')' if r.finalist else ''}")
