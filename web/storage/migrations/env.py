"""Alembic environment: the board's own engine and models (see web.storage.db.upgrade)."""
from __future__ import annotations

from alembic import context

from web.storage import models  # noqa: F401 - registers the tables on the metadata
from web.storage.db import db

config = context.config
app = config.attributes.get("app")
if app is None:
    raise RuntimeError("run migrations through web.storage.db.upgrade(app) (`practicum db upgrade`)")


def run_migrations_online() -> None:
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:      # batch mode copies tables: foreign keys would refuse dropping the old ones
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            context.configure(connection=connection, target_metadata=db.metadata,
                              render_as_batch=sqlite, compare_type=True)
            try:
                with context.begin_transaction():
                    context.run_migrations()
            finally:
                if sqlite:
                    connection.commit()
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
