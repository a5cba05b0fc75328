"""Grading workers: the Celery task that grades one job, and the processes that run it.

`grade_job` is the whole task, the same in both modes: claim the job row (a
guarded UPDATE: a duplicate or stale message claims nothing), fetch the upload
and the exam package by content hash (from the database, cached per worker),
grade through `grader.grading.grade_path` exactly as `practicum grade` does, and
finish the row (idempotent: a lost claim writes nothing). Candidate code runs
only in the engine's Docker sandboxes; every sandbox of a job carries the job's
id as its label, so a cancel can kill them.

`Node` is one worker process: its slots, the claims in flight, and a
housekeeping thread that heartbeats those claims (killing the sandboxes of any
claim that was cancelled or taken back), writes the process's own row in
`workers` for the proctor, re-queues jobs of dead workers (`jobs.reap`) and
sends again messages that were lost (`dispatch.republish`).

- `EmbeddedWorker`: a Celery worker (threads) inside the board's process.
- `run_worker`: `practicum worker`, a Celery worker process on any machine.
"""
from __future__ import annotations

import functools
import logging
import os
import shutil
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from grader import grading, images, pool, sandbox
from grader.errors import ExamConfigError, SandboxError, SubmissionRejected
from grader.manifest import load_exam
from grader.models import GradeReport

from . import blobs, dispatch, jobs
from .db import db, utcnow
from .models import AttemptOutcome, Exam, Job, JobAttempt, JobStatus, Submission, WorkerNode, WorkerStatus
from .storage import artifacts_root, get_store, safe_filename, scratch

log = logging.getLogger("practicum.worker")


@dataclass(frozen=True)
class Outcome:
    outcome: AttemptOutcome
    detail: str | None = None
    report: GradeReport | None = None


@dataclass(frozen=True)
class Work:
    """What a job needs, read from the database before grading starts."""
    submission_id: int
    task_id: str
    sha256: str
    filename: str
    lang: str
    package_sha256: str | None
    package_path: str


def _work_of(submission_id: int) -> Work:
    sub = db.session.get(Submission, submission_id)
    exam = db.session.get(Exam, sub.exam_id)
    return Work(sub.id, sub.task_id, sub.sha256, sub.filename, sub.lang, exam.package_sha256, exam.package_path)


def _package(work: Work):
    """The exam package as the job saw it when queued: by hash from the database, so a worker
    on another machine needs no shared disk; a board without packed packages (older rows) uses
    its folder."""
    if work.package_sha256:
        return _package_by_hash(work.package_sha256)
    return load_exam(work.package_path)


@functools.lru_cache(maxsize=16)
def _package_by_hash(sha256: str):
    """A package by content hash never changes: read (and its tests discovered) once per process."""
    return load_exam(blobs.unpacked_package(sha256))


def grade_submission(work: Work, image: str | None, job_id: int | None = None) -> tuple[GradeReport, object]:
    """Grade one stored submission the way `practicum grade EXAM FILE --task T` does.
    Each job keeps its own artifacts, so a regrade does not overwrite the ones before."""
    package = _package(work)
    store = get_store()
    local = store.path_of(work.sha256)
    source_file = local if local.is_file() else blobs.fetch(work.sha256)
    artifacts = artifacts_root(work.submission_id) / (f"job-{job_id}" if job_id is not None else "")
    with scratch("grade-") as tmp:
        src = tmp / safe_filename(work.filename)
        shutil.copyfile(source_file, src)
        report = grading.grade_path(package, src, store=store, task=work.task_id, lang=work.lang,
                                    artifacts_root=artifacts, image=image,
                                    job=str(job_id) if job_id is not None else None)
    return report, package


def _attempt(work: Work, image: str | None, job_id: int | None = None) -> tuple[Outcome, object]:
    package = None
    try:
        report, package = grade_submission(work, image, job_id)
    except SubmissionRejected as exc:
        return Outcome(AttemptOutcome.REJECTED, f"{exc.code}: {exc}"), package
    except ExamConfigError as exc:
        return Outcome(AttemptOutcome.CONFIG_ERROR, str(exc)), package
    except SandboxError as exc:
        return Outcome(AttemptOutcome.SANDBOX_ERROR, str(exc)), package
    except Exception as exc:   # noqa: BLE001 - a bug of ours or a lost database: retried, never shown
        log.exception("grading submission %s failed", work.submission_id)
        return Outcome(AttemptOutcome.ERROR, f"{type(exc).__name__}: {exc}"), package
    if not report.infra_ok:
        bad = "; ".join(f"{t.id}: {t.message}" for t in report.tasks if t.status.value == "sandbox_error")
        return Outcome(AttemptOutcome.SANDBOX_ERROR, bad, report), package
    return Outcome(AttemptOutcome.GRADED, None, report), package


ARTIFACT_MAX_BYTES = 8 * 2 ** 20       # one screenshot or executed notebook, well above real ones
ARTIFACTS_MAX_BYTES = 32 * 2 ** 20      # all of one result


def keep_artifacts(artifacts_dir: str | None, task) -> dict[str, str]:
    """Put the task's artifacts into `blobs` (in the caller's transaction), so the board shows
    them whichever machine graded the job: {path under the task's folder: sha256}."""
    if not artifacts_dir:
        return {}
    base = Path(artifacts_dir) / task.id
    kept, total = {}, 0
    for rel in task.artifacts:
        path = base / rel
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > ARTIFACT_MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if total + len(data) > ARTIFACTS_MAX_BYTES:
            break
        total += len(data)
        kept[rel] = blobs.put(data)
    return kept


def run_job(app: Flask, claim: jobs.Claim) -> JobStatus | None:
    """Grade the claimed job and record what happened (one attempt)."""
    with app.app_context():
        work = _work_of(claim.submission_id)
        db.session.close()                 # hold no transaction while grading
        result, package = _attempt(work, app.config.get("SANDBOX_IMAGE"), claim.job_id)
        kwargs = {}
        if result.outcome is AttemptOutcome.GRADED:
            task = next((t for t in result.report.tasks if t.id == work.task_id), None)
            if task is None:
                result = Outcome(AttemptOutcome.ERROR, f"the report has no task {work.task_id}")
            else:
                spec = package.task(work.task_id)
                kwargs = dict(result=task, artifacts_dir=result.report.artifacts_dir,
                              descriptions={t.name: t.description for t in spec.tests},
                              artifact_blobs=keep_artifacts(result.report.artifacts_dir, task))
        status = jobs.finish(claim, result.outcome, detail=result.detail,
                             retry_delay_s=float(app.config["RETRY_DELAY_S"]), **kwargs)
        log.info("job %s (submission %s) attempt %s: %s -> %s", claim.job_id, claim.submission_id,
                 claim.attempt, result.outcome.value, status.value if status else "lost")
        return status


# --------------------------------------------------------------------- one process

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
            status = run_job(self.app, claim)
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

    def _write_row(self, status: WorkerStatus) -> None:
        now = utcnow()
        with self._lock:
            values = dict(host=self.host[:128], queues=",".join(self.queues)[:1024], mode=self.mode,
                          slots=self.slots, busy=len(self._claims), done=self.done, failed=self.failed,
                          status=status, heartbeat_at=now)
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


def board_housekeeping(app: Flask) -> Node:
    """The board's own housekeeping when it grades nothing itself (distributed mode): it
    re-queues jobs of dead workers and resends lost messages even when every worker is down."""
    node = Node(app, 0, [], "board")
    node.start_housekeeping()
    return node


def available_queues(app: Flask, names: list[str] | None = None, client=None) -> list[str]:
    """The queues of the sandbox images this machine's engine has (or of `names`), so the
    worker takes only jobs it can run."""
    if app.config.get("SANDBOX_IMAGE"):
        return [dispatch.queue_for_image(app.config["SANDBOX_IMAGE"])]
    wanted = names or images.definitions()
    client = client or sandbox.get_client()
    tags = [dispatch.image_ref(app, n) for n in wanted]
    return [dispatch.queue_for_image(t) for t in tags if images.image_exists(client, t)]


def register_task(node: Node) -> None:
    cel = dispatch.get_celery(node.app)
    cel.set_default()      # the threads pool looks tasks up on the default app, not the consumer's

    @cel.task(name=dispatch.TASK_NAME, shared=False, acks_late=True, reject_on_worker_lost=True)
    def grade(job_id: int):
        status = node.grade_job(int(job_id))
        return status.value if status else None


class EmbeddedWorker:
    """A Celery worker (threads) inside this process, with the node's housekeeping."""

    def __init__(self, app: Flask, size: int | None = None, queues: list[str] | None = None):
        from celery.worker import WorkController
        self.app = app
        self.size = size or pool.default_slots()
        queues = queues if queues is not None else available_queues(app)
        self.node = Node(app, self.size, queues, "embedded")
        register_task(self.node)
        self._controller = WorkController(app=dispatch.get_celery(app), pool_cls="threads",
                                          concurrency=self.size, queues=queues or ["grade.default"],
                                          hostname=f"embedded@{self.node.name}", without_heartbeat=True,
                                          without_mingle=True, without_gossip=True, optimization="fair")
        self._thread: threading.Thread | None = None

    def start(self) -> "EmbeddedWorker":
        pool.configure(self.size)
        self._thread = threading.Thread(target=self._controller.start, name="practicum-celery", daemon=True)
        self._thread.start()
        with self.app.app_context():
            jobs_sent = dispatch.republish(self.app, 0)   # memory:// starts empty: the rows are the truth
            db.session.remove()
        if jobs_sent:
            log.info("sent %d queued job(s) again after start", len(jobs_sent))
        self.node.start_housekeeping()
        self.app.extensions["practicum.node"] = self.node
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._controller.stop(in_sighandler=False)
        if self._thread is not None:
            self._thread.join(timeout)
        self.node.stop_housekeeping()
        if self.app.extensions.get("practicum.node") is self.node:
            del self.app.extensions["practicum.node"]


def run_worker(app: Flask, concurrency: int | None = None, image_names: list[str] | None = None) -> None:
    """`practicum worker`: a Celery worker process until SIGTERM (warm shutdown: jobs in flight
    finish) or SIGKILL (the reaper re-queues them elsewhere)."""
    size = concurrency or pool.default_slots()
    queues = available_queues(app, image_names)
    if not queues:
        raise SandboxError("no sandbox image on this machine's engine: build one with `practicum image build default`")
    pool.configure(size)
    sandbox.sweep_orphans(sandbox.get_client())
    node = Node(app, size, queues, "celery")
    register_task(node)
    app.extensions["practicum.node"] = node
    node.start_housekeeping()
    cel = dispatch.get_celery(app)
    worker = cel.Worker(pool_cls="threads", concurrency=size, queues=queues, hostname=f"practicum@{node.name}",
                        without_heartbeat=True, without_mingle=True, without_gossip=True, optimization="fair",
                        loglevel="INFO", quiet=True)
    try:
        worker.start()
    finally:
        node.stop_housekeeping()
    code = getattr(worker, "exitcode", 0) or 0
    if code:
        raise SystemExit(code)
