"""Signing in and out, and choosing the language.

Candidates sign in with their candidate number and one-time code (used up on
success); staff with a password. Both forms go through `_sign_in`: every login,
failed or not, is audited. Repeated failures slow further attempts from the same address
and, briefly, for the same account, but never lock anyone out (`web.pages.throttle`). Who is signed in and what they may open: `web.pages.policy`.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from ..services import accounts
from ..storage.models import User
from .i18n import LANGS, t
from .policy import audit, home_for, login_user

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _sign_in(name: str, check: Callable[[], User | None], kind: str, bad: str) -> tuple[User | None, str | None]:
    """(the user, None) when `check()` accepts the credentials for account `name`, else
    (None, the error text)."""
    user = check() if name else None
    if user is None:
        audit("login_failed", name, actor_name=name, kind=kind)
        return None, t(bad)
    login_user(user)
    audit("login", user.username, actor=user, kind=kind)
    return user, None


@bp.get("/")
def index():
    return redirect(home_for(g.user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        number = request.form.get("number", "").strip()[:64]
        code = request.form.get("code", "")[:64]
        user, error = _sign_in(number, lambda: accounts.consume_code(number, code) if code else None,
                               "candidate", "login.bad_code")
        if user is not None:
            return redirect(url_for("candidate.exam"))
    return render_template("login.html", error=error, staff=False), 401 if error else 200


@bp.route("/login/staff", methods=["GET", "POST"])
def login_staff():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()[:64]
        password = request.form.get("password", "")[:256]
        user, error = _sign_in(username, lambda: accounts.check_password(username, password),
                               "staff", "login.bad_password")
        if user is not None:
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
