"""Grade one submission of one exam: intake, then each task, then one report."""
from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import exam_data, images, messages, sandbox, speed
from .intake import Intake, TaskFiles, accept
from .manifest import Exam
from .models import GradeReport, TaskResult, TimeScale, round_score
from .runner import grade_tasks
from .scoring import missing_task
from .store import Store


def resolve_image(exam: Exam) -> str:
    return images.ensure_image(sandbox.get_client(), exam.image)


def prepare_exam(exam: Exam, image: str, progress=None) -> Exam:
    """The exam with its generated data in place (no-op for packages without a generator)."""
    return exam_data.prepare(exam, image, progress=progress)


def tasks_to_grade(exam: Exam, intake: Intake, only: str | None):
    """A single file, or `--task`, grades that task alone; a zip or folder grades the
    whole exam, scoring what is missing as 0."""
    if only is not None or intake.ref.kind == "file":
        return [t for t in exam.tasks if t.id in intake.tasks]
    return [t for t in exam.tasks if t.id in intake.tasks or t.id in intake.missing]


def time_scale_for(exam: Exam, image: str, worker: speed.WorkerSpeed | None = None,
                   progress=None) -> TimeScale:
    """The factor this worker applies to the exam's time limits (calibrating once if needed)."""
    measured = worker or speed.worker_speed(image, progress=progress)
    return speed.time_scale(exam.reference_speed, measured)


def grade_intake(exam: Exam, intake: Intake, *, image: str, lang: str, only: str | None = None,
                 artifacts: Path | None = None, parallel_tasks: int = 1, progress=None,
                 job: str | None = None, scale: TimeScale | None = None, extra: float = 1.0,
                 worker: speed.WorkerSpeed | None = None) -> GradeReport:
    """Grade what intake accepted. Time limits are scaled by `scale` (from `worker`, or
    this process's measured speed, when not given) and by `extra` on top (prove's
    headroom runs)."""
    t0 = time.monotonic()
    scale = scale or time_scale_for(exam, image, worker, progress=progress)
    exam = speed.scale_exam(exam, scale, extra)
    wanted = tasks_to_grade(exam, intake, only)
    handed_in = [(t, intake.tasks[t.id]) for t in wanted if t.id in intake.tasks]
    graded = grade_tasks(exam, handed_in, image=image, artifacts=artifacts, lang=lang, parallel=parallel_tasks,
                         progress=progress, job=job)
    results = [_noted(graded[t.id], intake.tasks[t.id], lang) if t.id in graded
               else missing_task(t, lang) for t in wanted]
    return GradeReport(
        exam=exam.id, submission=intake.ref,
        score=round_score(sum(r.score for r in results)),
        max_score=round_score(sum(r.max_score for r in results)),
        duration_s=round(time.monotonic() - t0, 3), tasks=tuple(results),
        artifacts_dir=str(artifacts) if artifacts else None,
        infra_ok=all(r.status.value != "sandbox_error" for r in results),
        time_scale=scale if extra == 1.0 else dataclasses.replace(scale, factor=round(scale.factor * extra, 4)),
    )


def _run_stamp() -> str:
    """Unique to this grading run: UTC time to the microsecond and the process id."""
    now = datetime.now(timezone.utc)
    return f"{now:%Y%m%dT%H%M%S%f}-{os.getpid()}"


def _noted(result: TaskResult, files: TaskFiles, lang: str) -> TaskResult:
    """The task's feedback, with a note naming what intake changed on the way: scripts
    converted from GBK, notebooks whose changed cell types were normalised."""
    notes = [(key, names) for key, names in (("converted_gbk", files.converted),
                                             ("repaired_notebook", files.repaired)) if names]
    if not notes:
        return result
    note = {code: " ".join(messages.text(key, code, files=", ".join(names)) for key, names in notes)
            for code in messages.LANGS}
    return dataclasses.replace(
        result, message=f"{result.message} {note.get(lang, note['en'])}",
        messages=tuple((code, f"{text} {note.get(code, note['en'])}") for code, text in result.messages))


def grade_path(exam: Exam, source: Path, *, store: Store, task: str | None = None, lang: str = "en",
               artifacts_root: Path | None = None, image: str | None = None,
               parallel_tasks: int = 1, progress=None, job: str | None = None,
               scale: TimeScale | None = None, extra: float = 1.0,
               worker: speed.WorkerSpeed | None = None, submission_id: str | None = None) -> GradeReport:
    """Accept `source` (raises SubmissionRejected, after storing it) and grade it.

    Artifacts go to `artifacts_root/<submission_id>`: one folder per submission, never
    per content hash, since two candidates may hand in the same bytes (a batch names
    the folder after the candidate). Without an id the folder is
    `<first 16 hex of the sha256>-<this run's UTC time and process>`, new for every run.
    """
    image = image or resolve_image(exam)
    exam = prepare_exam(exam, image, progress=progress)
    with tempfile.TemporaryDirectory(prefix="practicum-intake-") as work:
        intake = accept(Path(source), exam, store, task=task, workdir=Path(work))
        folder = submission_id or f"{intake.ref.sha256[:16]}-{_run_stamp()}"
        artifacts = artifacts_root / folder if artifacts_root else None
        if progress:
            progress(f"accepted {intake.ref.filename} (sha256 {intake.ref.sha256[:12]}): "
                     f"{len(intake.tasks)} task(s) handed in")
        return grade_intake(exam, intake, image=image, lang=lang, only=task, artifacts=artifacts,
                            parallel_tasks=parallel_tasks, progress=progress, job=job, scale=scale, extra=extra,
                            worker=worker)
