"""One grading process: its slots, the claims it holds, and its housekeeping.

A housekeeping thread heartbeats the claims in flight (killing the sandboxes of
any claim that was cancelled or taken back), writes the process's own row in
`workers` for the proctor (`Node.record`: what a worker says about itself), and,
where it has the database (the board's own processes), re-queues jobs of dead
workers (`jobs.reap`) and sends again messages that were lost (`dispatch.republish`).
Every call about jobs goes through the node's `gateway`: the database on the board,
the board's worker API on a worker machine. How a node is started: `web.grading.launch`.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from docker.errors import DockerException

from grader import sandbox, speed
from grader.errors import SandboxError
from grader.speed import WorkerSpeed

from ..storage.models import JobStatus, WorkerStatus
from . import dispatch
from .gateway import Claim, Gateway, Refused
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
    gateway: Gateway | None = None      # None: the database (the board's own processes)
    on_refused: Callable[[], None] | None = None   # called when the board refuses this node's token (revoked)
    reap_from: float = 0.0              # time.monotonic() before which this node reaps nothing

    def __post_init__(self):
        if self.gateway is None:
            from .direct import DatabaseGateway    # lazily: a worker machine has no database to go to
            self.gateway = DatabaseGateway(self.app)
        self._lock = threading.Lock()
        self._claims: dict[int, Claim] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> list[Claim]:
        with self._lock:
            return list(self._claims.values())

    def grade_job(self, job_id: int) -> JobStatus | None:
        """The Celery task's body. None when the message claimed nothing (a duplicate, a
        cancelled job, a job another worker holds)."""
        worker = f"{self.name}/{threading.current_thread().name}"[:128]
        claim = self.gateway.claim(worker, job_id)
        if claim is None:
            log.info("job %s: nothing to claim (graded, cancelled or held elsewhere)", job_id)
            return None
        with self._lock:
            self._claims[claim.job_id] = claim
        done = None
        try:
            done = run_job(self.app, claim, self.speed, self.gateway)
        finally:
            with self._lock:
                self._claims.pop(claim.job_id, None)
                if done is not None and done.status is JobStatus.GRADED:
                    self.done += 1
                else:
                    self.failed += 1
        if done.status is JobStatus.QUEUED:     # a retry: sent again after its delay
            dispatch.send(self.app, claim.job_id, done.queue or "grade.default", countdown=done.delay_s)
        return done.status

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
        for claim in self._taken_away(self.gateway.heartbeat(self.running)):
            log.warning("job %s was cancelled or taken back: stopping its sandboxes", claim.job_id)
            sandbox.cancel(str(claim.job_id), mine_only=True)
        if self.slots:
            self.gateway.record(self.name, self.record(WorkerStatus.UP))
        if self.gateway.reaps:
            from . import jobs
            from ..storage.db import db
            with self.app.app_context():
                try:
                    reaped = jobs.reap(float(cfg["STALE_AFTER_S"])) if time.monotonic() >= self.reap_from else []
                    if reaped:
                        log.warning("re-queued jobs of dead workers: %s", reaped)
                    dispatch.republish(self.app, 0 if reaped else float(cfg["REPUBLISH_AFTER_S"]))
                finally:
                    db.session.remove()

    def _taken_away(self, lost: list[Claim]) -> list[Claim]:
        """Of the claims the board says were cancelled or taken back, those this process still
        grades (a claim its grading thread had just finished is not)."""
        with self._lock:
            held = {c.job_id: c for c in self._claims.values()}
        return [c for c in lost if held.get(c.job_id) == c]

    def record(self, status: WorkerStatus) -> dict:
        """What this process says about itself in its `workers` row, at every heartbeat (plain
        JSON values: they may cross the network to the board)."""
        with self._lock:
            return dict(host=self.host[:128], queues=",".join(self.queues)[:1024], mode=self.mode,
                        slots=self.slots, busy=len(self._claims), done=self.done, failed=self.failed,
                        status=status.value, speed=self.speed.speed if self.speed else None)

    def _housekeeping(self) -> None:
        beat = float(self.app.config["HEARTBEAT_S"])
        while True:
            try:
                self.tick()
            except Refused as exc:
                log.error("housekeeping of %s: %s", self.name, exc)
                if exc.revoked and self.on_refused is not None:
                    self.on_refused()
            except Exception:   # noqa: BLE001 - a database, board or broker outage: try again next beat
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
            self.gateway.record(self.name, self.record(WorkerStatus.STOPPED))
        except Exception:   # noqa: BLE001 - the database or the board may be gone at shutdown
            log.warning("could not mark worker %s stopped", self.name)
