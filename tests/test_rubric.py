"""grader.harness.rubric: the helpers examiners call inside rubric tests."""
from __future__ import annotations

import math
import re
import time
import types

import pytest

from grader.harness import rubric
from grader.harness.rubric import Fail, MissingName, Partial

BANDS = {0.9: 1.0, 0.8: 0.5}
LOW = {0.2: 1.0, 1.0: 0.5}       # lower is better, e.g. seconds


def numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


# --------------------------------------------------------------------------
# band


@pytest.mark.parametrize("value", [0.9, 0.95, 1.0, 7])
def test_band_full_marks_at_or_above_the_top_threshold(value):
    assert rubric.band(value, BANDS) == 1.0


@pytest.mark.parametrize("value", [0.8, 0.85, 0.8999])
def test_band_partial_from_the_lower_threshold(value):
    with pytest.raises(Partial) as info:
        rubric.band(value, BANDS, what="accuracy")
    assert info.value.fraction == 0.5


@pytest.mark.parametrize("value", [0.7999, 0.0, -3])
def test_band_below_every_threshold_fails(value):
    with pytest.raises(Fail):
        rubric.band(value, BANDS)


def test_band_partial_message_has_the_value_and_the_threshold_only():
    with pytest.raises(Partial) as info:
        rubric.band(0.8512, BANDS, what="accuracy")
    msg = info.value.message
    assert msg == "accuracy 0.85, needs 0.90 for full marks"
    assert numbers(msg) == ["0.85", "0.90"]     # neither the fraction nor other bands


def test_band_fail_message_names_full_and_any_thresholds():
    with pytest.raises(Fail) as info:
        rubric.band(0.5, BANDS, what="accuracy")
    msg = str(info.value)
    assert msg == "accuracy 0.50, needs 0.90 for full marks and 0.80 for any"
    assert numbers(msg) == ["0.50", "0.90", "0.80"]


def test_band_lower_is_better_edges():
    assert rubric.band(0.2, LOW, higher_is_better=False) == 1.0
    assert rubric.band(0.01, LOW, higher_is_better=False) == 1.0
    with pytest.raises(Partial) as info:
        rubric.band(1.0, LOW, what="time (s)", higher_is_better=False)
    assert info.value.fraction == 0.5
    assert info.value.message == "time (s) 1.00, must be at most 0.20 for full marks"
    with pytest.raises(Fail) as failed:
        rubric.band(1.01, LOW, what="time (s)", higher_is_better=False)
    assert str(failed.value) == "time (s) 1.01, must be at most 0.20 for full marks and 1.00 for any"


def test_band_custom_format():
    with pytest.raises(Partial) as info:
        rubric.band(0.85, BANDS, what="accuracy", fmt="{:.0%}")
    assert info.value.message == "accuracy 85%, needs 90% for full marks"


def test_band_nan_cannot_be_measured():
    with pytest.raises(Fail, match="accuracy could not be measured"):
        rubric.band(float("nan"), BANDS, what="accuracy")


def test_band_needs_thresholds():
    with pytest.raises(ValueError):
        rubric.band(0.5, {})


def test_band_message_does_not_misstate_full_marks():
    with pytest.raises(Partial) as info:
        rubric.band(0.75, {0.9: 1.0, 0.8: 0.5, 0.7: 0.25}, what="accuracy")
    assert info.value.fraction == 0.25
    assert "0.80 for full marks" not in info.value.message


# --------------------------------------------------------------------------
# partial and fail


@pytest.mark.parametrize("fraction", [1.0, 1.5])
def test_partial_of_one_or_more_does_not_raise(fraction):
    assert rubric.partial(fraction, "all good") is None


def test_partial_raises_with_fraction_and_message():
    with pytest.raises(Partial) as info:
        rubric.partial(0.3, "3 of 10 right")
    assert (info.value.fraction, info.value.message) == (0.3, "3 of 10 right")


def test_partial_fraction_is_clamped():
    assert Partial(-0.5).fraction == 0.0
    assert Partial(2.0).fraction == 1.0
    with pytest.raises(Partial) as info:
        rubric.partial(-1)
    assert info.value.fraction == 0.0


def test_partial_nan_does_not_award_full_marks():
    with pytest.raises((Partial, Fail)) as info:
        rubric.partial(float("nan"), "0 of 0")
    assert not (isinstance(info.value, Partial) and info.value.fraction >= 1.0)


def test_fail_is_an_assertion_error_with_the_message():
    with pytest.raises(AssertionError) as info:
        rubric.fail("no output/ folder")
    assert isinstance(info.value, Fail)
    assert str(info.value) == "no output/ folder"


# --------------------------------------------------------------------------
# boxes


def test_iou_identical_disjoint_half():
    assert rubric.iou((0, 0, 2, 2), (0, 0, 2, 2)) == 1.0
    assert rubric.iou((0, 0, 1, 1), (5, 5, 6, 6)) == 0.0
    assert rubric.iou((0, 0, 1, 1), (1, 0, 2, 1)) == 0.0          # touching edges
    # half of each box overlaps: intersection 2, union 6
    assert rubric.iou((0, 0, 2, 2), (1, 0, 3, 2)) == pytest.approx(1 / 3)
    # one inside the other
    assert rubric.iou((0, 0, 4, 4), (0, 0, 2, 2)) == pytest.approx(0.25)


def test_iou_is_symmetric_and_handles_empty_boxes():
    a, b = (0, 0, 3, 2), (1, 1, 4, 5)
    assert rubric.iou(a, b) == pytest.approx(rubric.iou(b, a))
    assert rubric.iou((1, 1, 1, 1), (1, 1, 1, 1)) == 0.0          # zero area, no ZeroDivisionError
    assert rubric.iou(["0", "0", "2", "2"], (0, 0, 2, 2)) == 1.0   # anything float() takes


def test_match_boxes_is_one_to_one():
    truth = [(0, 0, 10, 10)]
    pred = [(0, 0, 10, 10), (1, 1, 10, 10)]        # both overlap the one true box
    assert rubric.match_boxes(pred, truth) == (1, 1, 0)
    assert rubric.match_boxes(truth, pred) == (1, 0, 1)


def test_match_boxes_greedy_takes_the_best_pair_first():
    truth = [(0, 0, 10, 10), (20, 0, 30, 10)]
    pred = [(20, 0, 30, 10), (0, 0, 10, 10), (0, 0, 9, 10)]
    assert rubric.match_boxes(pred, truth) == (2, 1, 0)


def test_match_boxes_threshold_and_empty_inputs():
    a, b = (0, 0, 2, 2), (1, 0, 3, 2)              # IoU 1/3
    assert rubric.match_boxes([a], [b], threshold=0.5) == (0, 1, 1)
    assert rubric.match_boxes([a], [b], threshold=0.3) == (1, 0, 0)
    half = (0, 0, 2, 1)                            # IoU with a is exactly 0.5
    assert rubric.match_boxes([half], [a], threshold=0.5) == (1, 0, 0)
    assert rubric.match_boxes([], []) == (0, 0, 0)
    assert rubric.match_boxes([], [a, b]) == (0, 0, 2)
    assert rubric.match_boxes([a, b], []) == (0, 2, 0)


def test_precision_recall_with_zeros():
    assert rubric.precision_recall(0, 0, 0) == (0.0, 0.0)
    assert rubric.precision_recall(0, 3, 0) == (0.0, 0.0)
    assert rubric.precision_recall(0, 0, 3) == (0.0, 0.0)
    assert rubric.precision_recall(3, 1, 0) == (0.75, 1.0)
    assert rubric.precision_recall(2, 0, 2) == (1.0, 0.5)


# --------------------------------------------------------------------------
# accuracy, latency, require


def test_accuracy_counts_missing_keys_as_wrong():
    truth = {"a": "x", "b": "y", "c": "z", "d": "w"}
    assert rubric.accuracy({"a": "x", "b": "y"}, truth) == 0.5
    assert rubric.accuracy({"a": "x", "b": "nope", "extra": "q"}, truth) == 0.25
    assert rubric.accuracy({}, truth) == 0.0


@pytest.mark.parametrize("predicted", [None, ["x"], "x", 3, ("a", "x")])
def test_accuracy_of_non_dict_predictions_is_zero(predicted):
    assert rubric.accuracy(predicted, {"a": "x"}) == 0.0


def test_accuracy_normalizes_and_empty_truth():
    norm = lambda s: str(s).strip().lower()  # noqa: E731
    assert rubric.accuracy({"a": " Circle "}, {"a": "circle"}) == 0.0
    assert rubric.accuracy({"a": " Circle "}, {"a": "circle"}, normalize=norm) == 1.0
    assert rubric.accuracy({"a": "x"}, {}) == 0.0


def test_require_returns_the_object_or_raises_missing_name():
    mod = types.SimpleNamespace(smooth=lambda v, k: v)
    assert rubric.require(mod, "smooth") is mod
    with pytest.raises(MissingName) as info:
        rubric.require(mod, "smooth", "classify")
    assert info.value.name == "classify"
    assert isinstance(info.value, AttributeError)


def test_latency_is_a_positive_median_after_warmup():
    calls = []

    def fn(x):
        calls.append(x)
        time.sleep(0.002)

    t = rubric.latency(fn, 7, repeat=3, warmup=2)
    assert len(calls) == 5 and set(calls) == {7}
    assert t > 0 and math.isfinite(t)
    assert 0.0015 < t < 1.0


def test_latency_runs_at_least_once():
    calls = []
    assert rubric.latency(lambda: calls.append(1), repeat=0, warmup=0) >= 0
    assert len(calls) == 1


def test_latency_stops_repeating_a_call_slower_than_its_budget():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.03)

    assert rubric.latency(slow, repeat=5, warmup=1, budget_s=0.02) >= 0.02
    assert len(calls) == 2          # the warm-up and one timed call
    calls.clear()
    rubric.latency(lambda: calls.append(1), repeat=5, warmup=1, budget_s=10.0)
    assert len(calls) == 6          # quick calls: all five repeats, as without a budget


def test_latency_limit_passes_fast_and_names_the_figures_when_slow():
    import time as _t

    from grader.harness import rubric as rb

    def fast():
        pass

    def slow():
        _t.sleep(0.02)

    assert rb.latency_limit(fast, slow, absolute_s=1.0, relative=3.0, repeat=2) == 1.0
    with pytest.raises(rb.Fail) as err:
        rb.latency_limit(slow, fast, absolute_s=0.001, relative=3.0, repeat=2, what="time per image")
    assert "time per image" in str(err.value) and "reference" in str(err.value) and "limit" in str(err.value)


def test_band_never_prints_a_value_rounded_onto_the_threshold():
    with pytest.raises(Partial) as info:
        rubric.band(0.2013, LOW, what="time (s)", higher_is_better=False)
    assert info.value.message == "time (s) 0.2013, must be at most 0.20 for full marks"


def test_latency_best_of_n():
    import time as _t

    from grader.harness import rubric as rb

    calls = iter([0.05, 0.0, 0.0])

    def jittery():
        _t.sleep(next(calls))

    assert rb.latency(jittery, repeat=3, warmup=0, statistic="min") < 0.02


# --------------------------------------------------------------------------
# messages in Chinese and English


def test_band_speaks_both_languages_when_given_the_chinese_name():
    with pytest.raises(Partial) as half:
        rubric.band(0.85, BANDS, what="accuracy", what_zh="准确率")
    assert half.value.texts == {"en": "accuracy 0.85, needs 0.90 for full marks", "zh": "准确率 0.85，满分需要达到 0.90"}
    with pytest.raises(Fail) as none:
        rubric.band(0.5, BANDS, what="accuracy", what_zh="准确率")
    assert none.value.texts["zh"] == "准确率 0.50，满分需要达到 0.90，至少需要达到 0.80才能得分"
    with pytest.raises(Fail) as slow:
        rubric.band(3.0, LOW, what="seconds", what_zh="耗时", higher_is_better=False)
    assert slow.value.texts["zh"] == "耗时 3.00，满分要求不超过 0.20，超过 1.00不得分"


def test_fail_check_and_partial_carry_the_chinese_message():
    with pytest.raises(Fail) as exc:
        rubric.fail("no model file", zh="没有模型文件")
    assert exc.value.texts == {"en": "no model file", "zh": "没有模型文件"} and str(exc.value) == "no model file"
    with pytest.raises(Fail):
        rubric.check(1 == 2, "one is not two", zh="一不等于二")
    rubric.check(True, "never shown")
    with pytest.raises(Partial) as part:
        rubric.partial(0.5, "half", zh="一半")
    assert part.value.texts["zh"] == "一半"
    with pytest.raises(Fail) as en_only:
        rubric.fail("English only")
    assert en_only.value.texts == {"en": "English only"}


# -- run_as_program: a script submission is run once; a notebook is left alone ----------

def _runner(code: str, folder):
    """run_candidate as the harness gives it: the entry script run with this Python."""
    import subprocess
    import sys

    def run(args=(), timeout=None):
        return subprocess.run([sys.executable, str(folder / "job.py"), *args], cwd=folder,
                              capture_output=True, text=True, timeout=timeout)
    (folder / "job.py").write_text(code)
    return run


def test_run_as_program_runs_a_script_once(tmp_path):
    run = _runner("open('ran.txt', 'a').write('x')\n", tmp_path)
    rubric.run_as_program(tmp_path, run, "job.py", timeout=30)
    assert (tmp_path / "ran.txt").read_text() == "x"


def test_run_as_program_leaves_a_notebook_alone(tmp_path):
    run = _runner("open('ran.txt', 'a').write('x')\n", tmp_path)
    (tmp_path / "job.ipynb").write_text("{}")
    rubric.run_as_program(tmp_path, run, "job.py", timeout=30)
    assert not (tmp_path / "ran.txt").exists()


def test_run_as_program_fails_with_the_exit_code_and_last_error_line(tmp_path):
    run = _runner("import sys\nsys.exit('bad input file')\n", tmp_path)
    with pytest.raises(Fail) as info:
        rubric.run_as_program(tmp_path, run, "job.py", timeout=30)
    assert "job.py exited with code 1: bad input file" in str(info.value)
    assert "以退出码 1 结束" in info.value.texts["zh"]
