"""The batch's progress line on stderr: done / total, rate, ETA, the last one finished.

On a terminal it redraws one line; otherwise (a log file, CI) it prints one line per
finished submission. The rate counts only submissions graded in this run (skipped ones,
already graded before, take no time and would make the ETA lie).
"""
from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

WIDTH = 24


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    def __init__(self, total: int, skipped: int = 0, stream: TextIO | None = None, *, jobs: int = 1,
                 now=time.monotonic) -> None:
        self.total = total
        self.done = skipped
        self.skipped = skipped
        self.jobs = jobs
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.now = now
        self.t0 = now()
        self.lock = threading.Lock()

    def line(self, last: str = "") -> str:
        graded = self.done - self.skipped
        elapsed = self.now() - self.t0
        left = self.total - self.done
        filled = int(WIDTH * self.done / self.total) if self.total else WIDTH
        bar = "#" * filled + "." * (WIDTH - filled)
        if graded and elapsed > 0:
            rate = graded / elapsed
            speed = f"{rate * 60:.1f}/min" if rate < 1 else f"{rate:.2f}/s"
            eta = f"ETA {clock(left / rate)}"
        else:
            speed, eta = "-/min", "ETA -"
        text = f"[{bar}] {self.done}/{self.total}  {speed}  {eta}  {clock(elapsed)}"
        return f"{text}  {last}" if last else text

    def finished(self, last: str) -> None:
        with self.lock:
            self.done += 1
            self._show(self.line(last))

    def start(self) -> None:
        with self.lock:
            note = f" ({self.skipped} already graded)" if self.skipped else ""
            self._show(self.line(f"{self.total - self.skipped} to grade, {self.jobs} at a time{note}"))

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _show(self, text: str) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K" + text[:200])
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
