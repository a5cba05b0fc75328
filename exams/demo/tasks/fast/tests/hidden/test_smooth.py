import numpy as np
import pytest

from practicum import rubric


def reference(values, k):
    c = np.cumsum(np.concatenate([[0.0], np.asarray(values, float)]))
    return (c[k:] - c[:-k]) / k


@pytest.mark.points(2)
def test_smooth_is_right(candidate):
    """smooth gives the right moving average
    zh: smooth 计算的移动平均正确
    """
    rubric.require(candidate, "smooth")
    rng = np.random.default_rng(7)
    for n, k in [(10, 1), (10, 10), (57, 5), (1000, 50)]:
        values = rng.normal(size=n).round(3).tolist()
        got = np.asarray(candidate.smooth(values, k), float)
        want = reference(values, k)
        rubric.check(got.shape == want.shape, f"for {n} values and k={k} expected {len(want)} results, got {got.size}",
                     zh=f"输入 {n} 个值、k={k} 时应得到 {len(want)} 个结果，实际得到 {got.size} 个")
        rubric.check(np.allclose(got, want, atol=1e-6), f"wrong averages for {n} values and k={k}",
                     zh=f"输入 {n} 个值、k={k} 时平均值错误")


@pytest.mark.points(2)
@pytest.mark.timeout(10)
def test_smooth_is_fast(candidate):
    """smooth handles a million values quickly
    zh: smooth 能快速处理一百万个值
    """
    rubric.require(candidate, "smooth")
    values = np.random.default_rng(8).normal(size=1_000_000)
    # timed against the reference in this same sandbox: a busy machine slows both alike
    # best of 5 each: a 10 ms call on a busy worker is at the mercy of the scheduler
    # a call of half a second is 50x the reference: past the full-marks band whatever repeats say
    mine = rubric.latency(candidate.smooth, values, 50, repeat=5, warmup=1, statistic="min", budget_s=0.5)
    ref = rubric.latency(reference, values, 50, repeat=5, warmup=1, statistic="min")
    ratio = mine / max(ref, 1e-6)
    rubric.band(ratio, {5.0: 1.0, 1000.0: 0.5}, higher_is_better=False, fmt="{:.1f}",
                what=f"time for 1,000,000 values {mine:.3f} s = reference x", timing="relative",
                what_zh=f"处理 1,000,000 个值用时 {mine:.3f} 秒 = 参考用时 ×")
