"""A site's competition: the division boards (staff live, with awards; the public one frozen
with the exam's board), the site's overall ranking, the teams and their import, exports."""
from __future__ import annotations

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from ...services import exams
from ...services.contest import entrants, national as national_service, setup, sheet, standings
from ...services.contest.messages import problem_text
from ...storage.db import db
from ...storage.models import STAFF_ROLES, BoardFreeze, Division
from ..i18n import get_lang, t
from ..policy import EXAMINERS, audit, check_role, roles_required
from ..scoreboard import page_rows
from . import DIVISIONS, bp, competition_or_404, confirm_upload, export_response, tab, upload
from . import national

SITE_TABS = DIVISIONS + ("site", "teams")


@bp.get("/staff/contests")
def index():
    check_role(STAFF_ROLES)
    return render_template("contest/list.html", competitions=setup.all_competitions())


@bp.get("/staff/contests/<key>")
def show(key: str):
    check_role(STAFF_ROLES)
    competition = competition_or_404(key)
    if not competition.site:
        return national.national_page(competition)
    return site_page(competition)


def _freeze(competition) -> BoardFreeze | None:
    return db.session.scalar(select(BoardFreeze).where(BoardFreeze.exam_id == competition.exam_id))


def site_page(competition, status: int = 200, current: str | None = None, **extra):
    package = exams.package(competition.exam)
    current = current or tab(DIVISIONS[1], SITE_TABS)
    ranked = standings.divisions(competition, package.max_score)
    rows = []
    if current in DIVISIONS:
        rows = ranked[Division(current)]
    elif current == "site":
        rows = standings.overall(competition, package.max_score)
    return render_template("contest/site.html", competition=competition, exam=competition.exam, current=current,
                           tabs=SITE_TABS, counts={d.value: len(r) for d, r in ranked.items()},
                           tasks=package.tasks, practical_max=package.max_score, freeze=_freeze(competition),
                           teams=entrants.teams(competition.id) if current == "teams" else [],
                           **page_rows(rows), **extra), status


@bp.post("/staff/contests/<key>/teams")
@roles_required(*EXAMINERS)
def import_teams(key: str):
    competition = competition_or_404(key)
    if not competition.site:
        abort(404)
    data, filename = upload("teams")
    if not data:
        return site_page(competition, 400, "teams", problems=[t("contest.no_file")])
    rows, problems = sheet.parse(data)
    if not problems:
        problems = entrants.check(competition, rows)
    if problems:
        lang = get_lang()
        return site_page(competition, 400, "teams", problems=[problem_text(p, lang) for p in problems],
                         problem_count=len(problems))
    if request.form.get("confirm") != "yes":
        return confirm_upload(data, filename, t("confirm.contest_teams", file=filename, members=len(rows),
                                                teams=len({r.team_id for r in rows}),
                                                competition=competition.title(get_lang())))
    done, problems = entrants.import_teams(competition, rows)
    if problems:                            # the board changed between the check and now
        return site_page(competition, 400, "teams", problems=[problem_text(p, get_lang()) for p in problems])
    audit("contest_teams", competition.key, file=filename, teams=done.teams, members=done.members,
          codes_issued=len(done.codes))
    return render_template("staff/codes.html", issued=done.codes, exam=competition.exam)


@bp.get("/staff/contests/<key>/export.<fmt>")
def export(key: str, fmt: str):
    check_role(STAFF_ROLES)
    competition = competition_or_404(key)
    what = request.args.get("what", "ranking")
    if fmt not in ("csv", "xlsx") or what not in ("ranking", "awards"):
        abort(404)
    audit("contest_export", competition.key, what=what, format=fmt)
    if competition.site:
        return export_response(standings.divisions(competition, exams.package(competition.exam).max_score),
                               competition, what, fmt)
    return export_response(national_service.cached_ranking(competition, national.cache()), competition, what, fmt,
                           national.cache(), national_service.version(competition))


@bp.get("/scoreboard/contest/<key>")
def public_view(key: str):
    """The public division boards: only when the exam's board is public; while it is frozen,
    what was handed in before the freeze and no awards (they come after the unfreeze); before
    the results are published, the points of `visible` tests only (as the exam's public board)."""
    competition = setup.by_key(key)
    if competition is None or not competition.site or not competition.exam.board_public:
        abort(404)
    exam = competition.exam
    package = exams.package(exam)
    frozen = _freeze(competition)
    current = tab(DIVISIONS[1], DIVISIONS)
    ranked = standings.divisions(competition, package.max_score, frozen_at=frozen.frozen_at if frozen else None,
                                 visible_only=not exam.published)
    return render_template("contest/public.html", competition=competition, exam=exam, frozen=frozen,
                           current=current, tabs=DIVISIONS, counts={d.value: len(r) for d, r in ranked.items()},
                           tasks=package.tasks, practical_max=package.max_score,
                           reload_s=current_app.config["BOARD_RELOAD_S"],
                           **page_rows(ranked[Division(current)]))
