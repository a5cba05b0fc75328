"""The exam's intake pushed over the candidate's event stream: pause, resume, window moves, freeze."""
from __future__ import annotations

from datetime import timedelta

from web.storage.db import db, utcnow
from web.storage.models import BoardFreeze

from .conftest import update_exam
from .test_events import events


def intake_events(response):
    return events(response, "intake")


def test_the_stream_says_the_intake_first_then_each_change(app, candidate, exam):
    r = candidate.get("/events", buffered=False)
    stream = intake_events(r)
    first = next(stream)
    assert first["paused"] is False and first["state"] == "open" and first["frozen"] is False
    update_exam(app, exam, intake_paused=True)
    assert next(stream)["paused"] is True
    update_exam(app, exam, intake_paused=False)
    assert next(stream)["paused"] is False
    end = utcnow() + timedelta(minutes=5)
    update_exam(app, exam, window_end=end)
    assert next(stream)["end_ms"] == int(end.timestamp() * 1000)
    with app.app_context():
        db.session.add(BoardFreeze(exam_id=exam, rows=[], actor="examiner1"))
        db.session.commit()
    assert next(stream)["frozen"] is True
    r.close()


def test_the_exam_page_hides_the_upload_form_while_paused_and_keeps_it_for_the_stream(app, candidate, exam):
    page = candidate.get("/exam").get_data(as_text=True)
    assert 'id="paused" role="status" hidden' in page and 'class="upload-form" hidden' not in page
    update_exam(app, exam, intake_paused=True)
    page = candidate.get("/exam").get_data(as_text=True)
    assert 'class="upload-form" hidden' in page and 'id="paused" role="status">' in page


def test_the_public_scoreboard_stream_says_each_freeze(app, browser, exam):
    assert browser.get("/scoreboard/demo/events").status_code == 404        # not public: no stream either
    update_exam(app, exam, board_public=True)
    r = browser.get("/scoreboard/demo/events", buffered=False)              # anyone may read a public board
    assert r.status_code == 200 and r.mimetype == "text/event-stream"
    stream = events(r, "board")
    assert next(stream) == {"frozen": False, "frozen_ms": None}
    with app.app_context():
        db.session.add(BoardFreeze(exam_id=exam, rows=[], actor="examiner1"))
        db.session.commit()
    frozen = next(stream)
    assert frozen["frozen"] is True and isinstance(frozen["frozen_ms"], int)
    page = browser.get("/scoreboard/demo").get_data(as_text=True)
    assert f'data-frozen-ms="{frozen["frozen_ms"]}"' in page                 # what the page compares with
    with app.app_context():
        db.session.execute(db.delete(BoardFreeze))
        db.session.commit()
    assert next(stream) == {"frozen": False, "frozen_ms": None}
    r.close()
