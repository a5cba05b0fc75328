"""Read a roster CSV: candidate number, name, seat. Pure: bytes in, rows and problems out.

Read as `web.services.csvfile` reads staff CSV files (UTF-8 or GBK; comma, tab or
semicolon); a header row in Chinese or English names the columns in any order,
without one the columns are number, name, seat. Any problem refuses the whole
file, each named with its line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .csvfile import decode, records

NUMBER_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
HEADERS = {
    "number": {"candidate_number", "candidate number", "candidate no", "candidate_no", "number", "no",
               "id", "准考证号", "考号", "考生号", "考生编号", "编号", "学号"},
    "name": {"name", "candidate name", "姓名", "名字", "考生姓名"},
    "seat": {"seat", "seat number", "座位", "座位号", "机位", "机位号", "机号"},
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class RosterRow:
    line: int
    number: str
    name: str
    seat: str | None


@dataclass(frozen=True)
class RosterProblem:
    line: int
    key: str                 # an i18n key under "roster."
    value: str = ""


def parse(data: bytes) -> tuple[list[RosterRow], list[RosterProblem]]:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return [], [RosterProblem(0, "roster.encoding")]
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    for line, cell in records(text, HEADERS, ("number",), {"number": 0, "name": 1, "seat": 2}):
        number, name, seat = cell("number"), cell("name"), cell("seat")
        if not NUMBER_RE.match(number):
            problems.append(RosterProblem(line, "roster.bad_number", number[:80]))
        elif number in seen:
            problems.append(RosterProblem(line, "roster.duplicate", number))
        if len(name) > 200 or len(seat) > 32:
            problems.append(RosterProblem(line, "roster.too_long", number[:80]))
        seen.setdefault(number, line)
        rows.append(RosterRow(line, number, name, seat or None))
        if len(rows) > MAX_ROWS:
            problems.append(RosterProblem(line, "roster.too_many", str(MAX_ROWS)))
            break
    if not rows and not problems:
        problems.append(RosterProblem(0, "roster.empty"))
    return (rows if not problems else []), problems
