"""Worker tokens: the credential a worker machine shows the board's worker API instead of
the database password.

A token is 32 random bytes (URL-safe text, prefix `pwk_`), shown once when it is made
(`practicum worker-token create NAME` on the board machine); the board keeps only its
sha256, so a copy of the database gives nobody a working token. Revoked (from the CLI or
the proctor's worker table) it stops working at its next call: the worker's jobs in
flight are then reaped and graded elsewhere, as for a dead worker.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select

from ..storage.db import db, utcnow
from ..storage.models import WorkerToken

PREFIX = "pwk_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TOUCH_EVERY = timedelta(seconds=60)     # `last_used_at` is written at most this often (heartbeats are frequent)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(name: str, actor: str = "") -> tuple[WorkerToken, str]:
    """A new token named `name` (letters, digits, . _ -); returns the row and the token, which
    is not kept anywhere: show it once. ValueError for a bad or taken name."""
    if not NAME.match(name or ""):
        raise ValueError(f"a worker token's name is 1-64 letters, digits, '.', '_' or '-', not {name!r}")
    if db.session.scalar(select(WorkerToken.id).where(WorkerToken.name == name)) is not None:
        raise ValueError(f"there is a worker token named {name!r} already (revoked ones keep their name)")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = WorkerToken(name=name, token_sha256=digest(secret), created_at=utcnow(), created_by=actor[:64])
    db.session.add(row)
    db.session.commit()
    return row, secret


def verify(secret: str) -> WorkerToken | None:
    """The live token `secret` is, or None (unknown or revoked); notes when it was last used."""
    if not secret or not secret.startswith(PREFIX):
        return None
    row = db.session.scalar(select(WorkerToken).where(WorkerToken.token_sha256 == digest(secret)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        db.session.commit()
    return row


def revoke(token_id: int, actor: str = "") -> WorkerToken | None:
    """Revoke the token (idempotent: a revoked one keeps its first revocation); None if unknown."""
    row = db.session.get(WorkerToken, token_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = utcnow(), actor[:64]
        db.session.commit()
    return row


def by_name(name: str) -> WorkerToken | None:
    return db.session.scalar(select(WorkerToken).where(WorkerToken.name == name))


def all_tokens() -> list[WorkerToken]:
    return list(db.session.scalars(select(WorkerToken).order_by(WorkerToken.name)))
