"""The proctor's live dashboard: exam clock, candidates, queue, running sandboxes, verdicts,
faults, worker health; pausing intake and cancelling a runaway job.

Proctors, examiners and admins. The page asks `state.json` every LIVE_POLL_S
seconds (web/pages/static/live.js) and fills itself in; every action is audited.
"""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for

from ..services import candidate_record, disk, exams, monitor, worker_tokens
from ..services.cancel import cancel_job
from ..services.clock import epoch_ms
from ..storage.db import db
from ..storage.models import Exam, Job, Submission, WorkerToken
from .confirm import ask
from .i18n import get_lang, local, t
from .labels import task_title
from .policy import EXAMINERS, FLOOR, audit, check_role

bp = Blueprint("proctor", __name__, url_prefix="/staff/proctor")
PAGE = 200


@bp.before_request
def _floor_staff_only() -> None:
    check_role(FLOOR)


def _exam(exam_id: int) -> Exam:
    return db.session.get(Exam, exam_id) or abort(404)


def gather(exam: Exam) -> dict:
    """Everything the dashboard shows, as plain data (the page and state.json share it)."""
    which = request.args.get("show", "all")
    which = which if which in monitor.FILTERS else "all"
    page = max(0, request.args.get("page", 0, type=int))
    now, cfg = monitor.now(), current_app.config
    lines, total = monitor.candidate_lines(exam.id, which, page * PAGE, PAGE)
    running = monitor.running_jobs(now, cfg["RUNAWAY_AFTER_S"])
    depth = monitor.queue_depth(exam.id)
    verdicts = monitor.verdicts(exam.id, now, cfg["FAULT_WINDOW_S"])
    workers = monitor.workers(cfg["WORKER_LATE_S"], cfg["WORKER_CRITICAL_S"], running)
    fault_lines = monitor.faults(exam.id, now, cfg["FAULT_WINDOW_S"])
    usage = disk.usage(Path(cfg["STORE_DIR"]), (Path(cfg["ARTIFACTS_DIR"]),), cfg["DISK_CACHE_S"])
    by_key = {e.key: e for e in exams.all_exams()} if running else {}    # the running table spans exams
    return {"now_ms": epoch_ms(now), "window": exams.window(exam).state(now).value, "paused": exam.intake_paused,
            "counts": monitor.submission_counts(exam.id), "queue": depth, "verdicts": verdicts,
            "running": [{**asdict(j), "elapsed": _span(j.elapsed_s), "task_title": task_title(by_key.get(j.exam), j.task),
                         "exam_title": by_key[j.exam].title(get_lang()) if j.exam in by_key else j.exam,
                         "candidate_url": url_for("proctor.candidate", exam_id=exam.id, user_id=j.candidate_id)
                         if j.exam == exam.key else "",
                         "cancel_url": url_for("proctor.cancel", job_id=j.job_id)} for j in running],
            "workers": None if workers is None else [worker_json(exam, w) for w in workers],
            "alerts": [alert_json(level, key, params)
                       for level, key, params in monitor.alerts(verdicts, running, workers, depth, fault_lines)
                       + store_alerts(usage)],
            "disk": disk_json(usage),
            "faults": [fault_json(f, exam) for f in fault_lines],
            "candidates": [{**asdict(c), "last_activity": local(c.last_activity) if c.last_activity else "",
                            "status": c.status or "none",
                            "url": url_for("proctor.candidate", exam_id=exam.id, user_id=c.id),
                            "status_label": t(f"status.{c.status}") if c.status else t("proctor.not_submitted")}
                           for c in lines],
            "total": total, "which": which, "page": page, "more": (page + 1) * PAGE < total}


def store_alerts(usage: disk.DiskUsage) -> list[tuple[str, str, dict]]:
    cfg = current_app.config
    found = disk.alert(usage, cfg["DISK_WARN_FREE_PERCENT"], cfg["DISK_CRITICAL_FREE_PERCENT"])
    return [found] if found else []


def disk_json(usage: disk.DiskUsage) -> dict:
    return {"text": t("proctor.disk", used=disk.human(usage.used), total=disk.human(usage.total),
                      free=disk.human(usage.free), percent=f"{usage.free_percent:.1f}", board=disk.human(usage.board)),
            "free_percent": round(usage.free_percent, 1)}


def worker_json(exam: Exam, w: monitor.WorkerLine) -> dict:
    """A worker row; one reaching the board with a live token gets the revoke button."""
    live = w.token_id is not None and not w.token_revoked
    return {**asdict(w), "token_text": f"{w.token} ({t('proctor.revoked')})" if w.token_revoked else w.token,
            "revoke_url": url_for("proctor.revoke_token", exam_id=exam.id, token_id=w.token_id) if live else ""}


def cause_text(cause: str) -> str:
    return t(f"cause.{cause}")


def alert_json(level: str, key: str, params: dict) -> dict:
    """An alert as the page shows it; fault alerts name their causes and link to the faults table."""
    if "causes" in params:
        params = {**params, "causes": "、".join(cause_text(c) for c in params["causes"]) if get_lang() == "zh"
                  else ", ".join(cause_text(c) for c in params["causes"])}
    linked = key in ("alert.faults", "alert.failed_jobs")
    return {"level": level, "text": t(key, **params), "href": "#faults" if linked else "",
            "link": t("proctor.see_faults") if linked else ""}


def fault_json(f: monitor.FaultLine, exam: Exam) -> dict:
    return {**asdict(f), "ended_at": local(f.ended_at) if f.ended_at else "", "cause_label": cause_text(f.cause),
            "task_title": task_title(exam, f.task),
            "candidate_url": url_for("proctor.candidate", exam_id=exam.id, user_id=f.candidate_id),
            "state": "resolved" if f.resolved else f.job_status,
            "state_label": t("fault.resolved") if f.resolved else t(f"fault.{f.job_status}"),
            "job_url": _job_url(f.submission_id)}


def _job_url(submission_id: int) -> str:
    """Where staff read a job's attempts: the examiner's submission page (examiners and admins)."""
    return url_for("examiner.submission", sid=submission_id) if g.user.role in EXAMINERS else ""


def _span(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


@bp.get("/")
def index():
    all_exams = exams.all_exams()
    if len(all_exams) == 1:
        return redirect(url_for("proctor.dashboard", exam_id=all_exams[0].id))
    return render_template("proctor/index.html", exams=all_exams)


@bp.get("/<int:exam_id>")
def dashboard(exam_id: int):
    exam = _exam(exam_id)
    return render_template("proctor/dashboard.html", exam=exam, s=gather(exam), page_size=PAGE,
                           poll_s=current_app.config["LIVE_POLL_S"],
                           start_ms=epoch_ms(exam.window_start), end_ms=epoch_ms(exam.window_end))


@bp.get("/<int:exam_id>/candidates/<int:user_id>")
def candidate(exam_id: int, user_id: int):
    """One candidate: their uploads and results, faults, sign-ins (a row of the dashboard opens it)."""
    exam = _exam(exam_id)
    user = candidate_record.candidate_of(exam, user_id) or abort(404)
    rec = candidate_record.record(exam, user, monitor.now(), current_app.config["FAULT_WINDOW_S"])
    return render_template("proctor/candidate.html", exam=exam, rec=rec,
                           faults=[fault_json(f, exam) for f in rec.faults],
                           examiner=g.user.role in EXAMINERS)


@bp.get("/<int:exam_id>/state.json")
def state(exam_id: int):
    return jsonify(gather(_exam(exam_id)))


@bp.post("/<int:exam_id>/pause")
def pause(exam_id: int):
    return _set_paused(_exam(exam_id), True)


@bp.post("/<int:exam_id>/resume")
def resume(exam_id: int):
    return _set_paused(_exam(exam_id), False)


def _set_paused(exam: Exam, paused: bool):
    if (page := ask("confirm.pause" if paused else "confirm.resume", exam=exam.title(get_lang()))) is not None:
        return page
    exam.intake_paused = paused
    db.session.commit()
    audit("intake_pause" if paused else "intake_resume", exam.key)
    return redirect(url_for("proctor.dashboard", exam_id=exam.id), 303)


@bp.post("/jobs/<int:job_id>/cancel")
def cancel(job_id: int):
    """Cancel a queued or running job; a running one's sandboxes are killed (they carry its id)."""
    job = db.session.get(Job, job_id) or abort(404)
    sub = db.session.get(Submission, job.submission_id)
    if (page := ask("confirm.cancel", job=job_id, candidate=sub.candidate.username, task=sub.task_id)) is not None:
        return page
    exam_id = sub.exam_id
    done = cancel_job(job_id)
    audit("job_cancel", str(job_id), was=done.was.value if done.was else None, killed=done.killed, error=done.error)
    return redirect(url_for("proctor.dashboard", exam_id=exam_id, cancelled=job_id if done.was else None), 303)


@bp.post("/<int:exam_id>/worker-tokens/<int:token_id>/revoke")
def revoke_token(exam_id: int, token_id: int):
    """Revoke a worker machine's token: refused from its next call on (its jobs are reaped and
    graded elsewhere). Made again only on the board machine (`practicum worker-token create`)."""
    exam = _exam(exam_id)
    row = db.session.get(WorkerToken, token_id) or abort(404)
    if (page := ask("confirm.revoke_token", name=row.name)) is not None:
        return page
    worker_tokens.revoke(row.id, actor=g.user.username)
    audit("worker_token_revoked", row.name)
    return redirect(url_for("proctor.dashboard", exam_id=exam.id, revoked=row.name), 303)
