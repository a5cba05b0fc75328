"""The pytest plugin every rubric run uses, inside the sandbox, in the harness's process.

It registers the rubric markers, provides the fixtures examiners use, enforces
per-test time limits and sends one start and one end event per test to the
supervisor as it goes, so a crash or kill keeps everything decided before.
The `candidate` fixture is a proxy for the candidate's code in its own process
(remote.py): nothing here runs in it.
"""
from __future__ import annotations

import faulthandler
import json
import os
import signal
import stat
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from . import protocol, rubric
from .remote import CandidateError, CandidateGone, CandidateLoadError

MAX_MESSAGE = 500
MAX_OBSERVATIONS = 4 * 1024 * 1024


class TestTimeout(BaseException):
    """Raised by the alarm; a BaseException so `except Exception` cannot eat it."""

    __test__ = False


def _short(text: str, limit: int = MAX_MESSAGE) -> str:
    text = str(text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_texts(texts: dict) -> dict:
    return {lang: _short(text) for lang, text in texts.items()}


def describe_exception(exc: BaseException, tb) -> str:
    """'ValueError: bad shape (line 12)': the candidate's frame, not ours."""
    line = exc.line if isinstance(exc, CandidateError) else None
    for frame, lineno in traceback.walk_tb(tb):
        fname = frame.f_code.co_filename
        if not fname.startswith(("/opt/practicum", "/exam", "/usr/", "<frozen")) \
                and "site-packages" not in fname and "dist-packages" not in fname:
            line = lineno
    detail = f"{type(exc).__name__}: {_short(exc, 300)}" if str(exc) else type(exc).__name__
    return f"{detail} (line {line})" if line else detail


class RubricPlugin:
    def __init__(self, spec: dict, load_candidate, in_process=None):
        self.spec = spec
        self._load_candidate = load_candidate
        self._in_process = in_process
        self._candidate = None
        self._channel = None
        self._candidate_error: str | None = None
        self._observations: dict = {}
        self._current: str | None = None
        self._watchdog_fh = None
        self._loaded: dict = {}

    # -- where things are -------------------------------------------------
    def _task_of(self, path) -> str | None:
        """In a judge run for several tasks, the task whose test folder holds `path`."""
        text = str(path)
        for tid, info in self.spec.get("tasks", {}).items():
            if text.startswith(info["test_dir"].rstrip("/") + "/"):
                return tid
        return None

    def _paths(self, node) -> dict:
        task = self._task_of(node.path)
        return self.spec["tasks"][task] if task in self.spec.get("tasks", {}) else self.spec

    def _event_name(self, item) -> str:
        task = self._task_of(item.path)
        return f"{task}/{item.name}" if task else item.name

    # -- markers ----------------------------------------------------------
    def pytest_configure(self, config):
        rubric.TIME_FACTOR = self._factor
        config.addinivalue_line("markers", "points(n): points this rubric test is worth")
        config.addinivalue_line("markers", "visibility(v): hidden, after_published or visible")
        config.addinivalue_line("markers", "timeout(s): time limit of this test in seconds")

    def pytest_collection_modifyitems(self, session, config, items):
        # Qt widgets cannot cross a pipe: a task whose tests drive the candidate's window
        # imports their code here, and those tests' verdicts are the one forgeable kind left
        if self._in_process is not None and any("qapp" in getattr(i, "fixturenames", ()) for i in items):
            self._load_candidate = self._in_process

    def pytest_unconfigure(self, config):
        if self._channel is not None:
            self._channel.close()

    # -- time limits ------------------------------------------------------
    def _timeout_of(self, item) -> float:
        # the spec's limits are already scaled to this worker's speed; a marker is the
        # package's own figure, scaled here by the same factor (grader/speed.py)
        mark = item.get_closest_marker("timeout")
        if mark and mark.args:
            return float(mark.args[0]) * self._factor
        return float(self.spec["limits"]["test_s"])

    @property
    def _factor(self) -> float:
        return float(self.spec.get("time_factor", 1.0))

    def _on_alarm(self, signum, frame):
        raise TestTimeout()

    def _arm(self, seconds: float):
        signal.signal(signal.SIGALRM, self._on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        # Code stuck inside C never sees the alarm; the watchdog ends the
        # process then, and its file tells the host why.
        if self._watchdog_fh is None:
            self._watchdog_fh = open(protocol.WATCHDOG, "w")
        faulthandler.dump_traceback_later(seconds + 5, exit=True, file=self._watchdog_fh)

    def _disarm(self):
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self._current = self._event_name(item)
        rubric.take_measures()     # a measure belongs to the test that took it
        protocol.append_event({"event": "start", "name": self._current, "t": time.time()})
        item._practicum_ended = False
        item._practicum_t0 = time.perf_counter()
        self._arm(self._timeout_of(item))
        try:
            yield
        finally:
            self._disarm()
            self._current = None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if item._practicum_ended:
            return
        if call.when == "call" or (call.when == "setup" and report.outcome != "passed"):
            if call.when == "call":
                self._disarm()
            item._practicum_ended = True
            event = self._classify(call.excinfo, report)
            event.update(event="end", name=self._event_name(item),
                         duration_s=round(time.perf_counter() - item._practicum_t0, 4))
            measures = rubric.take_measures()
            if measures:
                event["measures"] = measures
            protocol.append_event(event)

    def _classify(self, excinfo, report) -> dict:
        if excinfo is None:
            return {"outcome": protocol.PASSED, "fraction": 1.0}
        exc = excinfo.value
        if isinstance(exc, rubric.Partial):
            return {"outcome": protocol.PARTIAL, "fraction": exc.fraction, "text": _short(exc.message),
                    "texts": _short_texts(exc.texts)}
        if isinstance(exc, TestTimeout):
            return {"outcome": protocol.TIME_LIMIT, "fraction": 0.0}
        if isinstance(exc, MemoryError):
            return {"outcome": protocol.MEMORY_LIMIT, "fraction": 0.0}
        if isinstance(exc, rubric.MissingName):
            return {"outcome": protocol.FAILED, "fraction": 0.0,
                    "key": "missing_function", "params": {"name": exc.name}}
        if isinstance(exc, (CandidateLoadError, CandidateGone)):
            return {"outcome": protocol.ERROR, "fraction": 0.0, "key": "runtime_error",
                    "params": {"detail": _short(exc, 300)}}
        if report.skipped:
            return {"outcome": protocol.SKIPPED, "fraction": 0.0, "text": _short(getattr(exc, "msg", ""))}
        if isinstance(exc, rubric.Fail):
            return {"outcome": protocol.FAILED, "fraction": 0.0, "text": _short(exc),
                    "texts": _short_texts(exc.texts)}
        if isinstance(exc, AssertionError):
            return {"outcome": protocol.FAILED, "fraction": 0.0, "text": _short(exc)}
        return {"outcome": protocol.ERROR, "fraction": 0.0, "key": "runtime_error",
                "params": {"detail": describe_exception(exc, excinfo.tb)}}

    # -- fixtures ---------------------------------------------------------
    @pytest.fixture(scope="session")
    def candidate(self):
        if self._candidate is None and self._candidate_error is None:
            try:
                self._candidate, self._channel = self._load_candidate()
            except TestTimeout:
                raise
            except CandidateLoadError as exc:
                self._candidate_error = str(exc)
            except BaseException as exc:  # their code may raise anything, even SystemExit
                self._candidate_error = describe_exception(exc, exc.__traceback__)
        if self._candidate_error is not None:
            raise CandidateLoadError(self._candidate_error)
        return self._candidate

    @pytest.fixture
    def candidate_dir(self):
        return Path(protocol.WORK)

    @pytest.fixture
    def public_dir(self, request):
        return Path(self._paths(request.node).get("public_dir", "/exam/public"))

    @pytest.fixture
    def hidden_dir(self, request):
        return Path(self._paths(request.node).get("hidden_dir", "/exam/hidden"))

    @pytest.fixture
    def artifacts_dir(self, request):
        path = Path(self._paths(request.node).get("artifacts_dir", protocol.ARTIFACTS))
        path.mkdir(parents=True, exist_ok=True)
        return path

    @pytest.fixture
    def limits(self):
        return dict(self.spec["limits"])

    @pytest.fixture
    def record(self):
        """record(key, value): keep an observation for the trusted tests."""
        def _record(key: str, value):
            self._observations[str(key)] = value
            protocol.send_file("observations",
                               json.dumps(self._observations, ensure_ascii=False, default=_jsonable))
        return _record

    @pytest.fixture
    def run_candidate(self):
        """Run the candidate's script as a program: run_candidate(args, timeout=...)."""
        entry = os.path.join(protocol.WORK, self.spec["entry"])
        factor = self._factor   # an examiner's timeout is in the package's seconds

        def _run(args=(), timeout=None, input=None):
            return subprocess.run(
                [sys.executable, entry, *map(str, args)], cwd=protocol.WORK, input=input,
                capture_output=True, text=True,
                timeout=timeout * factor if timeout else float(self.spec["limits"]["test_s"]),
            )
        return _run

    @pytest.fixture(scope="session")
    def qapp(self):
        from PySide6.QtWidgets import QApplication  # only tasks with a GUI pay for Qt
        return QApplication.instance() or QApplication(["practicum"])

    # judge-only fixtures: the answers and what the candidate's run left behind
    @pytest.fixture
    def answers_dir(self, request):
        return Path(self._paths(request.node).get("answers_dir", "/answers"))

    @pytest.fixture
    def candidate_outputs(self, request):
        return Path(self._paths(request.node).get("candidate_out", "/candidate")) / "work"

    @pytest.fixture
    def candidate_artifacts(self, request):
        return Path(self._paths(request.node).get("candidate_out", "/candidate")) / "artifacts"

    @pytest.fixture
    def observations(self, request):
        path = Path(self._paths(request.node).get("candidate_out", "/candidate")) / "observations.json"
        if path not in self._loaded:
            self._loaded[path] = _load_observations(path)
        return self._loaded[path]


def _load_observations(path: Path) -> dict:
    """The candidate's recorded claims: capped, parsed, never trusted further."""
    try:
        # the candidate's run wrote this folder: a link or a named pipe planted here is refused
        # without being opened for a blocking read
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_OBSERVATIONS:
                return {}
            raw = os.read(fd, MAX_OBSERVATIONS + 1)
        finally:
            os.close(fd)
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _jsonable(value):
    tolist = getattr(value, "tolist", None)   # numpy arrays and scalars
    if callable(tolist):
        return tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def pytest_args(test_dirs: list[str]) -> list[str]:
    return [
        *test_dirs,
        "-p", "no:cacheprovider",
        "-p", "no:stepwise",
        "--assert=plain",          # no introspection: it would print compared values
        "--import-mode=importlib",
        "--rootdir=/exam",
        "-o", "python_files=test_*.py",
        "-o", "python_functions=test*",
        "-o", "python_classes=",
        "-q", "--no-header", "-s", "-W", "ignore",
        "--tb=no",
    ]
