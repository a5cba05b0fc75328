# For task `fast` of exams/demo: a right but slow smooth() that replaces every clock in its
# own process so its calls look instant. The speed check must see the real time.
import itertools
import time

import numpy as np

_tick = itertools.count()
for name in ("perf_counter", "monotonic", "time", "process_time"):
    setattr(time, name, lambda: next(_tick) * 1e-9)
time.perf_counter_ns = lambda: next(_tick)
_sleep = time.sleep


def smooth(values, k):
    values = np.asarray(values, dtype=float)
    if values.size > 100_000:
        _sleep(0.3)                  # really slow: 30 to 60 times the reference
    c = np.cumsum(np.concatenate([[0.0], values]))
    return (c[k:] - c[:-k]) / k
