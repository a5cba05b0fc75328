"""`practicum exam check`: exit 0 on a valid package, 3 with every problem's file and field."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from grader.cli import main

from .conftest import edit

DEMO = Path(__file__).resolve().parents[1] / "exams" / "demo"




def check(path: Path):
    return CliRunner().invoke(main, ["exam", "check", str(path)])


def test_check_demo_exits_0():
    result = check(DEMO)
    assert result.exit_code == 0, result.output
    assert "demo: ok" in result.stdout
    assert "3 task(s), 7 test(s), 15 points" in result.stdout
    for task_id in ("blur", "fast", "shapes"):
        assert task_id in result.stdout
    assert "public: 1, hidden: 1, trusted: 1" in result.stdout


def test_broken_package_exits_3_and_lists_every_problem(pkg):
    edit(pkg / "exam.toml", "points = 4", "points = 5")
    (pkg / "tasks/shapes/statement.zh.md").unlink()
    edit(pkg / "tasks/fast/tests/hidden/test_smooth.py", "@pytest.mark.timeout(10)", "@pytest.mark.timeout(T)")
    result = check(pkg)
    assert result.exit_code == 3
    err = result.stderr
    assert "3 problem(s)" in err
    assert "exam.toml: tasks.fast.points: is 5 but the task's tests add up to 4" in err
    assert "tasks/shapes: statement.zh.md: missing task statement" in err
    assert "tests/hidden/test_smooth.py: test_smooth_is_fast: marker arguments must be literals" in err
    assert "ok" not in result.stdout


def test_manifest_schema_errors_exit_3_with_field(pkg):
    edit(pkg / "exam.toml", 'name = "fast"', 'name = "fast"\ncolour = "red"')
    edit(pkg / "exam.toml", "memory_mb = 512", "memory_mb = 0")
    result = check(pkg)
    assert result.exit_code == 3
    assert "exam.toml: tasks.fast.colour:" in result.stderr
    assert "exam.toml: limits.memory_mb:" in result.stderr


def test_missing_manifest_exits_3(pkg):
    (pkg / "exam.toml").unlink()
    result = check(pkg)
    assert result.exit_code == 3
    assert "exam.toml" in result.stderr and "no exam.toml" in result.stderr


def test_nonexistent_folder_is_a_usage_error(tmp_path):
    result = check(tmp_path / "nope")
    assert result.exit_code == 2
