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
