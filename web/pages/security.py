"""CSRF on every form (Flask-WTF's CSRFProtect), security headers, and the refusal pages
(400/403/404/413/429).

Every unsafe request (POST, PUT, PATCH, DELETE) must carry the session's token, in the
form field `csrf_token` or the `X-CSRF-Token` header; a missing or forged one is a 400
with the catalogue's "form expired" page. Tokens last as long as the session (an exam
takes hours; a form opened at the start must still post at the end).
"""
from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from .i18n import t

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

csrf = CSRFProtect()


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
    if exc.response is not None:       # a page made for this refusal (the sign-in throttle's)
        return exc.response
    key = "error.csrf" if isinstance(exc, CSRFError) else ERROR_TEXT.get(exc.code, "error.server")
    return render_template("error.html", code=exc.code, message=t(key)), exc.code


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_FIELD_NAME", CSRF_FIELD)
    app.config.setdefault("WTF_CSRF_HEADERS", [CSRF_HEADER, "X-CSRFToken"])
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)      # valid for the session's life, as before
    csrf.init_app(app)                                      # also puts csrf_token() in the templates
    app.after_request(headers)
    app.jinja_env.globals["CSRF_FIELD"] = CSRF_FIELD
    for code in ERROR_TEXT:
        app.register_error_handler(code, error_page)
