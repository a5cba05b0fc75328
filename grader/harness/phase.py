"""One grading phase inside the sandbox: run the rubric tests for a spec.

    python3 -I -c "...; from practicum.phase import main"      (started by the supervisor)

Modes: `candidate` runs the public/hidden tests against the candidate's code;
`judge` runs the trusted tests beside the answers, with no candidate code.

This process is the harness and never runs candidate code: their script runs in
a process of its own (remote.py, candidate_server.py), their notebook in its
kernel. It is made non-dumpable first, so a process of the same user can
neither trace it nor read its memory or descriptors in /proc, and it alone
holds the pipe through which the supervisor learns the results.
"""
from __future__ import annotations

import ctypes
import os
import sys

from . import protocol, rubric
from .plugin import RubricPlugin, pytest_args

PR_SET_DUMPABLE = 4


def harden() -> None:
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE) failed")
    protocol.take_results_fd()


def module_loader(spec: dict):
    """The candidate's script or project entry, in its own process, as a proxy."""
    from .remote import Remote, script_channel

    def load():
        channel = script_channel(os.path.join(protocol.WORK, spec["entry"]))
        try:
            channel.connect()
        except BaseException:
            channel.close()
            raise
        return Remote(channel, None, spec["entry"]), channel
    return load


class InProcess:
    """The candidate's names imported into this process: only for tests that need the candidate's
    Qt widgets in their own process (the `qapp` fixture). Such a process is the candidate's, and
    what its tests decide can be forged: docs/architecture.md, "Verdicts candidate code cannot forge"."""

    def __init__(self, namespace: dict):
        object.__setattr__(self, "_ns", namespace)

    def __getattr__(self, name):
        try:
            return self._ns[name]
        except KeyError:
            raise rubric.MissingName(name) from None

    def __contains__(self, name):
        return name in self._ns


def in_process_loader(spec: dict):
    from .candidate_server import load_module

    def load():
        entry = os.path.join(protocol.WORK, spec["entry"])
        if not os.path.isfile(entry):
            raise FileNotFoundError(f"{spec['entry']} is missing")
        return InProcess(load_module(entry)), None
    return load


def no_candidate():
    raise RuntimeError("the trusted phase has no candidate code")


def run_pytest(spec: dict, load_candidate, in_process=None) -> int:
    import pytest

    dirs = [d for d in spec.get("test_dirs", []) if os.path.isdir(d)]
    if not dirs:
        return 0
    os.chdir(protocol.WORK if spec["mode"] == "candidate" else "/tmp")
    plugin = RubricPlugin(spec, load_candidate, in_process)
    return int(pytest.main(pytest_args(dirs), plugins=[plugin]))


def main() -> int:
    harden()
    spec = protocol.load_spec()
    if spec["mode"] == "judge":
        os.makedirs(protocol.ARTIFACTS, exist_ok=True)
        run_pytest(spec, no_candidate)
        return 0
    protocol.ensure_dirs()
    if spec["kind"] == "notebook":
        from .notebook import run_notebook
        return run_notebook(spec)
    run_pytest(spec, module_loader(spec), in_process_loader(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
