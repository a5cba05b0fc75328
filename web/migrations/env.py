"""Alembic environment: the board's own engine and models (see web.db.upgrade)."""
from __future__ import annotations

from alembic import context

from web import models  # noqa: F401 - registers the tables on the metadata
from web.db import db

config = context.config
app = config.attributes.get("app")
if app is None:
    raise RuntimeError("run migrations through web.db.upgrade(app) (`practicum db upgrade`)")


def run_migrations_online() -> None:
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=db.metadata,
                              render_as_batch=connection.dialect.name == "sqlite",
                              compare_type=True)
            with context.begin_transaction():
                context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
