"""Every exception Practicum raises on purpose, in one flat module.

Each carries the exit code the CLI uses and knows how to show itself; the CLI
is the one place that turns them into output and `sys.exit`.
"""
from __future__ import annotations

from . import messages


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


class ImageMissing(SandboxError):
    def __init__(self, image: str, definition: str):
        self.image = image
        super().__init__(
            f"the sandbox image {image} is not built. Build it with:\n"
            f"    practicum image build {definition}\n"
            "(about two minutes the first time; it needs no registry)"
        )


class EngineUnavailable(SandboxError):
    def __init__(self, detail: str):
        super().__init__(
            "cannot reach the Docker engine (" + detail + "). Start it with "
            "`scripts/setup.sh` (installs docker.io and starts dockerd) or `dockerd &`."
        )
