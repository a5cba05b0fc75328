"""Exam time: the window, the server clock, and how times are shown in the exam's time zone
(`tz`, an IANA name such as Asia/Shanghai: the board's TIMEZONE setting)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from ..storage.db import utcnow


class WindowState(str, enum.Enum):
    NOT_STARTED = "not_started"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Window:
    start: datetime | None
    end: datetime | None

    def state(self, now: datetime) -> WindowState:
        if self.start is not None and now < self.start:
            return WindowState.NOT_STARTED
        if self.end is not None and now >= self.end:
            return WindowState.CLOSED
        return WindowState.OPEN


def local(dt: datetime | None, tz: str) -> str:
    """A UTC datetime as the exam room reads it: 2025-06-01 09:00:00."""
    if dt is None:
        return ""
    return dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def epoch_ms(dt: datetime | None) -> int | None:
    return None if dt is None else int(dt.timestamp() * 1000)


def parse_local(text: str, tz: str) -> datetime | None:
    """A `datetime-local` form value in the exam's time zone, as aware UTC (None when empty)."""
    text = (text or "").strip()
    if not text:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(timezone.utc)


def form_value(dt: datetime | None, tz: str) -> str:
    return "" if dt is None else dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


__all__ = ["Window", "WindowState", "utcnow", "local", "epoch_ms", "parse_local", "form_value"]
