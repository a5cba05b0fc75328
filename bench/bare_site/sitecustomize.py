"""Loaded by every Python process of a *bare* (no container) bench run.

The in-sandbox harness (grader/harness, imported as `practicum`) uses fixed
container paths: /out, /opt/spec/spec.json, pytest's --rootdir=/exam and the
notebook kernel's /tmp/practicum-kernel.json. To run that same code unchanged
on the host, this file remaps those paths right after each harness module is
imported, in the harness process, its pytest and the notebook's kernel alike
(they all inherit PYTHONPATH and the PRACTICUM_BENCH_* variables).

It does nothing unless PRACTICUM_BENCH_OUT is set, and it changes no file.
"""
import os
import sys

_OUT = os.environ.get("PRACTICUM_BENCH_OUT")


def _patch_protocol(m):
    m.OUT = _OUT
    m.WORK = _OUT + "/work"
    m.ARTIFACTS = _OUT + "/artifacts"
    m.RESULTS = _OUT + "/.results.jsonl"
    m.NOTEBOOK_REPORT = _OUT + "/.notebook.json"
    m.OBSERVATIONS = _OUT + "/observations.json"
    m.WATCHDOG = _OUT + "/.watchdog"
    m.SPEC_PATH = os.environ["PRACTICUM_BENCH_SPEC"]
    m.load_spec.__defaults__ = (m.SPEC_PATH,)


def _patch_plugin(m):
    original = m.pytest_args
    root = "--rootdir=" + os.environ["PRACTICUM_BENCH_EXAM_ROOT"]

    def pytest_args(test_dirs):
        return [root if a == "--rootdir=/exam" else a for a in original(test_dirs)]
    m.pytest_args = pytest_args


def _patch_notebook(m):
    manager = m.AsyncKernelManager
    conn = os.path.join(os.environ["PRACTICUM_BENCH_TMP"], "practicum-kernel.json")

    def per_run_manager(**kw):
        # the harness uses a fixed /tmp path: fine in a private container /tmp,
        # a collision between parallel runs on the host
        kw["connection_file"] = conn
        return manager(**kw)
    m.AsyncKernelManager = per_run_manager


_PATCHES = {"practicum.protocol": _patch_protocol, "practicum.plugin": _patch_plugin,
            "practicum.notebook": _patch_notebook}

if _OUT:
    import importlib.abc

    class _AfterImport(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            patch = _PATCHES.get(name)
            if patch is None:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            exec_module = spec.loader.exec_module

            def exec_and_patch(module):
                exec_module(module)
                patch(module)
            spec.loader.exec_module = exec_and_patch
            return spec

    sys.meta_path.insert(0, _AfterImport())
