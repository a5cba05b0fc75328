"""The audit log: every staff action (and every login) as one row."""
from __future__ import annotations

from datetime import timedelta

from flask import g, has_request_context, request
from sqlalchemy import func, select

from .db import db, utcnow
from .models import AuditLog, User


def audit(action: str, target: str = "", *, actor: User | None = None, actor_name: str = "",
          commit: bool = True, **details) -> AuditLog:
    """Record `action` by `actor` (default: the signed-in user) on `target`."""
    if actor is None and has_request_context():
        actor = g.get("user")
    row = AuditLog(action=action, target=str(target)[:255], details=details,
                   actor_id=actor.id if actor else None,
                   actor=actor.username if actor else actor_name[:64],
                   role=actor.role.value if actor else "",
                   ip=(request.remote_addr or "")[:64] if has_request_context() else "")
    db.session.add(row)
    if commit:
        db.session.commit()
    return row


def recent_failures(username: str, window_s: int) -> int:
    since = utcnow() - timedelta(seconds=window_s)
    return db.session.scalar(select(func.count(AuditLog.id)).where(
        AuditLog.action == "login_failed", AuditLog.target == username, AuditLog.at >= since)) or 0


def page(offset: int = 0, limit: int = 100) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).offset(offset).limit(limit)))
