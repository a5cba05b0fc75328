"""People from a staff sheet (xlsx or CSV): name, gender, resident ID, affiliation, contact.

Shared by certification registration and contests: both read a list the centre keeps
in Excel, both need the same person to be one row across sittings and contests. Pure
`parse` (bytes in, rows and problems out, every bad row named by its Excel line) and
`upsert` (a person is found by ID number, else by the centre's external id).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from ..storage.db import db
from ..storage.models import Gender, Person
from . import idnumber, sheets

HEADERS = {
    "name": {"name", "full name", "姓名", "名字", "考生姓名"},
    "gender": {"gender", "sex", "性别"},
    "id_number": {"id number", "id_number", "id no", "id card", "身份证", "身份证号", "身份证号码", "证件号码",
                  "证件号"},
    "affiliation": {"affiliation", "organisation", "organization", "school", "company", "单位", "工作单位",
                    "所在单位", "学校", "院校"},
    "contact": {"contact", "phone", "mobile", "email", "联系方式", "电话", "手机", "手机号", "联系电话"},
    "external_id": {"external id", "external_id", "ref", "报名号", "报名编号", "序号编号"},
}
DEFAULT_COLUMNS = {"name": 0, "gender": 1, "id_number": 2, "affiliation": 3, "contact": 4}
GENDERS = {"男": Gender.MALE, "m": Gender.MALE, "male": Gender.MALE,
           "女": Gender.FEMALE, "f": Gender.FEMALE, "female": Gender.FEMALE}
LIMITS = {"name": 200, "affiliation": 300, "contact": 200, "external_id": 64}
MAX_ROWS = 20_000


@dataclass(frozen=True)
class PersonRow:
    line: int
    name: str
    gender: Gender
    id_number: str           # normalised, checked
    affiliation: str = ""
    contact: str = ""
    external_id: str | None = None


@dataclass(frozen=True)
class PersonProblem:
    line: int
    key: str                 # an i18n key under "people."
    value: str = ""          # never a whole ID number: masked


def parse(data: bytes) -> tuple[list[PersonRow], list[PersonProblem]]:
    """Every row checked; any problem refuses the whole sheet (rows come back empty)."""
    rows: list[PersonRow] = []
    problems: list[PersonProblem] = []
    seen: dict[str, int] = {}
    try:
        for line, cell in sheets.records(data, HEADERS, ("name", "id_number"), DEFAULT_COLUMNS):
            row, problem = _row(line, cell)
            if problem is None and row.id_number in seen:
                problem = PersonProblem(line, "people.duplicate", f"{idnumber.mask(row.id_number)} ({seen[row.id_number]})")
            if problem:
                problems.append(problem)
            else:
                seen[row.id_number] = line
                rows.append(row)
            if len(rows) + len(problems) > MAX_ROWS:
                problems.append(PersonProblem(line, "people.too_many", str(MAX_ROWS)))
                break
    except sheets.BadSheet as e:
        return [], [PersonProblem(0, f"people.sheet_{e.reason}", e.detail)]
    if not rows and not problems:
        problems.append(PersonProblem(0, "people.empty"))
    return (rows if not problems else []), problems


def _row(line: int, cell) -> tuple[PersonRow | None, PersonProblem | None]:
    name = cell("name")
    if not name:
        return None, PersonProblem(line, "people.no_name")
    for field, limit in LIMITS.items():
        if len(cell(field)) > limit:
            return None, PersonProblem(line, "people.too_long", field)
    try:
        ident = idnumber.parse(cell("id_number"))
    except idnumber.BadIdNumber as e:
        return None, PersonProblem(line, f"people.id_{e.reason}", idnumber.mask(cell("id_number"))[:40])
    from_id = Gender.MALE if ident.male else Gender.FEMALE
    said = cell("gender")
    gender = GENDERS.get(said.lower()) if said else from_id
    if gender is None:
        return None, PersonProblem(line, "people.bad_gender", said[:20])
    if gender is not from_id:
        # the 17th digit decides: a mismatch is a typo in one of the two, and we cannot tell which
        return None, PersonProblem(line, "people.gender_mismatch", said[:20])
    return PersonRow(line, name, gender, ident.value, cell("affiliation"), cell("contact"),
                     cell("external_id") or None), None


def upsert(rows: list[PersonRow]) -> dict[int, Person]:
    """{line: person} with every row's person created or updated (found by ID number, else
    external id). Flushes; the caller commits with whatever links it makes."""
    ids = [r.id_number for r in rows]
    ext = [r.external_id for r in rows if r.external_id]
    known = list(db.session.scalars(select(Person).where(or_(
        Person.id_number.in_(ids), Person.external_id.in_(ext))))) if rows else []
    by_id = {p.id_number: p for p in known if p.id_number}
    by_ext = {p.external_id: p for p in known if p.external_id}
    out: dict[int, Person] = {}
    for r in rows:
        person = by_id.get(r.id_number) or (by_ext.get(r.external_id) if r.external_id else None)
        if person is None:
            person = Person(id_number=r.id_number)
            db.session.add(person)
            by_id[r.id_number] = person
        person.name, person.gender, person.id_number = r.name, r.gender, r.id_number
        person.affiliation, person.contact = r.affiliation, r.contact
        if r.external_id:
            person.external_id = r.external_id
        out[r.line] = person
    db.session.flush()
    return out


def masked_id(person: Person) -> str:
    return idnumber.mask(person.id_number) if person.id_number else ""
