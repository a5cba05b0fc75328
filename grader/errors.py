"""Every exception Practicum raises on purpose, in one flat module.

Each carries the exit code the CLI uses and knows how to show itself; the CLI
is the one place that turns them into output and `sys.exit`.
"""
from __future__ import annotations

import enum
import errno

from . import messages


class FaultCause(str, enum.Enum):
    """Why our infrastructure failed a grading attempt: kept on the attempt for staff, so a
    proctor sees "out of disk" rather than a bare "sandbox error" (never shown to candidates)."""

    ENGINE_UNAVAILABLE = "engine_unavailable"   # the Docker engine did not answer at all
    ENGINE_TIMEOUT = "engine_timeout"           # it answered too slowly (the client timed out)
    IMAGE_MISSING = "image_missing"             # the sandbox image is not built on that worker
    OUT_OF_DISK = "out_of_disk"                 # no space left (engine, store or scratch)
    SANDBOX_LOST = "sandbox_lost"               # the container ended from outside (engine restart, kill)
    WORKER_LOST = "worker_lost"                 # the worker stopped sending heartbeats (the reaper took it)
    SANDBOX = "sandbox"                         # another engine failure
    INTERNAL = "internal"                       # a bug of ours, or the database went away


# what the engine, the Docker SDK and the kernel say, lower-cased: the first cause that matches
_SIGNS = ((FaultCause.OUT_OF_DISK, ("no space left on device", "disk quota exceeded", "enospc")),
          (FaultCause.IMAGE_MISSING, ("imagenotfound", "no such image", "image is not built")),
          (FaultCause.ENGINE_TIMEOUT, ("readtimeout", "read timed out", "timed out", "timeout")),
          (FaultCause.ENGINE_UNAVAILABLE, ("cannot reach the docker engine", "connection refused",
                                           "connectionerror", "connection aborted", "is the docker daemon running")),
          (FaultCause.SANDBOX_LOST, ("without its supervisor's report", "no such container")))


def cause_of_text(detail: str | None, default: FaultCause = FaultCause.SANDBOX) -> FaultCause:
    """The cause an error text names (a sandbox's `infra_error`, an exception's message)."""
    low = (detail or "").lower()
    for cause, signs in _SIGNS:
        if any(s in low for s in signs):
            return cause
    return default


def cause_of(exc: BaseException) -> FaultCause:
    """The cause of an exception raised while grading (ours, the SDK's or the kernel's)."""
    if isinstance(exc, SandboxError) and exc.cause is not FaultCause.SANDBOX:
        return exc.cause
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return FaultCause.OUT_OF_DISK
    default = FaultCause.SANDBOX if isinstance(exc, SandboxError) else FaultCause.INTERNAL
    return cause_of_text(f"{type(exc).__name__}: {exc}", default)


class PracticumError(Exception):
    exit_code = 1

    def show(self, lang: str | None = None) -> str:
        return str(self)


class SubmissionRejected(PracticumError):
    """Bad input from a candidate: refused with a reason they can act on."""

    exit_code = 2

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(messages.text(code, "en", **params))

    def show(self, lang: str | None = None) -> str:
        return messages.text(self.code, lang, **self.params)


class ExamConfigError(PracticumError):
    """The exam package is wrong: the examiner's problem, never the candidate's."""

    exit_code = 3

    def __init__(self, problems):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"the exam package has {len(self.problems)} problem(s):\n{lines}")


class SandboxError(PracticumError):
    """Our infrastructure failed (engine down, container vanished...)."""

    exit_code = 4
    cause = FaultCause.SANDBOX


class ImageMissing(SandboxError):
    cause = FaultCause.IMAGE_MISSING

    def __init__(self, image: str, definition: str):
        self.image = image
        super().__init__(
            f"the sandbox image {image} is not built. Build it with:\n"
            f"    practicum image build {definition}\n"
            "(about two minutes the first time; it needs no registry)"
        )


class EngineUnavailable(SandboxError):
    def __init__(self, detail: str):
        self.cause = cause_of_text(detail, FaultCause.ENGINE_UNAVAILABLE)
        super().__init__(
            "cannot reach the Docker engine (" + detail + "). Start it with "
            "`scripts/setup.sh` (installs docker.io and starts dockerd) or `dockerd &`."
        )
