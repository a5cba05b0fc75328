"""Examiner pages: exam packages (load, upload, reload), tasks and rubric, prove, regrade,
submissions with their result history. Examiners and admins only; every action audited."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select

from grader.errors import ExamConfigError, SubmissionRejected
from grader.manifest import read_exam
from grader.report import to_gradescope

from . import exams, jobs, packages, proving, results
from .audit import audit
from .auth import check_role
from .db import db
from .exports import report_of
from .i18n import get_lang, t
from .models import Blob, Exam, Job, ProveRun, Result, Submission, User
from .regrade import RegradeRefused, regrade
from .staff import EXAMINERS
from .storage import safe_filename, scratch

bp = Blueprint("examiner", __name__, url_prefix="/staff/examiner")
PAGE = 100


@bp.before_request
def _examiners_only() -> None:
    check_role(EXAMINERS)


def exam_or_404(exam_id: int) -> Exam:
    return db.session.get(Exam, exam_id) or abort(404)


# ------------------------------------------------------------------ packages

def _packages_page(problems=None, error: str | None = None, status: int = 200):
    return render_template("examiner/packages.html", found=packages.scan(), roots=packages.roots(),
                           exams=exams.all_exams(), problems=problems, error=error), status


@bp.get("/")
def package_list():
    return _packages_page()


@bp.post("/packages/load")
def load_package():
    path = packages.resolve(request.form.get("root", -1, type=int), request.form.get("name", ""))
    if path is None:
        abort(404)
    return _register(path, "folder")


@bp.post("/packages/upload")
def upload_package():
    upload = request.files.get("package")
    if upload is None or not upload.filename:
        return _packages_page(error=t("package.no_file"), status=400)
    name = safe_filename(upload.filename, "package.zip")
    with scratch("package-") as tmp:
        src = tmp / "package.zip"
        upload.save(src)
        try:
            folder, problems = packages.unpack(src, name)
        except SubmissionRejected as exc:
            audit("package_refused", name, code=exc.code)
            return _packages_page(error=exc.show(get_lang()), status=400)
    if folder is None:
        audit("package_refused", name, problems=len(problems))
        return _packages_page(problems=problems, status=400)
    return _register(folder, "upload")


def _register(path: Path, source: str):
    loaded, problems = read_exam(path)
    if problems or loaded is None:
        audit("package_refused", str(path.name), problems=len(problems), source=source)
        return _packages_page(problems=problems, status=400)
    previous = db.session.scalar(select(Exam.package_path).where(Exam.key == loaded.id))
    row = exams.register_exam(path)
    audit("package_load", row.key, path=str(path), previous=previous, source=source)
    return redirect(url_for("examiner.exam", exam_id=row.id), 303)


# --------------------------------------------------------------- one exam

def _exam_page(exam: Exam, problems=None, status: int = 200, **extra):
    try:
        package = exams.package(exam)
    except ExamConfigError as exc:
        package, problems = None, problems or exc.problems
    counts = dict(db.session.execute(select(Submission.task_id, func.count(Submission.id))
                                     .where(Submission.exam_id == exam.id).group_by(Submission.task_id)).all())
    return render_template("examiner/exam.html", exam=exam, package=package, problems=problems,
                           runs=[proving.refresh(r) for r in proving.runs(exam.id, 5)], counts=counts,
                           regraded=request.args.get("regraded", type=int), **extra), status


@bp.get("/exams/<int:exam_id>")
def exam(exam_id: int):
    return _exam_page(exam_or_404(exam_id))


@bp.post("/exams/<int:exam_id>/reload")
def reload(exam_id: int):
    exam = exam_or_404(exam_id)
    problems = exams.reload(exam)
    audit("package_reload", exam.key, problems=len(problems))
    if problems:
        return _exam_page(exam, problems, 400)
    return redirect(url_for("examiner.exam", exam_id=exam.id), 303)


@bp.post("/exams/<int:exam_id>/prove")
def prove(exam_id: int):
    exam = exam_or_404(exam_id)
    only = request.form.get("only", "").strip()[:255] or None
    run = proving.start(exam, g.user.username, only)
    audit("prove_start", exam.key, run=run.id, only=only)
    return redirect(url_for("examiner.prove_run", run_id=run.id), 303)


@bp.get("/prove/<int:run_id>")
def prove_run(run_id: int):
    run = proving.refresh(db.session.get(ProveRun, run_id) or abort(404))
    return render_template("examiner/prove.html", run=run, exam=db.session.get(Exam, run.exam_id))


@bp.get("/prove/<int:run_id>.json")
def prove_status(run_id: int):
    run = proving.refresh(db.session.get(ProveRun, run_id) or abort(404))
    return jsonify(id=run.id, status=run.status.value, outcome=run.outcome, error=run.error)


@bp.post("/exams/<int:exam_id>/regrade")
def regrade_exam(exam_id: int):
    exam = exam_or_404(exam_id)
    task = request.form.get("task") or None
    if task is not None and task not in {x.id for x in exams.package(exam).tasks}:
        abort(400)
    try:
        n = regrade(exam, task_id=task)
    except RegradeRefused as exc:
        audit("regrade_refused", exam.key, task=task, problems=len(exc.problems))
        return _exam_page(exam, exc.problems, 400)
    audit("regrade", exam.key, task=task or "*", submissions=n)
    return redirect(url_for("examiner.exam", exam_id=exam.id, regraded=n), 303)


# -------------------------------------------------------------- submissions

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
    return render_template("examiner/submission.html", sub=sub, result=results.result_of(sid),
                           history=results.history_of(sid), jobs=job_rows, active=jobs.active_job(sid),
                           regraded=request.args.get("regraded", type=int))


@bp.post("/submissions/<int:sid>/regrade")
def regrade_submission(sid: int):
    sub = _submission_or_404(sid)
    try:
        n = regrade(sub.exam, submission_id=sid)
    except RegradeRefused as exc:
        audit("regrade_refused", sub.exam.key, submission=sid, problems=len(exc.problems))
        return _exam_page(sub.exam, exc.problems, 400)
    audit("regrade", sub.exam.key, submission=sid, submissions=n)
    return redirect(url_for("examiner.submission", sid=sid, regraded=n), 303)


INLINE_IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}


@bp.get("/submissions/<int:sid>/artifacts/<path:name>")
def submission_artifact(sid: int, name: str):
    """An artifact of the current result (a screenshot, an executed notebook), from the blob
    the grading worker stored. Pictures open in the page; anything else is a download, since
    it was written by candidate code."""
    _submission_or_404(sid)
    result = results.result_of(sid) or abort(404)
    sha = (result.artifact_blobs or {}).get(name) or abort(404)
    data = db.session.scalar(select(Blob.data).where(Blob.sha256 == sha))
    if data is None:
        abort(404)
    suffix = Path(name).suffix.lower()
    response = Response(data, mimetype=INLINE_IMAGES.get(suffix, "application/octet-stream"))
    disposition = "inline" if suffix in INLINE_IMAGES else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{safe_filename(Path(name).name)}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/submissions/<int:sid>/gradescope.json")
def submission_gradescope(sid: int):
    sub = _submission_or_404(sid)
    result = results.result_of(sid) or abort(404)
    audit("export_gradescope", sub.exam.key, submission=sid)
    response = jsonify(to_gradescope(report_of(sub.exam.key, sub, result)))
    response.headers["Content-Disposition"] = f'attachment; filename="submission-{sid}.json"'
    return response
