"""Examiner pages: one exam (its package, rubric and recent prove runs), reloading its
package, proving its reference solutions, regrading a task or the whole exam."""
from __future__ import annotations

from flask import abort, current_app, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select

from grader.errors import ExamConfigError

from ...services import exams, proving
from ...services.regrade import RegradeRefused, regrade
from ...storage.db import db
from ...storage.models import Exam, ProveRun, Submission
from ..confirm import ask
from ..i18n import get_lang
from ..policy import audit
from . import bp, exam_or_404


def exam_page(exam: Exam, problems=None, status: int = 200, **extra):
    app = current_app._get_current_object()
    try:
        package = exams.package(exam)
    except ExamConfigError as exc:
        package, problems = None, problems or exc.problems
    counts = dict(db.session.execute(select(Submission.task_id, func.count(Submission.id))
                                     .where(Submission.exam_id == exam.id).group_by(Submission.task_id)).all())
    return render_template("examiner/exam.html", exam=exam, package=package, problems=problems,
                           runs=[proving.refresh(app, r) for r in proving.runs(exam.id, 5)], counts=counts,
                           regraded=request.args.get("regraded", type=int), **extra), status


@bp.get("/exams/<int:exam_id>")
def exam(exam_id: int):
    return exam_page(exam_or_404(exam_id))


@bp.post("/exams/<int:exam_id>/reload")
def reload(exam_id: int):
    exam = exam_or_404(exam_id)
    if (page := ask("confirm.reload", exam=exam.title(get_lang()))) is not None:
        return page
    problems = exams.reload(exam)
    audit("package_reload", exam.key, problems=len(problems))
    if problems:
        return exam_page(exam, problems, 400)
    return redirect(url_for("examiner.exam", exam_id=exam.id), 303)


@bp.post("/exams/<int:exam_id>/prove")
def prove(exam_id: int):
    exam = exam_or_404(exam_id)
    only = request.form.get("only", "").strip()[:255] or None
    run = proving.start(current_app._get_current_object(), exam, g.user.username, only)
    audit("prove_start", exam.key, run=run.id, only=only)
    return redirect(url_for("examiner.prove_run", run_id=run.id), 303)


@bp.get("/prove/<int:run_id>")
def prove_run(run_id: int):
    run = proving.refresh(current_app._get_current_object(), db.session.get(ProveRun, run_id) or abort(404))
    return render_template("examiner/prove.html", run=run, exam=db.session.get(Exam, run.exam_id))


@bp.get("/prove/<int:run_id>.json")
def prove_status(run_id: int):
    run = proving.refresh(current_app._get_current_object(), db.session.get(ProveRun, run_id) or abort(404))
    return jsonify(id=run.id, status=run.status.value, outcome=run.outcome, error=run.error)


@bp.post("/exams/<int:exam_id>/regrade")
def regrade_exam(exam_id: int):
    exam = exam_or_404(exam_id)
    task = request.form.get("task") or None
    title = ""
    if task is not None:      # the package is read only for a task: a broken one is refused below, named
        titles = {x.id: x.title.get(get_lang()) for x in exams.package(exam).tasks}
        if task not in titles:
            abort(400)
        title = titles[task]
    if (page := ask("confirm.regrade_task" if task else "confirm.regrade_exam", exam=exam.title(get_lang()),
                    task=title)) is not None:
        return page
    try:
        n = regrade(exam, task_id=task)
    except RegradeRefused as exc:
        audit("regrade_refused", exam.key, task=task, problems=len(exc.problems))
        return exam_page(exam, exc.problems, 400)
    audit("regrade", exam.key, task=task or "*", submissions=n)
    return redirect(url_for("examiner.exam", exam_id=exam.id, regraded=n), 303)
