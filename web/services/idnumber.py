"""Mainland China resident ID numbers (GB 11643): checked, read and masked.

An 18-character number is 6 digits of region, 8 of birth date, 3 of sequence (odd =
male) and a check character computed from the first 17 (ISO 7064 MOD 11-2). Staff
type these by hand from paper forms, so a wrong digit must be caught at import,
naming the reason. Everywhere but the one audited admin view shows the masked form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class IdNumber:
    value: str               # normalised: upper-case X, no spaces
    birth: date
    male: bool

    @property
    def masked(self) -> str:
        return mask(self.value)


class BadIdNumber(ValueError):
    """`reason` is a short key: shape, date or checksum (pages translate it)."""

    def __init__(self, reason: str, value: str):
        super().__init__(f"ID number {mask(value)!s}: {reason}")
        self.reason = reason


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def parse(text: str, today: date | None = None) -> IdNumber:
    value = text.strip().replace(" ", "").upper()
    if not SHAPE.match(value):
        raise BadIdNumber("shape", value)
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise BadIdNumber("date", value) from None
    if birth.year < 1900 or birth > (today or date.today()):
        raise BadIdNumber("date", value)
    if check_character(value[:17]) != value[17]:
        raise BadIdNumber("checksum", value)
    return IdNumber(value, birth, int(value[16]) % 2 == 1)


def mask(value: str) -> str:
    """The first 3 and last 4 characters, the rest starred: enough for a person to recognise
    their own number, not enough to use it."""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
