"""How fast this worker runs exam code, and how much to stretch time limits for it.

An examiner sets an exam's time limits on one machine; a candidate is graded
on another, quiet or busy, older or newer. So that a limit means the same
amount of *work* everywhere:

1. every grading process measures its speed once when it starts: a fixed
   workload (`harness/calibrate.py`, about a second of OpenCV, numpy and plain
   Python) in as many sandboxes at once as it grades in, under the same
   limits candidates get, so a busy machine measures as the slower machine
   it is;
2. an exam package records the speed it was proven at (`reference_speed` in
   exam.toml, written by `practicum exam prove` when missing);
3. every time limit of a run (whole run, notebook cell, rubric test) is
   multiplied by reference / worker speed, clamped to [MIN_FACTOR, MAX_FACTOR].

Speed 1.0 is a 2-core Debian cloud machine at rest (the machine class the
project's figures come from). A worker too slow for the clamp is flagged
(`TimeScale.too_slow`), never silently unfair.
"""
from __future__ import annotations

import json
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from . import pool, sandbox
from .errors import SandboxError
from .harness import calibrate as workload
from .models import Limits, TimeScale, Verdict

NOMINAL_ROUND_S = 0.100   # one calibration round at speed 1.0
MIN_FACTOR = 0.5          # a faster worker shrinks limits at most to half
MAX_FACTOR = 3.0          # past this a worker is too slow to grade fairly
SPEED_ENV = "PRACTICUM_WORKER_SPEED"
# The workload stops itself after about BUDGET_S of rounds; the wall clock here only has to
# cover start-up (importing numpy and OpenCV takes tens of seconds on a machine at load 12).
CALIBRATION_LIMITS = Limits(wall_s=120.0, memory_mb=512, cpus=1.0, stdout_kb=64)


@dataclass(frozen=True)
class WorkerSpeed:
    """One measurement of this worker's speed (1.0 = the reference machine class)."""

    speed: float
    source: str                    # "calibrated" or "override"
    round_s: float = 0.0           # median seconds of one calibration round
    samples: int = 0
    measured_at: float = 0.0       # time.time()
    version: int = workload.VERSION

    def to_json(self) -> dict:
        return {"speed": self.speed, "source": self.source, "round_s": self.round_s,
                "samples": self.samples, "version": self.version}


UNSCALED = TimeScale(worker_speed=1.0, reference_speed=None, factor=1.0, raw_factor=1.0, source="none",
                     max_factor=MAX_FACTOR)


def time_scale(reference_speed: float | None, worker: WorkerSpeed) -> TimeScale:
    if reference_speed is None or reference_speed <= 0:
        return TimeScale(worker.speed, None, 1.0, 1.0, worker.source, MAX_FACTOR)
    raw = reference_speed / worker.speed
    factor = min(MAX_FACTOR, max(MIN_FACTOR, raw))
    return TimeScale(worker.speed, reference_speed, round(factor, 4), round(raw, 4), worker.source, MAX_FACTOR)


def scale_limits(limits: Limits, factor: float) -> Limits:
    """The time limits stretched (or shrunk) by `factor`; every other limit as it was."""
    if factor == 1.0:
        return limits
    return replace(limits, wall_s=round(limits.wall_s * factor, 3), cell_s=round(limits.cell_s * factor, 3),
                   test_s=round(limits.test_s * factor, 3))


# ---------------------------------------------------------------------------
# measuring


def speed_of(round_s: float) -> float:
    return round(NOMINAL_ROUND_S / round_s, 3)


def parse_calibration(stdout: str) -> list[float]:
    """The round times one calibration sandbox printed (our code, but checked all the same)."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("version") == workload.VERSION:
            rounds = data.get("round_s")
            if isinstance(rounds, list) and rounds and all(isinstance(x, (int, float)) and 0 < x < 60
                                                           for x in rounds):
                return [float(x) for x in rounds]
    return []


def _one_calibration(image: str) -> list[float]:
    with sandbox.raw_run(image, ["python3", "-m", "practicum.calibrate"], CALIBRATION_LIMITS) as (run, _):
        pass
    if run.verdict is not Verdict.OK:
        detail = run.infra_error or (run.stderr.strip().splitlines() or [run.verdict.value])[-1]
        raise SandboxError(f"the speed calibration failed in the sandbox: {detail[:300]}")
    rounds = parse_calibration(run.stdout)
    if not rounds:
        raise SandboxError("the speed calibration printed no result")
    return rounds


def calibrate(image: str, parallel: int | None = None) -> WorkerSpeed:
    """Measure: `parallel` sandboxes at once (default: the grading slots), median round."""
    n = max(1, parallel or pool.size())
    with ThreadPoolExecutor(n) as ex:
        runs = list(ex.map(lambda _: _one_calibration(image), range(n)))
    rounds = [r for run in runs for r in run]
    median = statistics.median(rounds)
    return WorkerSpeed(speed=speed_of(median), source="calibrated", round_s=round(median, 5),
                       samples=len(rounds), measured_at=time.time())


def override_from_env() -> WorkerSpeed | None:
    """`PRACTICUM_WORKER_SPEED=0.5` pretends this worker runs at half the reference speed."""
    raw = os.environ.get(SPEED_ENV, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise SandboxError(f"{SPEED_ENV}={raw!r} is not a number (a speed, 1.0 = reference)") from None
    if not 0.01 <= value <= 100:
        raise SandboxError(f"{SPEED_ENV}={raw!r} is out of range (0.01 to 100)")
    return fixed(value)


def fixed(value: float) -> WorkerSpeed:
    return WorkerSpeed(speed=float(value), source="override", measured_at=time.time())


_cache: dict[str, WorkerSpeed] = {}
_cache_lock = threading.Lock()


def worker_speed(image: str, progress=None) -> WorkerSpeed:
    """This process's speed: the override if set, else measured once and kept."""
    override = override_from_env()
    if override is not None:
        return override
    with _cache_lock:
        if image not in _cache:
            t0 = time.monotonic()
            _cache[image] = calibrate(image)
            if progress:
                progress(f"worker speed {_cache[image].speed:.2f} (calibrated in "
                         f"{time.monotonic() - t0:.1f}s, {_cache[image].samples} rounds)")
        return _cache[image]


def remember(image: str, measured: WorkerSpeed) -> None:
    """Keep a speed measured elsewhere (the board's worker measures at its start)."""
    with _cache_lock:
        _cache[image] = measured


def scale_exam(exam, scale: TimeScale, extra: float = 1.0):
    """The exam with every task's time limits and test timeouts multiplied by the factor.

    `extra` stretches further on top (prove runs time-limit cases at 3x their limits)."""
    import dataclasses

    factor = scale.factor * extra
    if factor == 1.0:
        return exam
    tasks = tuple(dataclasses.replace(
        t, limits=scale_limits(t.limits, factor), time_factor=round(t.time_factor * factor, 4),
        tests=tuple(dataclasses.replace(x, timeout_s=round(x.timeout_s * factor, 3)) for x in t.tests))
        for t in exam.tasks)
    return dataclasses.replace(exam, tasks=tasks)
