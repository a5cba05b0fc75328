"""Server-Sent Events: a candidate's submissions as they move queued → running → graded,
and their exam's intake: paused or open, the window, a frozen scoreboard; and for the
public scoreboard, its freeze.

The stream polls the database (cheap: two indexed queries per second), sends an
event for every status it has not sent yet (all of them first), an `intake`
event whenever the exam's intake changes (once first), a comment
line as keep-alive, and ends after SSE_MAX_S; the browser's EventSource then
reconnects by itself (`retry:` says when).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from flask import Flask
from sqlalchemy import select

from ..storage.db import db
from ..storage.models import BoardFreeze, Exam, Submission
from . import exams
from .clock import epoch_ms, utcnow


def format_event(event: str, data: dict, event_id: str | None = None) -> str:
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def snapshot(candidate_id: int) -> list[tuple[int, str, str]]:
    rows = db.session.execute(select(Submission.id, Submission.task_id, Submission.status)
                              .where(Submission.candidate_id == candidate_id)
                              .order_by(Submission.id)).all()
    return [(r.id, r.task_id, r.status.value) for r in rows]


def intake_state(exam_id: int | None) -> dict | None:
    """What an open exam page shows of the intake: paused, the window (epoch ms) and its state
    now, whether the public scoreboard is frozen. None without an exam."""
    exam = db.session.get(Exam, exam_id) if exam_id is not None else None
    if exam is None:
        return None
    frozen = db.session.scalar(select(BoardFreeze.id).where(BoardFreeze.exam_id == exam.id)) is not None
    return {"paused": bool(exam.intake_paused), "state": exams.window(exam).state(utcnow()).value,
            "start_ms": epoch_ms(exam.window_start), "end_ms": epoch_ms(exam.window_end), "frozen": frozen}


def board_state(exam_id: int) -> dict:
    """What an open public scoreboard shows of its state: frozen (and since when) or live."""
    frozen_at = db.session.scalar(select(BoardFreeze.frozen_at).where(BoardFreeze.exam_id == exam_id))
    return {"frozen": frozen_at is not None, "frozen_ms": epoch_ms(frozen_at)}


# what a stream reads on each poll: (key, event name, data, event id); an event is sent
# whenever its key's data differs from what was sent for that key last
Reading = Callable[[], list[tuple[object, str, dict, "str | None"]]]


def poll_stream(app: Flask, read: Reading, *, poll_s: float, keepalive_s: float, max_s: float,
                retry_ms: int = 3000) -> Iterator[str]:
    sent: dict[object, dict] = {}
    yield f"retry: {retry_ms}\n\n"
    started = last_write = time.monotonic()
    while True:
        with app.app_context():
            items = read()
            db.session.remove()
        for key, event, data, event_id in items:
            if sent.get(key) != data:
                sent[key] = data
                last_write = time.monotonic()
                yield format_event(event, data, event_id)
        now = time.monotonic()
        if now - started >= max_s:
            return
        if now - last_write >= keepalive_s:
            last_write = now
            yield ": keep-alive\n\n"
        time.sleep(poll_s)


def status_stream(app: Flask, candidate_id: int, *, poll_s: float, keepalive_s: float,
                  max_s: float, retry_ms: int = 3000, exam_id: int | None = None) -> Iterator[str]:
    """The candidate's submissions' statuses and their exam's intake."""
    def read():
        intake = intake_state(exam_id)
        items = [("intake", "intake", intake, None)] if intake is not None else []
        return items + [(sid, "status", {"id": sid, "task": task, "status": status}, f"{sid}:{status}")
                        for sid, task, status in snapshot(candidate_id)]
    return poll_stream(app, read, poll_s=poll_s, keepalive_s=keepalive_s, max_s=max_s, retry_ms=retry_ms)


def board_stream(app: Flask, exam_id: int, *, poll_s: float, keepalive_s: float, max_s: float,
                 retry_ms: int = 3000) -> Iterator[str]:
    """A public scoreboard's freeze, as it is frozen and unfrozen."""
    return poll_stream(app, lambda: [("board", "board", board_state(exam_id), None)],
                       poll_s=poll_s, keepalive_s=keepalive_s, max_s=max_s, retry_ms=retry_ms)
