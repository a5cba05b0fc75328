"""Read a roster CSV: candidate number, name, seat. Pure: bytes in, rows and problems out.

UTF-8 (with or without BOM) or GBK (Excel on Chinese Windows); comma, tab or
semicolon; a header row in Chinese or English names the columns in any order,
without one the columns are number, name, seat. Any problem refuses the whole
file, each named with its line.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

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


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gbk"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("roster", data[:1], 0, 1, "neither UTF-8 nor GBK")


def _header(cells: list[str]) -> dict[str, int] | None:
    norm = [c.strip().lower() for c in cells]
    found = {field: i for field, names in HEADERS.items() for i, c in enumerate(norm) if c in names}
    return found if "number" in found else None


def parse(data: bytes) -> tuple[list[RosterRow], list[RosterProblem]]:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return [], [RosterProblem(0, "roster.encoding")]
    lines = text.splitlines()
    top = next((l for l in lines if l.strip()), "")
    delimiter = max(",\t;", key=top.count) if top else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    columns = {"number": 0, "name": 1, "seat": 2}
    seen: dict[str, int] = {}
    first = True
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if first:
            first = False
            header = _header(cells)
            if header:
                columns = header
                continue

        def cell(field: str) -> str:
            i = columns.get(field)
            return cells[i].strip() if i is not None and i < len(cells) else ""

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
