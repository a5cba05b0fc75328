"""The receipt's place in the grading queue and the wait estimated from recent grading times."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from web.services import waiting
from web.storage.db import db, utcnow
from web.storage.models import JobAttempt, WorkerNode

from .conftest import SHAPES_PATH, add_candidates, grade_by_hand, submission_id


def queued_by(app, make_browser, exam, *numbers) -> list[tuple[object, int]]:
    """Each new candidate uploads shapes.py: [(their browser, submission id)] in upload order."""
    codes = add_candidates(app, exam, *numbers)
    out = []
    for number in numbers:
        b = make_browser()
        b.login_candidate(number, codes[number])
        out.append((b, submission_id(b.upload("shapes", SHAPES_PATH))))
    return out


def receipt(b, sid: int) -> str:
    return b.get(f"/submissions/{sid}").get_data(as_text=True)


def test_the_receipt_gives_the_place_in_the_queue(app, make_browser, exam):
    (a, first), (b, second), (c, third) = queued_by(app, make_browser, exam, "5000001", "5000002", "5000003")
    assert "排第 1 位（另有 0 个正在评分）" in receipt(a, first)
    assert "排第 3 位" in receipt(c, third)
    assert "暂时无法估计等待时间" in receipt(c, third)          # nothing graded yet
    grade_by_hand(app, first, 5.0)
    assert "排第" not in receipt(a, first)                      # graded: no queue any more
    assert "排第 1 位" in receipt(b, second) and "排第 2 位" in receipt(c, third)


def test_the_estimate_comes_from_recent_grading_times_and_the_slots(app, make_browser, exam):
    subs = queued_by(app, make_browser, exam, "5000011", "5000012", "5000013", "5000014", "5000015")
    for _, sid in subs[:2]:
        grade_by_hand(app, sid, 5.0)
    with app.app_context():                  # the two gradings took 30 s and 90 s
        attempts = list(db.session.scalars(select(JobAttempt).order_by(JobAttempt.id)))
        for attempt, took in zip(attempts, (30, 90)):
            attempt.ended_at = attempt.started_at + timedelta(seconds=took)
        db.session.commit()
    (b, last) = subs[4]
    page = receipt(b, last)                  # third in the queue, one slot: 3 rounds of 60 s
    assert "排第 3 位" in page and "按最近 2 次评分的平均用时（1 分钟）估计，大约 3 分钟后出结果" in page
    with app.app_context():                  # two workers of two slots each are up: one round
        for name in ("w1:1", "w2:2"):
            db.session.add(WorkerNode(name=name, host=name[:2], slots=2, heartbeat_at=utcnow()))
        db.session.commit()
        wait = waiting.wait_for(last, utcnow())
        assert (wait.position, wait.slots, wait.mean_s, wait.estimate_s) == (3, 4, 60.0, 60.0)
    b.set_lang("en")
    assert "expect the result in about 1 min" in receipt(b, last)


def test_a_waiting_receipt_asks_its_place_again(app, make_browser, exam):
    (a, first), (b, second) = queued_by(app, make_browser, exam, "5000021", "5000022")
    page = receipt(b, second)
    assert f'data-wait-url="/submissions/{second}/wait"' in page and 'data-wait-s="10.0"' in page
    lines = b.get(f"/submissions/{second}/wait").get_json()["lines"]
    assert "排第 2 位" in lines[0]
    grade_by_hand(app, first, 5.0)
    assert "排第 1 位" in b.get(f"/submissions/{second}/wait").get_json()["lines"][0]
    assert b.get(f"/submissions/{first}/wait").status_code == 404          # not theirs
    assert a.get(f"/submissions/{first}/wait").get_json() == {"id": first, "lines": []}   # graded: no queue
