"""Server-Sent Events: the candidate's own submissions, pushed as their jobs change state."""
from __future__ import annotations

import json

from web.grading import jobs
from web.storage.db import db
from web.services.events import format_event

from .conftest import SHAPES_PATH, submission_id


def events(response, kind: str = "status"):
    """Parsed `kind` events from a streaming response, as they come."""
    buf = ""
    for chunk in response.response:
        buf += chunk.decode() if isinstance(chunk, bytes) else chunk
        while "\n\n" in buf:
            block, buf = buf.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
            if fields.get("event") == kind:
                yield json.loads(fields["data"])


def test_format_event():
    assert format_event("status", {"id": 1, "status": "排队"}, "1:queued") == \
        'event: status\nid: 1:queued\ndata: {"id":1,"status":"排队"}\n\n'


def test_stream_yields_an_event_when_the_job_changes_state(app, candidate):
    sid = submission_id(candidate.upload("shapes", SHAPES_PATH))
    r = candidate.get("/events", buffered=False)
    assert r.status_code == 200 and r.mimetype == "text/event-stream"
    stream = events(r)
    assert next(stream) == {"id": sid, "task": "shapes", "status": "queued"}
    with app.app_context():
        assert jobs.claim("test-worker") is not None
        db.session.remove()
    assert next(stream) == {"id": sid, "task": "shapes", "status": "running"}
    r.close()


def test_stream_carries_only_the_candidates_own_submissions(app, make_browser, codes):
    alice, bob = make_browser(), make_browser()
    alice.login_candidate("2024001", codes["2024001"])
    bob.login_candidate("2024002", codes["2024002"])
    mine = submission_id(bob.upload("fast", SHAPES_PATH.parent / "fast.py"))
    submission_id(alice.upload("shapes", SHAPES_PATH))
    app.config["SSE_MAX_S"] = 0.3
    r = bob.get("/events", buffered=False)
    assert [e["id"] for e in events(r)] == [mine]          # the stream ends by itself after SSE_MAX_S


def test_staff_and_anonymous_get_no_stream(browser, make_browser, staff):
    assert browser.get("/events").status_code == 302
    s = make_browser()
    s.login_staff(staff["proctor"])
    assert s.get("/events").status_code == 403
