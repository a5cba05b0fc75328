"""Made-up competition entrants for the tests, the demo and the bench: valid ID numbers and
team lists (one row per member) as the board's team import reads them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from web.services.idnumber import check_character
from web.services.sheets import write_xlsx

HEADER = ["队伍编号", "队名", "组别", "单位", "单位类型", "地区", "姓名", "身份证号", "身份", "角色", "准考证号",
          "联系方式", "国家级称号"]
DIVISION = {"student": "学生组", "employee": "职工组"}
CATEGORY = {"student": "学生", "employee": "职工"}


def id_number(seq: int, *, male: bool = True, region: str = "110101", born: date = date(2001, 1, 1)) -> str:
    """A valid 18-character ID number; `seq` makes it unique (a different birth day every 1000)."""
    day = born + timedelta(days=seq // 500)
    order = (seq % 500) * 2 + (1 if male else 0)
    first17 = f"{region}{day:%Y%m%d}{order:03d}"
    return first17 + check_character(first17)


@dataclass
class Entrant:
    team_id: str
    team: str
    division: str          # student / employee
    affiliation: str
    name: str
    id_number: str
    number: str
    role: str = "队员"
    category: str | None = None      # default: the division's
    kind: str | None = None          # default: school for students, company for employees
    region: str = "北京"
    title: str = "否"

    def cells(self) -> list[str]:
        kind = self.kind or ("学校" if self.division == "student" else "企业")
        return [self.team_id, self.team, DIVISION[self.division], self.affiliation, kind, self.region, self.name,
                self.id_number, self.category or CATEGORY[self.division], self.role, self.number, "", self.title]


def teams(prefix: str, n: int, *, members: int = 3, division: str = "student", start: int = 0) -> list[Entrant]:
    """n teams of `members`, each from its own affiliation; the first member captains."""
    out = []
    for t in range(n):
        for m in range(members):
            seq = start + t * members + m
            out.append(Entrant(f"{prefix}-T{t + 1:03d}", f"{prefix} 队 {t + 1}", division,
                               f"{prefix} {'学校' if division == 'student' else '公司'} {t + 1}",
                               f"选手{prefix}{t + 1}-{m + 1}", id_number(seq, male=m % 2 == 0),
                               f"{prefix}{t + 1:03d}{m + 1}", "队长" if m == 0 else "队员"))
    return out


def as_csv(rows: list[Entrant], encoding: str = "utf-8") -> bytes:
    lines = [",".join(HEADER)] + [",".join(r.cells()) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def as_xlsx(rows: list[Entrant]) -> bytes:
    return write_xlsx(HEADER, [r.cells() for r in rows], title="teams")
