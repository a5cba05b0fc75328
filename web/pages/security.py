"""CSRF on every form, security headers, and the refusal pages (400/403/404/413/429)."""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, render_template, request, session
from werkzeug.exceptions import BadRequest, HTTPException

from .i18n import t

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class CSRFError(BadRequest):
    description = "csrf"


def csrf_token() -> str:
    """The session's token (made on first use); every form carries it."""
    token = session.get("_csrf")
    if not token:
        token = session["_csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    expected = session.get("_csrf")
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
        raise CSRFError()


def headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")   # shared lab computers
    return response


ERROR_TEXT = {400: "error.bad_request", 403: "error.forbidden", 404: "error.not_found",
              405: "error.bad_request", 413: "error.too_large", 429: "error.too_many"}


def error_page(exc: HTTPException):
    key = "error.csrf" if isinstance(exc, CSRFError) else ERROR_TEXT.get(exc.code, "error.server")
    return render_template("error.html", code=exc.code, message=t(key)), exc.code


def init_app(app: Flask) -> None:
    app.before_request(check_csrf)
    app.after_request(headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["CSRF_FIELD"] = CSRF_FIELD
    for code in ERROR_TEXT:
        app.register_error_handler(code, error_page)
