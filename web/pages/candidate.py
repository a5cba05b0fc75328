"""The candidate's pages: the exam, uploads, receipts, results, history, live status."""
from __future__ import annotations

from dataclasses import dataclass

from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, g, jsonify, redirect, render_template,
                   request, send_file, url_for)
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from grader import messages
from grader.errors import PracticumError
from grader.manifest import SUFFIX, Task
from grader.models import SubmissionKind

from ..services import counting, exams, kits, submissions, waiting
from ..services.clock import WindowState, epoch_ms, utcnow
from ..services.events import status_stream
from ..services.submissions import Quota, UploadRefused
from ..services.visibility import ResultView, candidate_view
from ..storage.models import Role, Submission, SubmissionStatus
from . import uploads
from .i18n import get_lang, local, t
from .policy import check_role

bp = Blueprint("candidate", __name__)
bp.register_error_handler(RequestEntityTooLarge, uploads.too_large)


@bp.before_request
def _candidates_only() -> None:
    check_role({Role.CANDIDATE})


@dataclass(frozen=True)
class Counted:
    """What the candidate reads about the submission that counts for a task."""

    submission: Submission | None     # None: nothing graded yet, or not shown (see `hidden`)
    view: ResultView | None
    rule: str                         # the rule, in words
    hidden: bool                      # which one counts depends on scores still withheld


@dataclass(frozen=True)
class TaskCard:
    task: Task
    title: str
    statement: Markup
    accept: str                # the file input's accept attribute
    quota: Quota
    latest: Submission | None
    counted: Counted
    error: str | None


@dataclass(frozen=True)
class Total:
    score: float | None        # None: some counted score is withheld until publication
    max_score: float


def accept_attr(task: Task) -> str:
    return ",".join([SUFFIX[k] for k in task.accepts if k is not SubmissionKind.PROJECT] + [".zip"])


def rule_text(exam, task_id: str) -> str:
    policy = counting.policy_for(exam, task_id)
    if policy is counting.Policy.BEFORE_DEADLINE:
        until = counting.deadline(exam)
        return t("count.before_deadline", time=local(until)) if until else t("count.last")
    return t(f"count.{policy.value}")


def counted_by_task(exam, subs: list[Submission]) -> dict[str, Counted]:
    """The counted submission of each task of the candidate's, as they may see it: under the
    `best` rule the choice is not shown while any of the task's scores is withheld."""
    chosen = {task: c.submission_id for (_, task), c in counting.counted(exam, g.user.id).items()}
    by_id = {s.id: s for s in subs}
    views = {s.id: result_view(s) for s in subs}
    out = {}
    for task in exams.package(exam).tasks:
        sub = by_id.get(chosen.get(task.id))
        withheld = any(views[s.id] is not None and views[s.id].withheld for s in subs if s.task_id == task.id)
        hidden = sub is not None and withheld and counting.depends_on_scores(exam, task.id)
        shown = None if hidden else sub
        out[task.id] = Counted(shown, views[shown.id] if shown else None, rule_text(exam, task.id), hidden)
    return out


def total_of(exam, counted: dict[str, Counted]) -> Total:
    package = exams.package(exam)
    parts = [c for c in counted.values() if c.submission is not None or c.hidden]
    if any(c.hidden or c.view is None or c.view.withheld for c in parts):
        return Total(None, package.max_score)
    return Total(round(sum(c.view.score for c in parts), 4), package.max_score)


def _cards(exam, errors: dict[str, str] | None = None) -> tuple[list[TaskCard], Total]:
    lang, now = get_lang(), utcnow()
    subs = submissions.history(g.user.id, exam.id)
    latest: dict[str, Submission] = {}
    for sub in subs:
        latest.setdefault(sub.task_id, sub)
    counted = counted_by_task(exam, subs)
    cards = [TaskCard(task=task, title=task.title.get(lang), statement=exams.statement_html(exam, task.id, lang),
                      accept=accept_attr(task), quota=submissions.quota(exam, g.user.id, task.id, now),
                      latest=latest.get(task.id), counted=counted[task.id], error=(errors or {}).get(task.id))
             for task in exams.package(exam).tasks]
    return cards, total_of(exam, counted)


def _exam_page(errors: dict[str, str] | None = None, status: int = 200):
    exam = g.user.exam
    if exam is None:
        return render_template("candidate/no_exam.html"), status
    window = exams.window(exam)
    cards, total = _cards(exam, errors)
    return render_template("candidate/exam.html", exam=exam, cards=cards, total=total,
                           state=window.state(utcnow()).value,
                           upload_limit=uploads.mib(int(current_app.config["UPLOAD_MAX_BYTES"])),
                           start_ms=epoch_ms(exam.window_start), end_ms=epoch_ms(exam.window_end)), status


@bp.get("/exam")
def exam():
    return _exam_page()


@bp.post("/exam/<task_id>/upload")
def upload(task_id: str):
    exam = g.user.exam
    if exam is None:
        abort(404)
    try:
        task = exams.package(exam).task(task_id)
    except KeyError:
        abort(404)
    try:
        upload = request.files.get("file")
        sub = submissions.take_upload(exam, g.user, task, upload.filename if upload else None,
                                      lambda path: upload.save(path), get_lang(), uploads.rules(current_app.config))
    except UploadRefused as exc:
        return _exam_page({task.id: t(exc.key, **exc.params)}, exc.status)
    if sub.status is SubmissionStatus.REJECTED and not sub.sha256:      # over the limit: nothing kept
        return uploads.refused_page(rejection_text(sub), task.id, 413)
    if sub.status is SubmissionStatus.REJECTED:
        return _exam_page({task.id: rejection_text(sub)}, 400)
    return redirect(url_for("candidate.submission", sid=sub.id, new=1), 303)


@bp.get("/exam/<task_id>/kit.zip")
def kit(task_id: str):
    """The task's starter files and public data (the CLI's `exam pack --task` bytes), once the exam opened."""
    exam = g.user.exam
    if exam is None:
        abort(404)
    if exams.window(exam).state(utcnow()) is WindowState.NOT_STARTED:
        abort(403)
    try:
        path = kits.kit_path(exam, task_id, Path(current_app.instance_path) / "kits",
                             current_app.config.get("SANDBOX_IMAGE"))
    except KeyError:
        abort(404)
    except PracticumError:
        current_app.logger.exception("the kit of %s/%s could not be built", exam.key, task_id)
        return render_template("error.html", code=503, message=t("kit.unavailable")), 503
    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"{exam.key}-{task_id}-kit.zip", max_age=0)


def rejection_text(sub: Submission) -> str:
    if sub.reject_code == "too_large" and not sub.sha256:
        return uploads.too_large_text(sub)
    try:
        return messages.text(sub.reject_code, get_lang(), **(sub.reject_params or {}))
    except (KeyError, IndexError, ValueError):
        return t("upload.rejected")


def result_view(sub: Submission) -> ResultView | None:
    r = sub.result
    if r is None or sub.status is not SubmissionStatus.GRADED:
        return None
    lang = get_lang()
    return candidate_view(score=r.score, max_score=r.max_score, status=r.status, message=r.message,
                          tests=r.tests or [], published=sub.exam.published, lang=lang,
                          titles=check_titles(sub.exam, sub.task_id, lang), messages=r.messages)


def check_titles(exam, task_id: str, lang: str) -> dict[str, str]:
    """Each check's title in `lang`, from the exam's package (its docstring's `zh:` line for Chinese)."""
    try:
        task = exams.package(exam).task(task_id)
    except KeyError:
        return {}
    return {spec.name: spec.title(lang) for spec in task.tests}


def _owned_or_404(sid: int) -> Submission:
    sub = submissions.owned(g.user.id, sid)
    if sub is None:
        abort(404)
    return sub


@bp.get("/submissions")
def history():
    subs = submissions.history(g.user.id)
    exam = g.user.exam
    counted = counted_by_task(exam, [s for s in subs if s.exam_id == exam.id]) if exam is not None else {}
    return render_template("candidate/history.html", subs=subs, views={s.id: result_view(s) for s in subs},
                           task_titles=_titles(exam), counted=counted,
                           counted_ids={c.submission.id for c in counted.values() if c.submission},
                           total=total_of(exam, counted) if exam is not None else None)


def _titles(exam) -> dict[str, str]:
    if exam is None:
        return {}
    return {task.id: task.title.get(get_lang()) for task in exams.package(exam).tasks}


def wait_text(sub: Submission) -> list[str]:
    """The receipt's lines on the queue: the place, and the expected wait when it can be told."""
    wait = waiting.wait_for(sub.id, utcnow()) if sub.status is SubmissionStatus.QUEUED else None
    if wait is None:
        return []
    lines = [t("wait.position", position=wait.position, running=wait.running)]
    if wait.estimate_s is None:
        return lines + [t("wait.no_estimate")]
    return lines + [t("wait.estimate", n=wait.sample, mean=duration(wait.mean_s), eta=duration(wait.estimate_s))]


def duration(seconds: float) -> str:
    """Under a minute in seconds, else whole minutes rounded up: a wait is never promised short."""
    if seconds < 60:
        return t("wait.seconds", n=max(1, round(seconds)))
    return t("wait.minutes", n=-(-int(seconds) // 60))


@bp.get("/submissions/<int:sid>")
def submission(sid: int):
    sub = _owned_or_404(sid)
    return render_template("candidate/submission.html", sub=sub, view=result_view(sub), wait=wait_text(sub),
                           wait_poll_s=current_app.config["WAIT_POLL_S"],
                           rejection=rejection_text(sub) if sub.status is SubmissionStatus.REJECTED else None,
                           task_title=_titles(sub.exam).get(sub.task_id, sub.task_id),
                           new=request.args.get("new") == "1")


@bp.get("/submissions/<int:sid>/wait")
def submission_wait(sid: int):
    """The receipt's queue lines, asked again while it waits (app.js): [] once it is claimed."""
    return jsonify(id=sid, lines=wait_text(_owned_or_404(sid)))


@bp.get("/submissions/<int:sid>/status")
def submission_status(sid: int):
    sub = _owned_or_404(sid)
    return jsonify(id=sub.id, task=sub.task_id, status=sub.status.value)


@bp.get("/events")
def events():
    cfg = current_app.config
    stream = status_stream(current_app._get_current_object(), g.user.id, poll_s=cfg["SSE_POLL_S"],
                           keepalive_s=cfg["SSE_KEEPALIVE_S"], max_s=cfg["SSE_MAX_S"], exam_id=g.user.exam_id)
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
