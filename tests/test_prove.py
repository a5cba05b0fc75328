"""`practicum exam prove`: the sample exams' solutions earn exactly their recorded scores."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from grader.cli import main

from .conftest import REPO

pytestmark = pytest.mark.docker


def test_demo_is_proven(image_tag):
    out = CliRunner().invoke(main, ["exam", "prove", str(REPO / "exams" / "demo")])
    assert out.exit_code == 0, out.output
    assert "exam proven" in out.output


def test_a_wrong_expectation_fails_the_proof(image_tag, tmp_path):
    solutions = tmp_path / "solutions"
    shutil.copytree(REPO / "reference_solutions" / "demo", solutions)
    text = (solutions / "solutions.toml").read_text()
    (solutions / "solutions.toml").write_text(text.replace("score = 3\ntasks = { fast = 3 }",
                                                           "score = 4\ntasks = { fast = 4 }"))
    out = CliRunner().invoke(main, ["exam", "prove", str(REPO / "exams" / "demo"),
                                    "--solutions", str(solutions), "--only", "fast_loop"])
    assert out.exit_code == 1, out.output
    assert "score 3, expected 4" in out.output


@pytest.mark.slow
def test_edge_ai_practical_is_proven(image_tag):
    out = CliRunner().invoke(main, ["exam", "prove", str(REPO / "exams" / "edge-ai-practical")])
    assert out.exit_code == 0, out.output


@pytest.mark.slow
def test_ai_trainer_practical_is_proven(image_tag):
    out = CliRunner().invoke(main, ["exam", "prove", str(REPO / "exams" / "ai-trainer-practical")])
    assert out.exit_code == 0, out.output
    assert "exam proven" in out.output


# -- headroom: a proof must not rest on this machine's speed -----------------------------

def _quick_with_solutions(tmp_path, solutions: dict[str, str], toml: str):
    from grader.prove import record_reference_speed
    from .conftest import FIXTURES
    pkg = tmp_path / "quick"
    shutil.copytree(FIXTURES / "quick", pkg)
    record_reference_speed(pkg, 1.0)
    sols = tmp_path / "solutions"
    sols.mkdir()
    for name, text in solutions.items():
        (sols / name).write_text(text)
    (sols / "solutions.toml").write_text(toml)
    return pkg, sols


def _prove(pkg, sols):
    # a fixed speed: the factor is 1 and the sleeps below use known shares of the 4 s test limit
    return CliRunner().invoke(main, ["exam", "prove", str(pkg), "--solutions", str(sols), "--worker-speed", "1.0"])


SLEEPS = "import time\ndef add(a, b):\n    time.sleep({s})\n    return a + b\n"
LOOPS = "def add(a, b):\n    while True:\n        pass\n"


@pytest.mark.parametrize("code, expect, exit_code, shown", [
    # 2.6 s of the 4 s test limit: a slower or busier machine could stop it
    (SLEEPS.format(s=2.6), "score = 4", 1, "must stay under 50% of every limit"),
    # past the 4 s limit, but inside 3 x 4 s: a time-limit case must do unbounded work
    (SLEEPS.format(s=6), 'score = 0\nstatus = { calc = "time_limit" }', 1, "expected time_limit (graded at 3x"),
    (LOOPS, 'score = 0\nstatus = { calc = "time_limit" }', 0, "stopped at 3x limits"),
], ids=["uses-most-of-a-limit", "time-limit-case-finishes-at-3x", "unbounded-time-limit-case"])
def test_headroom_of_a_proof(image_tag, tmp_path, code, expect, exit_code, shown):
    pkg, sols = _quick_with_solutions(tmp_path, {"sol.py": code},
                                      f'[[solution]]\npath = "sol.py"\ntask = "calc"\n{expect}\n')
    out = _prove(pkg, sols)
    assert out.exit_code == exit_code, out.output
    assert shown in out.output


def test_a_timing_near_its_band_boundary_is_a_headroom_problem():
    from grader.models import Measure, Phase, TaskResult, TestResult, TestStatus, Verdict, Visibility
    from grader.prove import headroom_problems

    def task(*measures):
        test = TestResult("test_fast", 1, 1, TestStatus.PASSED, "", Visibility.VISIBLE, Phase.HIDDEN,
                          measures=measures)
        return TaskResult("fast", 1, 1, Verdict.OK, "", tests=(test,))

    assert headroom_problems(task(Measure("ratio", 1.1, (5.0, 300.0), True))) == []
    near = headroom_problems(task(Measure("ratio", 4.5, (5.0, 300.0), True)))
    assert len(near) == 1 and "within 1.25x of the band boundary 5" in near[0]
    # an absolute time needs twice the room; a test measuring twice keeps its better try
    assert headroom_problems(task(Measure("t", 0.6, (1.0,), False)))
    assert headroom_problems(task(Measure("t", 0.9, (1.0,), True), Measure("t", 0.5, (1.0,), True))) == []
