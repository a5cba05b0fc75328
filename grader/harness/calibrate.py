"""A fixed CPU workload that tells how fast a sandbox runs exam-like code.

    python3 -m practicum.calibrate        (raw mode; no candidate code is present)

The work is the mix the exams' own code does: OpenCV filters on a camera-sized
picture, numpy array arithmetic and a plain Python loop. It runs `ROUNDS`
times, or as many as fit in `BUDGET_S` on a slow or crowded machine (never fewer
than one), and prints one JSON line with each round's seconds; the host turns
the median into a speed. A machine so busy that nine rounds would outlast the
sandbox's wall clock still reports what it measured, instead of a time limit
that leaves the worker with no speed at all. The inputs are fixed (a seeded generator), so every
machine does exactly the same work.
"""
from __future__ import annotations

import json
import sys
import time

ROUNDS = 9
BUDGET_S = 12.0  # seconds of rounds at most (nine rounds take about one at speed 1.0)
VERSION = 1     # bump when the work changes: speeds of different versions do not compare


def _inputs():
    import numpy as np

    rng = np.random.default_rng(20261207)
    picture = rng.integers(0, 256, size=(480, 640, 3), dtype=np.uint8)
    matrix = rng.standard_normal((160, 160))
    return picture, matrix


def one_round(picture, matrix) -> float:
    import cv2
    import numpy as np

    t0 = time.perf_counter()
    for _ in range(60):                      # OpenCV, as the video / vision tasks use it
        gray = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY)
        blurred = cv2.GaussianBlur(gray, (7, 7), 0)
        cv2.Canny(blurred, 50, 150)
        cv2.resize(picture, (320, 240), interpolation=cv2.INTER_AREA)
    m = matrix
    for _ in range(60):                      # numpy, as feature and metric code uses it
        m = np.tanh(m @ matrix / 160.0)
        np.sort(m, axis=1)
    total = 0                                # plain Python, as candidates' loops are
    for i in range(900_000):
        total += (i * 7) % 13
    return time.perf_counter() - t0


def main() -> int:
    import cv2

    cv2.setNumThreads(1)   # one core's speed: each sandbox has its own CPU quota
    picture, matrix = _inputs()
    start = time.perf_counter()
    one_round(picture, matrix)               # warm-up: first calls load code and caches
    rounds = []
    while len(rounds) < ROUNDS and (not rounds or time.perf_counter() - start < BUDGET_S):
        rounds.append(round(one_round(picture, matrix), 5))
    print(json.dumps({"version": VERSION, "round_s": rounds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
