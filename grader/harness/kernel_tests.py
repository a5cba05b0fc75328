"""Runs the rubric tests inside the notebook's own kernel.

Tests then call the functions the notebook defined, with the state the
notebook built, without running the notebook a second time.
"""
from __future__ import annotations

import os

from . import protocol
from .phase import run_pytest
from .plugin import Candidate


def run(namespace: dict) -> None:
    spec = protocol.load_spec()
    user_ns = {k: v for k, v in namespace.items() if not k.startswith("__pt")}
    run_pytest(spec, lambda: Candidate(user_ns, spec["entry"]))
    os.chdir(protocol.WORK)
