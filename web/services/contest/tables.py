"""Rankings as tables (a header and rows of cells) for the xlsx and CSV exports and the CLI,
in the reader's language."""
from __future__ import annotations

import csv
import io

from ...storage.models import Division
from .. import sheets
from .ranking import TeamScore

DIVISION_NAMES = {"employee": {"zh": "职工组", "en": "Employee division"},
                  "student": {"zh": "学生组", "en": "Student division"}}
AWARDS = {1: {"zh": "一等奖", "en": "First prize"}, 2: {"zh": "二等奖", "en": "Second prize"},
          3: {"zh": "三等奖", "en": "Third prize"}}
FINALIST = {"quota": {"zh": "决赛（赛区名额）", "en": "finalist (site quota)"},
            "top": {"zh": "决赛（全国排名）", "en": "finalist (national top)"}}
COLUMNS = {"zh": ["组别", "名次", "赛区", "队伍编号", "队名", "单位", "实操（%）", "理论", "总分", "赛区名次", "奖项",
                  "决赛资格", "成员"],
           "en": ["division", "rank", "site", "team id", "team", "affiliation", "practical (%)", "theory", "final",
                  "site rank", "award", "finalist", "members"]}


def award_name(tier: int | None, lang: str) -> str:
    return AWARDS[tier][lang] if tier in AWARDS else ""


def national_table(ranked: dict[Division, list[TeamScore]], lang: str) -> tuple[list[str], list[list]]:
    rows = []
    for division, teams in ranked.items():
        for t in teams:
            rows.append([DIVISION_NAMES[division.value][lang], t.rank, t.site, t.team_id, t.name, t.affiliation,
                         round(t.practical_pct, 2), "" if t.theory is None else t.theory,
                         "" if t.final is None else t.final, t.extra.get("site_rank", ""), award_name(t.award, lang),
                         FINALIST[t.finalist][lang] if t.finalist else "", "、".join(m.name for m in t.members)])
    return COLUMNS[lang], rows


def csv_text(table: tuple[list[str], list[list]]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(table[0])
    w.writerows(table[1])
    return out.getvalue()


def csv_bytes(table: tuple[list[str], list[list]]) -> bytes:
    """UTF-8 with a BOM: Excel on Chinese Windows opens it with the right characters."""
    return csv_text(table).encode("utf-8-sig")


def xlsx_bytes(table: tuple[list[str], list[list]], title: str) -> bytes:
    return sheets.write_xlsx(table[0], table[1], title=title)
