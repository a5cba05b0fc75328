"""Run one script in a sandbox by hand, under an exam's limits (`practicum sandbox run`)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from . import sandbox
from .models import Limits, RunResult


def run_script(script: Path, *, image: str, limits: Limits, args: tuple[str, ...] = ()) -> RunResult:
    with tempfile.TemporaryDirectory(prefix="practicum-tryout-") as tmp:
        src = Path(tmp) / "submission"
        src.mkdir()
        shutil.copy(script, src / script.name)
        with sandbox.raw_run(image, ["python3", script.name, *args], limits, files=src, grace_s=2.0) as (run, _):
            return run
