"""Upload size, enforced while the request streams in: reject early, keep nothing over the limit.

Runs before the CSRF check (which parses the form, and so reads the whole body): on the
candidate's upload view, a declared Content-Length over the limit is refused before a byte
is read; otherwise the input stream is wrapped in a counting reader that stops the parse
as soon as more than the limit has arrived (a chunked upload declares nothing). The
limit is UPLOAD_MAX_BYTES for the file plus UPLOAD_FORM_SLACK_BYTES for the multipart
framing and the token; the view then checks the file itself against UPLOAD_MAX_BYTES.
Either way the refusal is recorded with its size (never its bytes) and answered with the
candidate's refusal page, which states the limit and links back to the task (also for
the plain 413 of MAX_CONTENT_LENGTH).

The rest of a refused body is read and dropped (up to UPLOAD_DRAIN_MAX_BYTES) so that the
browser, still sending, reads the page instead of a reset connection.
"""
from __future__ import annotations

import io

from flask import Flask, current_app, g, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..services import exams, submissions
from ..services.clock import utcnow
from ..services.submissions import UploadRefused, UploadRules
from ..storage.models import Role, Submission
from .i18n import get_lang, t

UPLOAD_ENDPOINTS = {"candidate.upload"}
READER = "practicum.upload_reader"     # the counting reader, kept to drain a refused body
CHUNK = 64 * 1024


class UploadTooLarge(RequestEntityTooLarge):
    """More than the limit declared or arrived; `size` is what is known (at least)."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size


class CountingReader(io.RawIOBase):
    """The request body as it arrives, refused past `limit` bytes."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.seen = raw, limit, 0

    def readable(self) -> bool:
        return True

    def _count(self, data: bytes) -> bytes:
        self.seen += len(data)
        if self.seen > self.limit:
            raise UploadTooLarge(self.seen)
        return data

    def read(self, size: int = -1) -> bytes:
        return self._count(self.raw.read(size) if size is not None and size >= 0 else self.raw.read())

    def readline(self, size: int = -1) -> bytes:
        return self._count(self.raw.readline(size))

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def rules(config) -> UploadRules:
    return UploadRules(max_bytes=int(config["UPLOAD_MAX_BYTES"]),
                       refused_per_minute=int(config["REFUSED_PER_MINUTE"]),
                       refused_per_hour=int(config["REFUSED_PER_HOUR"]))


def guard() -> None:
    if request.endpoint not in UPLOAD_ENDPOINTS or request.method != "POST":
        return
    cap = int(current_app.config["UPLOAD_MAX_BYTES"]) + int(current_app.config["UPLOAD_FORM_SLACK_BYTES"])
    declared = request.content_length
    raw = request.environ["wsgi.input"]
    request.environ[READER] = reader = CountingReader(raw, cap)
    request.environ["wsgi.input"] = reader
    if declared is not None and declared > cap:
        raise UploadTooLarge(declared)


def drain() -> None:
    """Read and drop what the client is still sending, up to UPLOAD_DRAIN_MAX_BYTES."""
    reader = request.environ.get(READER)
    if not isinstance(reader, CountingReader):
        return
    left = int(current_app.config["UPLOAD_DRAIN_MAX_BYTES"])
    declared = request.content_length
    if declared is not None:
        left = min(left, declared - reader.seen)
    try:
        while left > 0:
            data = reader.raw.read(min(CHUNK, left))
            if not data:
                break
            reader.seen += len(data)
            left -= len(data)
    except OSError:      # the client gave up: nothing to answer
        pass


def too_large(exc: RequestEntityTooLarge):
    """The candidate's refusal page for an upload over the limit, the refusal recorded."""
    drain()
    size = getattr(exc, "size", None) or request.content_length or 0
    limit = rules(current_app.config)
    task_id = (request.view_args or {}).get("task_id", "")
    user, exam = g.get("user"), None
    if user is not None and user.role is Role.CANDIDATE:
        exam = user.exam
    task = _task(exam, task_id) if _same_site() else None
    status, message = 413, t("upload.too_large", size=mib(size), limit=mib(limit.max_bytes))
    if task is not None:
        try:
            submissions.check_can_submit(exam, user.id, task.id, utcnow(), limit)
        except UploadRefused as refused:
            status, message = refused.status, t(refused.key, **refused.params)
        else:
            submissions.refuse_too_large(exam, user, task, "", size, get_lang(), limit)
    return refused_page(message, task_id if task is not None else None, status)


def _same_site() -> bool:
    """The CSRF token is inside the body not read: a refusal is charged to the candidate only
    when the browser says the form is the board's own (session cookies are SameSite=Lax too)."""
    return request.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


def refused_page(message: str, task_id: str | None, status: int):
    return render_template("candidate/refused.html", message=message, task_id=task_id,
                           limit=mib(int(current_app.config["UPLOAD_MAX_BYTES"]))), status


def too_large_text(sub: Submission) -> str:
    """The board's words for a refusal it made itself (the size, nothing kept)."""
    params = sub.reject_params or {}
    return t("upload.too_large", size=_mb(params.get("size_mb")), limit=_mb(params.get("limit_mb")))


def mib(n: int) -> str:
    return _mb(n / submissions.MIB)


def _mb(value) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "?"
    return f"{number:.2f}".rstrip("0").rstrip(".") if number < 10 else f"{number:.0f}"


def _task(exam, task_id: str):
    if exam is None or not task_id:
        return None
    try:
        return exams.package(exam).task(task_id)
    except KeyError:
        return None


def init_app(app: Flask) -> None:
    """After the signed-in user is loaded, before CSRF reads the form."""
    app.before_request(guard)
