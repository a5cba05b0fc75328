"""Signing in and out, the signed-in user, and the role checks every other page uses.

Candidates sign in with their candidate number and one-time code (used up on
success); staff with a password. Every login, failed or not, is audited;
too many failures for one account in LOGIN_WINDOW_S lock it for that long.
"""
from __future__ import annotations

from functools import wraps

from flask import (Blueprint, Flask, abort, current_app, g, redirect, render_template, request,
                   session, url_for)

from . import accounts
from .audit import audit, recent_failures
from .db import db
from .i18n import LANGS, t
from .models import STAFF_ROLES, Role, User

bp = Blueprint("auth", __name__)


# ------------------------------------------------------------------ the user

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


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _throttled(username: str) -> bool:
    cfg = current_app.config
    return recent_failures(username, cfg["LOGIN_WINDOW_S"]) >= cfg["LOGIN_MAX_FAILURES"]


# ------------------------------------------------------------------- routes

@bp.get("/")
def index():
    return redirect(home_for(g.user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        number = request.form.get("number", "").strip()[:64]
        code = request.form.get("code", "")[:64]
        if _throttled(number):
            audit("login_throttled", number, actor_name=number)
            error = t("login.throttled")
        else:
            user = accounts.consume_code(number, code) if number and code else None
            if user is None:
                audit("login_failed", number, actor_name=number, kind="candidate")
                error = t("login.bad_code")
            else:
                login_user(user)
                audit("login", user.username, actor=user, kind="candidate")
                return redirect(url_for("candidate.exam"))
    return render_template("login.html", error=error, staff=False), 401 if error else 200


@bp.route("/login/staff", methods=["GET", "POST"])
def login_staff():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:64]
        password = request.form.get("password", "")[:256]
        if _throttled(username):
            audit("login_throttled", username, actor_name=username)
            error = t("login.throttled")
        else:
            user = accounts.check_password(username, password) if username else None
            if user is None:
                audit("login_failed", username, actor_name=username, kind="staff")
                error = t("login.bad_password")
            else:
                login_user(user)
                audit("login", user.username, actor=user, kind="staff")
                return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("login.html", error=error, staff=True), 401 if error else 200


@bp.post("/logout")
def logout():
    if g.user is not None:
        audit("logout", g.user.username)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_lang(code: str):
    if code in LANGS:
        session["lang"] = code
    return redirect(_safe_next(request.args.get("next")) or url_for("auth.index"))


def init_app(app: Flask) -> None:
    app.before_request(load_user)
