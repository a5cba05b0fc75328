"""Roster CSV: parsing (pure) and the import page (codes shown once, audited)."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from web.services import roster
from web.storage.db import db
from web.storage.models import AuditLog, Role, User


def test_parse_english_header_any_order():
    rows, problems = roster.parse(b"seat,name,candidate_number\nA1,Zhang San,2024001\nA2,Li Si,2024002\n")
    assert not problems
    assert [(r.number, r.name, r.seat) for r in rows] == [("2024001", "Zhang San", "A1"), ("2024002", "Li Si", "A2")]


def test_parse_chinese_header_gbk_and_no_seat():
    data = "准考证号,姓名\n2024001,张三\n\n2024002,李四\n".encode("gbk")
    rows, problems = roster.parse(data)
    assert not problems
    assert [(r.number, r.name, r.seat) for r in rows] == [("2024001", "张三", None), ("2024002", "李四", None)]


def test_parse_without_header_utf8_bom_and_tabs():
    rows, problems = roster.parse("\ufeff2024001\t张三\tB3\n".encode("utf-8"))
    assert not problems and rows[0].number == "2024001" and rows[0].seat == "B3"


def test_parse_names_every_problem_with_its_line():
    rows, problems = roster.parse(b"number,name\n2024001,A\n2024001,B\nbad number!,C\n")
    assert rows == []
    assert [(p.line, p.key) for p in problems] == [(3, "roster.duplicate"), (4, "roster.bad_number")]
    assert roster.parse(b"")[1][0].key == "roster.empty"
    assert roster.parse(b"\xff\xfe\xfa\xfb")[1][0].key == "roster.encoding"


def _import(b, exam_id, text: str, new_codes=False):
    data = {"exam": str(exam_id), "roster": (io.BytesIO(text.encode("utf-8")), "roster.csv")}
    if new_codes:
        data["new_codes"] = "1"
    return b.post("/staff/roster", data, content_type="multipart/form-data")


def test_import_page_issues_codes_once(app, make_browser, staff, exam):
    b = make_browser()
    b.login_staff(staff["examiner"])
    r = _import(b, exam, "准考证号,姓名,座位号\n2024001,张三,A1\n2024002,李四,A2\n")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    codes = re.findall(r'class="code">([A-Z0-9-]+)<', page)
    assert len(codes) == 2 and "张三" in page
    with app.app_context():
        users = db.session.scalars(select(User).where(User.role == Role.CANDIDATE).order_by(User.username)).all()
        assert [(u.username, u.name, u.seat, u.exam_id) for u in users] == [
            ("2024001", "张三", "A1", exam), ("2024002", "李四", "A2", exam)]
        assert all(u.code_hash and codes[0] not in u.code_hash for u in users)
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "roster_import"))
        assert entry.actor == staff["examiner"] and entry.details["codes_issued"] == 2
        assert not any(c in str(entry.details) for c in codes)                 # codes are never logged

    # again: existing candidates keep their codes, names are updated, a new one gets a code
    r = _import(b, exam, "2024001,张三丰,A1\n2024003,王五,A3\n")
    assert len(re.findall(r'class="code">', r.get_data(as_text=True))) == 1
    candidate = make_browser()
    assert candidate.login_candidate("2024001", codes[0]).status_code == 302
    # everyone new codes on request
    r = _import(b, exam, "2024002,李四,A2\n", new_codes=True)
    assert len(re.findall(r'class="code">', r.get_data(as_text=True))) == 1
    assert make_browser().login_candidate("2024002", codes[1]).status_code == 401


def test_import_refuses_a_bad_file_whole(app, make_browser, staff, exam):
    b = make_browser()
    b.login_staff(staff["admin"])
    r = _import(b, exam, "2024001,张三\n2024001,李四\n")
    assert r.status_code == 400
    assert "第 2 行" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.role == Role.CANDIDATE)) is None


def test_import_cannot_take_over_a_staff_account(app, make_browser, staff, exam):
    b = make_browser()
    b.login_staff(staff["admin"])
    r = _import(b, exam, "proctor1,Mallory,A1\n")
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "proctor1")).role is Role.PROCTOR


def test_proctor_may_not_import(make_browser, staff, exam):
    b = make_browser()
    b.login_staff(staff["proctor"])
    assert _import(b, exam, "2024001,张三\n").status_code == 403
