"""Typed values that cross module boundaries: limits, verdicts, results.

Two status axes are kept apart on purpose (house habit 5): `Infra` says whether
our machinery worked; `Verdict` / `TestStatus` say what the submission did.
An infrastructure fault is never turned into a score.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field as dc_field, replace


class Visibility(str, enum.Enum):
    """When a candidate may see a test's outcome and message."""

    HIDDEN = "hidden"
    AFTER_PUBLISHED = "after_published"
    VISIBLE = "visible"


class Phase(str, enum.Enum):
    """Where a rubric test runs, and therefore who can tamper with it."""

    PUBLIC = "public"      # candidate sandbox, public data; candidates have the file
    HIDDEN = "hidden"      # candidate sandbox, hidden inputs; decided inside the sandbox
    TRUSTED = "trusted"    # judge sandbox without candidate code, with the answers


class SubmissionKind(str, enum.Enum):
    NOTEBOOK = "notebook"
    SCRIPT = "script"
    PROJECT = "project"    # a folder (zipped) with an entry module, e.g. a Qt app


class Verdict(str, enum.Enum):
    """Outcome of one sandbox run or one task, as candidates are told it.

    `PRECEDENCE` decides which verdict names a run when several apply: memory
    first (an OOM kill often looks like a crash or a timeout too).
    """

    MEMORY_LIMIT = "memory_limit"
    TIME_LIMIT = "time_limit"
    OUTPUT_LIMIT = "output_limit"
    RUNTIME_ERROR = "runtime_error"
    WRONG = "wrong"          # ran fine, but some checks did not pass
    OK = "ok"
    SANDBOX_ERROR = "sandbox_error"   # our fault: never charged to the candidate
    MISSING = "missing"      # the task's file was not handed in


VERDICT_PRECEDENCE: tuple[Verdict, ...] = (
    Verdict.SANDBOX_ERROR,
    Verdict.MISSING,
    Verdict.MEMORY_LIMIT,
    Verdict.TIME_LIMIT,
    Verdict.OUTPUT_LIMIT,
    Verdict.RUNTIME_ERROR,
    Verdict.WRONG,
    Verdict.OK,
)


def worst(verdicts) -> Verdict:
    present = set(verdicts)
    for v in VERDICT_PRECEDENCE:
        if v in present:
            return v
    return Verdict.OK


class TestStatus(str, enum.Enum):
    __test__ = False  # not a pytest class

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    ERROR = "error"            # the candidate's code raised
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    NOT_RUN = "not_run"        # an earlier crash stopped the run before this test
    SANDBOX_ERROR = "sandbox_error"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one sandbox run. All must be positive (habit 9)."""

    wall_s: float = 60.0        # whole run, wall clock
    cell_s: float = 30.0        # one notebook cell
    test_s: float = 20.0        # one rubric test
    memory_mb: int = 512        # memory == memory+swap: no swap escape
    cpus: float = 1.0
    pids: int = 128
    output_mb: int = 16         # files the run may write to its output folder
    stdout_kb: int = 256        # kept of stdout/stderr each; more is an output flood
    tmpfs_mb: int = 64

    def __post_init__(self) -> None:
        for name in ("wall_s", "cell_s", "test_s", "memory_mb", "cpus", "pids",
                     "output_mb", "stdout_kb", "tmpfs_mb"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"limit {name} must be a positive number, got {value!r}")
        if self.memory_mb < 32:
            raise ValueError("limit memory_mb must be at least 32")

    def merged(self, overrides: dict) -> "Limits":
        return replace(self, **overrides)


@dataclass(frozen=True)
class RunResult:
    """What one sandbox run did, measured from outside the sandbox."""

    verdict: Verdict
    exit_code: int | None
    oom_killed: bool
    timed_out: bool
    duration_s: float
    stdout: str
    stderr: str
    stdout_truncated: bool = False
    output_exceeded: bool = False
    infra_error: str | None = None   # set only with Verdict.SANDBOX_ERROR
    # name -> SHA-256 of each file the supervisor wrote after every other process had ended
    sealed: dict[str, str] = dc_field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Measure:
    """A timing a rubric test judged, with the boundaries of its bands (rubric.measure)."""

    what: str
    value: float
    bounds: tuple[float, ...]
    relative: bool              # a ratio to a reference timed in the same sandbox


@dataclass(frozen=True)
class LimitUse:
    """How much of one time limit a run used: what `exam prove` checks for headroom."""

    limit: str                  # "run", "cell 3", "test test_x", "judge"
    used_s: float
    limit_s: float
    hit: bool = False           # the run was stopped at this limit

    @property
    def share(self) -> float:
        return self.used_s / self.limit_s if self.limit_s > 0 else 0.0


@dataclass(frozen=True)
class TimeScale:
    """The factor applied to one exam's time limits on one worker (grader/speed.py)."""

    worker_speed: float
    reference_speed: float | None      # None: the package records none, limits as written
    factor: float                      # applied to wall_s, cell_s and every test's timeout
    raw_factor: float                  # before the clamp
    source: str = "calibrated"         # "calibrated", "override" or "none"
    max_factor: float = 3.0

    @property
    def too_slow(self) -> bool:
        return self.raw_factor > self.max_factor + 1e-9

    @property
    def clamped(self) -> bool:
        return abs(self.raw_factor - self.factor) > 1e-9

    def to_json(self) -> dict:
        return {"worker_speed": self.worker_speed, "reference_speed": self.reference_speed,
                "factor": self.factor, "raw_factor": self.raw_factor, "clamped": self.clamped,
                "too_slow": self.too_slow, "source": self.source}

    def describe(self) -> str:
        if self.reference_speed is None:
            return (f"worker speed {self.worker_speed:.2f}; the exam records no reference speed, "
                    f"time limits as written")
        text = (f"worker speed {self.worker_speed:.2f} ({self.source}), exam proven at "
                f"{self.reference_speed:.2f}: time limits x{self.factor:.2f}")
        if self.too_slow:
            text += f" (needs x{self.raw_factor:.2f}: this worker is too slow to grade this exam fairly)"
        elif self.clamped:
            text += f" (clamped from x{self.raw_factor:.2f})"
        return text


@dataclass(frozen=True)
class TestResult:
    __test__ = False

    name: str
    score: float
    max_score: float
    status: TestStatus
    message: str
    visibility: Visibility
    phase: Phase
    duration_s: float = 0.0
    messages: tuple[tuple[str, str], ...] = ()   # (lang, text) for every language we speak
    measures: tuple[Measure, ...] = ()


@dataclass(frozen=True)
class TaskResult:
    id: str
    score: float
    max_score: float
    status: Verdict
    message: str
    tests: tuple[TestResult, ...] = ()
    duration_s: float = 0.0
    artifacts: tuple[str, ...] = ()   # paths relative to the report's artifact folder
    messages: tuple[tuple[str, str], ...] = ()   # (lang, text) for every language we speak
    usage: tuple[LimitUse, ...] = ()  # the share of each time limit the runs used
    infra_error: str | None = None    # with Verdict.SANDBOX_ERROR: what failed, for staff (never candidates)


@dataclass(frozen=True)
class SubmissionRef:
    sha256: str
    filename: str
    kind: str      # "file", "zip" or "folder"


@dataclass(frozen=True)
class GradeReport:
    exam: str
    submission: SubmissionRef
    score: float
    max_score: float
    duration_s: float
    tasks: tuple[TaskResult, ...] = ()
    artifacts_dir: str | None = None
    infra_ok: bool = True
    time_scale: TimeScale | None = None   # the worker's speed and the factor its limits got

    @property
    def status(self) -> Verdict:
        return worst(t.status for t in self.tasks)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an exam package: where, which field, what."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


def round_score(x: float) -> float:
    return round(float(x) + 0.0, 2)

