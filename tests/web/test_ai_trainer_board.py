"""The AI-trainer exam on the board: chosen for an advanced certification sitting (and refused
for an intermediate one: the package declares its level) and for a site's competition stages.
Real SQLite, the real package, the examiner's pages."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from web.services import exams
from web.services.contest import setup
from web.storage.db import db
from web.storage.models import Competition, Level, Sitting, Stage

PACKAGE = Path(__file__).resolve().parents[2] / "exams" / "ai-trainer-practical"
FORM = {"name_zh": "2026年第二批 人工智能训练师（高级）", "name_en": "2026 second sitting, AI trainer (advanced)",
        "site_code": "GZ", "site_name": "广州考点", "starts_on": "2026-12-12", "ends_on": "2026-12-13",
        "theory_min": "60", "practical_min": "60", "theory_weight": "30"}


def ai_trainer(app) -> int:
    with app.app_context():
        return exams.register_exam(PACKAGE).id


def test_an_advanced_sitting_takes_the_ai_trainer_exam(app, signed_in):
    exam_id = ai_trainer(app)
    examiner = signed_in("examiner")
    page = examiner.get("/staff/cert/").get_data(as_text=True)
    assert "人工智能训练师 实操考试" in page            # offered in the sitting form
    r = examiner.post("/staff/cert/", {**FORM, "level": "advanced", "exam": exam_id})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    refused = examiner.post("/staff/cert/", {**FORM, "level": "intermediate", "exam": exam_id})
    assert refused.status_code == 400 and "高级" in refused.get_data(as_text=True)
    with app.app_context():
        sitting = db.session.scalar(select(Sitting))
        assert (sitting.level, sitting.exam.key, sitting.site_code) == (Level.ADVANCED, "ai-trainer-practical", "GZ")
        assert db.session.scalar(select(Sitting).where(Sitting.level == Level.INTERMEDIATE)) is None


def test_competition_stages_run_on_the_ai_trainer_exam(app):
    exam_id = ai_trainer(app)
    with app.app_context():
        from web.storage.models import Exam
        exam = db.session.get(Exam, exam_id)
        setup.create("aitrainer2026-gz", exam=exam, site="GZ", stage=Stage.PRELIMINARY,
                     title_zh="人工智能训练师赛项 初赛", title_en="AI trainer, preliminary")
        setup.create("aitrainer2026-final", exam=exam, site="FINAL", stage=Stage.FINAL,
                     title_zh="人工智能训练师赛项 决赛", title_en="AI trainer, final")
        rows = {c.key: c for c in db.session.scalars(select(Competition))}
        assert {k: (c.stage, c.exam.key) for k, c in rows.items()} == {
            "aitrainer2026-gz": (Stage.PRELIMINARY, "ai-trainer-practical"),
            "aitrainer2026-final": (Stage.FINAL, "ai-trainer-practical")}
        assert all(c.exam_sha256 == exam.package_sha256 for c in rows.values())   # the package the sites must run
