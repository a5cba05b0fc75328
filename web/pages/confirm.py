"""Confirmation before a destructive or exam-wide action (cancel, pause, publish, regrade,
a new code, freeze...), enforced by the server and working without JavaScript.

A view calls `ask(key, **params)` first: a form posted without `confirm=yes` gets a page
saying what will happen, whose button posts the same fields again with `confirm=yes`
(and a way back). With JavaScript, `static/confirm.js` asks the same question in a
dialog from the form's `data-confirm` and adds `confirm=yes` itself, so the page is
skipped. Nothing here is inline script: the CSP stays as it is.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template, request, url_for

from .i18n import t

FIELD = "confirm"
YES = "yes"


def confirmed() -> bool:
    return request.form.get(FIELD) == YES


def ask(key: str, **params):
    """None when the posted form was confirmed; else the confirmation page (200) to return."""
    if confirmed():
        return None
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in (FIELD, "csrf_token")]
    return render_template("confirm.html", question=t(key, **params), action=request.path, fields=fields,
                           back=back_url())


def back_url() -> str:
    """Where "go back" leads: the page the form was on, when it is one of ours."""
    ref = request.referrer or ""
    parts = urlsplit(ref)
    if ref and parts.netloc == request.host and parts.path != request.path:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("auth.index")
