"""The demo's certification sitting: a finished intermediate sitting with a published pass list.

`practicum serve --demo` puts the edge-AI exam (the intermediate package) on the board and
calls `seed` so a newcomer can open the pass list, download a certificate PDF and verify it
at /verify without preparing anything. Six people: four pass, one fails the theory minimum,
one has no theory score (absent), and one certificate is revoked to show that its record stays.

The practical scores are written as the worker writes its results (a graded submission per
task): grading 36 real hand-ins at every start would make the demo take minutes. Seeded
once: a restart finds the published sitting (by its site code) and leaves it as it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ..storage.db import db
from ..storage.models import (Certificate, Exam, Result, Sitting, SittingStatus, Submission, SubmissionStatus,
                              TheoryScore)
from . import certificates, exams, idnumber, passlist, sheets, sittings
from .passrule import Rule

SITE = "DEMO"
RULE = Rule(1, 60.0, 60.0, 30, None)          # theory >= 60 and practical >= 60; total 30 % theory
# (name, ID number's first 17 digits, theory, practical %): None = no score recorded
PEOPLE = (("赵晓明", "11010119900307001", 82.0, 90.0), ("钱雨桐", "11010119920512002", 75.0, 68.0),
          ("孙浩然", "11010119881121003", 91.0, 77.0), ("李思琪", "11010119950630004", 64.0, 61.0),
          ("周子轩", "11010119930214005", 58.0, 85.0), ("吴佳怡", "11010119970918006", None, 72.0))
REVOKED = "李思琪"
REVOKE_REASON = "演示：撤销后记录仍在，查询显示已撤销 / demo: a revoked certificate keeps its record"


@dataclass(frozen=True)
class DemoSitting:
    sitting_id: int
    number: str                  # a valid certificate: its number, holder and QR token
    holder: str
    token: str
    revoked: str | None          # the revoked one's number


def seed(exam_key: str = "edge-ai-practical") -> DemoSitting | None:
    """The published demo sitting (made on the first start); None when the exam is not on the board."""
    exam = db.session.scalar(select(Exam).where(Exam.key == exam_key))
    if exam is None:
        return None
    sitting = db.session.scalar(select(Sitting).where(Sitting.site_code == SITE, Sitting.exam_id == exam.id)
                                .order_by(Sitting.id))
    if sitting is None:
        sitting = _make(exam)
    certs = certificates.of_sitting(sitting.id)
    valid = next((c for c in certs if c.revoked_at is None), None)
    revoked = next((c.number for c in certs if c.revoked_at is not None), None)
    if valid is None:
        return DemoSitting(sitting.id, "", "", "", revoked)
    return DemoSitting(sitting.id, valid.number, valid.holder_name, valid.token, revoked)


def write_scores(exam: Exam, scores: dict[int, tuple[float | None, float | None]]) -> None:
    """{candidate id: (theory, practical %)}: a theory score and, per task, one graded submission
    worth that share of its points, as the theory import and the worker write them (None: none).
    Also bench/certificates.py's 5,000 candidates: rows are added in bulk, one flush a table."""
    tasks = exams.package(exam).tasks
    subs = []
    for cid, (theory, practical) in scores.items():
        if theory is not None:
            db.session.add(TheoryScore(exam_id=exam.id, candidate_id=cid, score=theory))
        if practical is not None:
            for task in tasks:
                sub = Submission(candidate_id=cid, exam_id=exam.id, task_id=task.id, sha256="0" * 64,
                                 filename="demo.zip", status=SubmissionStatus.GRADED)
                subs.append((sub, task, practical))
    db.session.add_all([sub for sub, _, _ in subs])
    db.session.flush()
    db.session.add_all([Result(submission_id=sub.id, task_id=task.id, score=round(task.points * pct / 100, 2),
                               max_score=task.points, status="ok", message="demo") for sub, task, pct in subs])
    db.session.commit()


def _make(exam: Exam) -> Sitting:
    ends = date.today() - timedelta(days=7)
    form = sittings.SittingForm("演示批次 人工智能边缘计算（中级）", "Demo sitting, AI edge computing (intermediate)",
                                "intermediate", exam.id, SITE, "演示考点 Demo site", ends - timedelta(days=1), ends)
    sitting = sittings.create(form, RULE, "demo")
    sheet = sheets.write_xlsx(["姓名", "身份证号", "单位"],
                              [[name, first17 + idnumber.check_character(first17), "演示职业技术学院"]
                               for name, first17, _, _ in PEOPLE])
    done = sittings.register(sitting, sheet)
    if done.problems:
        raise ValueError(f"demo registration refused: {done.problems}")
    by_name = {r.person.name: r.candidate_id for r in sittings.registrations(sitting)}
    write_scores(exam, {by_name[name]: (theory, practical) for name, _, theory, practical in PEOPLE})
    passlist.publish(sitting.id, "demo")
    cert = db.session.scalar(select(Certificate).where(Certificate.sitting_id == sitting.id,
                                                       Certificate.holder_name == REVOKED))
    if cert is not None:
        certificates.revoke(cert, REVOKE_REASON, "demo")
    sitting = db.session.get(Sitting, sitting.id)
    assert sitting.status is SittingStatus.PUBLISHED
    return sitting
