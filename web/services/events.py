"""Server-Sent Events: a candidate's submissions as they move queued → running → graded.

The stream polls the database (cheap: one indexed query per second), sends an
event for every status it has not sent yet (all of them first), a comment
line as keep-alive, and ends after SSE_MAX_S; the browser's EventSource then
reconnects by itself (`retry:` says when).
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Flask
from sqlalchemy import select

from ..storage.db import db
from ..storage.models import Submission


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


def status_stream(app: Flask, candidate_id: int, *, poll_s: float, keepalive_s: float,
                  max_s: float, retry_ms: int = 3000) -> Iterator[str]:
    sent: dict[int, str] = {}
    yield f"retry: {retry_ms}\n\n"
    started = last_write = time.monotonic()
    while True:
        with app.app_context():
            rows = snapshot(candidate_id)
            db.session.remove()
        for sid, task, status in rows:
            if sent.get(sid) != status:
                sent[sid] = status
                last_write = time.monotonic()
                yield format_event("status", {"id": sid, "task": task, "status": status}, f"{sid}:{status}")
        now = time.monotonic()
        if now - started >= max_s:
            return
        if now - last_write >= keepalive_s:
            last_write = now
            yield ": keep-alive\n\n"
        time.sleep(poll_s)
