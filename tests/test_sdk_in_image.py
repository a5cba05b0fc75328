"""The edgeai SDK's own tests, run where candidates use the SDK: inside the sandbox image.

A host venv can hide what the image lacks (a CJK font, a model file left out of
the build, a different onnxruntime or OpenCV), and some of the SDK tests skip
themselves when a piece is missing, so here a skip counts as a failure too.

They run through the grader's own sandbox, in raw mode, exactly as an exam's data
generator does: no network, read-only root, uid 65534, no capabilities, a tmpfs
/tmp; the tests folder is bind-mounted read-only, so nothing can be written
beside the tests (hence `-p no:cacheprovider`; the image sets
PYTHONDONTWRITEBYTECODE).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader import sandbox
from grader.models import Limits, Verdict

REPO = Path(__file__).resolve().parents[1]
SDK_TESTS = REPO / "sandbox_images" / "sdk" / "tests"
MOUNT = "/sdk-tests"
# room for the face models on two cores, still far below the suite's 2-minute budget
LIMITS = Limits(wall_s=150, memory_mb=2048, cpus=2.0, pids=256, output_mb=16, stdout_kb=512, tmpfs_mb=256)
FEWEST = 40   # about 49 today: far fewer means files were not collected

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_sdk_tests_pass_inside_the_image(image_tag):
    assert SDK_TESTS.is_dir(), SDK_TESTS
    command = ["python3", "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", MOUNT]
    with sandbox.raw_run(image_tag, command, LIMITS, binds=(sandbox.Bind(SDK_TESTS, MOUNT, read_only=True),)) as (run, _):
        pass

    shown = f"verdict {run.verdict.value}, exit {run.exit_code}\n--- stdout\n{run.stdout}\n--- stderr\n{run.stderr}"
    assert run.infra_error is None, shown
    assert run.verdict is Verdict.OK and run.exit_code == 0, shown
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= FEWEST, shown
    assert not re.search(r"skipped|xfail|error", summary), f"inside the image nothing may skip:\n{shown}"
