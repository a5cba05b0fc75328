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
        spec = sandbox.SandboxSpec(
            image=image, limits=limits,
            run_spec={"mode": "raw", "command": ["python3", script.name, *args],
                      "limits": {"stdout_kb": limits.stdout_kb}},
            grace_s=2.0,
        )
        with sandbox.output_folder(limits) as out:
            sandbox.stage(src, out)
            return sandbox.run(spec, out)
