"""Too many failed sign-ins lock an account for a while (Flask-Limiter).

At most LOGIN_MAX_FAILURES failed sign-ins per account (the candidate number or
staff user name in the form) within LOGIN_WINDOW_S, a moving window: only a
refused sign-in (401) counts, and once the window is full even the right
password or code is refused, on the sign-in page, until the oldest failure ages
out. The counts live in the limiter's storage: this process's memory when the
board is embedded, the broker's Redis in the distributed mode (every board
process sees the same counts).
"""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_limiter import Limiter, RequestLimit

from .i18n import t
from .policy import audit

LOGIN_VIEWS = {"auth.login": False, "auth.login_staff": True}     # endpoint -> is the staff form
LOOKUP_VIEWS = ("verify.form", "verify.answer", "verify.answer_json")  # public certificate look-ups


def account() -> str:
    """The account a sign-in is for: the form's candidate number or user name."""
    return (request.form.get("number") or request.form.get("username") or "").strip()[:64]


def _limit() -> str:
    cfg = current_app.config
    return f"{int(cfg['LOGIN_MAX_FAILURES'])} per {int(cfg['LOGIN_WINDOW_S'])} second"


def _locked(_limit: RequestLimit):
    """The sign-in page saying the account is locked, instead of a bare 429."""
    name = account()
    audit("login_throttled", name, actor_name=name)
    staff = LOGIN_VIEWS.get(request.endpoint, False)
    return current_app.make_response((render_template("login.html", error=t("login.throttled"), staff=staff), 401))


def storage_uri(broker_url: str) -> str:
    """The broker's Redis in the distributed mode, this process's memory embedded."""
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else "memory://"


def init_app(app: Flask) -> None:
    """After the blueprints are registered: limit failed sign-ins on both sign-in views."""
    limiter = Limiter(key_func=account, app=app, storage_uri=storage_uri(app.config["BROKER_URL"]),
                      strategy="moving-window", key_prefix="practicum-login", default_limits=[])
    shared = limiter.shared_limit(_limit, scope="login", methods=["POST"], on_breach=_locked,
                                  deduct_when=lambda response: response.status_code == 401)
    for endpoint in LOGIN_VIEWS:
        app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    # public verification: every request counts, per address, so nobody walks the register
    lookups = limiter.shared_limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], scope="verify",
                                   key_func=lambda: request.remote_addr or "", on_breach=_too_many_lookups)
    for endpoint in LOOKUP_VIEWS:
        app.view_functions[endpoint] = lookups(app.view_functions[endpoint])
    app.extensions["practicum.limiter"] = limiter


def _too_many_lookups(_limit: RequestLimit):
    if request.path.endswith(".json"):
        return current_app.make_response(({"found": False, "error": "rate_limited"}, 429))
    return current_app.make_response((render_template("verify/form.html", number="", name="", answer=None,
                                                      asked=False, error=t("verify.throttled")), 429))
