"""People from staff sheets: every bad row named by its Excel line, one row per person."""
from __future__ import annotations

from sqlalchemy import func, select

from web.services import idnumber, people, sheets
from web.storage.db import db
from web.storage.models import Gender, Person


def make_id(first17: str) -> str:
    return first17 + idnumber.check_character(first17)


WANG = make_id("11010519900307001")      # 17th digit 1: male
LI = make_id("44030019920815002")        # female


def test_a_sheet_with_one_bad_row_is_refused_naming_every_bad_line():
    bad_checksum = WANG[:-1] + ("0" if WANG[-1] != "0" else "1")
    xlsx = sheets.write_xlsx(["姓名", "性别", "身份证号", "单位", "联系方式"], [
        ["王伟", "男", WANG, "深圳职业技术大学", "13800000000"],
        ["李娜", "男", LI, "", ""],                      # gender says male, ID says female
        ["张三", "", bad_checksum, "", ""],
        ["", "女", LI, "", ""],
        ["王伟", "男", WANG, "", ""],                    # the same person twice
    ])
    rows, problems = people.parse(xlsx)
    assert rows == []
    assert [(p.line, p.key) for p in problems] == [
        (3, "people.gender_mismatch"), (4, "people.id_checksum"), (5, "people.no_name"), (6, "people.duplicate")]
    assert all(bad_checksum not in p.value and WANG not in p.value for p in problems)


def test_gender_comes_from_the_id_when_the_sheet_leaves_it_out():
    csv = f"name,id number,affiliation\nWang Wei,{WANG},SZPU\nLi Na,{LI.lower()},\n".encode()
    rows, problems = people.parse(csv)
    assert problems == []
    assert [(r.name, r.gender, r.affiliation) for r in rows] == [
        ("Wang Wei", Gender.MALE, "SZPU"), ("Li Na", Gender.FEMALE, "")]
    assert rows[1].id_number == LI


def test_upsert_keeps_one_row_per_id_number(ctx):
    rows, _ = people.parse(f"姓名,身份证号\n王伟,{WANG}\n".encode())
    first = people.upsert(rows)[2]
    db.session.commit()
    rows, _ = people.parse(f"姓名,身份证号,单位\n王 伟,{WANG},新单位\n".encode())
    again = people.upsert(rows)[2]
    db.session.commit()
    assert again.id == first.id and again.name == "王 伟" and again.affiliation == "新单位"
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
    assert people.masked_id(again) == idnumber.mask(WANG) != WANG
