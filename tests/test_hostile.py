"""The hostile corpus, graded by the real engine: each behaviour gets its verdict.

Every case is task `calc` of tests/fixtures/lab (define add(a, b); 2 points
decided in the candidate's sandbox, 2 decided by the judge against a hidden
answer that carries a token a leak would show).
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import nbformat
import pytest

from grader import report
from grader.models import TestStatus

from .conftest import CORPUS, REPO

pytestmark = pytest.mark.docker

SECRET = "SECRET-ANSWER-7f3a9c"

# behaviour -> (task status, score)
SCRIPTS = {
    "honest": ("ok", 4),
    "oom_heap": ("memory_limit", 0),
    "fork_bomb": ("time_limit", 0),
    "infinite_loop": ("time_limit", 0),
    "sleep_past_limit": ("time_limit", 0),
    "blocks_alarm": ("time_limit", 0),
    "network": ("ok", 4),
    "write_outside": ("ok", 4),
    "stdout_flood": ("output_limit", 0),
    "read_everything": ("ok", 4),
    "kills_supervisor": ("ok", 4),
    "fifo_planted": ("ok", 4),
    "syntax_error": ("wrong", 0),
    "sys_exit": ("wrong", 0),
    "os_exit": ("wrong", 0),          # its own process ends at import: every check errs, the harness goes on
    "missing_function": ("wrong", 0),
    # forgers: add() is wrong (or the tests never end), so each deserves nothing
    "forge_results": ("wrong", 0),
    "forge_observations": ("wrong", 0),
    "patch_event_writer": ("wrong", 0),
    "patch_pytest_reporting": ("wrong", 0),
    "fake_summary": ("wrong", 0),
    "kills_harness": ("runtime_error", 0),
    "forks_to_edit_results": ("wrong", 0),
}

ADD = "def add(a, b):\n    return a + b"
NOTEBOOKS = {
    "nb_honest": (["import math", ADD], "ok", 4),
    "nb_kernel_oom": ([ADD, "hog = []\nwhile True:\n    hog.append(bytearray(32 * 1024 * 1024))"], "memory_limit", 0),
    "nb_kernel_exit": ([ADD, "import os\nos._exit(1)"], "runtime_error", 0),
    "nb_cell_timeout": (["while True:\n    pass", ADD], "time_limit", 4),
    "nb_pip_install": (["!pip install requests", "%pip install numpy", ADD], "ok", 4),
    "nb_output_flood": (["while True:\n    print('flood ' * 200)", ADD], "output_limit", 4),
    "nb_ignores_interrupt": (["import signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                              "while True:\n    time.sleep(0.1)", ADD], "time_limit", 0),
    "nb_error_then_fine": (["raise ValueError('oops')", ADD], "ok", 4),
    "nb_forges_results": ([
        "import json, os, sys\n"
        "for m in list(sys.modules.values()):\n"
        "    if hasattr(m, 'append_event'):\n"
        "        m.append_event = lambda *a, **k: None\n"
        "with open('/out/.results.jsonl', 'a') as fh:\n"
        "    for n in ('test_add', 'test_add_again', 'test_sum_matches_answer'):\n"
        "        fh.write(json.dumps({'event': 'end', 'name': n, 'outcome': 'passed', 'fraction': 1.0}) + '\\n')\n"
        "with open('/out/observations.json', 'w') as fh:\n"
        "    json.dump({'sum': 5555}, fh)",
        "def add(a, b):\n    return 0"], "wrong", 0),
}


def make_notebook(folder: Path, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "calc.ipynb"
    nbformat.write(nb, path)
    return path


def everything_the_candidate_can_see(rep, artifacts: Path) -> str:
    """The report and every artifact kept for the candidate, as one text."""
    parts = [json.dumps(report.to_json(rep), ensure_ascii=False)]
    for path in artifacts.rglob("*"):
        if path.is_file() and not path.is_symlink():
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("behaviour", sorted(SCRIPTS))
def test_script_behaviour(behaviour, grade, lab_exam, tmp_path):
    status, score = SCRIPTS[behaviour]
    source = tmp_path / "sub" / "calc.py"
    source.parent.mkdir()
    source.write_bytes((CORPUS / f"{behaviour}.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    task = rep.tasks[0]
    assert (task.status.value, task.score) == (status, score), task
    # infrastructure faults are never what a hostile submission gets
    assert all(t.status is not TestStatus.SANDBOX_ERROR for t in task.tests)


@pytest.mark.parametrize("behaviour", sorted(NOTEBOOKS))
def test_notebook_behaviour(behaviour, grade, lab_exam, tmp_path):
    cells, status, score = NOTEBOOKS[behaviour]
    folder = tmp_path / "sub"
    folder.mkdir()
    rep = grade(lab_exam, make_notebook(folder, cells), task="calc")
    task = rep.tasks[0]
    assert (task.status.value, task.score) == (status, score), task


def test_dead_kernel_never_passes_later_tests(grade, lab_exam, tmp_path):
    (tmp_path / "sub").mkdir()
    rep = grade(lab_exam, make_notebook(tmp_path / "sub", NOTEBOOKS["nb_kernel_oom"][0]), task="calc")
    assert all(t.status is not TestStatus.PASSED for t in rep.tasks[0].tests)
    assert "memory" in rep.tasks[0].message.lower()


def test_cell_timeout_names_the_cell(grade, lab_exam, tmp_path):
    (tmp_path / "sub").mkdir()
    rep = grade(lab_exam, make_notebook(tmp_path / "sub", NOTEBOOKS["nb_cell_timeout"][0]), task="calc")
    assert "cell 1" in rep.tasks[0].message


def test_reading_everything_finds_no_answer(grade, lab_exam, tmp_path):
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "read_everything.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    seen = everything_the_candidate_can_see(rep, tmp_path / "artifacts")
    assert SECRET not in seen
    assert "/answers False" in seen        # the answers folder does not exist in its sandbox
    assert rep.tasks[0].score == 4


def test_forged_results_gain_no_trusted_points(grade, lab_exam, tmp_path):
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "forge_results.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    trusted = [t for t in rep.tasks[0].tests if t.phase.value == "trusted"]
    assert trusted and all(t.score == 0 for t in trusted)


def test_forged_results_gain_no_sandbox_points(grade, lab_exam, tmp_path):
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "forge_results.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    assert rep.tasks[0].score == 0
    assert all(t.status is TestStatus.FAILED for t in rep.tasks[0].tests)   # judged, not lost


def test_faked_clock_gains_no_speed_points(grade, demo_exam, tmp_path):
    """The speed check times the call from the harness's process: the candidate's clocks are theirs."""
    source = tmp_path / "fast.py"
    source.write_bytes((CORPUS / "fast_fakes_timer.py").read_bytes())
    rep = grade(demo_exam, source, task="fast")
    tests = {t.name: t for t in rep.tasks[0].tests}
    assert tests["test_smooth_is_right"].status is TestStatus.PASSED
    speed = tests["test_smooth_is_fast"]
    assert (speed.status, speed.score) == (TestStatus.PARTIAL, 1), speed   # 30-60x the reference: half
    assert speed.measures and speed.measures[0].value > 5


def test_writes_outside_leave_the_host_untouched(grade, lab_exam, tmp_path):
    harness = REPO / "grader" / "harness"
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in harness.glob("*.py")}
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "write_outside.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in harness.glob("*.py")}
    assert before == after
    assert rep.tasks[0].score == 4          # every write failed, so add() did not raise
    assert not (lab_exam.root / "tasks" / "calc" / "tests" / "hidden" / "evil.py").exists()


def test_links_in_the_output_are_not_followed(grade, lab_exam, tmp_path):
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "symlink_escape.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    kept = tmp_path / "artifacts"
    assert not any(p.is_symlink() for p in kept.rglob("*"))
    names = {p.name for p in kept.rglob("*")}
    assert not names & {"shadow", "root", "secret"}
    assert rep.tasks[0].status.value != "sandbox_error"


def test_missing_function_is_named(grade, lab_exam, tmp_path):
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "missing_function.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    assert any("`add`" in t.message for t in rep.tasks[0].tests)
    rep_zh = grade(lab_exam, source, task="calc", lang="zh")
    assert any("没有定义" in t.message for t in rep_zh.tasks[0].tests)


def test_syntax_error_is_reported_with_its_line(grade, lab_exam, tmp_path):
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "syntax_error.py").read_bytes())
    rep = grade(lab_exam, source, task="calc")
    assert any("SyntaxError" in t.message for t in rep.tasks[0].tests)
    assert not any("/opt/practicum" in t.message for t in rep.tasks[0].tests)


def test_no_container_survives_grading(grade, lab_exam, tmp_path):
    from grader import sandbox

    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "honest.py").read_bytes())
    grade(lab_exam, source, task="calc")
    mine = [c for c in sandbox.get_client().containers.list(all=True, filters={"label": sandbox.LABEL})
            if c.labels.get(sandbox.OWNER_LABEL, "").endswith(f":{os.getpid()}")]
    assert mine == []
