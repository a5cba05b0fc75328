"""What the proctor's dashboard shows, gathered with a handful of aggregate queries
(none per candidate): candidates' activity, queue depth, running jobs, verdicts,
sandbox faults, and every grading worker's health (from its own heartbeat row)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from grader import speed

from ..storage.db import db, utcnow
from ..storage.models import (ACTIVE, AttemptOutcome, Exam, Job, JobAttempt, JobStatus, Result, Role, Submission,
                              SubmissionStatus, User, WorkerNode, WorkerStatus)

FILTERS = ("all", "missing", "active", "failed")
WATCHED = ("time_limit", "memory_limit", "output_limit", "runtime_error")
FAULTS = (AttemptOutcome.SANDBOX_ERROR, AttemptOutcome.ERROR)


@dataclass(frozen=True)
class CandidateLine:
    id: int
    number: str
    name: str
    seat: str | None
    submissions: int
    last_activity: datetime | None     # the newest upload, else the last sign-in
    status: str | None                 # of the newest upload


@dataclass(frozen=True)
class RunningJob:
    job_id: int
    submission_id: int
    exam: str
    task: str
    candidate: str
    worker: str | None
    attempt: int
    elapsed_s: float
    runaway: bool
    candidate_id: int = 0


@dataclass(frozen=True)
class WorkerLine:
    name: str                         # host:pid
    host: str
    image: str                        # the sandbox images (queues) it grades for
    mode: str                         # embedded or celery
    slots: str                        # "busy/slots"
    silent_s: float
    done: int
    failed: int
    level: str                        # ok, late, critical, stopped
    speed: float | None = None        # measured at its start (grader/speed.py), 1.0 = reference machine
    too_slow: bool = False            # an exam here would need a larger factor than the clamp allows
    speed_text: str = ""              # "1.01", "0.22 ⚠" (too slow), "" before it measured
    token_id: int | None = None       # the worker token it reaches the board with (None: the board's own)
    token: str = ""                   # that token's name
    token_revoked: bool = False


def candidate_lines(exam_id: int, which: str = "all", offset: int = 0,
                    limit: int = 200) -> tuple[list[CandidateLine], int]:
    agg = (select(Submission.candidate_id, func.count(Submission.id).label("n"), func.max(Submission.id).label("last"))
           .where(Submission.exam_id == exam_id).group_by(Submission.candidate_id).subquery())
    latest = aliased(Submission)
    q = (select(User.id, User.username, User.name, User.seat, User.last_login_at, agg.c.n,
                latest.created_at, latest.status)
         .outerjoin(agg, agg.c.candidate_id == User.id).outerjoin(latest, latest.id == agg.c.last)
         .where(User.role == Role.CANDIDATE, User.exam_id == exam_id))
    if which == "missing":
        q = q.where(agg.c.n.is_(None))
    elif which == "active":
        q = q.where(latest.status.in_(ACTIVE))
    elif which == "failed":
        q = q.where(latest.status == SubmissionStatus.FAILED)
    total = db.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = db.session.execute(q.order_by(User.username).offset(offset).limit(limit)).all()
    return [CandidateLine(r.id, r.username, r.name, r.seat, r.n or 0, r.created_at or r.last_login_at,
                          r.status.value if r.status else None) for r in rows], total


def submission_counts(exam_id: int) -> dict[str, int]:
    rows = db.session.execute(select(Submission.status, func.count(Submission.id))
                              .where(Submission.exam_id == exam_id).group_by(Submission.status)).all()
    counts = {s.value: 0 for s in SubmissionStatus}
    counts.update({s.value: n for s, n in rows})
    counts["candidates"] = db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.CANDIDATE, User.exam_id == exam_id)) or 0
    counts["handed_in"] = db.session.scalar(select(func.count(func.distinct(Submission.candidate_id)))
                                            .where(Submission.exam_id == exam_id)) or 0
    return counts


def queue_depth(exam_id: int) -> dict[str, int]:
    queued = select(func.count(Job.id)).where(Job.status == JobStatus.QUEUED)
    return {"all": db.session.scalar(queued) or 0,
            "exam": db.session.scalar(queued.join(Submission, Submission.id == Job.submission_id)
                                      .where(Submission.exam_id == exam_id)) or 0}


def running_jobs(now: datetime, runaway_after_s: float) -> list[RunningJob]:
    """Every running job, flagged when it has run longer than `runaway_after_s`."""
    runaway = float(runaway_after_s)
    rows = db.session.execute(
        select(Job.id, Job.submission_id, Job.worker, Job.attempts, Job.started_at, Submission.task_id,
               Exam.key, User.username, User.id.label("candidate_id"))
        .join(Submission, Submission.id == Job.submission_id).join(Exam, Exam.id == Submission.exam_id)
        .join(User, User.id == Submission.candidate_id)
        .where(Job.status == JobStatus.RUNNING).order_by(Job.started_at)).all()
    out = []
    for r in rows:
        elapsed = (now - r.started_at).total_seconds() if r.started_at else 0.0
        out.append(RunningJob(r.id, r.submission_id, r.key, r.task_id, r.username, r.worker, r.attempts,
                              round(elapsed, 1), elapsed > runaway, r.candidate_id))
    return out


def verdicts(exam_id: int, now: datetime, fault_window_s: float) -> dict[str, int]:
    """Current results by verdict, plus sandbox faults (all, and in the last `fault_window_s`) and failed jobs."""
    rows = db.session.execute(select(Result.status, func.count(Result.id))
                              .join(Submission, Submission.id == Result.submission_id)
                              .where(Submission.exam_id == exam_id).group_by(Result.status)).all()
    out = {v: 0 for v in WATCHED}
    out.update(dict(rows))
    faults = (select(func.count(JobAttempt.id)).join(Job, Job.id == JobAttempt.job_id)
              .join(Submission, Submission.id == Job.submission_id)
              .where(Submission.exam_id == exam_id, JobAttempt.outcome.in_(FAULTS)))
    since = now - timedelta(seconds=float(fault_window_s))
    out["faults"] = db.session.scalar(faults) or 0
    out["recent_faults"] = db.session.scalar(faults.where(JobAttempt.ended_at >= since)) or 0
    out["failed_jobs"] = db.session.scalar(
        select(func.count(Job.id)).join(Submission, Submission.id == Job.submission_id)
        .where(Submission.exam_id == exam_id, Job.status == JobStatus.FAILED)) or 0
    # what still needs a proctor: jobs being retried after a fault, failed jobs nobody regraded
    out["retrying"] = db.session.scalar(
        select(func.count(Job.id)).join(Submission, Submission.id == Job.submission_id)
        .where(Submission.exam_id == exam_id, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
               exists().where(JobAttempt.job_id == Job.id, JobAttempt.outcome.in_(FAULTS + (AttemptOutcome.ABANDONED,))))) or 0
    out["unresolved_failed"] = db.session.scalar(
        select(func.count(Job.id)).join(Submission, Submission.id == Job.submission_id)
        .where(Submission.exam_id == exam_id, Job.status == JobStatus.FAILED, ~_superseded())) or 0
    return out


@dataclass(frozen=True)
class FaultLine:
    """One attempt our infrastructure failed, with its cause, and whether it is resolved yet:
    its job graded (or was cancelled, or a later job of the submission replaced it)."""
    attempt_id: int
    job_id: int
    submission_id: int
    candidate_id: int
    candidate: str                    # the candidate's number
    task: str
    attempt: int
    outcome: str                      # sandbox_error, error, abandoned
    cause: str                        # a grader.errors.FaultCause value
    detail: str
    worker: str
    ended_at: datetime | None
    job_status: str                   # the job's status now
    resolved: bool


def _superseded():
    later = aliased(Job)
    return exists().where(later.submission_id == Job.submission_id, later.id > Job.id)


def faults(exam_id: int, now: datetime, window_s: float, limit: int = 100,
           candidate_id: int | None = None) -> list[FaultLine]:
    """The exam's infrastructure faults, newest first: every unresolved one, and the resolved
    ones of the last `window_s` (all of one candidate's when `candidate_id` is given)."""
    superseded = _superseded()
    resolved = Job.status.in_((JobStatus.GRADED, JobStatus.CANCELLED)) | superseded
    q = (select(JobAttempt, Job.submission_id, Job.status, Submission.task_id, Submission.candidate_id,
                User.username, superseded.label("superseded"))
         .join(Job, Job.id == JobAttempt.job_id).join(Submission, Submission.id == Job.submission_id)
         .join(User, User.id == Submission.candidate_id)
         .where(Submission.exam_id == exam_id, JobAttempt.outcome.in_(FAULTS + (AttemptOutcome.ABANDONED,))))
    if candidate_id is not None:
        q = q.where(Submission.candidate_id == candidate_id)
    else:
        q = q.where(~resolved | (JobAttempt.ended_at >= now - timedelta(seconds=float(window_s))))
    rows = db.session.execute(q.order_by(JobAttempt.id.desc()).limit(limit)).all()
    return [FaultLine(a.id, a.job_id, sid, cid, number, task, a.number, a.outcome.value,
                      a.cause or ("internal" if a.outcome is AttemptOutcome.ERROR else "sandbox"),
                      (a.detail or "")[:500], a.worker, a.ended_at, status.value,
                      bool(sup) or status in (JobStatus.GRADED, JobStatus.CANCELLED))
            for a, sid, status, task, cid, number, sup in rows]


def busy_by_worker(running: list[RunningJob]) -> dict[str, int]:
    """Running jobs per grading process, from the jobs table (a job's worker is "host:pid/thread").
    The worker row's own `busy` is only what it held at its last heartbeat, so a job claimed
    since then showed in the running table but not in the slots: both now count the same rows."""
    out: dict[str, int] = {}
    for j in running:
        if j.worker:
            name = j.worker.split("/", 1)[0]
            out[name] = out.get(name, 0) + 1
    return out


def workers(late_s: float, critical_s: float, running: list[RunningJob] | None = None) -> list[WorkerLine]:
    """Every grading process that ever sent a heartbeat, from its own row (both modes), its
    level by the age of that heartbeat; a stopped one is kept an hour for the record. Busy
    slots are counted from `running` (the running table's rows) when given."""
    late, critical = float(late_s), float(critical_s)
    now = utcnow()
    out = []
    rows = db.session.scalars(select(WorkerNode).where(
        (WorkerNode.status == WorkerStatus.UP) | (WorkerNode.heartbeat_at >= now - timedelta(hours=1)))
        .order_by(WorkerNode.host, WorkerNode.name))
    reference = db.session.scalar(select(func.max(Exam.reference_speed)))
    busy = busy_by_worker(running) if running is not None else None
    for w in rows:
        silent = max(0.0, (now - w.heartbeat_at).total_seconds())
        if w.status is WorkerStatus.STOPPED:
            level = "stopped"
        else:
            level = "critical" if silent > critical else "late" if silent > late else "ok"
        image = ", ".join(q.removeprefix("grade.") for q in w.queues.split(",") if q)
        too_slow = bool(reference and w.speed and reference / w.speed > speed.MAX_FACTOR)
        n_busy = w.busy if busy is None else busy.get(w.name, 0)
        out.append(WorkerLine(w.name, w.host, image, w.mode, f"{n_busy}/{w.slots}", round(silent, 1),
                              w.done, w.failed, level, w.speed, too_slow,
                              "" if w.speed is None else f"{w.speed:.2f}" + (" ⚠" if too_slow else ""),
                              w.token_id, w.token.name if w.token else "",
                              bool(w.token and w.token.revoked_at is not None)))
    return out


def alerts(v: dict[str, int], running: list[RunningJob], pool: list[WorkerLine],
           depth: dict[str, int], fault_lines: list[FaultLine] = ()) -> list[tuple[str, str, dict]]:
    """(level, i18n key, params) for what needs a proctor's attention now. Fault alerts name
    the causes of the unresolved faults and go once their jobs are graded (or regraded)."""
    out = []
    causes = sorted({f.cause for f in fault_lines if not f.resolved})
    if v["retrying"]:
        out.append(("bad", "alert.faults", {"n": v["retrying"], "causes": causes}))
    if v["unresolved_failed"]:
        out.append(("bad", "alert.failed_jobs", {"n": v["unresolved_failed"], "causes": causes}))
    for w in pool:
        if w.too_slow and w.level != "stopped":
            out.append(("bad", "alert.worker_slow", {"name": w.name, "speed": f"{w.speed:.2f}",
                                                     "max": f"{speed.MAX_FACTOR:g}"}))
        if w.level in ("late", "critical"):
            out.append(("bad" if w.level == "critical" else "warn", "alert.worker_late",
                        {"name": w.name, "seconds": int(w.silent_s)}))
    if not any(w.level in ("ok", "late") for w in pool) and depth["all"]:
        out.append(("warn", "alert.no_pool", {"n": depth["all"]}))
    for j in running:
        if j.runaway:
            out.append(("warn", "alert.runaway", {"job": j.job_id, "seconds": int(j.elapsed_s)}))
    return out


def now() -> datetime:
    return utcnow()
