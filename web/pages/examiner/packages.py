"""Examiner pages: exam packages, from the configured folders or an uploaded zip, validated."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from grader.errors import SubmissionRejected
from grader.manifest import read_exam

from ...services import exams, packages
from ...storage.content import safe_filename, scratch
from ...storage.db import db
from ...storage.models import Exam
from ..i18n import get_lang, t
from ..policy import audit
from . import bp


def _roots() -> list[Path]:
    return packages.roots(current_app.config["EXAM_ROOTS"])


def _packages_page(problems=None, error: str | None = None, status: int = 200):
    listed = _roots()
    return render_template("examiner/packages.html", found=packages.scan(listed), roots=listed,
                           exams=exams.all_exams(), problems=problems, error=error), status


@bp.get("/")
def package_list():
    return _packages_page()


@bp.post("/packages/load")
def load_package():
    path = packages.resolve(_roots(), request.form.get("root", -1, type=int), request.form.get("name", ""))
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
            folder, problems = packages.unpack(src, name, Path(current_app.config["PACKAGES_DIR"]),
                                               current_app.config["PACKAGE_MAX_MB"])
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
