"""The Alembic migrations create exactly the models' schema, and go down and up again."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from web.storage.db import alembic_config, current_revision, db, upgrade


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_downgrade_and_upgrade_again(app):
    with app.app_context():
        command.downgrade(alembic_config(app), "base")
        assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    upgrade(app)
    assert current_revision(app) is not None
    with app.app_context():
        assert {"users", "exams", "submissions", "jobs", "job_attempts", "results", "audit_log"} <= \
            set(inspect(db.engine).get_table_names())
    upgrade(app)                                     # idempotent
