"""The `practicum` command: the engine's commands (`grader.cli.main`: grade, exam, sandbox,
image) with the board's mounted beside them, here at the top, so the engine imports
nothing of the board:

    practicum serve      the board (and, embedded, its grading threads)
    practicum worker     a grading process for the distributed mode (--board URL, a worker token)
    practicum worker-token create|revoke|list   worker machines' credentials (on the board machine)
    practicum db upgrade, practicum user add
    practicum contest|results|sitting ...   competitions, results packages, certification sittings

Every command imports what it needs when it runs: `practicum worker` loads the
storage and grading layers only, never a page, template or catalogue.
Also runnable as `python -m web.cli serve --exam exams/demo`.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli import main
from grader.errors import PracticumError

TOKEN_ENV = "PRACTICUM_WORKER_TOKEN"     # web.grading.gateway.TOKEN_ENV (not imported: `practicum` loads no layer to start)


class _Lazy(click.Group):
    """A command group whose commands are imported when it runs (`web.cli_contest`): mounting it
    adds no module to what `practicum worker` loads."""

    def __init__(self, name: str, target: str, help: str):
        super().__init__(name, help=help)
        self._target = target

    def _group(self) -> click.Group:
        import importlib

        module, attr = self._target.split(":")
        return getattr(importlib.import_module(module), attr)

    def list_commands(self, ctx):
        return self._group().list_commands(ctx)

    def get_command(self, ctx, name):
        return self._group().get_command(ctx, name)


def _instance_opt(f):
    return click.option("--instance", "instance_path", type=click.Path(file_okay=False, path_type=Path),
                        help="Folder for the database, uploads and artifacts (default $PRACTICUM_HOME/board).")(f)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--exam", "exam_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="An exam package to put on the board (repeatable).")
@click.option("--workers", type=int, default=None,
              help="Grading threads in this process (default: the cores when embedded, none with --broker redis://...).")
@click.option("--database", "database_url", envvar="PRACTICUM_DATABASE_URL",
              help="A SQLAlchemy URL (default: SQLite in the instance folder; postgresql+psycopg://... to scale out).")
@click.option("--broker", "broker_url", envvar="PRACTICUM_BROKER_URL",
              help="Celery broker: memory:// (default, embedded: grading in this process) or "
                   "redis://HOST:6379/0 (distributed: `practicum worker` processes grade).")
@click.option("--insecure-cookies", is_flag=True, help="Allow session cookies over plain HTTP (closed exam-room LAN only).")
@click.option("--demo", is_flag=True,
              help="Put exams/demo on the board with demo staff and candidates, and a published "
                   "certification sitting on exams/edge-ai-practical; print the URL, passwords, one-time "
                   "codes (new ones at every start) and a certificate to verify. Implies --insecure-cookies.")
@_instance_opt
def serve_command(host, port, exam_dirs, workers, database_url, broker_url, insecure_cookies, demo, instance_path):
    """Start the results board (and, embedded, its grading threads)."""
    from .serve import serve

    demo_key = None
    if demo:
        # the demo exam, and the intermediate edge-AI exam the demo's certification sitting examines
        for name in ("demo", "edge-ai-practical"):
            demo_dir = Path(__file__).resolve().parents[1] / "exams" / name
            exam_dirs = (*exam_dirs, demo_dir) if demo_dir not in exam_dirs else exam_dirs
        demo_key, insecure_cookies = "demo", True
    try:
        serve(host, port, exam_dirs, workers=workers, instance_path=instance_path,
              database_url=database_url, secure_cookies=not insecure_cookies, demo=demo_key,
              broker_url=broker_url)
    except PracticumError as exc:
        click.echo(f"practicum: {exc.show()}", err=True)
        sys.exit(exc.exit_code)


@click.command("worker")
@click.option("--broker", "broker_url", envvar="PRACTICUM_BROKER_URL", required=True,
              help="The board's Celery broker, e.g. redis://board-host:6379/0 (or $PRACTICUM_BROKER_URL).")
@click.option("--board", "board_url", envvar="PRACTICUM_BOARD_URL",
              help="The board's address, e.g. http://board-host:8000: jobs, blobs and results go through its "
                   "worker API with this machine's worker token (the way to run a worker machine).")
@click.option("--token-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"A file holding the worker token (else ${TOKEN_ENV}; never on the command line).")
@click.option("--database", "database_url",
              help="The board's database instead of --board: only for a worker on the board's own machine.")
@click.option("--concurrency", "-c", type=int, default=None, help="Jobs graded at once (default: the cores).")
@click.option("--image", "image_names", multiple=True,
              help="Sandbox image definitions to take jobs for (default: every one this engine has built).")
@_instance_opt
def worker_command(broker_url, board_url, token_file, database_url, concurrency, image_names, instance_path):
    """Grade jobs from the board's broker on this machine's Docker engine.

    Needs the broker, the board's address with a worker token (made on the board machine by
    `practicum worker-token create NAME`) and Docker with the sandbox image built
    (`practicum image build default`). The worker holds no database URL or password: it
    claims, heartbeats and finishes its jobs and fetches their uploads and packages through
    the board, which lets its token touch nothing else. SIGTERM finishes the jobs in flight;
    a killed worker's jobs are re-queued by the board after STALE_AFTER_S."""
    import logging

    from .grading.launch import run_worker, worker_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if broker_url.startswith("memory://"):
        raise click.UsageError("a worker process needs a shared broker (redis://...); memory:// is the board's own")
    if bool(board_url) == bool(database_url):
        raise click.UsageError("give the board's address (--board URL, with a worker token) or, on the board's "
                               "own machine only, --database; not both")
    cfg = {"BROKER_URL": broker_url}
    if instance_path:
        cfg["INSTANCE_PATH"] = str(instance_path)
    gateway = None
    if board_url:
        from .grading.gateway import BoardGateway, read_token

        token = read_token(token_file)
        if not token:
            raise click.UsageError(f"no worker token: set ${TOKEN_ENV} or give --token-file "
                                   "(`practicum worker-token create NAME` on the board machine makes one)")
        gateway = BoardGateway(board_url, token)
        app = worker_app(cfg, database=False)
    else:
        cfg["SQLALCHEMY_DATABASE_URI"] = database_url
        app = worker_app(cfg)
    try:
        run_worker(app, concurrency, list(image_names) or None, gateway=gateway)
    except PracticumError as exc:
        click.echo(f"practicum: {exc.show()}", err=True)
        sys.exit(exc.exit_code)


@click.group("worker-token")
def worker_token_command() -> None:
    """Worker tokens: a worker machine's credential for the board's worker API (run on the board machine)."""


def _board_database(f):
    """--database and --instance: the board's own database, for commands run on the board machine."""
    f = click.option("--database", "database_url", envvar="PRACTICUM_DATABASE_URL",
                     help="The board's database (default: SQLite in the instance folder).")(f)
    return _instance_opt(f)


@worker_token_command.command("create")
@click.argument("name")
@_board_database
def worker_token_create(name, database_url, instance_path):
    """Make a token named NAME and print it once (the board keeps only its hash)."""
    from .services import worker_tokens
    from .services.audit import record
    from .storage.db import upgrade

    app = _app(instance_path, database_url)
    upgrade(app)
    with app.app_context():
        try:
            row, secret = worker_tokens.create(name, actor="cli")
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        record("worker_token_created", row.name, actor_name="cli")
    click.echo(f"worker token {name} (shown once; on the worker machine put it in ${TOKEN_ENV} or a file "
               f"for --token-file):", err=True)
    click.echo(secret)


@worker_token_command.command("revoke")
@click.argument("name")
@_board_database
def worker_token_revoke(name, database_url, instance_path):
    """Revoke the token named NAME: its worker is refused from its next call on."""
    from .services import worker_tokens
    from .services.audit import record

    app = _app(instance_path, database_url)
    with app.app_context():
        row = worker_tokens.by_name(name)
        if row is None:
            raise click.UsageError(f"no worker token named {name!r}")
        worker_tokens.revoke(row.id, actor="cli")
        record("worker_token_revoked", row.name, actor_name="cli")
    click.echo(f"worker token {name} revoked")


@worker_token_command.command("list")
@_board_database
def worker_token_list(database_url, instance_path):
    """The tokens, when each was made and last used, and which are revoked."""
    from .services import worker_tokens

    app = _app(instance_path, database_url)
    with app.app_context():
        for row in worker_tokens.all_tokens():
            used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
            state = f"revoked {row.revoked_at.isoformat(timespec='seconds')}" if row.revoked_at else "live"
            click.echo(f"{row.name:<24} created {row.created_at.isoformat(timespec='seconds')}  "
                       f"last used {used:<25} {state}")


def _app(instance_path, database_url):
    from .storage.settings import base_app as create_app

    cfg = {}
    if instance_path:
        cfg["INSTANCE_PATH"] = str(instance_path)
    if database_url:
        cfg["SQLALCHEMY_DATABASE_URI"] = database_url
    return create_app(cfg)


@click.group("db")
def db_command() -> None:
    """The board's database."""


@db_command.command("upgrade")
@click.option("--database", "database_url", help="A SQLAlchemy URL (default: SQLite in the instance folder).")
@_instance_opt
def db_upgrade(database_url, instance_path):
    """Create or migrate the board's database to the newest schema."""
    from .storage.db import current_revision, upgrade

    app = _app(instance_path, database_url)
    upgrade(app)
    click.echo(f"database at revision {current_revision(app)}")


@click.group("user")
def user_command() -> None:
    """Staff accounts of the board."""


@user_command.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "examiner", "proctor"]), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--database", "database_url")
@_instance_opt
def user_add(username, role, password, database_url, instance_path):
    """Add a staff account (candidates come from roster imports)."""
    from .services.accounts import create_staff
    from .services.audit import record
    from .storage.db import upgrade

    app = _app(instance_path, database_url)
    upgrade(app)
    with app.app_context():
        try:
            user = create_staff(username, password, role)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        record("staff_created", user.username, actor_name="cli", role=role)
    click.echo(f"{role} {username} added")


@user_command.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--database", "database_url")
@_instance_opt
def user_password(username, password, database_url, instance_path):
    """Reset a staff account's password: its sessions end and its failed sign-ins no longer count."""
    from sqlalchemy import select

    from .services.accounts import set_password
    from .services.audit import record
    from .storage.db import db, upgrade
    from .storage.models import STAFF_ROLES, User

    app = _app(instance_path, database_url)
    upgrade(app)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or user.role not in STAFF_ROLES:
            raise click.UsageError(f"no staff account {username}")
        try:
            set_password(user, password)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        record("password_reset", user.username, actor_name="cli")
    click.echo(f"password of {username} reset")


@click.command("similarity")
@click.argument("exam", metavar="EXAM")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--board", is_flag=True,
              help="Compare the counted submissions on the board (EXAM: the exam's id or package folder).")
@click.option("--database", "database_url", envvar="PRACTICUM_DATABASE_URL",
              help="With --board: the board's database (default: SQLite in the instance folder).")
@_instance_opt
@click.option("--task", "task_ids", multiple=True, help="Only this task (repeatable; default every task).")
@click.option("--threshold", type=click.FloatRange(0.01, 1.0), default=0.5, show_default=True,
              help="Pairs at or above this similarity are suspects.")
@click.option("--k", "k", type=click.IntRange(2, 200), default=12, show_default=True, help="Tokens per k-gram.")
@click.option("--window", type=click.IntRange(1, 200), default=6, show_default=True, help="Winnowing window.")
@click.option("--common-share", type=click.FloatRange(0.01, 1.0), default=0.5, show_default=True,
              help="Ignore fragments shared by more than this share of the submissions.")
@click.option("--teams", "teams_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV of candidate,team: members of one team are never paired.")
@click.option("--reference", "reference_dirs", multiple=True,
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder of earlier hand-ins (same layout as FOLDER), compared with this sitting's (repeatable).")
@click.option("--reference-exam", "reference_exams", multiple=True,
              help="With --board: another exam on the board (its id) whose counted submissions are a reference set.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write the pairs as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of a table.")
@click.option("--top", type=click.IntRange(0, 10_000), default=20, show_default=True,
              help="Pairs listed per task besides the suspects.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", help="Language of refusal messages.")
def similarity_command(exam, folder, board, database_url, instance_path, task_ids, threshold, k, window,
                       common_share, teams_csv, reference_dirs, reference_exams, csv_path, as_json, top, lang):
    """Compare every pair of hand-ins of each task (winnowed fingerprints of normalised code).

    \b
    practicum similarity exams/demo hand-ins/           one entry per candidate in hand-ins/:
                                                        a file (whole-exam zip, or blur.ipynb ...)
                                                        named after the candidate, or a folder of them
    practicum similarity demo --board                   the board's counted submissions

    The starter code is ignored, so are fragments most submissions share. A person
    decides: the report changes no score. Exit 0 whatever it finds."""
    import json

    from grader.errors import ExamConfigError
    from grader.manifest import load_exam
    from grader.similarity import Settings, compare, repeats
    from grader.similarity.export import to_csv, to_json
    from grader.similarity.sources import collect, starter_code
    from grader.similarity.table import render

    settings = Settings(k=k, window=window, threshold=threshold, common_share=common_share,
                        keep_pairs=max(top, 200))
    teams = _read_teams(teams_csv) if teams_csv else {}
    if board == (folder is not None):
        raise click.UsageError("give a FOLDER of hand-ins or --board, not both")
    try:
        if board:
            reports, repeated, notes = _board_similarity(exam, instance_path, database_url, settings, teams,
                                                         reference_exams, task_ids)
        else:
            if reference_exams:
                raise click.UsageError("--reference-exam needs --board (use --reference FOLDER)")
            package = load_exam(Path(exam))
            unknown = set(task_ids) - {t.id for t in package.tasks}
            if unknown:
                raise click.UsageError(f"no task {', '.join(sorted(unknown))} in {package.id}")
            found = collect(folder, package, lang=lang)
            refs = [collect(d, package, reference=True, lang=lang) for d in reference_dirs]
            notes = [f"refused: {r.owner} {r.name}: {r.message}" for c in [found, *refs] for r in c.refused]
            reports = []
            for task in package.tasks:
                if task_ids and task.id not in task_ids:
                    continue
                docs = found.documents.get(task.id, []) + [d for c in refs for d in c.documents.get(task.id, [])]
                reports.append(compare(task.id, docs, boilerplate=[starter_code(task)], settings=settings,
                                       teams=teams))
            repeated = repeats(reports)
    except ExamConfigError as exc:
        click.echo(f"practicum: {exc.show()}", err=True)
        sys.exit(exc.exit_code)
    for note in notes:
        click.echo(note, err=True)
    if csv_path:
        csv_path.write_text(to_csv(reports), encoding="utf-8-sig")
    if as_json:
        click.echo(json.dumps(to_json(reports, repeated), ensure_ascii=False, indent=1))
    else:
        click.echo(render(reports, repeated, top=top), nl=False)


def _read_teams(path: Path) -> dict[str, str]:
    import csv

    teams = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 2 and row[0].strip() and row[1].strip() and row[0].strip().lower() != "candidate":
                teams[row[0].strip()] = row[1].strip()
    return teams


def _board_similarity(exam_ref, instance_path, database_url, settings, teams, reference_exams, task_ids):
    from sqlalchemy import select

    from grader.manifest import load_exam
    from grader.similarity import repeats

    from .services import exams
    from .services.similarity import report
    from .storage.db import db
    from .storage.models import Exam

    app = _app(instance_path, database_url)
    with app.app_context():
        key = load_exam(Path(exam_ref)).id if Path(exam_ref).is_dir() else exam_ref
        row = db.session.scalar(select(Exam).where(Exam.key == key))
        if row is None:
            raise click.UsageError(f"no exam {key} on the board")
        refs = []
        for ref_key in reference_exams:
            ref = db.session.scalar(select(Exam).where(Exam.key == ref_key))
            if ref is None:
                raise click.UsageError(f"no exam {ref_key} on the board")
            refs.append((ref, exams.package(ref)))
        result = report(row, exams.package(row), settings=settings, teams=teams, references=refs)
        notes = [f"not readable: submission {u.submission_id} of {u.number} ({u.code})" for u in result.unreadable]
        tasks = [r for r in result.tasks if not task_ids or r.task in task_ids]
        repeated = repeats(tasks) if task_ids else result.repeats
        return tasks, repeated, notes


main.add_command(serve_command)
main.add_command(worker_command)
main.add_command(worker_token_command)
main.add_command(db_command)
main.add_command(user_command)
main.add_command(similarity_command)
main.add_command(_Lazy("contest", "web.cli_contest:contest_command",
                       "Competitions: teams, divisions, sites (docs/contest.md)."))
main.add_command(_Lazy("results", "web.cli_contest:results_command",
                       "Signed results packages: a site exports, the national board verifies and imports."))
main.add_command(_Lazy("sitting", "web.cli_sitting:sitting_command",
                       "Certification sittings: list them, build a sitting's certificates zip (docs/certification.md)."))

if __name__ == "__main__":
    main()
