"""Competition pages: a site's competition (`site`: division boards live for staff, the public
board frozen like the exam's, the site's overall ranking, teams and their import, awards) and
the national board (`national`: importing sites' signed results packages, refused ones with
their reason, the national ranking per division with awards and finalists). Exports of either
ranking as xlsx and CSV. Staff only, except the public board; imports need an examiner."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from ...services.contest import setup, tables
from ...storage import content
from ...storage.db import db
from ...storage.models import Competition, Division
from ..confirm import back_url
from ..i18n import get_lang, t

bp = Blueprint("contest", __name__)
UPLOAD_MAX = 16 * 1024 * 1024       # a team list or a results package of 500 teams is well under this
DIVISIONS = tuple(d.value for d in Division)


def competition_or_404(key: str) -> Competition:
    return setup.by_key(key) or abort(404)


def tab(default: str, allowed: tuple[str, ...]) -> str:
    chosen = request.args.get("tab", default)
    return chosen if chosen in allowed else default


def upload(field: str) -> tuple[bytes | None, str]:
    """The posted file's bytes and name, or those staged by an earlier, unconfirmed post."""
    f = request.files.get(field)
    if f is not None and f.filename:
        return f.read(UPLOAD_MAX + 1)[:UPLOAD_MAX], f.filename
    staged = request.form.get("staged", "")
    if staged:
        return content.read(staged), request.form.get("filename", "")
    return None, ""


def confirm_upload(data: bytes, filename: str, question: str):
    """The server's confirmation page for an upload (without JavaScript): the file is kept as a
    blob, and the page's button posts its hash back with confirm=yes."""
    staged = content.put(data)
    db.session.commit()
    return render_template("confirm.html", question=question, action=request.path,
                           fields=[("staged", staged), ("filename", filename)], back=back_url())


def ranking_table(ranked: dict, what: str, lang: str) -> tuple[list[str], list[list]]:
    """The ranking (or, `what == "awards"`, only the teams with an award or a place in the final)."""
    if what == "awards":
        ranked = {d: [r for r in rows if r.award or r.finalist] for d, rows in ranked.items()}
    return tables.national_table(ranked, lang)


def export_response(ranked: dict, competition: Competition, what: str, fmt: str, cache: dict | None = None,
                    version: tuple = ()):
    """The ranking as an xlsx or CSV download. With `cache`, the bytes are kept per `version` of
    the ranking (the national board: 10,000 teams take seconds to write as xlsx, once)."""
    lang = request.args.get("lang") if request.args.get("lang") in ("zh", "en") else get_lang()
    key = ("export", competition.id, version, what, fmt, lang)
    body = cache.get(key) if cache is not None else None
    if body is None:
        table = ranking_table(ranked, what, lang)
        if fmt == "csv":
            body = tables.csv_bytes(table)
        else:
            body = tables.xlsx_bytes(table, t("contest.awards") if what == "awards" else t("contest.ranking"))
        if cache is not None:
            for old in [k for k in cache if k[:2] == key[:2] and k[2] != version]:
                cache.pop(old, None)          # an older ranking's files
            cache[key] = body
    mime = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"{competition.key}{'-' + competition.site if competition.site else ''}-{what}"
    return body, 200, {"Content-Type": mime, "Content-Disposition": f'attachment; filename="{name}.{fmt}"'}

from . import national, site  # noqa: E402,F401 - their routes join `bp`
