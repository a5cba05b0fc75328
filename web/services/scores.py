"""Scores per candidate: each task's counted result, the practical total, theory, the weighted total.

The counted result of a task is the one the exam's counting rule picks
(`web.services.counting`: last graded, best, or last before the deadline; a newer
upload still in the queue does not hide the one before). Three queries whatever the
number of candidates: the contenders, the candidates, the theory scores.

Public boards see, before the exam's results are published, only the points of
`visible` tests (`Result.visible_score`), so a board never reveals what the
candidates' own pages withhold.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import func, select

from ..storage.db import db
from ..storage.models import Exam, Result, Role, Submission, TheoryScore, User
from . import counting


@dataclass(frozen=True)
class Points:
    score: float          # every test
    visible: float        # `visible` tests only
    submission_id: int


@dataclass(frozen=True)
class Row:
    candidate_id: int
    number: str
    name: str
    seat: str | None
    tasks: dict[str, float]          # task id -> points; absent: nothing graded yet
    practical: float
    theory: float | None
    total: float | None              # weighted, out of 100
    rank: int = 0

    @property
    def handed_in(self) -> bool:
        return bool(self.tasks)


def counted_points(exam: Exam) -> dict[int, dict[str, Points]]:
    """{candidate id: {task id: Points}}: the exam's counting rule applied (`counting.counted`)."""
    out: dict[int, dict[str, Points]] = {}
    for (cid, task), g in counting.counted(exam).items():
        out.setdefault(cid, {})[task] = Points(g.score, g.visible, g.submission_id)
    return out


def candidates(exam_id: int) -> list[tuple[int, str, str, str | None]]:
    return [tuple(r) for r in db.session.execute(
        select(User.id, User.username, User.name, User.seat)
        .where(User.role == Role.CANDIDATE, User.exam_id == exam_id).order_by(User.username))]


def theory_scores(exam_id: int) -> dict[int, float]:
    return dict(db.session.execute(select(TheoryScore.candidate_id, TheoryScore.score)
                                   .where(TheoryScore.exam_id == exam_id)).all())


def weighted(practical: float, practical_max: float, theory: float | None, weight: int) -> float | None:
    """Out of 100: the practical part as a percentage times (100 - weight)%, plus theory times weight%.
    None when the exam weighs theory but this candidate has no theory score (not silently 0)."""
    pct = 100.0 * practical / practical_max if practical_max else 0.0
    if weight <= 0:
        return round(pct, 2)
    if theory is None:
        return None
    return round(pct * (100 - weight) / 100 + theory * weight / 100, 2)


def rank(rows: list[Row], key) -> list[Row]:
    """Best first; equal keys share a rank (1, 2, 2, 4), then by candidate number."""
    ordered = sorted(rows, key=lambda r: (_neg(key(r)), r.number))
    out, prev, at = [], object(), 0
    for i, r in enumerate(ordered, 1):
        k = key(r)
        if k != prev:
            prev, at = k, i
        out.append(Row(**{**vars(r), "rank": at}))
    return out


def _neg(k):
    return tuple(-x for x in k)


def rows_from(people, points: dict[int, dict[str, Points]], theory: dict[int, float], *, practical_max: float,
              weight: int, public: bool = False, published: bool = True) -> list[Row]:
    """Candidates' rows from counted points (live) or a frozen snapshot (same shapes)."""
    out = []
    for cid, number, name, seat in people:
        mine = points.get(cid, {})
        tasks = {t: (p.score if (published or not public) else p.visible) for t, p in mine.items()}
        practical = round(sum(tasks.values()), 4)
        th = theory.get(cid)
        out.append(Row(cid, number, name, seat, tasks, practical, th,
                       weighted(practical, practical_max, th, weight)))
    return out


_cache_lock = threading.Lock()


def version(exam_id: int) -> tuple:
    """Changes whenever anything a board shows changes: results (new or regraded),
    theory scores, the roster. Three small aggregate queries, no rows."""
    results = db.session.execute(
        select(func.count(Result.id), func.max(Result.id), func.max(Result.graded_at))
        .join(Submission, Submission.id == Result.submission_id)
        .where(Submission.exam_id == exam_id)).one()
    theory = db.session.execute(select(func.count(TheoryScore.candidate_id), func.sum(TheoryScore.score))
                                .where(TheoryScore.exam_id == exam_id)).one()
    people = db.session.execute(select(func.count(User.id), func.max(User.id))
                                .where(User.role == Role.CANDIDATE, User.exam_id == exam_id)).one()
    return tuple(results) + tuple(theory) + tuple(people)


def board(exam: Exam, practical_max: float, *, public: bool = False, cache: dict | None = None) -> list[Row]:
    """`live_board`, computed once per change when given a `cache` ({key: (version, rows)}, one
    per database; the board keeps one per app): a board polled by a room full of screens costs
    three aggregate queries while nothing changes."""
    if cache is None:
        return live_board(exam, practical_max, public=public)
    key = (exam.id, public, exam.published, exam.theory_weight, practical_max, counting.signature(exam))
    now = version(exam.id)
    with _cache_lock:
        hit = cache.get(key)
    if hit is not None and hit[0] == now:
        return hit[1]
    rows = live_board(exam, practical_max, public=public)
    with _cache_lock:
        cache[key] = (now, rows)
    return rows


def live_board(exam: Exam, practical_max: float, *, public: bool = False) -> list[Row]:
    """The live ranking by practical points (staff: every point; public: see the module's note)."""
    rows = rows_from(candidates(exam.id), counted_points(exam), theory_scores(exam.id),
                     practical_max=practical_max, weight=exam.theory_weight, public=public,
                     published=exam.published)
    return rank(rows, lambda r: (round(r.practical, 4),))


def snapshot(exam: Exam) -> list[dict]:
    """What a freeze keeps: every candidate's counted points, both full and visible-only."""
    points = counted_points(exam)
    return [{"id": cid, "number": number, "name": name, "seat": seat,
             "tasks": {t: [p.score, p.visible, p.submission_id] for t, p in points.get(cid, {}).items()}}
            for cid, number, name, seat in candidates(exam.id)]


def from_snapshot(exam: Exam, saved: list[dict], practical_max: float, *, public: bool) -> list[Row]:
    people = [(r["id"], r["number"], r["name"], r["seat"]) for r in saved]
    points = {r["id"]: {t: Points(v[0], v[1], v[2]) for t, v in r["tasks"].items()} for r in saved}
    rows = rows_from(people, points, theory_scores(exam.id), practical_max=practical_max,
                     weight=exam.theory_weight, public=public, published=exam.published)
    return rank(rows, lambda r: (round(r.practical, 4),))
