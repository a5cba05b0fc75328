"""One grading process: its slots, the claims it holds, and its housekeeping.

A housekeeping thread heartbeats the claims in flight (killing the sandboxes of
any claim that was cancelled or taken back), writes the process's own row in
`workers` for the proctor (`Node.record`: what a worker says about itself),
re-queues jobs of dead workers (`jobs.reap`) and sends again messages that were
lost (`dispatch.republish`). How a node is started: `web.grading.launch`.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select, update

from docker.errors import DockerException

from grader import sandbox, speed
from grader.errors import SandboxError
from grader.speed import WorkerSpeed

from ..storage.db import db, utcnow
from ..storage.models import AttemptOutcome, Job, JobAttempt, JobStatus, WorkerNode, WorkerStatus
from . import dispatch, jobs
from .grade import run_job

log = logging.getLogger("practicum.worker")

@dataclass
class Node:
    """One grading process: its identity, slots and the claims it holds now."""
    app: Flask
    slots: int
    queues: list[str]
    mode: str
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    host: str = field(default_factory=socket.gethostname)
    done: int = 0
    failed: int = 0
    speed: WorkerSpeed | None = None    # measured at start (`measure_speed`), shown to the proctor

    def __post_init__(self):
        self._lock = threading.Lock()
        self._claims: dict[int, jobs.Claim] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> list[jobs.Claim]:
        with self._lock:
            return list(self._claims.values())

    def grade_job(self, job_id: int) -> JobStatus | None:
        """The Celery task's body. None when the message claimed nothing (a duplicate, a
        cancelled job, a job another worker holds)."""
        worker = f"{self.name}/{threading.current_thread().name}"[:128]
        with self.app.app_context():
            claim = jobs.claim(worker, job_id=job_id)
            db.session.remove()
        if claim is None:
            log.info("job %s: nothing to claim (graded, cancelled or held elsewhere)", job_id)
            return None
        with self._lock:
            self._claims[claim.job_id] = claim
        status = None
        try:
            status = run_job(self.app, claim, self.speed)
        finally:
            with self._lock:
                self._claims.pop(claim.job_id, None)
                if status is JobStatus.GRADED:
                    self.done += 1
                else:
                    self.failed += 1
        if status is JobStatus.QUEUED:     # a retry: sent again after its delay
            with self.app.app_context():
                row = db.session.get(Job, claim.job_id)
                queue, delay = row.queue, max(0.0, (row.available_at - utcnow()).total_seconds())
                db.session.remove()
            dispatch.send(self.app, claim.job_id, queue or "grade.default", countdown=delay)
        return status

    def measure_speed(self, image: str | None) -> WorkerSpeed | None:
        """This process's speed (grader/speed.py: about a second of fixed work in the sandbox, once
        per process), kept for every job it grades; None when the engine cannot run it now (each
        job then measures when it grades)."""
        if not image:
            return None
        try:
            self.speed = speed.worker_speed(image)
            log.info("worker %s: speed %.2f", self.name, self.speed.speed)
        except (SandboxError, DockerException) as exc:
            log.warning("worker %s could not measure its speed: %s", self.name, exc)
        return self.speed

    # ------------------------------------------------------------- housekeeping

    def tick(self) -> None:
        """One round of housekeeping (every HEARTBEAT_S)."""
        cfg = self.app.config
        with self.app.app_context():
            try:
                for claim in self._taken_away(jobs.heartbeat(self.running)):
                    log.warning("job %s was cancelled or taken back: stopping its sandboxes", claim.job_id)
                    sandbox.cancel(str(claim.job_id), mine_only=True)
                if self.slots:
                    self._write_row(WorkerStatus.UP)
                reaped = jobs.reap(float(cfg["STALE_AFTER_S"]))
                if reaped:
                    log.warning("re-queued jobs of dead workers: %s", reaped)
                dispatch.republish(self.app, 0 if reaped else float(cfg["REPUBLISH_AFTER_S"]))
            finally:
                db.session.remove()

    def _taken_away(self, lost: list[jobs.Claim]) -> list[jobs.Claim]:
        """Of the claims a heartbeat found no longer running, those that staff cancelled or the
        reaper took back, and that this process still grades. The others had just been
        finished by their grading thread (committed before the thread let go of the claim)."""
        with self._lock:
            held = {c.job_id: c for c in self._claims.values()}
        out = []
        for c in lost:
            if held.get(c.job_id) != c:
                continue
            outcome = db.session.scalar(select(JobAttempt.outcome).where(JobAttempt.id == c.attempt_id))
            if outcome in (AttemptOutcome.CANCELLED, AttemptOutcome.ABANDONED):
                out.append(c)
        return out

    def record(self, status: WorkerStatus, now) -> dict:
        """What this process says about itself in its `workers` row, at every heartbeat."""
        with self._lock:
            return dict(host=self.host[:128], queues=",".join(self.queues)[:1024], mode=self.mode,
                        slots=self.slots, busy=len(self._claims), done=self.done, failed=self.failed,
                        status=status, heartbeat_at=now, speed=self.speed.speed if self.speed else None)

    def _write_row(self, status: WorkerStatus) -> None:
        now = utcnow()
        values = self.record(status, now)
        if not db.session.execute(update(WorkerNode).where(WorkerNode.name == self.name).values(**values)
                                  .execution_options(synchronize_session=False)).rowcount:
            db.session.add(WorkerNode(name=self.name, started_at=now, **values))
        db.session.commit()

    def _housekeeping(self) -> None:
        beat = float(self.app.config["HEARTBEAT_S"])
        while True:
            try:
                self.tick()
            except Exception:   # noqa: BLE001 - a database or broker outage: try again next beat
                log.exception("housekeeping of %s", self.name)
            if self._stop.wait(beat):
                return

    def start_housekeeping(self) -> None:
        self._thread = threading.Thread(target=self._housekeeping, name="practicum-housekeeping", daemon=True)
        self._thread.start()

    def stop_housekeeping(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        if not self.slots:
            return
        try:
            with self.app.app_context():
                self._write_row(WorkerStatus.STOPPED)
                db.session.remove()
        except Exception:   # noqa: BLE001 - the database may be gone at shutdown
            log.warning("could not mark worker %s stopped", self.name)
