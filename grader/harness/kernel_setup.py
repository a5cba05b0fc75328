"""Installed in the candidate's kernel before their first cell runs.

A print loop in a notebook floods the kernel's output channel faster than it
can be read, and the messages pile up in memory until something is killed
for it. Counting at the write itself ends the flood in the cell that causes it,
with a name the grader recognises.
"""
from __future__ import annotations

import sys

FLOOD_ENAME = "OutputLimitExceeded"


class OutputLimitExceeded(Exception):
    pass


class _Counted:
    def __init__(self, stream, budget):
        self._stream = stream
        self._budget = budget

    def write(self, text):
        self._budget.spend(len(text))
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _Budget:
    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def reset(self, *args):
        self.used = 0

    def spend(self, n: int):
        self.used += n
        if self.used > self.limit:
            self.used = 0   # the next cell starts afresh
            raise OutputLimitExceeded(f"this cell printed more than {self.limit // 1024} KB")


def install(limit_bytes: int) -> None:
    budget = _Budget(limit_bytes)
    sys.stdout = _Counted(sys.stdout, budget)
    sys.stderr = _Counted(sys.stderr, budget)
    try:
        get_ipython().events.register("pre_run_cell", budget.reset)  # noqa: F821 (IPython builtin)
    except NameError:
        pass
