"""One candidate's exam day as the proctor reads it: who they are, every upload with its
status and result (and which one counts), the technical faults their jobs met, and their
sign-ins (from the audit log). A handful of queries, none per submission."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..storage.db import db
from ..storage.models import AuditLog, Exam, Result, Role, Submission, User
from . import counting, monitor

SIGN_INS = ("login", "login_failed", "logout", "login_throttled", "throttle_cleared")   # throttle: the account's


@dataclass(frozen=True)
class Upload:
    id: int
    task_id: str
    filename: str
    size: int
    created_at: datetime
    status: str                     # the submission's status
    reject_code: str | None
    score: float | None             # of its current result
    max_score: float | None
    verdict: str | None
    counted: bool                   # the one the exam's counting rule picks for this task


@dataclass(frozen=True)
class SignIn:
    at: datetime
    action: str                     # one of SIGN_INS
    ip: str


@dataclass(frozen=True)
class Record:
    candidate: User
    uploads: list[Upload]
    faults: list[monitor.FaultLine]
    sign_ins: list[SignIn]


def candidate_of(exam: Exam, user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.role is Role.CANDIDATE and user.exam_id == exam.id else None


def record(exam: Exam, user: User, now: datetime, fault_window_s: float, limit: int = 200) -> Record:
    rows = db.session.execute(
        select(Submission, Result.score, Result.max_score, Result.status)
        .outerjoin(Result, Result.submission_id == Submission.id)
        .where(Submission.exam_id == exam.id, Submission.candidate_id == user.id)
        .order_by(Submission.id.desc()).limit(limit)).all()
    counted = {g.submission_id for g in counting.counted(exam, user.id).values()}
    uploads = [Upload(s.id, s.task_id, s.filename, s.size, s.created_at, s.status.value, s.reject_code,
                      score, max_score, verdict, s.id in counted) for s, score, max_score, verdict in rows]
    logs = db.session.scalars(select(AuditLog).where(AuditLog.action.in_(SIGN_INS), AuditLog.target == user.username)
                              .order_by(AuditLog.id.desc()).limit(limit))
    return Record(user, uploads, monitor.faults(exam.id, now, fault_window_s, candidate_id=user.id),
                  [SignIn(a.at, a.action, a.ip) for a in logs])
