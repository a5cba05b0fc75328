"""Building blocks for the certification tests: a sitting on the edge-AI exam, people
registered from a real sheet, practical results as the board stores them, and a certificate
PDF read back as a reader sees it (text, and the QR decoded from the rendered pixels)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from web.services import exams, idnumber, sheets, sittings
from web.services.passrule import Rule
from web.storage.db import db
from web.storage.models import Result, Submission, SubmissionStatus, TheoryScore

EDGE = Path(__file__).resolve().parents[2] / "exams" / "edge-ai-practical"
RULE_60_60 = Rule(1, 60.0, 60.0, 30, None)


def make_id(first17: str) -> str:
    return first17 + idnumber.check_character(first17)


def ids(n: int, start: int = 1) -> list[str]:
    """`n` valid ID numbers, born 1990-1999, alternating genders."""
    return [make_id(f"440300{1990 + i % 10}0101{i % 1000:03d}") for i in range(start, start + n)]


def edge_exam() -> int:
    from sqlalchemy import select
    from web.storage.models import Exam

    found = db.session.scalar(select(Exam.id).where(Exam.key == "edge-ai-practical"))
    return found or exams.register_exam(EDGE).id


def new_sitting(rule: Rule = RULE_60_60, site: str = "SZ", name: str = "2026年第一批 中级") -> int:
    exam_id = edge_exam()
    form = sittings.SittingForm(name, "2026 first sitting, intermediate", "intermediate", exam_id, site,
                                "深圳考点 Shenzhen", date(2026, 11, 20), date(2026, 11, 21))
    return sittings.create(form, rule, "examiner").id


def register(sitting_id: int, people_rows: list[tuple[str, str]]) -> dict[str, int]:
    """{name: candidate user id} after registering (name, id number) rows from an xlsx."""
    from web.storage.models import Sitting

    data = sheets.write_xlsx(["姓名", "身份证号", "单位"], [[n, i, "深圳职业技术大学"] for n, i in people_rows])
    sitting = db.session.get(Sitting, sitting_id)
    done = sittings.register(sitting, data)
    assert done.problems == [], done.problems
    return {r.person.name: r.candidate_id for r in sittings.registrations(sitting)}


def practical(exam_id: int, candidate_id: int, score: float, task: str = "video", max_score: float = 100.0) -> None:
    """A graded result of `score` points for one task (as the worker writes it)."""
    sub = Submission(candidate_id=candidate_id, exam_id=exam_id, task_id=task, sha256="0" * 64,
                     filename="answer.zip", status=SubmissionStatus.GRADED)
    db.session.add(sub)
    db.session.flush()
    db.session.add(Result(submission_id=sub.id, task_id=task, score=score, max_score=max_score,
                          status="ok", message=""))
    db.session.commit()


def scored_sitting(people_rows: list[tuple[str, str]], theory_score: float, practical_score: float) -> int:
    """A new sitting with these (name, id number) people registered, each with both scores."""
    from web.storage.models import Sitting

    sid = new_sitting()
    names = register(sid, people_rows)
    exam_id = db.session.get(Sitting, sid).exam_id
    for uid in names.values():
        theory(exam_id, uid, theory_score)
        practical(exam_id, uid, practical_score)
    return sid


def theory(exam_id: int, candidate_id: int, score: float) -> None:
    db.session.add(TheoryScore(exam_id=exam_id, candidate_id=candidate_id, score=score))
    db.session.commit()


def pdf_text_and_qr(data: bytes) -> tuple[str, str]:
    """The page's text, and its QR decoded from the rendered pixels ('' if no scale finds it).
    A phone sees the code at many sizes; the detector is tried at three of them, as a reader
    holding it closer would."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0]
        text = page.get_textpage().get_text_range()
        decoded = ""
        for scale in (2, 3, 4):
            pixels = np.array(page.render(scale=scale).to_pil().convert("L"))
            decoded, _points, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
            if decoded:
                break
    finally:
        doc.close()
    return text, decoded
