"""Team standings, pure: the team's theory from its members', the final score, and the rank.

final = theory × w + practical% × (1 − w), out of 100 (`scores.weighted`, as for single
candidates). Order, best first: final score; then the practical score; then the time of the
team's last counted submission, earlier first (who got there first). Teams equal on all three
share a rank (1, 2, 2, 4). Teams without a final score (the competition weighs theory and
they have none) come after every team with one and win no award.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from ...storage.models import Division
from ..scores import weighted

THEORY_RULES: dict[str, Callable[[list[float]], float]] = {
    "mean": mean,     # the default: every member's theory counts alike
    "max": max,       # the team's best theory paper
    "min": min,
}


@dataclass(frozen=True)
class Member:
    name: str
    role: str
    number: str                 # candidate number (the sign-in account)
    id_number: str
    person_id: str | None
    theory: float | None


@dataclass(frozen=True)
class Counted:
    task: str
    submission_id: int
    sha256: str
    score: float
    at: datetime


@dataclass(frozen=True)
class TeamScore:
    team_id: str                # the team's external id
    name: str
    affiliation: str
    division: Division
    site: str
    tasks: dict[str, float]
    practical: float            # points
    practical_pct: float        # of the exam's practical maximum
    theory: float | None
    final: float | None
    last_at: datetime | None
    members: tuple[Member, ...] = ()
    counted: tuple[Counted, ...] = ()
    rank: int = 0
    award: int | None = None    # 1, 2, 3 (一/二/三等奖) or None
    finalist: str | None = None  # "quota" or "top" when selected for the final
    extra: dict = field(default_factory=dict, compare=False)


def changed(row: TeamScore, **values) -> TeamScore:
    """`row` with `values` set: `dataclasses.replace` without its `__init__` call, which made
    up most of a national ranking's cost (10,000 teams pass through rank, awards and finalists)."""
    new = copy.copy(row)
    for name, value in values.items():
        object.__setattr__(new, name, value)
    return new


def team_theory(scores: list[float | None], rule: str = "mean") -> float | None:
    """The team's theory by the competition's rule over the members who have a score; None when none has."""
    known = [s for s in scores if s is not None]
    return round(THEORY_RULES[rule](known), 2) if known else None


def final_score(practical: float, practical_max: float, theory: float | None, weight: int) -> float | None:
    return weighted(practical, practical_max, theory, weight)


def percent(practical: float, practical_max: float) -> float:
    return round(100.0 * practical / practical_max, 4) if practical_max else 0.0


def order_key(row: TeamScore) -> tuple:
    """Smaller is better (sorting ascending puts the best first)."""
    at = row.last_at.timestamp() if row.last_at is not None else math.inf
    return (row.final is None, -(row.final or 0.0), -round(row.practical_pct, 4), at)


def rank(rows: list[TeamScore]) -> list[TeamScore]:
    """Best first with shared ranks; equal teams listed by name, then team id."""
    ordered = sorted(rows, key=lambda r: (order_key(r), r.name, r.team_id))
    out, prev, at = [], None, 0
    for i, r in enumerate(ordered, 1):
        k = order_key(r)
        if k != prev:
            prev, at = k, i
        out.append(changed(r, rank=at))
    return out


def by_division(rows: list[TeamScore]) -> dict[Division, list[TeamScore]]:
    """Each division ranked on its own (employee first, as competitions list them)."""
    return {d: rank([r for r in rows if r.division is d]) for d in Division}
