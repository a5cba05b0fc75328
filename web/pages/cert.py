"""Certification pages for examiners: sittings, their pass rule, registration, the pass list
(exceptions, publishing), certificates (PDF, zip, xlsx, revoking) and a person's record.

Examiners and admins only; every change audited. ID numbers are masked on every page;
the one full view is an admin's POST on the person's record, audited before it is shown.
"""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flask import (Blueprint, abort, current_app, g, redirect, render_template, request, send_file, url_for)
from sqlalchemy import func, select

from ..services import certificates, certpdf, certzip, exams, passlist, people, sheets, sittings
from ..services.certificates import CertificateRefused
from ..services.passrule import Rule
from ..services.sittings import SittingRefused
from ..storage.db import db
from ..storage.models import Certificate, Person, Registration, Role, Sitting, SittingStatus
from .confirm import ask, confirmed
from .contest import confirm_upload
from .contest import upload as staged_upload
from .i18n import get_lang, local, t
from .policy import EXAMINERS, audit, check_role, roles_required

bp = Blueprint("cert", __name__, url_prefix="/staff/cert")
SHEET_MAX = 8 * 1024 * 1024


@bp.before_request
def _examiners_only() -> None:
    check_role(EXAMINERS)


def public_base() -> str:
    """Where the verification page lives for the outside world (PUBLIC_URL, else this request's host)."""
    return current_app.config.get("PUBLIC_URL") or request.url_root


def _sitting(sitting_id: int) -> Sitting:
    return db.session.get(Sitting, sitting_id) or abort(404)


def _refusal(e: SittingRefused | CertificateRefused) -> str:
    return t(f"cert.err.{e.reason}", **getattr(e, "params", {}))


def _number(name: str) -> float | None:
    text = request.form.get(name, "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise SittingRefused("bad_number") from None


def _rule_from_form() -> Rule:
    weight = request.form.get("theory_weight", "30").strip() or "30"
    if not weight.isdigit():
        raise SittingRefused("rule_weight")
    return Rule(0, _number("theory_min"), _number("practical_min"), int(weight), _number("total_min"))


def _level_exams():
    return [(e, exams.package(e).level) for e in exams.all_exams()]


@bp.get("/")
def index(error: str | None = None, status: int = 200):
    counts = dict(db.session.execute(select(Registration.sitting_id, func.count(Registration.id))
                                     .group_by(Registration.sitting_id)).all())
    return render_template("cert/index.html", sittings=sittings.all_sittings(), counts=counts,
                           exams=_level_exams(), error=error, today=date.today().isoformat()), status


@bp.post("/")
def create():
    try:
        form = sittings.SittingForm(
            request.form.get("name_zh", ""), request.form.get("name_en", ""), request.form.get("level", ""),
            request.form.get("exam", type=int) or 0, request.form.get("site_code", ""),
            request.form.get("site_name", ""), date.fromisoformat(request.form.get("starts_on", "")),
            date.fromisoformat(request.form.get("ends_on", "")))
    except ValueError:
        return index(t("cert.err.bad_form"), 400)
    try:
        sitting = sittings.create(form, _rule_from_form(), g.user.username)
    except SittingRefused as e:
        db.session.rollback()
        return index(_refusal(e), 400)
    audit("sitting_create", str(sitting.id), level=sitting.level.value, exam=sitting.exam.key)
    return redirect(url_for("cert.sitting", sitting_id=sitting.id), 303)


def sitting_page(sitting: Sitting, status: int = 200, **extra):
    rows = passlist.rows(sitting)
    rule = sittings.current_rule(sitting)
    certs = {c.number: c for c in certificates.of_sitting(sitting.id)}
    return render_template("cert/sitting.html", sitting=sitting, rows=rows, rule=rule,
                           rules=sittings.rules(sitting), certs=certs,
                           published=sitting.status is SittingStatus.PUBLISHED, **extra), status


@bp.get("/<int:sitting_id>")
def sitting(sitting_id: int):
    return sitting_page(_sitting(sitting_id), published_ok=request.args.get("published") == "1")


@bp.post("/<int:sitting_id>/rule")
def change_rule(sitting_id: int):
    s = _sitting(sitting_id)
    if (page := ask("confirm.cert_rule", sitting=s.name(get_lang()))) is not None:
        return page
    try:
        rule = sittings.change_rule(s, _rule_from_form(), g.user.username)
    except SittingRefused as e:
        db.session.rollback()
        return sitting_page(s, 400, error=_refusal(e))
    audit("pass_rule", str(s.id), version=rule.version, rule=rule.describe("en"))
    return redirect(url_for("cert.sitting", sitting_id=s.id), 303)


@bp.post("/<int:sitting_id>/register")
def register(sitting_id: int):
    s = _sitting(sitting_id)
    data, filename = staged_upload("sheet")          # the file, or the one staged by the question
    if not data:
        return sitting_page(s, 400, problems=[(0, t("people.empty"))])
    if len(data) > SHEET_MAX:
        return sitting_page(s, 400, problems=[(0, t("people.too_many", value=f"{SHEET_MAX // 1024 // 1024} MB"))])
    if not confirmed():          # accounts are made and codes issued: ask first (a file cannot be re-posted)
        return confirm_upload(data, filename, t("confirm.cert_register", file=filename, sitting=s.name(get_lang())))
    done = sittings.register(s, data)
    if done.problems:
        shown = [(p.line, t(p.key, value=p.value)) for p in done.problems]
        audit("registration_refused", str(s.id), problems=len(shown), file=filename[:100])
        return sitting_page(s, 400, problems=shown)
    audit("registration_import", str(s.id), added=done.added, codes_issued=len(done.codes))
    return sitting_page(s, registered=done.added, codes=done.codes)


@bp.post("/<int:sitting_id>/exception")
def exception(sitting_id: int):
    s = _sitting(sitting_id)
    if (page := ask("confirm.cert_exception", sitting=s.name(get_lang()))) is not None:
        return page
    reg_id = request.form.get("registration", type=int) or 0
    outcome = request.form.get("outcome", "").strip() or None
    reason = request.form.get("reason", "")
    try:
        passlist.record_exception(s, reg_id, outcome, reason, g.user.username)
    except SittingRefused as e:
        db.session.rollback()
        return sitting_page(s, 400, error=_refusal(e))
    audit("pass_exception", str(s.id), registration=reg_id, outcome=outcome or "rule", reason=reason[:500])
    return redirect(url_for("cert.sitting", sitting_id=s.id), 303)


@bp.post("/<int:sitting_id>/publish")
def publish(sitting_id: int):
    s = _sitting(sitting_id)
    if (page := ask("confirm.cert_publish", sitting=s.name(get_lang()))) is not None:
        return page
    try:
        done = passlist.publish(s.id, g.user.username)
    except SittingRefused as e:
        db.session.rollback()
        return sitting_page(db.session.get(Sitting, sitting_id), 409 if e.reason == "published" else 400,
                            error=_refusal(e))
    audit("passlist_publish", str(sitting_id), passed=done.passed, failed=done.failed, absent=done.absent,
          certificates=len(done.certificates))
    return redirect(url_for("cert.sitting", sitting_id=sitting_id, published=1), 303)


@bp.get("/<int:sitting_id>/passlist.xlsx")
def passlist_xlsx(sitting_id: int):
    s = _sitting(sitting_id)
    rule = sittings.current_rule(s)
    heads = [t("cert.name"), t("cert.id_number"), t("cert.candidate"), t("cert.theory"), t("cert.practical"),
             t("cert.total"), t("cert.outcome"), t("cert.exception"), t("cert.certificate"), t("cert.rule")]
    table = [[r.name, r.masked_id, r.candidate_number, r.theory, r.practical, r.total, t("outcome." + r.outcome.value),
              r.exception_reason or "", r.certificate or "", rule.describe(get_lang())]
             for r in passlist.rows(s)]
    data = sheets.write_xlsx(heads, table, title=t("cert.passlist"))
    audit("passlist_download", str(s.id), rows=len(table))
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"passlist-{s.id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/<int:sitting_id>/certificates.zip")
def certificates_zip(sitting_id: int):
    """The zip, built in this request for a small sitting; a large one is built in the background
    (certzip.py) and this answers 202 with its progress until it is ready."""
    s = _sitting(sitting_id)
    views = certificates.views(s.id)
    if not views:
        abort(404)
    base = public_base()
    out = certzip.path_for(Path(current_app.config["WORK_DIR"]) / "certificates", s.id, views, base)
    st = certzip.state(out)
    if st is None or (st.status == "failed" and request.args.get("retry")):
        if len(views) <= current_app.config["CERT_ZIP_INLINE_MAX"]:
            st = certzip.build(views, base, out)
        else:
            audit("certificates_zip_build", str(s.id), count=len(views))
            st = certzip.start(views, base, out)
    if st.status == "ready":
        audit("certificates_download", str(s.id), count=len(views))
        return send_file(out, as_attachment=True, download_name=f"certificates-{s.id}.zip",
                         mimetype="application/zip")
    return render_template("cert/zip_building.html", sitting=s, state=st, refresh_s=3), \
        500 if st.status == "failed" else 202


def _cert(number: str) -> Certificate:
    return certificates.by_number(number) or abort(404)


@bp.get("/certificate/<number>.pdf")
def certificate_pdf(number: str):
    cert = _cert(number)
    view = certificates.view(cert)
    data = certpdf.render(view, public_base())
    audit("certificate_download", view.number)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=certpdf.filename(view), mimetype="application/pdf")


@bp.post("/certificate/<number>/revoke")
def revoke(number: str):
    cert = _cert(number)
    if (page := ask("confirm.cert_revoke", number=cert.number)) is not None:
        return page
    try:
        certificates.revoke(cert, request.form.get("reason", ""), g.user.username)
    except CertificateRefused as e:
        return sitting_page(cert.sitting, 400, error=_refusal(e))
    audit("certificate_revoke", cert.number, reason=cert.revoked_reason)
    return redirect(url_for("cert.sitting", sitting_id=cert.sitting_id), 303)


@bp.get("/people/<int:person_id>")
def person(person_id: int, revealed: str | None = None):
    p = db.session.get(Person, person_id) or abort(404)
    record = sittings.person_record(p)
    certs = list(db.session.scalars(select(Certificate).where(Certificate.person_id == p.id)))
    return render_template("cert/person.html", person=p, masked=people.masked_id(p), record=record, certs=certs,
                           revealed=revealed)


@bp.post("/people/<int:person_id>/reveal")
@roles_required(Role.ADMIN)
def reveal(person_id: int):
    """The one place a whole ID number is shown: admins only, audited before it is."""
    p = db.session.get(Person, person_id) or abort(404)
    if (page := ask("confirm.cert_reveal", name=p.name)) is not None:
        return page
    audit("id_number_view", f"person:{p.id}", name=p.name)
    return person(person_id, revealed=p.id_number or "")


def dates(s: Sitting) -> str:
    return s.starts_on.isoformat() + ("" if s.ends_on == s.starts_on else " – " + s.ends_on.isoformat())


@bp.app_template_global("cert_dates")
def _cert_dates(s: Sitting) -> str:
    return dates(s)


@bp.app_template_global("cert_local")
def _cert_local(dt) -> str:
    return local(dt) if dt else ""


@bp.app_template_filter("part_name")
def _part_name(part: str) -> str:
    return t("cert." + part)      # theory, practical, total
