"""grader.scoring: harness events -> TestResult / TaskResult, as pure functions.

Values are built directly (RunResult, PhaseReport, TestSpec, Task); the Task
comes from the demo exam with its tests replaced.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from grader import messages, scoring
from grader.manifest import TestSpec, load_exam
from grader.models import (Phase, RunResult, TaskResult, TestStatus, Verdict, Visibility,
                           worst)
from grader.scoring import (CellReport, NotebookReport, PhaseReport, TestRecord, missing_task,
                            parse_events, parse_notebook_report, score_task, score_test)

DEMO = Path(__file__).resolve().parents[1] / "exams" / "demo"


# --------------------------------------------------------------------------
# builders


def spec(name: str, points: float = 2.0, phase: Phase = Phase.HIDDEN, timeout_s: float = 5.0,
         visibility: Visibility = Visibility.VISIBLE, description: str = "") -> TestSpec:
    return TestSpec(name=name, phase=phase, file=f"tests/{phase.value}/test_x.py", points=points,
                    visibility=visibility, timeout_s=timeout_s, description=description or f"{name} works")


def run(verdict: Verdict = Verdict.OK, exit_code: int | None = 0, oom: bool = False,
        timed_out: bool = False, stderr: str = "", output_exceeded: bool = False,
        infra_error: str | None = None) -> RunResult:
    return RunResult(verdict=verdict, exit_code=exit_code, oom_killed=oom, timed_out=timed_out,
                     duration_s=1.0, stdout="", stderr=stderr, output_exceeded=output_exceeded,
                     infra_error=infra_error)


def rec(name: str, outcome: str, **kw) -> TestRecord:
    return TestRecord(name=name, outcome=outcome, **kw)


def phase(r: RunResult | None = None, records=(), started=(), watchdog=False, notebook=None) -> PhaseReport:
    return PhaseReport(run=r or run(), records={x.name: x for x in records},
                       started=frozenset(started), watchdog=watchdog, notebook=notebook)


def end(name: str, outcome: str = "passed", **kw) -> str:
    return json.dumps({"event": "end", "name": name, "outcome": outcome, **kw})


def start(name: str) -> str:
    return json.dumps({"event": "start", "name": name, "t": 1.0})


@pytest.fixture(scope="module")
def demo():
    return load_exam(DEMO)


@pytest.fixture
def task(demo):
    """The demo's `fast` task (test_s 10, wall_s 40, memory 512) with three tests of ours."""
    tests = (spec("test_a", 2.0), spec("test_b", 3.0), spec("test_c", 5.0, phase=Phase.TRUSTED))
    return dataclasses.replace(demo.task("fast"), tests=tests, points=10.0)


A = spec("test_a", 4.0, description="the answer is right")


# --------------------------------------------------------------------------
# one record -> one test result


def test_passed_record_gives_full_points():
    r = score_test(A, phase(records=[rec("test_a", "passed", duration_s=0.25)]), "en")
    assert (r.status, r.score, r.max_score, r.message) == (TestStatus.PASSED, 4.0, 4.0, "")
    assert r.duration_s == 0.25
    assert (r.visibility, r.phase, r.name) == (Visibility.VISIBLE, Phase.HIDDEN, "test_a")


def test_partial_record_gives_its_fraction():
    r = score_test(A, phase(records=[rec("test_a", "partial", fraction=0.25, text="accuracy 0.70")]), "en")
    assert (r.status, r.score, r.message) == (TestStatus.PARTIAL, 1.0, "accuracy 0.70")


def test_partial_with_fraction_one_counts_as_passed():
    r = score_test(A, phase(records=[rec("test_a", "partial", fraction=1.0)]), "en")
    assert (r.status, r.score) == (TestStatus.PASSED, 4.0)


def test_partial_with_fraction_zero_scores_nothing():
    r = score_test(A, phase(records=[rec("test_a", "partial", fraction=0.0, text="x")]), "en")
    assert (r.status, r.score) == (TestStatus.PARTIAL, 0.0)


def test_passed_ignores_a_low_fraction_and_failed_ignores_a_high_one():
    assert score_test(A, phase(records=[rec("test_a", "passed", fraction=0.0)]), "en").score == 4.0
    assert score_test(A, phase(records=[rec("test_a", "failed", fraction=0.9)]), "en").score == 0.0
    assert score_test(A, phase(records=[rec("test_a", "error", fraction=0.9)]), "en").score == 0.0


def test_failed_record_without_text_names_the_check():
    r = score_test(A, phase(records=[rec("test_a", "failed")]), "en")
    assert r.status is TestStatus.FAILED and r.score == 0.0
    assert r.message == "Check failed. the answer is right"


def test_error_record_renders_its_catalogue_key():
    r = score_test(A, phase(records=[rec("test_a", "error", key="runtime_error",
                                         params={"detail": "ValueError: bad shape (line 3)"})]), "en")
    assert r.status is TestStatus.ERROR
    assert r.message == "Your program stopped with an error: ValueError: bad shape (line 3)"


def test_missing_function_key_in_both_languages():
    record = rec("test_a", "failed", key="missing_function", params={"name": "smooth"})
    en = score_test(A, phase(records=[record]), "en").message
    zh = score_test(A, phase(records=[record]), "zh").message
    assert en == "Your code does not define `smooth`, which this task asks for."
    assert zh == "你的代码没有定义题目要求的 `smooth`。"


def test_unknown_key_or_bad_params_fall_back_to_text():
    unknown = rec("test_a", "failed", key="no_such_key", text="plain words")
    assert score_test(A, phase(records=[unknown]), "en").message == "plain words"
    missing_param = rec("test_a", "failed", key="missing_function", params={}, text="fallback")
    assert score_test(A, phase(records=[missing_param]), "en").message == "fallback"


def test_record_text_is_capped():
    r = score_test(A, phase(records=[rec("test_a", "failed", text="x" * 2000)]), "en")
    assert len(r.message) == scoring.MAX_TEXT


def test_time_limit_record_names_the_tests_own_timeout():
    r = score_test(A, phase(records=[rec("test_a", "time_limit")]), "en")
    assert r.status is TestStatus.TIME_LIMIT and r.score == 0.0
    assert r.message == "This check took longer than 5 s and was stopped."


def test_memory_limit_and_skipped_records():
    m = score_test(A, phase(records=[rec("test_a", "memory_limit")]), "en")
    assert (m.status, m.score, m.message) == (TestStatus.MEMORY_LIMIT, 0.0, messages.text("test_memory", "en"))
    s = score_test(A, phase(records=[rec("test_a", "skipped")]), "en")
    assert (s.status, s.score) == (TestStatus.NOT_RUN, 0.0)


def test_points_come_from_the_spec_not_the_record():
    line = end("test_a", "passed", points=100, max_score=100, score=100)
    records, _ = parse_events([line], {"test_a"})
    r = score_test(A, phase(records=records.values()), "en")
    assert (r.score, r.max_score) == (4.0, 4.0)


def test_score_is_rounded_to_hundredths():
    r = score_test(spec("t", 1.0), phase(records=[rec("t", "partial", fraction=1 / 3)]), "en")
    assert r.score == 0.33


# --------------------------------------------------------------------------
# parse_events: the results file crossed the sandbox boundary


@pytest.mark.parametrize("fraction", [1.5, -0.1, 1e9])
def test_fraction_out_of_range_is_never_counted(fraction):
    records, _ = parse_events([end("test_a", "partial", fraction=fraction)], {"test_a"})
    assert records == {}
    r = score_test(A, phase(records=records.values()), "en")
    assert r.score == 0.0 and r.score <= r.max_score


def test_records_for_unknown_tests_are_ignored():
    records, started = parse_events([start("test_zzz"), end("test_zzz"), end("test_a")], {"test_a"})
    assert set(records) == {"test_a"}
    assert started == frozenset()


def test_duplicate_end_events_keep_the_first():
    lines = [end("test_a", "failed", text="first"), end("test_a", "passed")]
    records, _ = parse_events(lines, {"test_a"})
    assert records["test_a"].outcome == "failed"
    assert records["test_a"].text == "first"


def test_broken_lines_are_ignored():
    lines = ["", "not json", '{"event": "end", "name": "test_a", "outc', "[1, 2]", '"str"', "null", "42",
             json.dumps({"event": "end", "name": "test_a", "outcome": "brilliant"}),
             json.dumps({"event": "end", "name": "test_a", "outcome": "passed", "duration_s": -1}),
             end("test_b", "passed")]
    records, started = parse_events(lines, {"test_a", "test_b"})
    assert set(records) == {"test_b"}
    assert started == frozenset()


def test_started_without_end_is_reported_as_started():
    lines = [start("test_a"), end("test_a"), start("test_b")]
    records, started = parse_events(lines, {"test_a", "test_b", "test_c"})
    assert set(records) == {"test_a"}
    assert started == frozenset({"test_b"})


def test_unhashable_name_is_ignored_not_a_crash():
    records, _ = parse_events([json.dumps({"event": "end", "name": ["test_a"]}), end("test_a")], {"test_a"})
    assert set(records) == {"test_a"}


def test_non_finite_duration_is_rejected():
    records, _ = parse_events(['{"event": "end", "name": "test_a", "outcome": "passed", "duration_s": Infinity}'],
                              {"test_a"})
    assert all(r.duration_s != float("inf") for r in records.values())


def test_params_named_like_text_arguments_do_not_crash():
    record = rec("test_a", "failed", key="missing_function", params={"name": "f", "lang": "de"}, text="t")
    r = score_test(A, phase(records=[record]), "en")
    assert r.status is TestStatus.FAILED


def test_parse_notebook_report():
    assert parse_notebook_report(None) is None
    assert parse_notebook_report("") is None
    assert parse_notebook_report('{"cells": "nope"}') is None
    nb = parse_notebook_report('{"cells": [{"index": 0, "status": "ok"}], "hung": 1}')
    assert nb.hung == 1 and nb.cells[0].status == "ok"


# --------------------------------------------------------------------------
# tests that started and never ended; tests after a crash


@pytest.mark.parametrize("kw, status, words", [
    ({"r": run(Verdict.MEMORY_LIMIT, exit_code=137, oom=True)}, TestStatus.MEMORY_LIMIT, "out of memory"),
    ({"r": run(Verdict.OK), "watchdog": True}, TestStatus.TIME_LIMIT, "longer than 5 s"),
    ({"r": run(Verdict.TIME_LIMIT, exit_code=137, timed_out=True)}, TestStatus.TIME_LIMIT, "longer than 5 s"),
    ({"r": run(Verdict.RUNTIME_ERROR, exit_code=3)}, TestStatus.ERROR, "exit code 3"),
])
def test_unfinished_test_names_why_the_run_ended(kw, status, words):
    r = score_test(A, phase(started=["test_a"], **kw), "en")
    assert r.status is status
    assert r.score == 0.0
    assert words in r.message


def test_unfinished_test_oom_wins_over_timeout():
    r = score_test(A, phase(run(Verdict.MEMORY_LIMIT, oom=True, timed_out=True), started=["test_a"],
                            watchdog=True), "en")
    assert r.status is TestStatus.MEMORY_LIMIT


def test_unfinished_test_in_a_dead_notebook_kernel():
    nb = NotebookReport(kernel_died="tests", tests_ran=True)
    r = score_test(A, phase(run(Verdict.OK), started=["test_a"], notebook=nb), "en")
    assert r.status is TestStatus.ERROR
    assert "kernel" in r.message


def test_tests_after_a_crash_are_not_run(task):
    cand = phase(run(Verdict.RUNTIME_ERROR, exit_code=1, stderr="Segmentation fault"),
                 records=[rec("test_a", "passed")], started=["test_b"])
    judge = phase(run(Verdict.OK))
    res = score_task(task, cand, judge, "en")
    by = {t.name: t for t in res.tests}
    assert by["test_a"].status is TestStatus.PASSED and by["test_a"].score == 2.0
    assert by["test_b"].status is TestStatus.ERROR
    assert by["test_c"].status is TestStatus.NOT_RUN   # the judge wrote nothing for it
    assert res.score == 2.0 and res.max_score == 10.0
    assert res.status is Verdict.RUNTIME_ERROR
    assert "Segmentation fault" in res.message


def test_not_run_when_there_is_no_phase():
    r = score_test(A, None, "en")
    assert (r.status, r.score, r.max_score) == (TestStatus.NOT_RUN, 0.0, 4.0)


# --------------------------------------------------------------------------
# infrastructure faults are never charged


def test_sandbox_error_run_charges_nothing(task):
    cand = phase(run(Verdict.SANDBOX_ERROR, exit_code=None, infra_error="engine gone"),
                 records=[rec("test_a", "passed"), rec("test_b", "failed")], started=["test_x"])
    res = score_task(task, cand, None, "en")
    assert res.status is Verdict.SANDBOX_ERROR
    assert res.message == messages.text("sandbox_error", "en")
    trusted = [t for t in res.tests if t.phase is Phase.TRUSTED]
    candidate = [t for t in res.tests if t.phase is not Phase.TRUSTED]
    assert all(t.status is TestStatus.SANDBOX_ERROR and t.score == 0.0 for t in candidate)
    assert all(t.status is not TestStatus.FAILED for t in trusted)


def test_judge_sandbox_error_marks_the_task_sandbox_error(task):
    cand = phase(run(Verdict.OK), records=[rec("test_a", "passed"), rec("test_b", "passed")])
    judge = phase(run(Verdict.SANDBOX_ERROR, exit_code=None, infra_error="boom"))
    res = score_task(task, cand, judge, "en")
    assert res.status is Verdict.SANDBOX_ERROR
    by = {t.name: t for t in res.tests}
    assert by["test_c"].status is TestStatus.SANDBOX_ERROR
    assert by["test_a"].status is TestStatus.PASSED


# --------------------------------------------------------------------------
# task verdicts and messages


def test_all_passed_is_ok(task):
    cand = phase(records=[rec("test_a", "passed"), rec("test_b", "passed")])
    judge = phase(records=[rec("test_c", "passed")])
    res = score_task(task, cand, judge, "en", duration_s=1.23456, artifacts=("a.png",))
    assert isinstance(res, TaskResult)
    assert (res.id, res.score, res.max_score, res.status) == ("fast", 10.0, 10.0, Verdict.OK)
    assert res.message == "All checks passed."
    assert res.duration_s == 1.235 and res.artifacts == ("a.png",)


def test_some_failed_is_wrong_and_sums_scores(task):
    cand = phase(records=[rec("test_a", "passed"), rec("test_b", "partial", fraction=0.5, text="half")])
    judge = phase(records=[rec("test_c", "failed")])
    res = score_task(task, cand, judge, "en")
    assert res.status is Verdict.WRONG
    assert res.score == 3.5
    assert res.message == "1 of 3 checks passed."


def test_trusted_records_from_the_candidate_run_do_not_count(task):
    cand = phase(records=[rec("test_a", "passed"), rec("test_b", "passed"), rec("test_c", "passed")])
    judge = phase(records=[rec("test_c", "failed")])
    res = score_task(task, cand, judge, "en")
    assert {t.name: t.score for t in res.tests}["test_c"] == 0.0


def test_timed_out_notebook_cell_names_the_cell(task):
    nb = NotebookReport(cells=[CellReport(index=0, status="ok"), CellReport(index=1, status="ok"),
                               CellReport(index=2, status="time_limit")], hung=2)
    res = score_task(task, phase(run(Verdict.OK), notebook=nb), None, "en")
    assert res.status is Verdict.TIME_LIMIT
    assert res.message == "Notebook cell 3 ran longer than 20 s and was stopped."
    zh = score_task(task, phase(run(Verdict.OK), notebook=nb), None, "zh")
    assert "第 3 个单元格" in zh.message


def test_kernel_died_is_a_runtime_error(task):
    nb = NotebookReport(cells=[CellReport(index=0, status="ok")], kernel_died=4)
    res = score_task(task, phase(run(Verdict.OK), notebook=nb), None, "en")
    assert res.status is Verdict.RUNTIME_ERROR
    assert "kernel stopped in cell 5" in res.message


def test_cell_errors_are_listed(task):
    nb = NotebookReport(cells=[CellReport(index=0, status="ok"), CellReport(index=1, status="error",
                                                                         ename="NameError")])
    res = score_task(task, phase(run(Verdict.OK), notebook=nb), None, "en")
    assert "Notebook cells with errors: 2." in res.message


def test_run_time_limit_names_wall_s(task):
    res = score_task(task, phase(run(Verdict.TIME_LIMIT, exit_code=137, timed_out=True)), None, "en")
    assert res.status is Verdict.TIME_LIMIT
    assert res.message == "Your program did not finish within 40 s and was stopped."


def test_memory_limit_names_memory_mb(task):
    res = score_task(task, phase(run(Verdict.MEMORY_LIMIT, exit_code=137, oom=True)), None, "en")
    assert res.status is Verdict.MEMORY_LIMIT
    assert "512 MB" in res.message


def test_task_time_limit_message_uses_the_tests_timeout(task):
    short = dataclasses.replace(task, tests=(spec("test_a", 10.0, timeout_s=3.0),))
    res = score_task(short, phase(records=[rec("test_a", "time_limit")]), None, "en")
    assert res.status is Verdict.TIME_LIMIT
    assert res.tests[0].message == "This check took longer than 3 s and was stopped."
    assert "3 s" in res.message


@pytest.mark.parametrize("cand, expected", [
    # memory before time: the run hit memory, a test reported a timeout
    (phase(run(Verdict.MEMORY_LIMIT, oom=True), records=[rec("test_a", "time_limit")]), Verdict.MEMORY_LIMIT),
    # a test's memory report beats the run's timeout
    (phase(run(Verdict.TIME_LIMIT, timed_out=True), records=[rec("test_a", "memory_limit")]), Verdict.MEMORY_LIMIT),
    # time before output: the notebook both hung and flooded
    (phase(run(Verdict.OK), notebook=NotebookReport(hung=1, flooded=0)), Verdict.TIME_LIMIT),
    # output before runtime error: flooded, then the kernel died
    (phase(run(Verdict.OK), notebook=NotebookReport(flooded=0, kernel_died=1)), Verdict.OUTPUT_LIMIT),
    # runtime error before wrong
    (phase(run(Verdict.RUNTIME_ERROR, exit_code=1), records=[rec("test_a", "failed")]), Verdict.RUNTIME_ERROR),
])
def test_verdict_precedence(task, cand, expected):
    assert score_task(task, cand, phase(), "en").status is expected


def test_worst_follows_the_precedence():
    assert worst([Verdict.OK, Verdict.RUNTIME_ERROR, Verdict.OUTPUT_LIMIT]) is Verdict.OUTPUT_LIMIT
    assert worst([Verdict.WRONG, Verdict.TIME_LIMIT, Verdict.MEMORY_LIMIT]) is Verdict.MEMORY_LIMIT
    assert worst([Verdict.MEMORY_LIMIT, Verdict.SANDBOX_ERROR]) is Verdict.SANDBOX_ERROR
    assert worst([]) is Verdict.OK


def test_missing_task(task):
    res = missing_task(task, "en")
    assert (res.status, res.score, res.max_score) == (Verdict.MISSING, 0.0, 10.0)
    assert res.message == "Not handed in: expected fast.py."
    assert [t.status for t in res.tests] == [TestStatus.NOT_RUN] * 3
    assert all(t.score == 0.0 for t in res.tests)
    assert missing_task(task, "zh").message == "未提交：应提交 fast.py。"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_messages_render_in_both_languages(task, lang):
    cand = phase(records=[rec("test_a", "passed"), rec("test_b", "time_limit")], started=[])
    res = score_task(task, cand, phase(records=[rec("test_c", "failed")]), lang)
    texts = [res.message] + [t.message for t in res.tests]
    assert all("{" not in m for m in texts)
    if lang == "zh":
        assert "该项检查运行超过 5 秒" in res.tests[1].message
        assert "检查未通过" in res.tests[2].message
    else:
        assert res.tests[1].message == "This check took longer than 5 s and was stopped."
        assert res.tests[2].message.startswith("Check failed.")


def test_every_catalogue_entry_has_both_languages():
    for key, entry in messages.CATALOGUE.items():
        assert set(entry) == {"zh", "en"}, key
        assert entry["zh"] != entry["en"], key


# --------------------------------------------------------------------------
# messages in the candidate's language


def test_a_record_in_both_languages_is_shown_in_the_readers():
    r = rec("test_a", "partial", fraction=0.5, text="accuracy 0.87", texts={"en": "accuracy 0.87", "zh": "准确率 0.87"})
    assert score_test(A, phase(records=[r]), "zh").message == "准确率 0.87"
    assert score_test(A, phase(records=[r]), "en").message == "accuracy 0.87"
    only_en = rec("test_a", "failed", text="wrong", texts={"en": "wrong"})
    assert score_test(A, phase(records=[only_en]), "zh").message == "wrong"   # no Chinese written: the English


def test_a_record_in_an_unknown_language_is_dropped():
    events = [end("test_a", "failed", text="x", texts={"fr": "faux"})]
    records, _ = parse_events(events, {"test_a"})
    assert records == {}


def test_a_failed_check_without_text_is_named_in_the_readers_language():
    titled = spec("test_a", 4.0, description="the answer is right")
    titled = dataclasses.replace(titled, description_zh="答案正确")
    assert score_test(titled, phase(records=[rec("test_a", "failed")]), "zh").message.endswith("答案正确")
    assert score_test(titled, phase(records=[rec("test_a", "failed")]), "en").message.endswith("the answer is right")


def test_a_crashed_cell_is_named_with_its_error_type_and_line():
    from grader.harness.tracebacks import error_line as _error_line
    ipython8 = {"traceback": ["\x1b[0;31m---------\x1b[0m", "\x1b[0;31mValueError\x1b[0m  Traceback",
                              "Cell \x1b[0;32mIn[4], line 3\x1b[0m\n      1 x = 1\n----> 3 f(x)",
                              "Cell \x1b[0;32mIn[2], line 9\x1b[0m, in \x1b[0;36mf\x1b[0m"]}
    assert _error_line(ipython8) == 3          # the failing cell's line, not the helper's
    assert _error_line({"traceback": []}) is None
    from grader.scoring import NotebookReport
    nb = NotebookReport(cells=[{"index": 2, "status": "error", "ename": "ValueError", "evalue": "bad shape",
                                "line": 3}])
    task = load_exam(DEMO).task("blur")
    result = score_task(task, phase(notebook=nb), None, "en")
    assert "Cell 3, line 3: ValueError: bad shape" in result.message
    assert "第 3 个单元格第 3 行：ValueError: bad shape" in score_task(task, phase(notebook=nb), None, "zh").message
