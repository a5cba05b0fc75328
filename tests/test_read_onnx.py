"""rubric.read_onnx where trusted tests call it, inside the sandbox image: a model loads and
runs; weights kept in an external file, a file that is not ONNX and a link are refused,
each with its reason (the host venv has no onnx; the image has)."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import sandbox
from grader.models import Limits, Verdict

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "onnx_reader"
LIMITS = Limits(wall_s=60, memory_mb=1024, cpus=1.0, pids=64, output_mb=4, stdout_kb=64, tmpfs_mb=64)

pytestmark = pytest.mark.docker


def test_read_onnx_loads_a_model_and_refuses_external_weights_garbage_and_links(image_tag):
    command = ["python3", "/fixture/check.py"]
    with sandbox.raw_run(image_tag, command, LIMITS,
                         binds=(sandbox.Bind(FIXTURE, "/fixture", read_only=True),)) as (run, _):
        pass
    shown = f"verdict {run.verdict.value}, exit {run.exit_code}\n{run.stdout}\n{run.stderr[-2000:]}"
    assert run.verdict is Verdict.OK and run.exit_code == 0, shown
    lines = dict(line.split(": ", 1) for line in run.stdout.strip().splitlines())
    assert lines["plain"] == "ok [12.0, 16.0]", shown
    assert lines["external"] == "refused: keeps its weights in separate files: save the whole model in one .onnx file"
    assert lines["garbage"].startswith("refused: is not an ONNX model"), shown
    assert lines["link"] == "refused: is a link, not a file", shown
