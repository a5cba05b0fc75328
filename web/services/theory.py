"""Theory scores from CSV: candidate number, theory score (0-100). Any problem refuses the file.

Read like a roster (`web.services.csvfile`): UTF-8 or GBK, comma, tab or semicolon,
an optional header in Chinese or English naming the columns in any order; without
one the columns are number, score. Every number must be a candidate of the
exam. Every problem of every row is named at once (line, column, reason), and a
file with any problem imports nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

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
    line: int                # 0: the whole file
    key: str                 # an i18n key under "theory."
    value: str = ""
    field: str = ""          # the column at fault: "number" or "score" ("" for the whole file)
    first: int = 0           # a duplicate: the line the number first appeared on


@dataclass(frozen=True)
class TheoryFile:
    """A scores file read whole: every problem of every row, so staff fix them in one go."""
    rows: list[TheoryRow]                      # the rows without a problem
    problems: list[TheoryProblem]              # by line, then field
    numbers: list[tuple[int, str]] = field(default_factory=list)   # (line, number) well-formed, first seen

    @property
    def ok(self) -> bool:
        return not self.problems


def _score(text: str) -> float | None:
    try:
        value = float(text.strip().replace("，", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse(data: bytes) -> TheoryFile:
    """Every row checked on its own (a row can have a bad number and a bad score at once)."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return TheoryFile([], [TheoryProblem(0, "theory.encoding")])
    rows: list[TheoryRow] = []
    problems: list[TheoryProblem] = []
    first: dict[str, int] = {}
    n = 0
    for line, cell in records(text, HEADERS, ("number", "score"), {"number": 0, "score": 1}):
        n += 1
        if n > MAX_ROWS:
            problems.append(TheoryProblem(line, "theory.too_many", str(MAX_ROWS)))
            break
        number, raw = cell("number"), cell("score")
        score = _score(raw)
        fine = True
        if not NUMBER_RE.match(number):
            problems.append(TheoryProblem(line, "theory.bad_number", number[:80], "number"))
            fine = False
        elif number in first:
            problems.append(TheoryProblem(line, "theory.duplicate", number, "number", first[number]))
            fine = False
        else:
            first[number] = line
        if score is None or not 0 <= score <= 100:
            problems.append(TheoryProblem(line, "theory.bad_score", raw[:40], "score"))
            fine = False
        if fine:
            rows.append(TheoryRow(line, number, score))
    if not n:
        problems.append(TheoryProblem(0, "theory.empty"))
    return TheoryFile(rows, problems, [(line, number) for number, line in first.items()])


def read(exam: Exam, data: bytes) -> TheoryFile:
    """`parse`, and every well-formed number that is not a candidate of `exam` named too."""
    parsed = parse(data)
    unknown = _unknown(exam, parsed.numbers)
    problems = sorted(parsed.problems + unknown, key=lambda p: (p.line, p.field != "number"))
    return TheoryFile(parsed.rows, problems, parsed.numbers)


def _unknown(exam: Exam, numbers: list[tuple[int, str]]) -> list[TheoryProblem]:
    known = set(db.session.scalars(select(User.username).where(
        User.role == Role.CANDIDATE, User.exam_id == exam.id, User.username.in_([n for _, n in numbers]))))
    return [TheoryProblem(line, "theory.unknown", number, "number") for line, number in numbers if number not in known]


def import_scores(exam: Exam, scores: TheoryFile) -> list[TheoryProblem]:
    """Set the scores of a file `read` found no problem in (replacing earlier ones), all in one
    transaction. Returns the problems: nothing is written when there are any."""
    if scores.problems:
        return scores.problems
    rows = scores.rows
    ids = dict(db.session.execute(select(User.username, User.id).where(
        User.role == Role.CANDIDATE, User.exam_id == exam.id, User.username.in_([r.number for r in rows]))).all())
    unknown = [TheoryProblem(r.line, "theory.unknown", r.number, "number") for r in rows if r.number not in ids]
    if unknown:                        # a candidate removed since `read`: still all or nothing
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
