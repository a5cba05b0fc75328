"""One claimed job, graded: the body of the Celery task, the same in both modes.

Read what the job names (submission, exam package by content hash), fetch the
upload by hash (from this machine's store, else the board through the gateway,
cached per worker), lay it out with the engine's intake (nothing stored or
recorded again: the board's upload did that once), grade it exactly as
`practicum grade` does, and finish the job through the gateway with its result
and artifacts (idempotent: a lost claim writes nothing). Candidate code runs only
in the engine's Docker sandboxes; every sandbox of a job carries the job's id as
its label, so a cancel can kill them.
"""
from __future__ import annotations

import functools
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from grader import grading, intake
from grader.errors import ExamConfigError, FaultCause, SandboxError, SubmissionRejected, cause_of, cause_of_text
from grader.manifest import Exam as Package
from grader.manifest import load_exam
from grader.models import GradeReport
from grader.speed import WorkerSpeed
from grader.store import Store

from ..storage import content
from ..storage.content import artifacts_root, get_store, safe_filename, scratch
from ..storage.models import AttemptOutcome
from .gateway import ARTIFACT_MAX_BYTES, ARTIFACTS_MAX_BYTES, Claim, Finish, Finished, Gateway, Work, result_values

log = logging.getLogger("practicum.worker")


@dataclass(frozen=True)
class Outcome:
    outcome: AttemptOutcome
    detail: str | None = None
    report: GradeReport | None = None
    cause: FaultCause | None = None     # an infrastructure fault's category (staff pages)


def _package(gateway: Gateway, claim: Claim, work: Work):
    """The exam package as the job saw it when queued: by hash from the board, so a worker on
    another machine needs no shared disk; a board without packed packages (older rows) uses
    its folder."""
    if work.package_sha256:
        return _package_by_hash(work.package_sha256, gateway.package(claim, work.package_sha256))
    return load_exam(work.package_path)


@functools.lru_cache(maxsize=16)
def _package_by_hash(sha256: str, folder: Path):
    """A package by content hash never changes: read (and its tests discovered) once per process."""
    return load_exam(folder)


def grade_accepted(package: Package, source: Path, *, store: Store, task: str | None = None, lang: str = "en",
                   artifacts_root: Path | None = None, image: str | None = None,
                   job: str | None = None, sha256: str | None = None,
                   worker: WorkerSpeed | None = None) -> GradeReport:
    """`grader.grading.grade_path` for a file the board's intake accepted already: the same
    image, exam data, artifacts folder and grading, with `intake.open_accepted` in place of a
    second `accept` (the store keeps one record per submission). `store` is unused, kept so the
    two are called alike."""
    image = image or grading.resolve_image(package)
    package = grading.prepare_exam(package, image)
    sha256 = sha256 or content.sha256_of(source)
    with scratch("intake-") as work:
        taken = intake.open_accepted(source, package, name=Path(source).name, sha256=sha256, task=task,
                                     workdir=work)
        artifacts = artifacts_root / sha256[:16] if artifacts_root else None
        return grading.grade_intake(package, taken, image=image, lang=lang, only=task, artifacts=artifacts,
                                    job=job, worker=worker)


def grade_submission(work: Work, image: str | None, job_id: int | None = None,
                     worker: WorkerSpeed | None = None, *, gateway: Gateway, claim: Claim) -> tuple[GradeReport, object]:
    """Grade one stored submission the way `practicum grade EXAM FILE --task T` does, with the
    time limits scaled to `worker` (this process's measured speed).
    Each job keeps its own artifacts, so a regrade does not overwrite the ones before."""
    package = _package(gateway, claim, work)
    store = get_store()
    local = store.path_of(work.sha256)
    source_file = local if local.is_file() else gateway.blob(claim, work.sha256)
    artifacts = artifacts_root(work.submission_id) / (f"job-{job_id}" if job_id is not None else "")
    with scratch("grade-") as tmp:
        src = tmp / safe_filename(work.filename)
        shutil.copyfile(source_file, src)
        report = grade_accepted(package, src, store=store, task=work.task_id, lang=work.lang,
                                artifacts_root=artifacts, image=image,
                                job=str(job_id) if job_id is not None else None, sha256=work.sha256,
                                worker=worker)
    return report, package


def _attempt(work: Work, image: str | None, job_id: int | None = None,
             worker: WorkerSpeed | None = None, *, gateway: Gateway, claim: Claim) -> tuple[Outcome, object]:
    package = None
    try:
        report, package = grade_submission(work, image, job_id, worker, gateway=gateway, claim=claim)
    except SubmissionRejected as exc:
        return Outcome(AttemptOutcome.REJECTED, f"{exc.code}: {exc}"), package
    except ExamConfigError as exc:
        return Outcome(AttemptOutcome.CONFIG_ERROR, str(exc)), package
    except SandboxError as exc:
        log.warning("grading submission %s: %s (%s)", work.submission_id, exc, cause_of(exc).value)
        return Outcome(AttemptOutcome.SANDBOX_ERROR, str(exc), cause=cause_of(exc)), package
    except Exception as exc:   # noqa: BLE001 - the engine's SDK, the disk, a bug of ours: retried, never shown
        cause = cause_of(exc)
        log.exception("grading submission %s failed (%s)", work.submission_id, cause.value)
        outcome = AttemptOutcome.ERROR if cause is FaultCause.INTERNAL else AttemptOutcome.SANDBOX_ERROR
        return Outcome(outcome, f"{type(exc).__name__}: {exc}", cause=cause), package
    if not report.infra_ok:
        bad = "; ".join(f"{t.id}: {t.infra_error or t.message}" for t in report.tasks
                        if t.status.value == "sandbox_error")
        log.warning("grading submission %s: %s", work.submission_id, bad)
        return Outcome(AttemptOutcome.SANDBOX_ERROR, bad, report, cause_of_text(bad)), package
    return Outcome(AttemptOutcome.GRADED, None, report), package


def read_artifacts(artifacts_dir: str | None, task) -> dict[str, bytes]:
    """The task's artifacts as bytes, to be sent with the result, within the caps
    (`ARTIFACT_MAX_BYTES` each, `ARTIFACTS_MAX_BYTES` in all; the board checks them again):
    {path under the task's folder: bytes}."""
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
        kept[rel] = data
    return kept


def _finish_of(result: Outcome, work: Work, package) -> Finish:
    """What the worker reports: the outcome, and for a graded task its result and artifacts."""
    if result.outcome is not AttemptOutcome.GRADED:
        return Finish(result.outcome, result.detail, result.cause)
    task = next((t for t in result.report.tasks if t.id == work.task_id), None)
    if task is None:
        return Finish(AttemptOutcome.ERROR, f"the report has no task {work.task_id}")
    spec = package.task(work.task_id)
    values = result_values(task, artifacts_dir=result.report.artifacts_dir,
                           descriptions={t.name: t.description for t in spec.tests},
                           time_scale=result.report.time_scale)
    return Finish(AttemptOutcome.GRADED, result=values, artifacts=read_artifacts(result.report.artifacts_dir, task))


def run_job(app: Flask, claim: Claim, worker: WorkerSpeed | None = None,
            gateway: Gateway | None = None) -> Finished:
    """Grade the claimed job and record what happened (one attempt) through `gateway` (default:
    the database), with the time limits scaled to `worker` (measured when the node started;
    measured now when None)."""
    if gateway is None:
        from .direct import DatabaseGateway     # only the board's own threads: a worker machine has no database
        gateway = DatabaseGateway(app)
    work = gateway.work_of(claim)
    with app.app_context():                 # settings and store of this machine; no database session
        result, package = _attempt(work, app.config.get("SANDBOX_IMAGE"), claim.job_id, worker,
                                   gateway=gateway, claim=claim)
        fin = _finish_of(result, work, package)
    done = gateway.finish(claim, fin)
    log.info("job %s (submission %s) attempt %s: %s -> %s", claim.job_id, claim.submission_id,
             claim.attempt, fin.outcome.value, done.status.value if done.status else "lost")
    return done
