"""Where a notebook cell's error came from, read from IPython's traceback text.

Kept apart from notebook.py (which needs jupyter_client) so the host can test it.
"""
from __future__ import annotations

import re

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CELL_LINE = re.compile(r"(?:Cell In\[\d*\]|<ipython-input-[^>]*>), line (\d+)|^-*> ?(\d+)", re.M)


def error_line(error: dict) -> int | None:
    """The line of the failing cell the error came from, as IPython's traceback names it."""
    text = _ANSI.sub("", "\n".join(str(t) for t in error.get("traceback", []) or []))
    for m in _CELL_LINE.finditer(text):
        value = m.group(1) or m.group(2)
        if value and value.isdigit():
            return int(value)
    return None
