"""The audit log: every staff action (and every login) as one row."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..storage.db import db
from ..storage.models import AuditLog, User


def record(action: str, target: str = "", *, actor: User | None = None, actor_name: str = "", ip: str = "",
           commit: bool = True, **details) -> AuditLog:
    """Record `action` by `actor` (or, with no account, by `actor_name`) from `ip` on `target`.
    Pages call `web.pages.policy.audit`, which names the signed-in user and their address."""
    row = AuditLog(action=action, target=str(target)[:255], details=details,
                   actor_id=actor.id if actor else None,
                   actor=actor.username if actor else actor_name[:64],
                   role=actor.role.value if actor else "",
                   ip=(ip or "")[:64])
    db.session.add(row)
    if commit:
        db.session.commit()
    return row


def page(offset: int = 0, limit: int = 100) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).offset(offset).limit(limit)))


def throttled_addresses(since: datetime, limit: int = 500) -> list[str]:
    """Addresses the sign-in throttle delayed since `since` (newest first, each once)."""
    rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "login_throttled", AuditLog.at >= since)
                              .order_by(AuditLog.id.desc()).limit(limit))
    return list(dict.fromkeys(r.target for r in rows if (r.details or {}).get("scope") == "address"))
