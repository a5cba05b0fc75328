"""Item analysis over the counted results: each test's pass rate and mean points, and a
histogram of practical totals. One query reads the counted results' tests."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from grader.manifest import Exam as Package

from ..storage.db import db
from ..storage.models import Exam, Result, Submission
from .counting import counted_ids


@dataclass(frozen=True)
class TestStat:
    __test__ = False

    task_id: str
    name: str
    description: str
    phase: str
    visibility: str
    max_score: float
    graded: int            # counted results that ran it
    passed: int
    points: float          # summed over those results

    @property
    def pass_rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0

    @property
    def mean_ratio(self) -> float:
        return self.points / (self.graded * self.max_score) if self.graded and self.max_score else 0.0


@dataclass(frozen=True)
class Analysis:
    tests: list[TestStat]
    results: dict[str, int]                    # task id -> counted results
    totals: list[float]                        # practical total per candidate with a counted result
    practical_max: float


def analyse(exam: Exam, package: Package) -> Analysis:
    counted = counted_ids(exam)      # filtered here: an IN list of every counted id outgrows SQLite's
    rows = [r for r in db.session.execute(                               # bound-parameter limit
        select(Submission.id, Submission.candidate_id, Result.task_id, Result.score, Result.tests)
        .join(Result, Result.submission_id == Submission.id).where(Submission.exam_id == exam.id))
        if r[0] in counted]
    acc: dict[tuple[str, str], list[float]] = {}     # (task, test) -> [graded, passed, points]
    per_task: dict[str, int] = {}
    totals: dict[int, float] = {}
    for _sid, cid, task_id, score, tests in rows:
        per_task[task_id] = per_task.get(task_id, 0) + 1
        totals[cid] = totals.get(cid, 0.0) + score
        for t in tests or []:
            a = acc.setdefault((task_id, t.get("name", "")), [0, 0, 0.0])
            a[0] += 1
            a[1] += t.get("status") == "passed"
            a[2] += float(t.get("score") or 0)
    stats = []
    for task in package.tasks:                           # the rubric's order, every test listed
        for spec in task.tests:
            graded, passed, points = acc.get((task.id, spec.name), (0, 0, 0.0))
            stats.append(TestStat(task.id, spec.name, spec.description or spec.name, spec.phase.value,
                                  spec.visibility.value, spec.points, int(graded), int(passed), points))
    return Analysis(stats, per_task, sorted(totals.values()), package.max_score)


def histogram(values: list[float], maximum: float, bins: int = 10) -> list[tuple[str, int]]:
    """Counts in `bins` equal ranges of [0, maximum]; the last range includes the maximum."""
    if maximum <= 0:
        return []
    width = maximum / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v / width)))] += 1
    return [(f"{i * width:g}–{(i + 1) * width:g}", c) for i, c in enumerate(counts)]
