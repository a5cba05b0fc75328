"""The embedded worker pool: threads that grade queued jobs through the CLI's code path.

Each thread claims a job row, copies the stored upload under its original
name and calls `grader.grading.grade_path` exactly as `practicum grade` does;
the candidate's code runs only in the engine's Docker sandboxes. A
housekeeping thread sends heartbeats for the jobs in flight and runs the
reaper, which re-queues jobs whose heartbeat went stale (a dead worker).
Infrastructure failures are retried up to the job's cap, then the job fails:
shown to staff, never charged to the candidate.

Every sandbox of a job carries the job's id as its label (`job=`), so a
proctor's cancel can kill them (`grader.sandbox.cancel`). The pool keeps each
thread's health (last beat, jobs done and failed) for the proctor's dashboard;
a started pool is `app.extensions["practicum.pool"]`.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import joinedload

from grader import grading, pool
from grader.errors import ExamConfigError, SandboxError, SubmissionRejected
from grader.models import GradeReport

from . import exams, jobs
from .db import db
from .models import AttemptOutcome, JobStatus, Submission
from .queue import get_queue
from .storage import artifacts_root, get_store, safe_filename, scratch

log = logging.getLogger("practicum.worker")


@dataclass(frozen=True)
class Outcome:
    outcome: AttemptOutcome
    detail: str | None = None
    report: GradeReport | None = None


def grade_submission(sub: Submission, image: str | None, job_id: int | None = None) -> GradeReport:
    """Grade one stored submission the way `practicum grade EXAM FILE --task T` does.
    Each job keeps its own artifacts, so a regrade does not overwrite the ones before."""
    package = exams.package(sub.exam)
    store = get_store()
    artifacts = artifacts_root(sub.id) / (f"job-{job_id}" if job_id is not None else "")
    with scratch("grade-") as tmp:
        src = tmp / safe_filename(sub.filename)
        shutil.copyfile(store.path_of(sub.sha256), src)
        return grading.grade_path(package, src, store=store, task=sub.task_id, lang=sub.lang,
                                  artifacts_root=artifacts, image=image,
                                  job=str(job_id) if job_id is not None else None)


def _attempt(sub: Submission, image: str | None, job_id: int | None = None) -> Outcome:
    try:
        report = grade_submission(sub, image, job_id)
    except SubmissionRejected as exc:
        return Outcome(AttemptOutcome.REJECTED, f"{exc.code}: {exc}")
    except ExamConfigError as exc:
        return Outcome(AttemptOutcome.CONFIG_ERROR, str(exc))
    except SandboxError as exc:
        return Outcome(AttemptOutcome.SANDBOX_ERROR, str(exc))
    except Exception as exc:   # noqa: BLE001 - a bug of ours: logged, retried, never shown to candidates
        log.exception("grading submission %s failed", sub.id)
        return Outcome(AttemptOutcome.ERROR, f"{type(exc).__name__}: {exc}")
    if not report.infra_ok:
        bad = "; ".join(f"{t.id}: {t.message}" for t in report.tasks if t.status.value == "sandbox_error")
        return Outcome(AttemptOutcome.SANDBOX_ERROR, bad, report)
    return Outcome(AttemptOutcome.GRADED, None, report)


def run_job(app: Flask, claim: jobs.Claim) -> JobStatus | None:
    """Grade the claimed job and record what happened (one attempt)."""
    with app.app_context():
        sub = db.session.get(Submission, claim.submission_id, options=[joinedload(Submission.exam)])
        db.session.expunge_all()           # keep the rows, hold no transaction while grading
        db.session.close()
        result = _attempt(sub, app.config.get("SANDBOX_IMAGE"), claim.job_id)
        kwargs = {}
        if result.outcome is AttemptOutcome.GRADED:
            task = next((t for t in result.report.tasks if t.id == sub.task_id), None)
            if task is None:
                result = Outcome(AttemptOutcome.ERROR, f"the report has no task {sub.task_id}")
            else:
                spec = exams.package(sub.exam).task(sub.task_id)
                kwargs = dict(result=task, artifacts_dir=result.report.artifacts_dir,
                              descriptions={t.name: t.description for t in spec.tests})
        status = jobs.finish(claim, result.outcome, detail=result.detail,
                             retry_delay_s=float(app.config["RETRY_DELAY_S"]), **kwargs)
        log.info("job %s (submission %s) attempt %s: %s -> %s", claim.job_id, claim.submission_id,
                 claim.attempt, result.outcome.value, status.value if status else "lost")
        return status


@dataclass
class ThreadHealth:
    """One pool thread as the proctor sees it (mutated under the pool's lock)."""

    name: str
    kind: str                       # "worker" or "housekeeping"
    last_beat: float                # time.time() of its last sign of life
    job_id: int | None = None       # the job it grades now
    job_since: float | None = None
    done: int = 0                   # attempts that graded
    failed: int = 0                 # attempts that did not (retried, failed, lost, crashed)


class WorkerPool:
    """`size` grading threads (default: the cores) plus one housekeeping thread."""

    def __init__(self, app: Flask, size: int | None = None):
        self.app = app
        self.size = size or pool.default_slots()
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._wakeup = getattr(get_queue(app), "wakeup", threading.Event())
        self._running: dict[int, jobs.Claim] = {}
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._health: dict[str, ThreadHealth] = {}

    # ------------------------------------------------------------ lifecycle

    def start(self) -> "WorkerPool":
        pool.configure(self.size)
        for n in range(self.size):
            self._track(f"{self.name}:{n}", "worker")
            self._spawn(self._work, f"practicum-worker-{n}", f"{self.name}:{n}")
        self._track(f"{self.name}:housekeeping", "housekeeping")
        self._spawn(self._housekeeping, "practicum-housekeeping")
        self.app.extensions["practicum.pool"] = self
        return self

    def stop(self, timeout: float | None = 30.0) -> None:
        """Stop taking jobs; wait up to `timeout` for those in flight (the reaper
        re-queues any still running when the process goes)."""
        self._stop.set()
        self._wakeup.set()
        for t in self._threads:
            t.join(timeout)
        if self.app.extensions.get("practicum.pool") is self:
            del self.app.extensions["practicum.pool"]

    def _spawn(self, target, name: str, *args) -> None:
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        t.start()
        self._threads.append(t)

    @property
    def running(self) -> list[jobs.Claim]:
        with self._lock:
            return list(self._running.values())

    # -------------------------------------------------------------- health

    def _track(self, name: str, kind: str) -> None:
        with self._lock:
            self._health[name] = ThreadHealth(name, kind, time.time())

    def _beat(self, name: str, **changes) -> None:
        with self._lock:
            h = self._health.get(name)
            if h is None:
                return
            h.last_beat = time.time()
            for key, value in changes.items():
                setattr(h, key, getattr(h, key) + value if key in ("done", "failed") else value)

    def health(self) -> list[ThreadHealth]:
        """A copy of every thread's health, workers first."""
        with self._lock:
            return [ThreadHealth(**vars(h))
                    for h in sorted(self._health.values(), key=lambda h: (h.kind != "worker", h.name))]

    # --------------------------------------------------------------- loops

    def run_one(self, worker: str | None = None) -> JobStatus | None:
        """Claim and grade one job in this thread; None when none was queued."""
        with self.app.app_context():
            claim = jobs.claim(worker or f"{self.name}:main")
        if claim is None:
            return None
        name = worker or f"{self.name}:main"
        with self._lock:
            self._running[claim.job_id] = claim
        self._beat(name, job_id=claim.job_id, job_since=time.time())
        status = None
        try:
            status = run_job(self.app, claim)
            return status
        finally:
            with self._lock:
                self._running.pop(claim.job_id, None)
            graded = status is JobStatus.GRADED
            self._beat(name, job_id=None, job_since=None, done=int(graded), failed=int(not graded))

    def _work(self, worker: str) -> None:
        poll = float(self.app.config["WORKER_POLL_S"])
        while not self._stop.is_set():
            self._beat(worker)
            try:
                if self.run_one(worker) is None:
                    self._wakeup.wait(poll)
                    self._wakeup.clear()
            except Exception:   # noqa: BLE001 - a worker thread never dies
                log.exception("worker %s", worker)
                self._stop.wait(poll)

    def _housekeeping(self) -> None:
        beat = float(self.app.config["HEARTBEAT_S"])
        stale = float(self.app.config["STALE_AFTER_S"])
        me = f"{self.name}:housekeeping"
        self._beat(me)
        while not self._stop.wait(beat):
            try:
                with self.app.app_context():
                    jobs.heartbeat(self.running)
                    reaped = jobs.reap(stale)
                self._beat(me)
                busy = {c.worker for c in self.running}
                for name in busy:
                    self._beat(name)          # a thread grading is alive while its job's heartbeat is
                if reaped:
                    log.warning("re-queued stale jobs %s", reaped)
                    self._wakeup.set()
            except Exception:   # noqa: BLE001
                log.exception("housekeeping")
