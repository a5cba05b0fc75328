"""Examiner pages: exam packages (`packages`), one exam with its rubric, prove and regrade
(`exam`), browsing submissions with their result history (`submissions`), the similarity
report (`similarity`). One blueprint, examiners and admins only; every action audited."""
from __future__ import annotations

from flask import Blueprint, abort

from ...storage.db import db
from ...storage.models import Exam
from ..policy import EXAMINERS, check_role

bp = Blueprint("examiner", __name__, url_prefix="/staff/examiner")


@bp.before_request
def _examiners_only() -> None:
    check_role(EXAMINERS)


def exam_or_404(exam_id: int) -> Exam:
    return db.session.get(Exam, exam_id) or abort(404)


from . import exam, packages, similarity, submissions  # noqa: E402,F401 - their routes join `bp`
