"""Which graded submission of a task counts: the one rule every consumer uses.

The examiner chooses a rule per exam, with exceptions per task:

* `last`            the candidate's last graded submission (the board's behaviour before rules existed);
* `best`            the graded submission with the most points (ties: the later one);
* `before_deadline` the last graded submission handed in at or before the counting deadline
                    (`Exam.count_deadline`, or the window's end when none is set); later uploads are
                    graded as feedback and never count. With neither, it is `last`.

A submission is a contender when it has a current result and staff did not cancel it (a
regrade in flight keeps the result it had). Scoreboards, exports, the item analysis, the
candidate's pages and regrades all ask this module, so a rule change or a regrade moves the
counted submission the same way everywhere. One query per exam (or per candidate), whatever
the number of candidates.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..storage.db import db
from ..storage.models import Exam, Result, Submission, SubmissionStatus


class Policy(str, enum.Enum):
    LAST = "last"
    BEST = "best"
    BEFORE_DEADLINE = "before_deadline"


DEFAULT = Policy.LAST


@dataclass(frozen=True)
class Graded:
    """One contender: a submission with a current result."""

    submission_id: int
    candidate_id: int
    task_id: str
    created_at: datetime
    score: float
    visible: float             # points of `visible` tests only (public boards before publication)
    max_score: float


def parse(value: str | None) -> Policy | None:
    """A rule from a form or a stored value; None for anything else (a clear refusal upstream)."""
    try:
        return Policy(value)
    except ValueError:
        return None


def policy_for(exam: Exam, task_id: str) -> Policy:
    """The task's exception if it has one, else the exam's rule."""
    return parse((exam.task_count_policy or {}).get(task_id)) or parse(exam.count_policy) or DEFAULT


def deadline(exam: Exam) -> datetime | None:
    return exam.count_deadline or exam.window_end


def choose(policy: Policy, graded: Iterable[Graded], until: datetime | None) -> Graded | None:
    """The counted one of one candidate's contenders for one task (pure)."""
    pool = list(graded)
    if policy is Policy.BEFORE_DEADLINE and until is not None:
        pool = [g for g in pool if g.created_at <= until]
    if not pool:
        return None
    if policy is Policy.BEST:
        return max(pool, key=lambda g: (g.score, g.submission_id))
    return max(pool, key=lambda g: g.submission_id)


def contenders(exam_id: int, candidate_id: int | None = None) -> list[Graded]:
    q = (select(Submission.id, Submission.candidate_id, Submission.task_id, Submission.created_at,
                Result.score, Result.visible_score, Result.max_score)
         .join(Result, Result.submission_id == Submission.id)
         .where(Submission.exam_id == exam_id, Submission.status != SubmissionStatus.CANCELLED))
    if candidate_id is not None:
        q = q.where(Submission.candidate_id == candidate_id)
    return [Graded(sid, cid, task, created, score, visible or 0.0, max_score)
            for sid, cid, task, created, score, visible, max_score in db.session.execute(q)]


def counted(exam: Exam, candidate_id: int | None = None) -> dict[tuple[int, str], Graded]:
    """{(candidate id, task id): the counted contender} of the exam (or of one candidate)."""
    groups: dict[tuple[int, str], list[Graded]] = {}
    for g in contenders(exam.id, candidate_id):
        groups.setdefault((g.candidate_id, g.task_id), []).append(g)
    until = deadline(exam)
    out = {}
    for key, pool in groups.items():
        pick = choose(policy_for(exam, key[1]), pool, until)
        if pick is not None:
            out[key] = pick
    return out


def counted_ids(exam: Exam) -> set[int]:
    return {g.submission_id for g in counted(exam).values()}


def signature(exam: Exam) -> tuple:
    """What the choice depends on besides the results: a cache of counted points keys on it."""
    return (exam.count_policy, tuple(sorted((exam.task_count_policy or {}).items())), deadline(exam))


def depends_on_scores(exam: Exam, task_id: str) -> bool:
    """Whether knowing which submission counts tells something about the scores (the `best` rule):
    a candidate is not shown which one counts while any of its scores is withheld."""
    return policy_for(exam, task_id) is Policy.BEST
