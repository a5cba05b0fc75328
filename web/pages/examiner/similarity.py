"""Examiner pages: the similarity report of an exam (every task's pairs, histogram, clusters,
pairs repeating across tasks), one pair side by side with the shared fragments marked, and
the CSV. The report only points at pairs to read: nothing here changes a score.

Query parameters: `threshold` (0.05..1, default 0.5) and `ref` (other exams on the board
whose counted submissions are reference sets, repeatable). Members of one team of a
competition held on the exam are never paired (`services.similarity.teams_of`)."""
from __future__ import annotations

from flask import Response, abort, current_app, render_template, request

from grader.similarity import Settings
from grader.similarity.export import to_csv
from grader.similarity.fragments import side_pieces

from ...services import exams, similarity
from ...storage.db import db
from ...storage.models import Exam
from ..charts import columns
from ..i18n import t
from ..policy import audit
from . import bp, exam_or_404

DEFAULT_THRESHOLD = 0.5


def _params(exam: Exam) -> tuple[Settings, list[Exam]]:
    threshold = request.args.get("threshold", DEFAULT_THRESHOLD, type=float)
    if threshold is None or not 0.05 <= threshold <= 1.0:
        threshold = DEFAULT_THRESHOLD
    refs = []
    for ref_id in request.args.getlist("ref", type=int)[:10]:
        ref = db.session.get(Exam, ref_id)
        if ref is not None and ref.id != exam.id and ref not in refs:
            refs.append(ref)
    return Settings(threshold=round(threshold, 2)), refs


def _report(exam: Exam) -> tuple[similarity.ExamSimilarity, Settings, list[Exam], dict[str, str]]:
    settings, refs = _params(exam)
    cache = current_app.extensions.setdefault("practicum.similarity", similarity.new_cache())
    teams = similarity.teams_of(exam)
    result = similarity.report(exam, exams.package(exam), settings=settings, teams=teams,
                               references=[(r, exams.package(r)) for r in refs], cache=cache)
    return result, settings, refs, teams


def _query(settings: Settings, refs: list[Exam]) -> dict:
    return {"threshold": f"{settings.threshold:g}", "ref": [r.id for r in refs]}


def _histogram(report, settings: Settings):
    n = len(report.histogram)
    counts = [(f"{100 * i // n}", c) for i, c in enumerate(report.histogram)]
    tones = ["bad" if (i + 1) / n > settings.threshold else "ok" for i in range(n)]
    return columns(counts, t("similarity.histogram_of", task=report.task), tones=tones, mark=settings.threshold,
                   mark_label=t("similarity.threshold_mark", threshold=f"{settings.threshold:.0%}"))


@bp.get("/exams/<int:exam_id>/similarity")
def similarity_report(exam_id: int):
    exam = exam_or_404(exam_id)
    result, settings, refs, teams = _report(exam)
    package = exams.package(exam)
    charts = {r.task: _histogram(r, settings) for r in result.tasks}
    others = [e for e in exams.all_exams() if e.id != exam.id]
    return render_template("examiner/similarity.html", exam=exam, package=package, result=result, charts=charts,
                           settings=settings, refs=refs, others=others, query=_query(settings, refs),
                           teams=len(set(teams.values())))


@bp.get("/exams/<int:exam_id>/similarity/pair")
def similarity_pair(exam_id: int):
    exam = exam_or_404(exam_id)
    result, settings, refs, _ = _report(exam)
    report = result.task(request.args.get("task", "")) or abort(404)
    pair = report.pair(request.args.get("a", ""), request.args.get("b", "")) or abort(404)
    a, b = report.documents[pair.a], report.documents[pair.b]
    audit("similarity_pair", exam.key, task=report.task, a=a.owner, b=b.owner, similarity=pair.similarity)
    return render_template("examiner/similarity_pair.html", exam=exam, report=report, pair=pair, a=a, b=b,
                           a_pieces=side_pieces(a.text, pair.fragments, "a"),
                           b_pieces=side_pieces(b.text, pair.fragments, "b"),
                           settings=settings, query=_query(settings, refs))


@bp.get("/exams/<int:exam_id>/similarity.csv")
def similarity_csv(exam_id: int):
    exam = exam_or_404(exam_id)
    result, settings, _, _ = _report(exam)
    audit("export_similarity", exam.key, threshold=settings.threshold, pairs=sum(len(r.pairs) for r in result.tasks))
    response = Response("\ufeff" + to_csv(result.tasks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="similarity-{exam.key}.csv"'
    return response

