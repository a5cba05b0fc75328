"""Examiner pages about the results: item analysis, theory scores and their weight, publishing,
exports (CSV, Gradescope JSON). Examiners and admins only; every action audited."""
from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for
from sqlalchemy import func, select

from ..services import exams, exports, theory
from ..services.analysis import analyse, histogram
from ..storage.db import db
from ..storage.models import TheoryScore
from .charts import Bar, columns, hbars, tone
from .confirm import ask
from .examiner import exam_or_404
from .i18n import get_lang, t
from .policy import EXAMINERS, audit, check_role

bp = Blueprint("grades", __name__, url_prefix="/staff/examiner/exams/<int:exam_id>")
MAX_CSV = 1024 * 1024


@bp.before_request
def _examiners_only() -> None:
    check_role(EXAMINERS)


@bp.get("/analysis")
def analysis(exam_id: int):
    exam = exam_or_404(exam_id)
    package = exams.package(exam)
    result = analyse(exam, package)
    charts, titles = {}, {}
    for task in package.tasks:
        # check titles in the reader's language from the package (results keep the English one)
        titles[task.id] = exams.check_titles(exam, task.id, get_lang())
        bars = [Bar(titles[task.id].get(s.name) or s.description, s.pass_rate,
                    f"{s.pass_rate:.0%} ({s.passed}/{s.graded})", tone(s.pass_rate))
                for s in result.tests if s.task_id == task.id]
        charts[task.id] = hbars(bars, t("analysis.pass_rate_of", task=task.title.get(get_lang())))
    hist = columns(histogram(result.totals, result.practical_max), t("analysis.histogram"))
    return render_template("examiner/analysis.html", exam=exam, package=package, result=result,
                           charts=charts, hist=hist, titles=titles)


@bp.route("/theory", methods=["GET", "POST"])
def theory_import(exam_id: int):
    exam = exam_or_404(exam_id)
    problems, imported = [], None
    if request.method == "POST":
        upload = request.files.get("scores")
        if upload is None or not upload.filename:
            problems = [(0, "", t("theory.missing"))]
        else:
            scores = theory.read(exam, upload.read(MAX_CSV + 1)[:MAX_CSV])
            found = theory.import_scores(exam, scores)
            problems = [(p.line, t(f"theory.field_{p.field}") if p.field else "", t(p.key, value=p.value, first=p.first))
                        for p in found]
            if not problems:
                imported = len(scores.rows)
                audit("theory_import", exam.key, rows=imported)
            else:
                audit("theory_refused", exam.key, problems=len(problems))
    count = db.session.scalar(select(func.count(TheoryScore.id)).where(TheoryScore.exam_id == exam.id))
    return render_template("examiner/theory.html", exam=exam, problems=problems, imported=imported,
                           count=count), 400 if problems else 200


@bp.post("/weight")
def weight(exam_id: int):
    exam = exam_or_404(exam_id)
    try:
        value = int(request.form.get("theory_weight", ""))
        if not 0 <= value <= 100:
            raise ValueError
    except ValueError:
        return render_template("error.html", code=400, message=t("weight.invalid")), 400
    if (page := ask("confirm.weight", exam=exam.title(get_lang()), n=value)) is not None:
        return page
    before, exam.theory_weight = exam.theory_weight, value
    db.session.commit()
    audit("theory_weight", exam.key, before=before, after=value)
    return redirect(url_for("examiner.exam", exam_id=exam.id), 303)


@bp.post("/publish")
def publish(exam_id: int):
    exam = exam_or_404(exam_id)
    publish = request.form.get("published") == "1"
    if (page := ask("confirm.publish" if publish else "confirm.unpublish", exam=exam.title(get_lang()))) is not None:
        return page
    exam.published = publish
    db.session.commit()
    audit("publish" if exam.published else "unpublish", exam.key)
    return redirect(url_for("examiner.exam", exam_id=exam.id), 303)


@bp.get("/export.csv")
def export_csv(exam_id: int):
    exam = exam_or_404(exam_id)
    package = exams.package(exam)
    headers = [t(k) for k in ("login.number", "staff.name", "staff.seat", "export.practical",
                              "export.theory", "export.total")]
    body = exports.results_csv(exam, [x.id for x in package.tasks], package.max_score, headers)
    audit("export_csv", exam.key)
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{exam.key}-results.csv"'})


@bp.get("/gradescope.json")
def export_gradescope_list(exam_id: int):
    exam = exam_or_404(exam_id)
    audit("export_gradescope", exam.key, form="list")
    return Response(exports.gradescope_list(exam), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{exam.key}-gradescope.json"'})


@bp.get("/gradescope.zip")
def export_gradescope_zip(exam_id: int):
    exam = exam_or_404(exam_id)
    audit("export_gradescope", exam.key, form="zip")
    return send_file(exports.gradescope_zip(exam), mimetype="application/zip", as_attachment=True,
                     download_name=f"{exam.key}-gradescope.zip")
