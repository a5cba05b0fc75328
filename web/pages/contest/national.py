"""The national board's competition: sites' results packages imported by upload (verified
first; a refused one is kept and shown with its reason), the national ranking per division
with awards and finalists, the trusted sites."""
from __future__ import annotations

from flask import abort, current_app, g, render_template, request
from sqlalchemy import func, select

from ...services.contest import national, package
from ...services.contest.messages import import_text, text
from ...storage.db import db
from ...storage.models import Division, NationalTeam
from ..i18n import get_lang, local, t
from ..policy import EXAMINERS, audit, roles_required
from ..scoreboard import page_rows
from . import DIVISIONS, bp, competition_or_404, confirm_upload, tab, upload

NATIONAL_TABS = DIVISIONS + ("imports", "sites")


def cache() -> dict:
    """The national ranking, kept per app (so per database) until an import or a rule changes."""
    return current_app.extensions.setdefault("practicum.national_cache", {})


def national_page(competition, status: int = 200, current: str | None = None, **extra):
    current = current or tab(DIVISIONS[1], NATIONAL_TABS)
    ranked = national.cached_ranking(competition, cache())
    rows = ranked[Division(current)] if current in DIVISIONS else []
    tasks = sorted(set().union(*(r.tasks for r in rows)))
    imports = national.imports(competition) if current == "imports" else []
    lang = get_lang()
    reasons = {r.id: text(r.reason, lang, value=r.detail) for r in imports if r.reason}
    per_site = dict(db.session.execute(select(NationalTeam.import_id, func.count(NationalTeam.id)).where(
        NationalTeam.import_id.in_([r.id for r in imports])).group_by(NationalTeam.import_id)).all()) \
        if imports else {}
    return render_template("contest/national.html", competition=competition, current=current, tabs=NATIONAL_TABS,
                           counts={d.value: len(r) for d, r in ranked.items()}, tasks=tasks,
                           imports=imports, reasons=reasons, per_site=per_site,
                           sites=national.sites(competition) if current == "sites" else [],
                           **page_rows(rows), **extra), status


def _question(competition, got: national.Preview, filename: str) -> str:
    h = got.verified.header
    params = dict(file=filename, site=h.site, exported=local(h.exported_at), teams=len(got.verified.teams))
    if got.status == "replaces":
        return t("confirm.results_replace", before=local(got.current.exported_at), **params)
    return t("confirm.results_import", **params)


@bp.post("/staff/contests/<key>/import")
@roles_required(*EXAMINERS)
def import_package(key: str):
    competition = competition_or_404(key)
    if competition.site:
        abort(404)
    data, filename = upload("package")
    if not data:
        return national_page(competition, 400, "imports", outcome=("error", t("contest.no_file")))
    if request.form.get("confirm") != "yes":
        try:
            got = national.preview(competition, data)
        except package.Refused:
            got = None        # refused: recorded below with its reason, nothing to confirm
        if got is not None and got.status in ("new", "replaces"):
            return confirm_upload(data, filename, _question(competition, got, filename))
    done = national.import_package(competition, data, filename, actor=g.user.username)
    audit("results_import", competition.key, site=done.row.site, status=done.status, reason=done.reason,
          file=filename, sha256=done.row.file_sha256)
    if done.status == "refused":
        said = ("error", t("contest.refused", reason=text(done.reason, get_lang(), value=done.value)))
        return national_page(competition, 400, "imports", outcome=said)
    said = import_text(done.status, done.row.teams, get_lang())
    return national_page(competition, 200, "imports", outcome=("success", f"{done.row.site}: {said}"))

