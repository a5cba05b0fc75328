"""The scoreboard: staff see it live; the public view (when an exam's board is made public)
shows the frozen snapshot while the board is frozen, and before publication only
the points of `visible` tests (see `web.services.scores`). Ties share a rank."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import select

from ..services import exams, privacy, scores
from ..services.clock import epoch_ms
from ..services.events import board_stream
from ..storage.db import db, utcnow
from ..storage.models import BoardFreeze, Exam
from .confirm import ask
from .i18n import get_lang
from .policy import FLOOR, audit, roles_required

bp = Blueprint("scoreboard", __name__)
PAGE = 100      # rows per page: 5,000 rows of HTML would cost more than the ranking


def page_rows(rows: list) -> dict:
    """The rows of ?page=N (1-based), and what the pager needs."""
    pages = max(1, -(-len(rows) // PAGE))
    try:
        page = min(max(1, int(request.args.get("page", 1))), pages)
    except ValueError:
        page = 1
    return {"rows": rows[(page - 1) * PAGE: page * PAGE], "page": page, "pages": pages, "total_rows": len(rows)}


def _freeze(exam_id: int) -> BoardFreeze | None:
    return db.session.scalar(select(BoardFreeze).where(BoardFreeze.exam_id == exam_id))


def _exam(exam_id: int) -> Exam:
    return db.session.get(Exam, exam_id) or abort(404)


def _board(exam: Exam, practical_max: float, public: bool = False):
    """The live ranking, cached per app (so per database) until something it shows changes."""
    cache = current_app.extensions.setdefault("practicum.board_cache", {})
    return scores.board(exam, practical_max, public=public, cache=cache)


@bp.get("/staff/scoreboard/<int:exam_id>")
@roles_required(*FLOOR)
def staff_view(exam_id: int):
    exam = _exam(exam_id)
    package = exams.package(exam)
    return render_template("scoreboard/staff.html", exam=exam, tasks=package.tasks, freeze=_freeze(exam.id),
                           privacy_mode=privacy.of(exam).value,
                           practical_max=package.max_score, **page_rows(_board(exam, package.max_score)))


@bp.post("/staff/scoreboard/<int:exam_id>/freeze")
@roles_required(*FLOOR)
def freeze(exam_id: int):
    exam = _exam(exam_id)
    if (page := ask("confirm.freeze", exam=exam.title(get_lang()))) is not None:
        return page
    row = _freeze(exam.id) or BoardFreeze(exam_id=exam.id)
    row.frozen_at, row.actor, row.rows = utcnow(), g.user.username, scores.snapshot(exam)
    db.session.add(row)
    db.session.commit()
    audit("board_freeze", exam.key, candidates=len(row.rows))
    return redirect(url_for("scoreboard.staff_view", exam_id=exam.id), 303)


@bp.post("/staff/scoreboard/<int:exam_id>/unfreeze")
@roles_required(*FLOOR)
def unfreeze(exam_id: int):
    exam = _exam(exam_id)
    if (page := ask("confirm.unfreeze", exam=exam.title(get_lang()))) is not None:
        return page
    row = _freeze(exam.id)
    if row is not None:
        db.session.delete(row)
        db.session.commit()
        audit("board_unfreeze", exam.key)
    return redirect(url_for("scoreboard.staff_view", exam_id=exam.id), 303)


@bp.post("/staff/scoreboard/<int:exam_id>/public")
@roles_required(*FLOOR)
def set_public(exam_id: int):
    exam = _exam(exam_id)
    public = request.form.get("public") == "1"
    if (page := ask("confirm.public" if public else "confirm.private", exam=exam.title(get_lang()))) is not None:
        return page
    exam.board_public = public
    db.session.commit()
    audit("board_public" if exam.board_public else "board_private", exam.key)
    return redirect(url_for("scoreboard.staff_view", exam_id=exam.id), 303)


def _public_exam(key: str) -> Exam:
    exam = db.session.scalar(select(Exam).where(Exam.key == key))
    if exam is None or not exam.board_public:
        abort(404)
    return exam


@bp.get("/scoreboard/<key>/events")
def public_events(key: str):
    """The public board's freeze pushed to open pages (they reload when it changes)."""
    exam, cfg = _public_exam(key), current_app.config
    stream = board_stream(current_app._get_current_object(), exam.id, poll_s=cfg["SSE_POLL_S"],
                          keepalive_s=cfg["SSE_KEEPALIVE_S"], max_s=cfg["SSE_MAX_S"])
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@bp.get("/scoreboard/<key>")
def public_view(key: str):
    exam = _public_exam(key)
    package = exams.package(exam)
    frozen = _freeze(exam.id)
    if frozen is not None:
        rows = scores.from_snapshot(exam, frozen.rows, package.max_score, public=True)
    else:
        rows = _board(exam, package.max_score, public=True)
    mode = privacy.of(exam)      # what the public may read of a candidate, the examiner's choice
    return render_template("scoreboard/public.html", exam=exam, tasks=package.tasks, frozen=frozen,
                           frozen_ms=epoch_ms(frozen.frozen_at) if frozen else None,
                           practical_max=package.max_score, reload_s=current_app.config["BOARD_RELOAD_S"],
                           columns=privacy.columns(mode), **page_rows(privacy.public_rows(rows, mode)))
