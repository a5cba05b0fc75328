"""The database: one Flask-SQLAlchemy handle, SQLite pragmas, Alembic migrations.

SQLite by default (a file in the instance folder, no server to start); any
SQLAlchemy URL (PostgreSQL) through `SQLALCHEMY_DATABASE_URI`. The schema is
owned by the Alembic migrations in `web/storage/migrations`: `upgrade(app)` brings a
database to the newest revision (and is what `practicum db upgrade` calls).
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Text, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware (UTC) datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


class OutputText(TypeDecorator):
    """Text that may carry what a sandbox or an exception printed. PostgreSQL's text cannot hold
    NUL characters (SQLite's can): a candidate's program printing one must not make its result,
    or a job's error, unwritable. NUL becomes U+FFFD, visibly replaced."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def get_db():
    """The request's (or app context's) session."""
    return db.session


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL (readers never block the writer), a busy timeout, enforced foreign keys."""
    if type(dbapi_conn).__module__.startswith("sqlite3"):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()


def alembic_config(app: Flask):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["app"] = app
    return cfg


def upgrade(app: Flask, revision: str = "head") -> None:
    """Migrate the app's database to `revision` (creating it when new)."""
    from alembic import command

    with app.app_context():
        command.upgrade(alembic_config(app), revision)


def revision(app: Flask, message: str) -> None:
    """Autogenerate a new migration from the difference between the models and the database."""
    from alembic import command

    with app.app_context():
        command.revision(alembic_config(app), message=message, autogenerate=True)


def current_revision(app: Flask) -> str | None:
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def init_app(app: Flask) -> None:
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        opts = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        opts.setdefault("connect_args", {}).setdefault("timeout", 15)
    db.init_app(app)
