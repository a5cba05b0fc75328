"""A team list from xlsx or CSV: one row per member. Pure: bytes in, teams and problems out.

Columns (a header in Chinese or English, any order): team id, team name, division, affiliation,
affiliation kind, region, member name, ID number, category (student / employee or teacher),
role (captain / member), candidate number, contact, person id, national title (yes / no).
Each row is checked on its own here (shapes, the ID checksum, known words); the rules that
need the whole file or the database (one school per team, size, one team per person,
eligibility) are `web.services.contest.entrants.check`. Every problem names its Excel line,
its field and a reason key; any problem refuses the whole file.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...storage.models import AffiliationKind, Category, Division, MemberRole
from .. import idnumber, sheets
from ..roster import NUMBER_RE

HEADERS = {
    "team_id": {"team id", "team_id", "team external id", "队伍编号", "参赛队编号", "队编号"},
    "team": {"team", "team name", "队名", "队伍名称", "参赛队名称", "参赛队"},
    "division": {"division", "组别", "参赛组别"},
    "affiliation": {"affiliation", "school", "company", "单位", "学校", "所在单位", "单位名称"},
    "kind": {"affiliation kind", "kind", "单位类型", "单位类别"},
    "region": {"region", "province", "地区", "省份", "所在地区"},
    "name": {"name", "member name", "姓名", "成员姓名"},
    "id_number": {"id number", "id_number", "id card", "身份证号", "身份证号码", "证件号码"},
    "category": {"category", "status", "身份", "人员类别", "类别"},
    "role": {"role", "角色", "队内角色"},
    "number": {"candidate number", "candidate_number", "准考证号", "考号"},
    "contact": {"contact", "phone", "联系方式", "电话", "手机"},
    "person_id": {"person id", "person_id", "人员编号"},
    "title": {"national title", "title", "国家级称号", "称号"},
}
REQUIRED = ("team_id", "team", "division", "affiliation", "name", "id_number", "category", "number")
DEFAULT_COLUMNS = {f: i for i, f in enumerate(("team_id", "team", "division", "affiliation", "kind", "region",
                                               "name", "id_number", "category", "role", "number", "contact",
                                               "person_id", "title"))}
WORDS = {
    "division": {Division.EMPLOYEE: {"employee", "employees", "职工组", "职工", "教师组", "职工（教师）组"},
                 Division.STUDENT: {"student", "students", "学生组", "学生"}},
    "kind": {AffiliationKind.SCHOOL: {"school", "学校", "院校", "高校"},
             AffiliationKind.COMPANY: {"company", "企业", "公司", "单位"}},
    "category": {Category.STUDENT: {"student", "学生", "在校生"},
                 Category.EMPLOYEE: {"employee", "teacher", "职工", "教师", "员工", "在职"}},
    "role": {MemberRole.CAPTAIN: {"captain", "队长"}, MemberRole.MEMBER: {"member", "队员", "成员", ""}},
    "title": {True: {"yes", "y", "true", "是", "有"}, False: {"no", "n", "false", "否", "无", ""}},
}
ID_RE = NUMBER_RE      # team, person and affiliation external ids: the candidate number's shape


@dataclass(frozen=True)
class MemberRow:
    line: int
    team_id: str
    team: str
    division: Division
    affiliation: str
    kind: AffiliationKind | None      # None: not given (a new affiliation needs it)
    region: str
    name: str
    id_number: str
    male: bool
    category: Category
    role: MemberRole
    number: str
    contact: str
    person_id: str | None
    national_title: bool


@dataclass(frozen=True)
class Problem:
    line: int                # Excel line; 0: the file as a whole
    field: str               # a column key of HEADERS, or "" for the file
    reason: str              # an i18n key under "entrants."
    value: str = ""


def _word(field: str, text: str):
    low = text.strip().lower()
    for value, accepted in WORDS[field].items():
        if low in accepted:
            return value
    raise KeyError(text)


def parse(data: bytes) -> tuple[list[MemberRow], list[Problem]]:
    rows: list[MemberRow] = []
    problems: list[Problem] = []
    try:
        for line, cell in sheets.records(data, HEADERS, ("team_id", "name", "id_number"), DEFAULT_COLUMNS):
            row = _row(line, cell, problems)
            if row is not None:
                rows.append(row)
    except sheets.BadSheet as exc:
        return [], [Problem(0, "", f"entrants.sheet_{exc.reason}", exc.detail)]
    if not rows and not problems:
        problems.append(Problem(0, "", "entrants.empty"))
    return rows, problems


def _row(line: int, cell, problems: list[Problem]) -> MemberRow | None:
    before = len(problems)

    def bad(field: str, reason: str, value: str = "") -> None:
        problems.append(Problem(line, field, f"entrants.{reason}", value[:80]))

    for field in REQUIRED:
        if not cell(field):
            bad(field, "missing")
    words = {}
    for field in ("division", "kind", "category", "role", "title"):
        if cell(field) or field in ("role", "title"):
            try:
                words[field] = _word(field, cell(field))
            except KeyError:
                bad(field, f"bad_{field}", cell(field))
    for field in ("team_id", "number", "person_id"):
        if cell(field) and not ID_RE.match(cell(field)):
            bad(field, "bad_id", cell(field))
    for field, limit in (("team", 200), ("affiliation", 200), ("name", 200), ("region", 100), ("contact", 200)):
        if len(cell(field)) > limit:
            bad(field, "too_long", cell(field))
    person = None
    if cell("id_number"):
        try:
            person = idnumber.parse(cell("id_number"))
        except idnumber.BadIdNumber as exc:
            bad("id_number", f"id_{exc.reason}", idnumber.mask(cell("id_number")))
    if len(problems) > before:
        return None
    return MemberRow(line=line, team_id=cell("team_id"), team=cell("team"), division=words["division"],
                     affiliation=cell("affiliation"), kind=words.get("kind"), region=cell("region"),
                     name=cell("name"), id_number=person.value, male=person.male, category=words["category"],
                     role=words["role"], number=cell("number"), contact=cell("contact"),
                     person_id=cell("person_id") or None, national_title=words["title"])
