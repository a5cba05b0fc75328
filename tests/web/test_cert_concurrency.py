"""Two publications at once, on SQLite and on a real PostgreSQL (tests/infra.py): certificate
numbers stay unique and gapless per prefix, and one sitting is never published twice."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from web.services import passlist
from web.services.sittings import SittingRefused
from web.storage.db import db
from web.storage.models import Certificate, PassListEntry, Sitting

from .certhelp import ids, new_sitting, practical, register, theory

DATABASES = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)]
N = 25


def _sitting_with_passes(app, start: int, name: str) -> int:
    with app.app_context():
        sid = new_sitting(name=name)
        people = [(f"考生{start + i}", n) for i, n in enumerate(ids(N, start=start))]
        accounts = register(sid, people)
        exam_id = db.session.get(Sitting, sid).exam_id
        for uid in accounts.values():
            theory(exam_id, uid, 80)
            practical(exam_id, uid, 70)
        db.session.remove()
        return sid


def _at_once(app, sitting_ids: list[int]) -> tuple[list, list[BaseException]]:
    """Publish each sitting from its own thread (own session, own connection), released together."""
    barrier = threading.Barrier(len(sitting_ids))
    done, errors = [], []

    def publish(sid: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                try:
                    done.append(passlist.publish(sid, "examiner"))
                except SittingRefused as e:
                    done.append(e)
                finally:
                    db.session.remove()
        except BaseException as exc:          # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(sid,)) for sid in sitting_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return done, errors


@pytest.mark.parametrize("database", DATABASES)
def test_two_sittings_published_at_once_draw_distinct_numbers(app, database):
    first = _sitting_with_passes(app, 1, "第一批")
    second = _sitting_with_passes(app, 100, "第二批")
    done, errors = _at_once(app, [first, second])
    assert not errors, errors
    assert all(not isinstance(d, SittingRefused) for d in done), done
    with app.app_context():
        numbers = list(db.session.scalars(select(Certificate.number)))
        assert len(numbers) == len(set(numbers)) == 2 * N
        assert sorted(numbers) == [f"2026-2-SZ-{i:06d}" for i in range(1, 2 * N + 1)]
        # each publication took one block: its numbers are consecutive
        for sid in (first, second):
            serials = sorted(int(n[-6:]) for n in db.session.scalars(
                select(Certificate.number).where(Certificate.sitting_id == sid)))
            assert serials == list(range(serials[0], serials[0] + N))
        db.session.remove()


@pytest.mark.parametrize("database", DATABASES)
def test_one_sitting_published_twice_at_once_is_published_once(app, database):
    sid = _sitting_with_passes(app, 1, "第一批")
    done, errors = _at_once(app, [sid, sid])
    assert not errors, errors
    refused = [d for d in done if isinstance(d, SittingRefused)]
    assert len(refused) == 1 and refused[0].reason == "published"
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == N
        assert db.session.scalar(select(func.count(PassListEntry.id))) == N
        db.session.remove()
