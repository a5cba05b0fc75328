"""Examiner pages: submissions of an exam, one submission with its jobs and result history,
its artifacts (from the grading worker's blobs), regrading it, its Gradescope JSON."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from grader.report import to_gradescope

from ...grading import jobs
from ...services import artifacts, exams
from ...services.exports import report_of
from ...services.regrade import RegradeRefused, regrade
from ...storage.content import safe_filename
from ...storage.db import db
from ...storage.models import Job, Result, Submission, User
from ..confirm import ask
from ..i18n import t
from ..policy import audit
from . import bp, exam_or_404
from .exam import exam_page

PAGE = 100


@bp.get("/exams/<int:exam_id>/submissions")
def submissions(exam_id: int):
    exam = exam_or_404(exam_id)
    task, number = request.args.get("task") or None, (request.args.get("q") or "").strip() or None
    page = max(0, request.args.get("page", 0, type=int))
    q = (select(Submission, User.username, Result.score, Result.max_score, Result.status)
         .join(User, User.id == Submission.candidate_id).outerjoin(Result, Result.submission_id == Submission.id)
         .where(Submission.exam_id == exam.id))
    if task:
        q = q.where(Submission.task_id == task)
    if number:
        q = q.where(User.username == number)
    rows = db.session.execute(q.order_by(Submission.id.desc()).offset(page * PAGE).limit(PAGE)).all()
    return render_template("examiner/submissions.html", exam=exam, rows=rows, page=page, task=task, q=number,
                           tasks=[x.id for x in exams.package(exam).tasks], more=len(rows) == PAGE)


def _submission_or_404(sid: int) -> Submission:
    return db.session.get(Submission, sid) or abort(404)


@bp.get("/submissions/<int:sid>")
def submission(sid: int):
    sub = _submission_or_404(sid)
    job_rows = list(db.session.scalars(select(Job).where(Job.submission_id == sid).order_by(Job.id.desc())))
    return render_template("examiner/submission.html", sub=sub, result=jobs.result_of(sid),
                           history=jobs.history_of(sid), jobs=job_rows, active=jobs.active_job(sid),
                           regraded=request.args.get("regraded", type=int))


@bp.post("/submissions/<int:sid>/regrade")
def regrade_submission(sid: int):
    sub = _submission_or_404(sid)
    if (page := ask("confirm.regrade_submission", sid=sid, candidate=sub.candidate.username)) is not None:
        return page
    try:
        n = regrade(sub.exam, submission_id=sid)
    except RegradeRefused as exc:
        audit("regrade_refused", sub.exam.key, submission=sid, problems=len(exc.problems))
        return exam_page(sub.exam, exc.problems, 400)
    audit("regrade", sub.exam.key, submission=sid, submissions=n)
    return redirect(url_for("examiner.submission", sid=sid, regraded=n), 303)


@bp.get("/submissions/<int:sid>/artifacts/<path:name>")
def submission_artifact(sid: int, name: str):
    """An artifact of the current result (a screenshot, an executed notebook), from the blob
    the grading worker stored. Pictures open in the page; anything else is a download, since
    it was written by candidate code (the viewer below shows it safely)."""
    _submission_or_404(sid)
    data = artifacts.blob_of(jobs.result_of(sid), name)
    if data is None:
        abort(404)
    suffix = Path(name).suffix.lower()
    return _bytes(data, Path(name).name, artifacts.IMAGES.get(suffix), inline=suffix in artifacts.IMAGES)


@bp.get("/submissions/<int:sid>/view/<path:name>")
def submission_artifact_view(sid: int, name: str):
    """An artifact in the page: the executed notebook's cells, a log as text, a picture."""
    sub = _submission_or_404(sid)
    data = artifacts.blob_of(jobs.result_of(sid), name)
    if data is None:
        abort(404)
    return render_template("examiner/artifact.html", sub=sub, view=artifacts.view(name, data),
                           heading=t("review.artifact", name=name),
                           raw_url=url_for("examiner.submission_artifact", sid=sid, name=name))


@bp.get("/submissions/<int:sid>/upload")
def submission_upload(sid: int):
    """The file the candidate handed in, byte for byte (audited: it is the candidate's work)."""
    sub = _submission_or_404(sid)
    data = artifacts.upload_bytes(sub)
    if data is None:
        abort(404)
    audit("download_upload", sub.exam.key, submission=sid, candidate=sub.candidate.username, sha256=sub.sha256)
    return _bytes(data, sub.filename or f"submission-{sid}", None, inline=False)


@bp.get("/submissions/<int:sid>/upload/view")
def submission_upload_view(sid: int):
    """The handed-in file read in the page, the same way as an artifact (a notebook's cells, a
    script as text; a zip is only a download). Audited like the download."""
    sub = _submission_or_404(sid)
    data = artifacts.upload_bytes(sub)
    if data is None:
        abort(404)
    audit("view_upload", sub.exam.key, submission=sid, candidate=sub.candidate.username, sha256=sub.sha256)
    name = sub.filename or f"submission-{sid}"
    return render_template("examiner/artifact.html", sub=sub, view=artifacts.view(name, data),
                           heading=t("review.upload_title", name=name),
                           raw_url=url_for("examiner.submission_upload", sid=sid))


def _bytes(data: bytes, filename: str, mimetype: str | None, *, inline: bool) -> Response:
    response = Response(data, mimetype=mimetype or "application/octet-stream")
    name = safe_filename(filename)
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace("?", "_")
    response.headers["Content-Disposition"] = (f'{"inline" if inline else "attachment"}; filename="{ascii_name}"; '
                                               f"filename*=UTF-8''{quote(name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/submissions/<int:sid>/gradescope.json")
def submission_gradescope(sid: int):
    sub = _submission_or_404(sid)
    result = jobs.result_of(sid) or abort(404)
    audit("export_gradescope", sub.exam.key, submission=sid)
    response = jsonify(to_gradescope(report_of(sub.exam.key, sub, result)))
    response.headers["Content-Disposition"] = f'attachment; filename="submission-{sid}.json"'
    return response
