"""Theory scores from CSV: candidate number, theory score (0-100). Any problem refuses the file.

Read like a roster (`web.services.csvfile`): UTF-8 or GBK, comma, tab or semicolon,
an optional header in Chinese or English naming the columns in any order; without
one the columns are number, score. Every number must be a candidate of the
exam; each problem is named with its line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from ..storage.db import db, utcnow
from ..storage.models import Exam, Role, TheoryScore, User
from .csvfile import decode, records
from .roster import HEADERS as ROSTER_HEADERS
from .roster import MAX_ROWS, NUMBER_RE

HEADERS = {
    "number": ROSTER_HEADERS["number"],
    "score": {"theory", "theory score", "theory_score", "score", "理论", "理论成绩", "理论分", "理论得分",
              "成绩", "分数"},
}


@dataclass(frozen=True)
class TheoryRow:
    line: int
    number: str
    score: float


@dataclass(frozen=True)
class TheoryProblem:
    line: int
    key: str                 # an i18n key under "theory."
    value: str = ""


def _score(text: str) -> float | None:
    try:
        value = float(text.strip().replace("，", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse(data: bytes) -> tuple[list[TheoryRow], list[TheoryProblem]]:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return [], [TheoryProblem(0, "theory.encoding")]
    rows: list[TheoryRow] = []
    problems: list[TheoryProblem] = []
    seen = set()
    for line, cell in records(text, HEADERS, ("number", "score"), {"number": 0, "score": 1}):
        number, raw = cell("number"), cell("score")
        score = _score(raw)
        if not NUMBER_RE.match(number):
            problems.append(TheoryProblem(line, "theory.bad_number", number[:80]))
        elif number in seen:
            problems.append(TheoryProblem(line, "theory.duplicate", number))
        elif score is None or not 0 <= score <= 100:
            problems.append(TheoryProblem(line, "theory.bad_score", raw[:40]))
        else:
            rows.append(TheoryRow(line, number, score))
        seen.add(number)
        if len(rows) + len(problems) > MAX_ROWS:
            problems.append(TheoryProblem(line, "theory.too_many", str(MAX_ROWS)))
            break
    if not rows and not problems:
        problems.append(TheoryProblem(0, "theory.empty"))
    return (rows if not problems else []), problems


def import_scores(exam: Exam, rows: list[TheoryRow]) -> list[TheoryProblem]:
    """Set the scores (replacing earlier ones); refuses the whole file if a number is not a
    candidate of this exam. Returns the problems (nothing written when there are any)."""
    ids = dict(db.session.execute(select(User.username, User.id).where(
        User.role == Role.CANDIDATE, User.exam_id == exam.id, User.username.in_([r.number for r in rows]))).all())
    unknown = [TheoryProblem(r.line, "theory.unknown", r.number) for r in rows if r.number not in ids]
    if unknown:
        return unknown
    existing = {t.candidate_id: t for t in db.session.scalars(
        select(TheoryScore).where(TheoryScore.exam_id == exam.id))}
    now = utcnow()
    for r in rows:
        row = existing.get(ids[r.number])
        if row is None:
            db.session.add(TheoryScore(exam_id=exam.id, candidate_id=ids[r.number], score=r.score, imported_at=now))
        else:
            row.score, row.imported_at = r.score, now
    db.session.commit()
    return []
