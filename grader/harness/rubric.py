"""Helpers for examiners writing rubric tests (plain pytest).

    import pytest
    from practicum import rubric

    @pytest.mark.points(4)
    @pytest.mark.timeout(20)
    @pytest.mark.visibility("visible")
    def test_plate_accuracy(observations, answers_dir):
        "plate recognition accuracy"
        acc = rubric.accuracy(observations["plates"], load(answers_dir))
        rubric.band(acc, {0.9: 1.0, 0.8: 0.5}, what="plate accuracy")

Messages given to `fail`, `partial`, `band` and `assert ..., "message"` are
what candidates read; write them so they say what failed and by how much,
never what the hidden answer is.
"""
from __future__ import annotations

import math
import time

# This worker's time-limit factor (grader/speed.py), set by the harness: an absolute time
# in a rubric test means the same work on every machine when it goes through `seconds()`.
TIME_FACTOR = 1.0
MAX_MEASURES = 20
_measures: list[dict] = []


def seconds(s: float) -> float:
    """An examiner's time in seconds, scaled to this worker's speed (e.g. a subprocess timeout)."""
    return float(s) * TIME_FACTOR


def measure(what: str, value: float, bounds, *, relative: bool) -> None:
    """Keep a timing a test judged and the band boundaries it was judged against.

    `exam prove` reads them to check that a reference solution's timing lies clearly
    inside its band, not where the machine's speed or load would decide it. `relative`
    says the value is a ratio to a reference timed in the same sandbox."""
    if len(_measures) < MAX_MEASURES and math.isfinite(float(value)):
        _measures.append({"what": str(what)[:120], "value": float(value),
                          "bounds": [float(b) for b in bounds][:8], "relative": bool(relative)})


def take_measures() -> list[dict]:
    """The measures kept since the last call (the harness calls it around every test)."""
    out = list(_measures)
    _measures.clear()
    return out


def texts(message: str, zh: str | None = None) -> dict[str, str]:
    """A message in every language candidates read: English, and Chinese when given
    (a candidate reading Chinese sees the English one when the examiner wrote no Chinese)."""
    out = {"en": str(message)}
    if zh:
        out["zh"] = str(zh)
    return out


class Partial(Exception):
    """Ends a test with a fraction of its points."""

    def __init__(self, fraction: float, message: str = "", zh: str | None = None):
        fraction = float(fraction)
        # NaN would pass a min/max clamp as 1.0: an unmeasurable result earns nothing
        self.fraction = 0.0 if math.isnan(fraction) else max(0.0, min(1.0, fraction))
        self.message = message
        self.texts = texts(message, zh)
        super().__init__(message)


class Fail(AssertionError):
    """Ends a test with no points and an explicit message (`zh`: the same in Chinese)."""

    def __init__(self, message: str = "", zh: str | None = None):
        super().__init__(message)
        self.texts = texts(message, zh)


class MissingName(AttributeError):
    """The candidate's code does not define a name the task asks for."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name   # after AttributeError.__init__, which resets .name


def fail(message: str, zh: str | None = None):
    raise Fail(message, zh)


def check(condition, message: str, zh: str | None = None) -> None:
    """`assert condition, message` with the message in Chinese too."""
    if not condition:
        raise Fail(message, zh)


def partial(fraction: float, message: str = "", zh: str | None = None):
    """Award `fraction` (0..1) of the test's points. A fraction of 1 passes."""
    if fraction >= 1.0:   # False for NaN, which Partial turns into 0
        return
    raise Partial(fraction, message, zh)


def band(value: float, bands: dict[float, float], what: str = "score", detail: str = "", *,
         fmt: str = "{:.2f}", higher_is_better: bool = True, timing: str | None = None,
         what_zh: str | None = None, detail_zh: str = "") -> float:
    """Threshold bands: `{0.9: 1.0, 0.8: 0.5}` gives full marks at >= 0.9, half at >= 0.8.

    With `higher_is_better=False` the thresholds are upper bounds (e.g. latency).
    Returns the fraction when it is 1; otherwise ends the test with a message
    naming the measured value and the next threshold up, in English and, with
    `what_zh` (e.g. "准确率"), in Chinese. `detail` / `detail_zh` follow the figures
    ("; 8 of 30 scenes read exactly").
    `timing="relative"` (a ratio to a reference timed here) or `"absolute"` (seconds)
    marks the value as a timing, so `exam prove` checks its headroom to the bands.
    """
    if not bands:
        raise ValueError("band needs at least one threshold")
    if timing not in (None, "relative", "absolute"):
        raise ValueError("timing is 'relative', 'absolute' or None")
    value = float(value)
    if timing is not None:
        measure(what, value, sorted(bands), relative=timing == "relative")
    zh_what = what_zh
    if math.isnan(value):
        fail(f"{what} could not be measured{detail}", zh_what and f"{zh_what}无法测量{detail_zh}")
    order = sorted(bands.items(), reverse=higher_is_better)
    shown = fmt.format(value)
    if shown in {fmt.format(t) for t in bands} and value not in {float(t) for t in bands}:
        shown = f"{value:.4g}"     # never "0.20, must be at most 0.20" for 0.2013
    best = max(f for _, f in order)
    full = next(t for t, f in order if f == best)
    rel = "needs" if higher_is_better else "must be at most"
    rel_zh = "满分需要达到" if higher_is_better else "满分要求不超过"
    for threshold, fraction in order:
        ok = value >= threshold if higher_is_better else value <= threshold
        if ok:
            if fraction >= 1.0:
                return 1.0
            partial(fraction, f"{what} {shown}, {rel} {fmt.format(full)} for full marks{detail}",
                    zh_what and f"{zh_what} {shown}，{rel_zh} {fmt.format(full)}{detail_zh}")
            return fraction
    least = fmt.format(order[-1][0])
    fail(f"{what} {shown}, {rel} {fmt.format(full)} for full marks and {least} for any{detail}",
         zh_what and f"{zh_what} {shown}，{rel_zh} {fmt.format(full)}，"
                     f"{'至少需要达到' if higher_is_better else '超过'} {least}"
                     f"{'才能得分' if higher_is_better else '不得分'}{detail_zh}")


def iou(a, b) -> float:
    """Intersection over union of two boxes given as (x1, y1, x2, y2)."""
    ax1, ay1, ax2, ay2 = map(float, a)
    bx1, by1, bx2, by2 = map(float, b)
    iw = max(0.0, min(ax2, bx2) - max(ax1, bx1))
    ih = max(0.0, min(ay2, by2) - max(ay1, by1))
    inter = iw * ih
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return inter / union if union > 0 else 0.0


def match_boxes(pred, truth, threshold: float = 0.5) -> tuple[int, int, int]:
    """Greedy one-to-one matching by IoU. Returns (true positives, false positives, misses)."""
    pairs = sorted(((iou(p, t), i, j) for i, p in enumerate(pred) for j, t in enumerate(truth)),
                   reverse=True)
    used_p, used_t = set(), set()
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
    tp = len(used_p)
    return tp, len(pred) - tp, len(truth) - tp


def precision_recall(tp: int, fp: int, fn: int) -> tuple[float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def accuracy(predicted: dict, truth: dict, normalize=lambda s: s) -> float:
    """Share of keys in `truth` whose prediction equals the answer."""
    if not truth:
        return 0.0
    if not isinstance(predicted, dict):
        return 0.0
    hits = sum(1 for k, v in truth.items() if k in predicted and normalize(predicted[k]) == normalize(v))
    return hits / len(truth)


def latency(fn, *args, repeat: int = 5, warmup: int = 1, statistic: str = "median",
            budget_s: float | None = None) -> float:
    """Wall time of `fn(*args)` in seconds over `repeat` calls, after `warmup` untimed ones.

    Taken here, in the harness's process. Of calls into the candidate's code (their own
    process) the harness's own copying of arguments and values is left out, also when `fn`
    wraps such calls.

    `statistic="min"` (best of N) measures what the code can do, not what the
    machine was doing: use it for short calls on a busy worker.

    `budget_s`: stop repeating once the timed calls add up to this (at least one is
    timed). A call slow enough to pass it is far outside any band where repeats would
    change its verdict, and timing it five times would only spend the test's time limit."""
    from .remote import harness_seconds_total     # (remote imports this module)
    for _ in range(warmup):
        fn(*args)
    times = []
    for _ in range(max(1, repeat)):
        own0 = harness_seconds_total()
        t0 = time.perf_counter()
        fn(*args)
        elapsed = time.perf_counter() - t0
        times.append(elapsed - (harness_seconds_total() - own0))
        if budget_s is not None and sum(times) >= budget_s:
            break
    times.sort()
    return times[0] if statistic == "min" else times[len(times) // 2]


def latency_limit(fn, reference, *args, absolute_s: float, relative: float = 3.0, repeat: int = 5,
                  warmup: int = 1, what: str = "time per call", half_at: float = 2.0,
                  what_zh: str | None = None) -> float:
    """Time `fn` against the examiner's `reference`, both here, on the same worker.

    The limit is `relative` x the reference's time, never more than `absolute_s`:
    a slow worker slows both alike, and the absolute cap is the product's own
    requirement, scaled like every time limit to this worker's speed. Full marks
    within the limit, half within `half_at` x the limit.
    The message reports the measured figures, e.g.
    "time per call 0.210 s (reference 0.080 s; limit 0.240 s = 3x reference)".
    """
    mine = latency(fn, *args, repeat=repeat, warmup=warmup)
    ref = latency(reference, *args, repeat=repeat, warmup=warmup)
    cap = seconds(absolute_s)
    limit = min(cap, relative * ref)
    is_relative = relative * ref <= cap
    basis = f"{relative:g}x reference" if is_relative else "absolute cap"
    measure(what, mine / limit if limit > 0 else math.inf, [1.0, half_at], relative=is_relative)
    figures = f"{what} {mine:.3f} s (reference {ref:.3f} s; limit {limit:.3f} s = {basis})"
    basis_zh = f"参考的 {relative:g} 倍" if is_relative else "绝对上限"
    figures_zh = what_zh and f"{what_zh} {mine:.3f} 秒（参考 {ref:.3f} 秒；上限 {limit:.3f} 秒 = {basis_zh}）"
    if mine <= limit:
        return 1.0
    if mine <= limit * half_at:
        partial(0.5, figures, figures_zh)
        return 0.5
    fail(figures, figures_zh)


def require(obj, *names: str):
    """Fail with a clear message when the candidate did not define `names`."""
    for name in names:
        try:
            getattr(obj, name)
        except AttributeError:
            raise MissingName(name) from None
    return obj


def run_as_program(candidate_dir, run_candidate, script: str, *, timeout: float) -> None:
    """Run a script submission once as a program, so the files it writes exist for the
    trusted tests whether its work sits at the top or under `if __name__ == "__main__":`.

    Does nothing for a notebook (it has run before the tests). Fails with the exit code
    and the last line of stderr when the script does not finish cleanly; `timeout` is in
    the package's seconds, scaled like every limit."""
    from pathlib import Path

    folder = Path(candidate_dir)
    if not (folder / script).is_file() or (folder / script).with_suffix(".ipynb").is_file():
        return
    try:
        proc = run_candidate(timeout=timeout)
    except Exception as exc:     # subprocess.TimeoutExpired and the like
        fail(f"running {script} as a program did not finish: {type(exc).__name__}",
             f"以程序方式运行 {script} 未能结束：{type(exc).__name__}")
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1][:200]
        fail(f"{script} exited with code {proc.returncode}: {last}",
             f"{script} 以退出码 {proc.returncode} 结束：{last}")


def screenshot(widget, path: str) -> str:
    """Render a Qt widget offscreen into a PNG kept with the results."""
    pixmap = widget.grab()
    if not pixmap.save(path, "PNG"):
        fail("could not take a screenshot of the window")
    return path


# reading the candidate's outputs safely (links refused, sizes capped): grader/harness/files.py
from .files import (Audio, Unreadable, exists, list_files, read_audio, read_bytes, read_csv,  # noqa: E402
                    read_image, read_json, read_text)
from .onnxfile import read_onnx  # noqa: E402
