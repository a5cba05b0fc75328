"""Rubric messages written in Chinese and English reach the candidate in their language."""
from __future__ import annotations

import shutil

import pytest

from grader.grading import grade_path
from grader.manifest import load_exam
from grader.store import Store

from .conftest import FIXTURES

pytestmark = pytest.mark.docker

TEST = '''\
import pytest
from practicum import rubric


@pytest.mark.points(2)
def test_add(candidate):
    """add works on small numbers
    zh: add 能正确计算小整数
    """
    rubric.check(candidate.add(2, 3) == 5, "add(2, 3) should be 5", zh="add(2, 3) 应为 5")


@pytest.mark.points(2)
def test_add_negative(candidate):
    """add works on negative numbers"""
    rubric.band(abs(candidate.add(-7, 4) + 3), {0: 1.0, 2: 0.5}, what="error", what_zh="误差",
                higher_is_better=False, fmt="{:.0f}")
'''


def test_a_check_written_in_both_languages_is_read_in_each(image_tag, tmp_path):
    pkg = tmp_path / "quick"
    shutil.copytree(FIXTURES / "quick", pkg)
    (pkg / "tasks" / "calc" / "tests" / "hidden" / "test_calc.py").write_text(TEST, encoding="utf-8")
    exam = load_exam(pkg)
    assert exam.task("calc").tests[0].title("zh") == "add 能正确计算小整数"
    sub = tmp_path / "calc.py"
    sub.write_text("def add(a, b):\n    return a + b + 1\n")
    rep = grade_path(exam, sub, store=Store(tmp_path / "store"), task="calc", lang="zh", image=image_tag)
    add, negative = rep.tasks[0].tests
    assert add.message == "add(2, 3) 应为 5"
    assert dict(add.messages) == {"zh": "add(2, 3) 应为 5", "en": "add(2, 3) should be 5"}
    assert (negative.score, negative.message) == (1.0, "误差 1，满分要求不超过 0")
    assert dict(negative.messages)["en"] == "error 1, must be at most 0 for full marks"


def test_a_script_saved_in_gbk_is_graded_with_a_note(image_tag, tmp_path):
    exam = load_exam(FIXTURES / "quick")
    sub = tmp_path / "calc.py"
    sub.write_bytes("# 加法\ndef add(a, b):\n    return a + b   # 和\n".encode("gbk"))
    rep = grade_path(exam, sub, store=Store(tmp_path / "store"), task="calc", lang="zh", image=image_tag)
    (task,) = rep.tasks
    assert task.score == 4
    assert "calc.py 以 GBK / GB18030 编码保存，评分时已转换为 UTF-8" in task.message
    assert "was converted to UTF-8 for grading" in dict(task.messages)["en"]
