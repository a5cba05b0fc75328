"""One grading phase inside the sandbox: run the rubric tests for a spec.

    python3 -m practicum.phase           (started by the supervisor)

Modes: `candidate` runs the candidate's code and the public/hidden tests;
`judge` runs the trusted tests beside the answers, with no candidate code.
"""
from __future__ import annotations

import importlib.util
import os
import sys

from . import protocol
from .plugin import Candidate, RubricPlugin, pytest_args


def module_loader(spec: dict):
    """Import the candidate's script or project entry as a module, once."""
    entry = os.path.join(protocol.WORK, spec["entry"])
    root = os.path.dirname(entry)

    def load():
        if not os.path.isfile(entry):
            raise FileNotFoundError(f"{spec['entry']} is missing")
        sys.path.insert(0, root)
        name = os.path.splitext(os.path.basename(entry))[0]
        mod_spec = importlib.util.spec_from_file_location(name, entry)
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[name] = module
        mod_spec.loader.exec_module(module)
        return Candidate(vars(module), spec["entry"])
    return load


def no_candidate():
    raise RuntimeError("the trusted phase has no candidate code")


def run_pytest(spec: dict, load_candidate) -> int:
    import pytest

    dirs = [d for d in spec.get("test_dirs", []) if os.path.isdir(d)]
    if not dirs:
        return 0
    os.chdir(protocol.WORK if spec["mode"] == "candidate" else "/tmp")
    plugin = RubricPlugin(spec, load_candidate)
    return int(pytest.main(pytest_args(dirs), plugins=[plugin]))


def main() -> int:
    spec = protocol.load_spec()
    if spec["mode"] == "judge":
        os.makedirs(protocol.ARTIFACTS, exist_ok=True)
        run_pytest(spec, no_candidate)
        return 0
    protocol.ensure_dirs()
    if spec["kind"] == "notebook":
        from .notebook import run_notebook
        return run_notebook(spec)
    run_pytest(spec, module_loader(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
