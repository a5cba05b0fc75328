"""Staff pages: candidates, roster import, new codes, exam settings, audit log.

Every page needs a staff role; every action is audited. The examiner's pages
are `web.pages.examiner` and `web.pages.grades`, the proctor's dashboard
`web.pages.proctor`, the scoreboard `web.pages.scoreboard`; the role sets are
`web.pages.policy`'s.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import func, select

from ..services import accounts, counting, exams, privacy, roster
from ..services import audit as audit_log
from ..storage.db import db, utcnow
from ..storage.models import STAFF_ROLES, Exam, Role, Submission, User
from . import throttle
from .confirm import ask
from .i18n import form_value, get_lang, parse_local, t
from .policy import EXAMINERS, FLOOR, audit, check_role, roles_required

bp = Blueprint("staff", __name__, url_prefix="/staff")
HOUR = timedelta(hours=1)          # addresses throttled this recently are listed with the candidates


@bp.before_request
def _staff_only() -> None:
    check_role(STAFF_ROLES)


@bp.get("/")
def candidates():
    exam_id = request.args.get("exam", type=int)
    users = accounts.candidates(exam_id)
    counts = dict(db.session.execute(select(Submission.candidate_id, func.count(Submission.id))
                                     .group_by(Submission.candidate_id)).all())
    return render_template("staff/candidates.html", users=users, counts=counts,
                           failures=throttle.failures([u.username for u in users]),
                           addresses=throttle.address_failures(audit_log.throttled_addresses(utcnow() - HOUR)),
                           exams=exams.all_exams(), exam_id=exam_id)


@bp.route("/roster", methods=["GET", "POST"])
@roles_required(*EXAMINERS)
def roster_import():
    all_exams = exams.all_exams()
    if request.method == "GET":
        return render_template("staff/roster.html", exams=all_exams, problems=[])
    exam = db.session.get(Exam, request.form.get("exam", type=int) or 0)
    upload = request.files.get("roster")
    if exam is None or upload is None or not upload.filename:
        return render_template("staff/roster.html", exams=all_exams,
                               problems=[(0, t("roster.missing"))]), 400
    rows, problems = roster.parse(upload.read(1024 * 1024 + 1)[: 1024 * 1024])
    if problems:
        shown = [(p.line, t(p.key, value=p.value)) for p in problems]
        return render_template("staff/roster.html", exams=all_exams, problems=shown), 400
    try:
        issued = accounts.import_roster(exam, rows, new_codes=request.form.get("new_codes") == "1")
    except accounts.RosterConflict as exc:
        db.session.rollback()
        return render_template("staff/roster.html", exams=all_exams,
                               problems=[(0, t("roster.staff_conflict", value=str(exc)))]), 400
    audit("roster_import", exam.key, rows=len(rows), codes_issued=len(issued),
          new_codes=request.form.get("new_codes") == "1")
    return render_template("staff/codes.html", issued=issued, exam=exam)


def _candidate(uid: int) -> User:
    user = db.session.get(User, uid)
    if user is None or user.role is not Role.CANDIDATE:
        abort(404)
    return user


@bp.post("/candidates/<int:uid>/code")
@roles_required(*FLOOR)
def new_code(uid: int):
    user = _candidate(uid)
    if (page := ask("confirm.new_code", number=user.username, name=user.name)) is not None:
        return page
    code = accounts.issue_code(user)
    db.session.commit()
    audit("code_reset", user.username)
    return render_template("staff/codes.html", exam=user.exam,
                           issued=[accounts.IssuedCode(user.id, user.username, user.name, user.seat, code)])


@bp.post("/candidates/<int:uid>/throttle")
@roles_required(*FLOOR)
def clear_throttle(uid: int):
    """Forget the account's failed sign-ins (someone guessed its number): its wait ends at once."""
    user = _candidate(uid)
    if (page := ask("confirm.clear_throttle", number=user.username, name=user.name)) is not None:
        return page
    counted = throttle.failures([user.username]).get(user.username, 0)
    throttle.clear_account(user.username)
    audit("throttle_cleared", user.username, scope="account", failures=counted)
    return redirect(url_for("staff.candidates", exam=request.args.get("exam", type=int)), 303)


@bp.post("/throttle/address")
@roles_required(*FLOOR)
def clear_address():
    """Forget one address's failed sign-ins: a room behind one NAT whose typos added up."""
    address = request.form.get("address", "").strip()[:64]
    if not address:
        abort(400)
    if (page := ask("confirm.clear_address", address=address)) is not None:
        return page
    counted = throttle.address_failures([address]).get(address, 0)
    throttle.clear_address(address)
    audit("throttle_cleared", address, scope="address", failures=counted)
    return redirect(url_for("staff.candidates"), 303)


@bp.get("/exams")
def exam_list():
    return render_template("staff/exams.html", exams=exams.all_exams())


@bp.route("/exams/<int:exam_id>", methods=["GET", "POST"])
@roles_required(*EXAMINERS)
def exam_settings(exam_id: int):
    exam = db.session.get(Exam, exam_id) or abort(404)
    error = None
    if request.method == "POST":
        try:
            start, end = parse_local(request.form.get("window_start")), parse_local(request.form.get("window_end"))
            limit = request.form.get("attempt_limit", "").strip()
            limit = int(limit) if limit else None
            interval = int(request.form.get("min_interval_s", "0").strip() or 0)
            if (limit is not None and limit < 1) or interval < 0 or (start and end and end <= start):
                raise ValueError
            policy, per_task = _count_rules(exam)
            count_deadline = parse_local(request.form.get("count_deadline"))
            board_privacy = privacy.parse(request.form.get("board_privacy", exam.board_privacy))
            if board_privacy is None:
                raise ValueError
        except ValueError:
            error = t("exam_settings.invalid")
        else:
            # exam-wide: the window, the rules and the counting apply to every candidate at once
            if (page := ask("confirm.exam_settings", exam=exam.title(get_lang()))) is not None:
                return page
            before = _settings(exam)
            exam.window_start, exam.window_end = start, end
            exam.attempt_limit, exam.min_interval_s = limit, interval
            exam.count_policy, exam.task_count_policy = policy.value, per_task or None
            exam.count_deadline = count_deadline
            exam.board_privacy = board_privacy.value
            exam.published = request.form.get("published") == "1"
            exam.intake_paused = request.form.get("intake_paused") == "1"
            db.session.commit()
            audit("exam_settings", exam.key, before=before, after=_settings(exam))
            return redirect(url_for("staff.exam_list"), 303)
    return render_template("staff/exam_settings.html", exam=exam, error=error, form_value=form_value,
                           tasks=exams.package(exam).tasks, policies=list(counting.Policy),
                           task_policy=exam.task_count_policy or {}, privacy_modes=list(privacy.Privacy)), \
        400 if error else 200


def _count_rules(exam: Exam) -> tuple[counting.Policy, dict[str, str]]:
    """The exam's counting rule and per-task exceptions from the form (ValueError for an unknown one)."""
    policy = counting.parse(request.form.get("count_policy", counting.DEFAULT.value))
    if policy is None:
        raise ValueError
    per_task = {}
    for task in exams.package(exam).tasks:
        value = request.form.get(f"count_policy_{task.id}", "")
        if value:
            chosen = counting.parse(value)
            if chosen is None:
                raise ValueError
            if chosen is not policy:
                per_task[task.id] = chosen.value
    return policy, per_task


def _settings(exam: Exam) -> dict:
    return {"window_start": exam.window_start.isoformat() if exam.window_start else None,
            "window_end": exam.window_end.isoformat() if exam.window_end else None,
            "attempt_limit": exam.attempt_limit, "min_interval_s": exam.min_interval_s,
            "published": exam.published, "intake_paused": exam.intake_paused,
            "count_policy": exam.count_policy, "task_count_policy": exam.task_count_policy,
            "count_deadline": exam.count_deadline.isoformat() if exam.count_deadline else None,
            "board_privacy": exam.board_privacy}


@bp.get("/audit")
@roles_required(*EXAMINERS)
def audit_page():
    page = max(0, request.args.get("page", 0, type=int))
    rows = audit_log.page(offset=page * 100, limit=100)
    return render_template("staff/audit.html", rows=rows, page=page)
