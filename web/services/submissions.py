"""Taking an upload: window, pause, attempt limit and interval; then the engine's intake;
then the Submission row; then the queue. Nothing is acknowledged before the row exists.

The intake runs here, once per submission: the worker lays out the accepted
bytes for grading without storing or recording them again."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from grader.errors import SubmissionRejected
from grader.intake import IntakeLimits, accept
from grader.manifest import Task

from ..grading.dispatch import get_queue
from ..storage import content
from ..storage.content import get_store, safe_filename, scratch
from ..storage.db import db, utcnow
from ..storage.models import COUNTED, Exam, Submission, SubmissionStatus, User
from . import exams
from .clock import WindowState
from .contest.entrants import mates


MIB = 1024 * 1024


class UploadRefused(Exception):
    """Refused before the intake (window, pause, limits): `key` is an i18n key."""

    def __init__(self, key: str, status: int, **params):
        self.key, self.status, self.params = key, status, params
        super().__init__(key)


@dataclass(frozen=True)
class UploadRules:
    """The board's settings for taking uploads (UPLOAD_MAX_BYTES, REFUSED_PER_MINUTE, REFUSED_PER_HOUR)."""

    max_bytes: int = 20 * 1024 * 1024   # one upload; over it nothing is kept, only the refusal
    refused_per_minute: int = 5         # refused uploads of one candidate in any 60 s
    refused_per_hour: int = 30          # ... in any hour (never the whole exam: no one is locked out)


@dataclass(frozen=True)
class Quota:
    used: int
    limit: int | None
    next_at: datetime | None      # earliest time of the next upload (interval), if later than now

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


def quota(exam: Exam, candidate_id: int, task_id: str, now: datetime) -> Quota:
    """A team's members share one quota: the limit and interval count every member's uploads."""
    counted = (Submission.candidate_id.in_(mates(candidate_id)), Submission.exam_id == exam.id,
               Submission.task_id == task_id, Submission.status.in_(COUNTED))
    used = db.session.scalar(select(func.count(Submission.id)).where(*counted)) or 0
    last = db.session.scalar(select(func.max(Submission.created_at)).where(*counted))
    next_at = None
    if last is not None and exam.min_interval_s:
        if last.tzinfo is None:   # func.max bypasses the column type on SQLite
            last = last.replace(tzinfo=now.tzinfo)
        at = last + timedelta(seconds=exam.min_interval_s)
        next_at = at if at > now else None
    return Quota(used=used, limit=exam.attempt_limit, next_at=next_at)


def check_can_submit(exam: Exam, candidate_id: int, task_id: str, now: datetime,
                     rules: UploadRules = UploadRules()) -> Quota:
    state = exams.window(exam).state(now)
    if state is WindowState.NOT_STARTED:
        raise UploadRefused("upload.not_started", 403)
    if state is WindowState.CLOSED:
        raise UploadRefused("upload.closed", 403)
    if exam.intake_paused:
        raise UploadRefused("upload.paused", 403)
    check_refusals(exam, candidate_id, now, rules)
    q = quota(exam, candidate_id, task_id, now)
    if q.limit is not None and q.used >= q.limit:
        raise UploadRefused("upload.limit", 429, limit=q.limit)
    if q.next_at is not None:
        raise UploadRefused("upload.too_soon", 429, seconds=int((q.next_at - now).total_seconds()) + 1)
    return q


def check_refusals(exam: Exam, candidate_id: int, now: datetime, rules: UploadRules) -> None:
    """Refused uploads are recorded (and small ones kept): a cap per minute and per hour stops
    one candidate filling the store or the list with them; both windows move, so a candidate
    is kept waiting, never locked out of the exam."""
    refused = (Submission.candidate_id == candidate_id, Submission.exam_id == exam.id,
               Submission.status == SubmissionStatus.REJECTED)
    def since(window: timedelta) -> int:
        return db.session.scalar(select(func.count(Submission.id)).where(
            *refused, Submission.created_at > now - window)) or 0
    if since(timedelta(hours=1)) >= rules.refused_per_hour:
        raise UploadRefused("upload.refused_hour", 429, limit=rules.refused_per_hour)
    if since(timedelta(minutes=1)) >= rules.refused_per_minute:
        raise UploadRefused("upload.refused_often", 429, limit=rules.refused_per_minute)


def refuse_too_large(exam: Exam, candidate: User, task: Task, filename: str, size: int, lang: str,
                     rules: UploadRules) -> Submission:
    """Record an upload over the limit: its size, never its bytes (sha256 empty, nothing stored)."""
    row = Submission(candidate_id=candidate.id, exam_id=exam.id, task_id=task.id, sha256="",
                     filename=safe_filename(filename, fallback=f"upload-{task.id}")[:255] if filename else "",
                     size=size, lang=lang, status=SubmissionStatus.REJECTED, stored_path=None,
                     reject_code="too_large",
                     reject_params={"name": filename or "", "size_mb": round(size / MIB, 1),
                                    "limit_mb": round(rules.max_bytes / MIB, 1)})
    db.session.add(row)
    db.session.commit()
    return row


def take_upload(exam: Exam, candidate: User, task: Task, filename: str | None, save: Callable[[Path], None],
                lang: str, rules: UploadRules = UploadRules()) -> Submission:
    """Check, keep and validate an upload, then record and queue it.

    `filename` is the name the client sent (None or empty: no file); `save(path)` writes the
    uploaded bytes to `path`, called only once the rules allow the upload.
    Returns the Submission: `queued`, or `rejected` (kept in the store, not
    counted, with the intake's catalogue code). Raises UploadRefused before
    anything is kept when the rules say no. An upload over `rules.max_bytes` is
    `rejected` with its size only: its bytes are dropped, nothing is stored.
    """
    if not filename:
        raise UploadRefused("upload.no_file", 400)
    check_can_submit(exam, candidate.id, task.id, utcnow(), rules)
    store = get_store()
    package = exams.package(exam)
    with scratch("upload-") as tmp:
        source = tmp / safe_filename(filename, fallback=f"upload-{task.id}")
        save(source)
        size = source.stat().st_size
        if size > rules.max_bytes:
            source.unlink()
            return refuse_too_large(exam, candidate, task, filename, size, lang, rules)
        row = Submission(candidate_id=candidate.id, exam_id=exam.id, task_id=task.id,
                         filename=source.name, size=size, lang=lang)
        try:
            intake = accept(source, package, store, task=task.id, workdir=tmp / "work",
                            limits=IntakeLimits(max_upload_bytes=rules.max_bytes))
        except SubmissionRejected as exc:
            kept = getattr(exc, "blob", None)     # an oversized upload: what the store kept
            row.sha256 = kept.sha256 if kept else content.sha256_of(source)
            row.stored_path = str(store.path_of(row.sha256)) if row.sha256 in store else None
            row.status = SubmissionStatus.REJECTED
            row.reject_code, row.reject_params = exc.code, _jsonable(exc.params)
            db.session.add(row)
            db.session.commit()
            return row
    _hold_candidate(min(mates(candidate.id)))     # one lock per team: teammates' uploads queue too
    check_can_submit(exam, candidate.id, task.id, utcnow(), rules)   # again, now that no other upload of theirs runs
    row.sha256, row.stored_path, row.size = intake.ref.sha256, str(intake.stored.path), intake.stored.size
    row.status = SubmissionStatus.QUEUED
    content.put_file(intake.stored.path, row.sha256)   # what a worker on another machine fetches
    db.session.add(row)
    db.session.flush()
    get_queue().enqueue(row.id, package.image)               # one commit: the row, its bytes and its job exist
    return row                                # before anything is acknowledged


def _hold_candidate(candidate_id: int) -> None:
    """Serialise one candidate's uploads from the quota check to the commit: two uploads sent
    at once must not both pass an attempt limit. A no-op UPDATE of their row takes its lock
    (PostgreSQL) or the write lock (SQLite), after ending the read transaction so SQLite can
    take it; the second upload then counts the first."""
    db.session.rollback()
    db.session.execute(update(User).where(User.id == candidate_id).values(session_version=User.session_version)
                       .execution_options(synchronize_session=False))


def _jsonable(params: dict) -> dict:
    return {k: v if isinstance(v, (int, float, str, bool)) or v is None else str(v) for k, v in params.items()}


def owned(candidate_id: int, submission_id: int) -> Submission | None:
    """The submission when it is the candidate's or their team's."""
    return db.session.scalar(select(Submission).where(Submission.id == submission_id,
                                                      Submission.candidate_id.in_(mates(candidate_id))))


def history(candidate_id: int, exam_id: int | None = None) -> list[Submission]:
    """The candidate's submissions, newest first; a team member sees the whole team's."""
    q = select(Submission).where(Submission.candidate_id.in_(mates(candidate_id)))
    if exam_id is not None:
        q = q.where(Submission.exam_id == exam_id)
    return list(db.session.scalars(q.order_by(Submission.id.desc())))


def latest_by_task(candidate_id: int, exam_id: int) -> dict[str, Submission]:
    out: dict[str, Submission] = {}
    for sub in history(candidate_id, exam_id):
        out.setdefault(sub.task_id, sub)
    return out
