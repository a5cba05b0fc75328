"""What the public scoreboard shows of a candidate, as the examiner chose for the exam.

* `masked` (the default): the candidate number and the name masked to its first character
  ("张*", "王**"), no seat;
* `no_seat`: number and full name, no seat;
* `number_only`: the candidate number alone;
* `full`: number, name and seat (an explicit choice, never the default).

Staff boards are not filtered. Pure functions over the board's rows.
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from .scores import Row


class Privacy(str, enum.Enum):
    MASKED = "masked"
    NO_SEAT = "no_seat"
    NUMBER_ONLY = "number_only"
    FULL = "full"


DEFAULT = Privacy.MASKED


@dataclass(frozen=True)
class Columns:
    name: bool
    seat: bool


def parse(value: str | None) -> Privacy | None:
    try:
        return Privacy(value)
    except ValueError:
        return None


def of(exam) -> Privacy:
    return parse(exam.board_privacy) or DEFAULT


def columns(mode: Privacy) -> Columns:
    return Columns(name=mode is not Privacy.NUMBER_ONLY, seat=mode is Privacy.FULL)


def mask(name: str) -> str:
    """The first character, then one star per character hidden (at least one)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def public_rows(rows: list[Row], mode: Privacy) -> list[Row]:
    cols = columns(mode)

    def shown(r: Row) -> Row:
        name = (mask(r.name) if mode is Privacy.MASKED else r.name) if cols.name else ""
        return dataclasses.replace(r, name=name, seat=r.seat if cols.seat else None)
    return [shown(r) for r in rows]
