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
