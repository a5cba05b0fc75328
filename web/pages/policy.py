"""Who is signed in, what each role may open, and the audit of what they did.

Every blueprint imports its role check from here: `check_role` (in a
`before_request`) and `roles_required` (per view). Anonymous visitors go to the
sign-in page; a signed-in user with another role gets 403.
"""
from __future__ import annotations

from functools import wraps

from flask import Flask, abort, g, has_request_context, redirect, request, session, url_for

from ..services import audit as audit_log
from ..storage.db import db
from ..storage.models import STAFF_ROLES, AuditLog, Role, User

EXAMINERS = (Role.ADMIN, Role.EXAMINER)
FLOOR = (Role.ADMIN, Role.EXAMINER, Role.PROCTOR)


def load_user() -> None:
    g.user = None
    uid = session.get("uid")
    if uid is None:
        return
    user = db.session.get(User, uid)
    if user is None or not user.active or session.get("sv") != user.session_version:
        for key in ("uid", "sv"):
            session.pop(key, None)
        return
    g.user = user


def login_user(user: User) -> None:
    lang = session.get("lang")
    session.clear()                     # a new session id's worth: no fixation
    session.update(uid=user.id, sv=user.session_version)
    if lang:
        session["lang"] = lang
    session.permanent = True


def home_for(user: User | None) -> str:
    if user is None:
        return url_for("auth.login")
    return url_for("staff.candidates") if user.is_staff else url_for("candidate.exam")


def roles_required(*roles: Role):
    """Anonymous: to the login page. Signed in with another role: 403."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            check_role(allowed)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def check_role(allowed) -> None:
    if g.user is None:
        abort(redirect(url_for("auth.login_staff" if Role.CANDIDATE not in allowed else "auth.login",
                               next=request.full_path if request.method == "GET" else None)))
    if g.user.role not in allowed:
        abort(403)


staff_required = roles_required(*STAFF_ROLES)
candidate_required = roles_required(Role.CANDIDATE)


def audit(action: str, target: str = "", *, actor: User | None = None, actor_name: str = "",
          commit: bool = True, **details) -> AuditLog:
    """Record `action` on `target` by `actor` (default: the signed-in user), from the request's address."""
    if actor is None and has_request_context():
        actor = g.get("user")
    ip = (request.remote_addr or "") if has_request_context() else ""
    return audit_log.record(action, target, actor=actor, actor_name=actor_name, ip=ip, commit=commit, **details)


def init_app(app: Flask) -> None:
    app.before_request(load_user)
