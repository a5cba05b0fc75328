"""The `practicum` command: the engine's commands (`grader.cli.main`: grade, exam, sandbox,
image) with the board's mounted beside them, here at the top, so the engine imports
nothing of the board:

    practicum serve      the board (and, embedded, its grading threads)
    practicum worker     a grading process for the distributed mode
    practicum db upgrade, practicum user add

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
              help="Put exams/demo on the board with demo staff and candidates; print the URL, "
                   "passwords and one-time codes (new ones at every start). Implies --insecure-cookies.")
@_instance_opt
def serve_command(host, port, exam_dirs, workers, database_url, broker_url, insecure_cookies, demo, instance_path):
    """Start the results board (and, embedded, its grading threads)."""
    from .serve import serve

    demo_key = None
    if demo:
        demo_dir = Path(__file__).resolve().parents[1] / "exams" / "demo"
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
@click.option("--database", "database_url", envvar="PRACTICUM_DATABASE_URL", required=True,
              help="The board's database, e.g. postgresql+psycopg://practicum:PW@board-host/practicum.")
@click.option("--concurrency", "-c", type=int, default=None, help="Jobs graded at once (default: the cores).")
@click.option("--image", "image_names", multiple=True,
              help="Sandbox image definitions to take jobs for (default: every one this engine has built).")
@_instance_opt
def worker_command(broker_url, database_url, concurrency, image_names, instance_path):
    """Grade jobs from the board's broker on this machine's Docker engine.

    Needs only the broker, the database and Docker with the sandbox image built
    (`practicum image build default`): uploads and exam packages are fetched from the
    database by content hash. SIGTERM finishes the jobs in flight; a killed worker's jobs are
    re-queued by the others after STALE_AFTER_S."""
    import logging

    from .grading.launch import run_worker, worker_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    cfg = {"SQLALCHEMY_DATABASE_URI": database_url, "BROKER_URL": broker_url}
    if instance_path:
        cfg["INSTANCE_PATH"] = str(instance_path)
    if broker_url.startswith("memory://"):
        raise click.UsageError("a worker process needs a shared broker (redis://...); memory:// is the board's own")
    try:
        run_worker(worker_app(cfg), concurrency, list(image_names) or None)
    except PracticumError as exc:
        click.echo(f"practicum: {exc.show()}", err=True)
        sys.exit(exc.exit_code)


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


main.add_command(serve_command)
main.add_command(worker_command)
main.add_command(db_command)
main.add_command(user_command)
main.add_command(_Lazy("contest", "web.cli_contest:contest_command",
                       "Competitions: teams, divisions, sites (docs/contest.md)."))
main.add_command(_Lazy("results", "web.cli_contest:results_command",
                       "Signed results packages: a site exports, the national board verifies and imports."))

if __name__ == "__main__":
    main()
