"""grader.report: the CLI's JSON contract, the Gradescope shape, the table."""
from __future__ import annotations

import json

import pytest

from grader import report
from grader.models import (GradeReport, Phase, SubmissionRef, TaskResult, TestResult, TestStatus, Verdict,
                           Visibility)

SHA = "ab" * 32


def t(name, score, max_score, status, vis=Visibility.VISIBLE, phase=Phase.HIDDEN, message=""):
    return TestResult(name=name, score=score, max_score=max_score, status=status, message=message,
                      visibility=vis, phase=phase, duration_s=0.5)


@pytest.fixture
def rep() -> GradeReport:
    blur = TaskResult(id="blur", score=4.5, max_score=6.0, status=Verdict.WRONG, message="1 of 3 checks passed.",
                      tests=(t("test_public", 1.0, 1.0, TestStatus.PASSED, Visibility.VISIBLE, Phase.PUBLIC),
                             t("test_hidden", 0.5, 2.0, TestStatus.PARTIAL, Visibility.HIDDEN, message="half"),
                             t("test_trusted", 3.0, 3.0, TestStatus.PASSED, Visibility.AFTER_PUBLISHED,
                               Phase.TRUSTED)),
                      duration_s=3.25, artifacts=("blur/out.png",))
    fast = TaskResult(id="fast", score=0.0, max_score=4.0, status=Verdict.MISSING,
                      message="Not handed in: expected fast.py.",
                      tests=(t("test_smooth", 0.0, 4.0, TestStatus.NOT_RUN, message="Not run"),))
    return GradeReport(exam="demo", submission=SubmissionRef(sha256=SHA, filename="answer.zip", kind="zip"),
                       score=4.5, max_score=10.0, duration_s=12.345, tasks=(blur, fast), artifacts_dir="/tmp/a")


def test_to_json_has_exactly_the_contract_keys(rep):
    data = report.to_json(rep)
    assert set(data) == {"exam", "submission", "status", "score", "max_score", "duration_s", "artifacts_dir",
                         "time_scale", "tasks"}
    assert set(data["submission"]) == {"sha256", "filename", "kind"}
    for task in data["tasks"]:
        assert set(task) == {"id", "score", "max_score", "status", "message", "messages", "duration_s", "artifacts",
                             "limit_use", "tests"}
        for test in task["tests"]:
            assert set(test) == {"name", "score", "max_score", "status", "message", "messages", "visibility", "phase",
                                 "duration_s", "measures"}


def test_to_json_values(rep):
    data = json.loads(json.dumps(report.to_json(rep), allow_nan=False))
    assert (data["exam"], data["submission"]["sha256"], data["score"], data["max_score"], data["duration_s"]) == \
        ("demo", SHA, 4.5, 10.0, 12.345)
    assert data["status"] == "missing"           # the worst task verdict
    blur = data["tasks"][0]
    assert (blur["id"], blur["score"], blur["max_score"], blur["status"], blur["message"]) == \
        ("blur", 4.5, 6.0, "wrong", "1 of 3 checks passed.")
    assert blur["artifacts"] == ["blur/out.png"]
    assert [(x["name"], x["status"], x["visibility"], x["phase"]) for x in blur["tests"]] == [
        ("test_public", "passed", "visible", "public"),
        ("test_hidden", "partial", "hidden", "hidden"),
        ("test_trusted", "passed", "after_published", "trusted"),
    ]
    assert blur["tests"][1]["message"] == "half"


def test_gradescope_shape(rep):
    gs = report.to_gradescope(rep)
    json.dumps(gs, allow_nan=False)
    assert {"score", "execution_time", "tests"} <= set(gs)
    assert gs["score"] == 4.5
    assert gs["execution_time"] == round(12.345, 2)
    assert len(gs["tests"]) == 4
    for test in gs["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["visibility"] in {"hidden", "after_due_date", "after_published", "visible"}
    by = {x["name"]: x for x in gs["tests"]}
    assert by["blur: test_public"]["visibility"] == "visible"
    assert by["blur: test_hidden"]["visibility"] == "hidden"
    assert by["blur: test_trusted"]["visibility"] == "after_published"
    assert (by["blur: test_hidden"]["score"], by["blur: test_hidden"]["max_score"]) == (0.5, 2.0)
    assert by["blur: test_hidden"]["status"] == "failed"      # partial is not passed
    assert by["blur: test_public"]["status"] == "passed"
    assert by["fast: test_smooth"]["output"] == "Not run"


def test_gradescope_scores_add_up(rep):
    gs = report.to_gradescope(rep)
    assert sum(x["score"] for x in gs["tests"]) == pytest.approx(gs["score"])
    assert sum(x["max_score"] for x in gs["tests"]) == pytest.approx(rep.max_score)


def test_table_contains_task_ids_tests_and_totals(rep):
    table = report.to_table(rep)
    lines = table.splitlines()
    assert "demo" in lines[0] and "answer.zip" in lines[0] and SHA[:12] in lines[0]
    assert any(line.startswith("blur") and "4.5 / 6" in line and "wrong" in line for line in lines)
    assert any(line.startswith("fast") and "0 / 4" in line and "missing" in line for line in lines)
    total = [line for line in lines if line.startswith("total")]
    assert len(total) == 1 and "4.5 / 10" in total[0] and "missing" in total[0] and "12.3s" in total[0]
    for name in ("test_public", "test_hidden", "test_trusted", "test_smooth"):
        assert name in table


def test_table_marks_passed_partial_failed(rep):
    lines = report.to_table(rep).splitlines()
    mark = {name: next(line for line in lines if name in line).split()[0]
            for name in ("test_public", "test_hidden", "test_smooth")}
    assert mark == {"test_public": "✓", "test_hidden": "~", "test_smooth": "✗"}


def test_empty_report_renders():
    empty = GradeReport(exam="demo", submission=SubmissionRef(sha256=SHA, filename="x.py", kind="file"),
                        score=0.0, max_score=0.0, duration_s=0.0)
    assert report.to_json(empty)["tasks"] == [] and report.to_json(empty)["status"] == "ok"
    assert report.to_gradescope(empty)["tests"] == []
    assert "total" in report.to_table(empty)


def test_to_json_carries_the_worker_speed_and_the_share_of_each_limit(rep):
    from dataclasses import replace

    from grader.models import LimitUse, TimeScale
    scaled = replace(rep, time_scale=TimeScale(worker_speed=0.8, reference_speed=1.0, factor=1.25, raw_factor=1.25),
                     tasks=(replace(rep.tasks[0], usage=(LimitUse("cell 2", 3.0, 37.5),)), rep.tasks[1]))
    data = json.loads(json.dumps(report.to_json(scaled), allow_nan=False))
    assert data["time_scale"] == {"worker_speed": 0.8, "reference_speed": 1.0, "factor": 1.25, "raw_factor": 1.25,
                                  "clamped": False, "too_slow": False, "source": "calibrated"}
    assert data["tasks"][0]["limit_use"] == [{"limit": "cell 2", "used_s": 3.0, "limit_s": 37.5, "share": 0.08,
                                              "hit": False}]
    assert "x1.25" in report.to_table(scaled).splitlines()[-1]
