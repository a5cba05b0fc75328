"""`prove` from the examiner's page: a background thread, its outcome kept as a `ProveRun`.

The thread reads the package afresh (the rubric may have changed), calls
`grader.prove.prove` and records every solution's score and problems. A run
whose thread is gone (the board restarted) is marked interrupted when looked at.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import Flask

from grader.errors import ExamConfigError, PracticumError
from grader.manifest import load_exam
from grader.prove import prove

from ..storage.db import db, utcnow
from ..storage.models import Exam, ProveRun, ProveStatus

log = logging.getLogger("practicum.prove")
_lock = threading.Lock()


def _live(app: Flask) -> dict[int, threading.Thread]:
    return app.extensions.setdefault("practicum.prove_threads", {})


def start(app: Flask, exam: Exam, actor: str, only: str | None = None) -> ProveRun:
    """Start a run in a thread of `app` (it records the outcome in that app's database), or
    return the exam's run still going (one at a time: each fills the sandboxes)."""
    going = next((r for r in runs(exam.id, 3) if refresh(app, r).status is ProveStatus.RUNNING), None)
    if going is not None:
        return going
    run = ProveRun(exam_id=exam.id, status=ProveStatus.RUNNING, only=only or None, actor=actor, log="")
    db.session.add(run)
    db.session.commit()
    thread = threading.Thread(target=_run, args=(app, run.id, exam.package_path, only or None),
                              name=f"practicum-prove-{run.id}", daemon=True)
    with _lock:
        _live(app)[run.id] = thread
    thread.start()
    return run


def _run(app: Flask, run_id: int, package_path: str, only: str | None) -> None:
    lines: list[str] = []
    outcome, error, status = None, None, ProveStatus.ERROR
    try:
        result = prove(load_exam(Path(package_path)), only=only, progress=lines.append)
        outcome = result.to_json()
        status = ProveStatus.PASSED if result.ok else ProveStatus.FAILED
    except ExamConfigError as exc:
        error = "\n".join(f"{p.file}  {p.field}  {p.message}".strip() for p in exc.problems)
    except PracticumError as exc:
        error = exc.show("en")
    except Exception as exc:   # noqa: BLE001 - a bug of ours: logged, shown to the examiner
        log.exception("prove run %s", run_id)
        error = f"{type(exc).__name__}: {exc}"
    try:
        with app.app_context():
            run = db.session.get(ProveRun, run_id)
            run.status, run.outcome, run.error = status, outcome, error
            run.log, run.finished_at = "\n".join(lines)[-20000:], utcnow()
            db.session.commit()
            db.session.remove()
    finally:
        with _lock:
            _live(app).pop(run_id, None)


def refresh(app: Flask, run: ProveRun) -> ProveRun:
    """Mark a run whose thread is not alive in `app`'s process as interrupted."""
    if run.status is ProveStatus.RUNNING:
        with _lock:
            thread = _live(app).get(run.id)
        if thread is None or not thread.is_alive():
            db.session.refresh(run)
            if run.status is ProveStatus.RUNNING:          # it did not finish meanwhile
                run.status, run.finished_at = ProveStatus.INTERRUPTED, utcnow()
                db.session.commit()
    return run


def runs(exam_id: int, limit: int = 10) -> list[ProveRun]:
    return list(db.session.scalars(db.select(ProveRun).where(ProveRun.exam_id == exam_id)
                                   .order_by(ProveRun.id.desc()).limit(limit)))
