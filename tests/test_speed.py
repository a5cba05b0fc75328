"""Time limits that mean the same work on every worker (grader/speed.py)."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from grader import speed
from grader.cli import main
from grader.errors import SandboxError
from grader.grading import grade_path
from grader.manifest import load_exam
from grader.models import Limits, TestStatus, Verdict
from grader.prove import record_reference_speed
from grader.store import Store

from .conftest import FIXTURES


def test_factor_is_reference_over_worker_speed_and_clamped():
    assert speed.time_scale(1.0, speed.fixed(0.5)).factor == 2.0
    assert speed.time_scale(1.0, speed.fixed(2.0)).factor == 0.5
    fast = speed.time_scale(1.0, speed.fixed(10.0))
    assert fast.factor == speed.MIN_FACTOR and fast.clamped and not fast.too_slow
    slow = speed.time_scale(1.0, speed.fixed(0.1))
    assert slow.factor == speed.MAX_FACTOR and slow.too_slow
    assert "too slow" in slow.describe()
    unscaled = speed.time_scale(None, speed.fixed(0.3))
    assert unscaled.factor == 1.0 and unscaled.worker_speed == 0.3


def test_only_time_limits_are_scaled():
    lim = Limits(wall_s=60, cell_s=30, test_s=20, memory_mb=512, cpus=1.0, pids=64)
    scaled = speed.scale_limits(lim, 1.5)
    assert (scaled.wall_s, scaled.cell_s, scaled.test_s) == (90, 45, 30)
    assert (scaled.memory_mb, scaled.cpus, scaled.pids) == (512, 1.0, 64)


def test_scale_exam_scales_every_test_timeout(tmp_path):
    exam = load_exam(FIXTURES / "quick")
    scaled = speed.scale_exam(exam, speed.time_scale(1.0, speed.fixed(0.5)), extra=1.5)
    for before, after in zip(exam.tasks, scaled.tasks):
        assert after.time_factor == 3.0
        assert after.limits.wall_s == before.limits.wall_s * 3
        assert [t.timeout_s for t in after.tests] == [t.timeout_s * 3 for t in before.tests]


@pytest.mark.parametrize("printed", ["", "garbage", '{"version": 999, "round_s": [0.1]}',
                                     '{"version": 1, "round_s": [-1]}', '{"version": 1, "round_s": "x"}'])
def test_a_calibration_result_that_is_not_one_is_refused(printed):
    assert speed.parse_calibration(printed) == []


def test_the_override_must_be_a_speed(monkeypatch):
    monkeypatch.setenv(speed.SPEED_ENV, "fast")
    with pytest.raises(SandboxError, match="not a number"):
        speed.override_from_env()
    monkeypatch.setenv(speed.SPEED_ENV, "0.25")
    assert speed.override_from_env().speed == 0.25


def test_prove_writes_the_reference_speed_at_the_top_of_the_manifest(tmp_path):
    pkg = tmp_path / "quick"
    shutil.copytree(FIXTURES / "quick", pkg)
    record_reference_speed(pkg, 0.8765)
    assert load_exam(pkg).reference_speed == pytest.approx(0.8765, abs=1e-3)
    record_reference_speed(pkg, 1.25)     # replaced, not added twice
    text = (pkg / "exam.toml").read_text()
    assert text.count("reference_speed") == 1 and load_exam(pkg).reference_speed == 1.25


@pytest.mark.docker
def test_calibration_measures_a_plausible_speed(image_tag):
    measured = speed.calibrate(image_tag, parallel=2)
    assert measured.source == "calibrated"
    # nine rounds per sandbox, fewer when a crowded machine passes the workload's time budget
    assert 2 <= measured.samples <= 2 * 9
    # speed 1.0 is a 2-core cloud machine at rest; a session machine at load 12 measured 0.034
    assert 0.005 < measured.speed < 20


# -- the same verdict on a slow and a fast worker ----------------------------------------

HONEST = """\
def add(a, b):
    total = 0
    for i in range(300_000):      # some real work: about 0.05 s
        total += i % 3
    return a + b
"""

LOOPS = """\
def add(a, b):
    while True:
        pass
"""


@pytest.fixture
def quick_proven(tmp_path):
    pkg = tmp_path / "quick"
    shutil.copytree(FIXTURES / "quick", pkg)
    record_reference_speed(pkg, 1.0)
    return load_exam(pkg)


@pytest.mark.docker
@pytest.mark.parametrize("source, verdict, score", [(HONEST, Verdict.OK, 4), (LOOPS, Verdict.TIME_LIMIT, 0)])
def test_a_slow_and_a_fast_worker_give_the_same_verdict(quick_proven, image_tag, tmp_path, source, verdict,
                                                          score):
    sub = tmp_path / "calc.py"
    sub.write_text(source)
    reports = {}
    for worker in (0.5, 2.0):     # limits x2 on the slow worker, x0.5 on the fast one
        scale = speed.time_scale(quick_proven.reference_speed, speed.fixed(worker))
        reports[worker] = grade_path(quick_proven, sub, store=Store(tmp_path / f"store{worker}"), task="calc",
                                     image=image_tag, scale=scale)
    nominal = quick_proven.task("calc")
    for worker, factor in ((0.5, 2.0), (2.0, 0.5)):
        rep = reports[worker]
        (task,) = rep.tasks
        assert (task.status, task.score) == (verdict, score), task.message
        assert rep.time_scale.factor == factor and rep.time_scale.worker_speed == worker
        run = next(u for u in task.usage if u.limit == "run")
        assert run.limit_s == pytest.approx(nominal.limits.wall_s * factor)
        slowest = next(u for u in task.usage if u.limit.startswith("test "))
        assert slowest.limit_s == pytest.approx(nominal.limits.test_s * factor)
        if verdict is Verdict.TIME_LIMIT:
            # stopped at the scaled limit, not the package's: 8 s on the slow worker, 2 s on the fast
            assert slowest.hit and any(t.status is TestStatus.TIME_LIMIT for t in task.tests)
            assert slowest.used_s == pytest.approx(nominal.limits.test_s * factor, rel=0.35)


@pytest.mark.docker
def test_grade_json_carries_the_worker_speed_and_factor(quick_proven, image_tag, tmp_path):
    sub = tmp_path / "calc.py"
    sub.write_text(HONEST)
    out = CliRunner().invoke(main, ["grade", str(quick_proven.root), str(sub), "--json", "-q",
                                    "--worker-speed", "0.8", "--artifacts", str(tmp_path / "art")],
                             env={"PRACTICUM_HOME": str(tmp_path / "home")})
    assert out.exit_code == 0, out.output
    import json
    data = json.loads(out.output)
    assert data["time_scale"]["worker_speed"] == 0.8
    assert data["time_scale"]["factor"] == pytest.approx(1.25)
    assert data["tasks"][0]["limit_use"][0]["limit"] == "run"


def test_a_machine_too_busy_for_nine_rounds_still_reports_what_it_measured(monkeypatch, capsys):
    from grader.harness import calibrate as workload

    monkeypatch.setattr(workload, "BUDGET_S", 0.0)   # as if the warm-up alone used the budget
    assert workload.main() == 0
    rounds = speed.parse_calibration(capsys.readouterr().out)
    assert len(rounds) == 1 and rounds[0] > 0
