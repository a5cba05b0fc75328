"""The harness's side of the candidate's process: proxies whose calls cross a pipe.

A rubric test writes `candidate.smooth(values, 50)` as before; `candidate` is a
`Remote` for the module's names in the candidate's own process, `smooth` a
`Remote` for the function there, and the call sends the arguments over a pipe
and waits for the value (wire.py). Everything the test decides, and every
`time.perf_counter()` around a call, happens here, in the harness's process.

A call that does not come back (a test's time limit, a dead process) leaves the
candidate's process in an unknown state: it is killed, and the next use starts
it afresh (a script is imported again). A notebook's kernel cannot be run again:
its tests then fail with the reason.
"""
from __future__ import annotations

import builtins
import os
import signal
import subprocess
import sys
import time

from . import protocol, rubric, wire

MAX_STARTS = 3


class CandidateError(Exception):
    """An exception raised by the candidate's code, as their process described it."""

    line: int | None = None


class CandidateGone(Exception):
    """The candidate's process ended or stopped answering."""


class CandidateLoadError(Exception):
    """The candidate's code could not be loaded (syntax error, crash at import)."""


def _raise_from(detail: dict):
    """An exception here of the candidate's exception's kind (a builtin type when it was one)."""
    name = str(detail.get("type", "Exception"))[:80] or "Exception"
    message = str(detail.get("message", ""))[:300]
    base = getattr(builtins, name, None) if detail.get("builtin") else None
    if isinstance(base, type) and issubclass(base, Exception):
        try:
            cls = type(name, (CandidateError, base), {})
        except TypeError:            # a builtin whose layout does not mix
            cls = type(name, (CandidateError,), {})
    else:
        cls = type(name if name.isidentifier() else "CandidateException", (CandidateError,), {})
    exc = cls(message)
    line = detail.get("line")
    exc.line = line if isinstance(line, int) else None
    raise exc


def load_error_text(detail: dict) -> str:
    text = f"{detail.get('type', 'Error')}: {detail.get('message', '')}".strip().rstrip(":")
    line = detail.get("line")
    return f"{text} (line {line})" if isinstance(line, int) else text


class Channel:
    """One candidate process and the two pipe ends we talk to it through."""

    def __init__(self, start, spill_dir: str):
        self._start = start            # () -> (rfd, wfd, stop(graceful), describe_exit)
        self.spill = wire.Spill(spill_dir, "h")
        self._conn = None
        self._starts = 0
        self._load_error: str | None = None

    def _connect(self):
        if self._load_error is not None:
            raise CandidateLoadError(self._load_error)
        if self._conn is None:
            if self._starts >= MAX_STARTS:
                raise CandidateGone("the candidate's code stopped answering too often")
            self._starts += 1
            rfd, wfd, stop, exited = self._start()
            self._conn = (rfd, wfd, stop, exited)
            try:
                header, _ = wire.receive(rfd)
            except wire.Closed:             # it died while loading: os._exit(), a signal
                self._load_error = exited()
                self.reset()
                raise CandidateLoadError(self._load_error) from None
            except BaseException:           # our time limit: it may load in time next test
                self.reset()
                raise
            if "load_failed" in header:
                detail = header["load_failed"] if isinstance(header["load_failed"], dict) else {}
                self._load_error = load_error_text(detail)
                self.reset()
                raise CandidateLoadError(self._load_error)
        return self._conn

    def connect(self) -> None:
        """Start the candidate's process now, so a load error is named as one."""
        self._connect()

    def request(self, request: dict, parts: list, marks: list | None = None):
        """Send, wait, return the reply; `marks` gets the times the request was out and the
        reply began to arrive (the harness's clock)."""
        rfd, wfd, _, exited = self._connect()
        try:
            wire.send(wfd, request, parts, self.spill)
            if marks is not None:
                marks.append(time.perf_counter())
            header, reply_parts = wire.receive(rfd, self.spill, marks)
        except wire.Closed:
            text = exited()
            self.reset()
            raise CandidateGone(text) from None
        except BaseException:           # our time limit, or a malformed reply: nothing is trusted after it
            self.reset()
            raise
        return header, reply_parts

    def reset(self, graceful: bool = False):
        if self._conn is not None:
            rfd, wfd, stop, _ = self._conn
            self._conn = None
            if graceful:
                try:
                    wire.send(wfd, {"op": "quit"}, [])
                except wire.Closed:
                    pass
            for fd in (rfd, wfd):
                os.close(fd)
            stop(graceful)

    def close(self):
        """Tell the candidate's process the tests are over."""
        self.reset(graceful=True)


def script_channel(entry: str) -> Channel:
    """The candidate's script or project entry, imported in a process of its own."""
    folder = wire.spill_folder()

    def start():
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        for fd in (req_w, rep_w):
            wire.widen(fd)
        proc = subprocess.Popen(
            [sys.executable, "-m", "practicum.candidate_server", entry, str(req_r), str(rep_w), folder],
            cwd=protocol.WORK, pass_fds=(req_r, rep_w), stdin=subprocess.DEVNULL,
            start_new_session=True, env=_candidate_env(),
        )
        os.close(req_r)
        os.close(rep_w)

        def stop(graceful: bool):
            if graceful:
                try:
                    proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()

        def exited() -> str:
            try:
                code = proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                return "the candidate's code stopped answering"
            how = f"signal {-code}" if code < 0 else f"exit code {code}"
            return f"the candidate's code ended its process ({how})"
        return rep_r, req_w, stop, exited
    return Channel(start, folder)


def _candidate_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRACTICUM_")}
    env["PYTHONPATH"] = "/opt/practicum"
    return env


_harness_total = [0.0]


def harness_seconds_total() -> float:
    """The harness's own share of every call into the candidate's process so far: encoding and
    writing arguments, reading and decoding values, on the harness's clock. `rubric.latency`
    leaves it out of a timing; the candidate's side of the copying, and the wait, stay in."""
    return _harness_total[0]


class Remote:
    """An object in the candidate's process: attributes, calls, items, length."""

    __slots__ = ("_channel", "_handle", "_label", "_own_s")

    def __init__(self, channel: Channel, handle: int | None, label: str):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_own_s", 0.0)

    def harness_seconds(self) -> float:
        """Of the last call through this proxy, the time the harness spent on its own side:
        encoding and writing the arguments, reading and decoding the value."""
        return self._own_s

    def _ask(self, op: str, *, name=None, args=(), kwargs=None):
        t0 = time.perf_counter()
        marks: list = []
        parts: list = []
        request = {"op": op}
        if self._handle is not None:
            request["target"] = self._handle
        if name is not None:
            request["name"] = name
        if op in ("call", "item"):
            to_handle = _handle_of
            request["args"] = wire.encode(list(args), parts, to_handle)
            request["kwargs"] = wire.encode(dict(kwargs or {}), parts, to_handle)
        header, reply_parts = self._channel.request(request, parts, marks)
        try:
            return self._value(header, reply_parts)
        finally:
            sent, arrived = marks
            own = (sent - t0) + (time.perf_counter() - arrived)
            object.__setattr__(self, "_own_s", own)
            _harness_total[0] += own

    def _value(self, header: dict, reply_parts: list):
        if "missing" in header:
            raise rubric.MissingName(str(header["missing"])[:80])
        if "raised" in header:
            _raise_from(header["raised"] if isinstance(header["raised"], dict) else {})
        if "value" not in header:
            raise wire.ProtocolError("malformed reply")
        channel = self._channel
        return wire.decode(header["value"], reply_parts,
                           lambda h, kind: Remote(channel, h, kind or "object"))

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)     # copy, pickle and friends probe these: not the candidate's
        return self._ask("get", name=name)

    def __call__(self, *args, **kwargs):
        return self._ask("call", args=args, kwargs=kwargs)

    def __getitem__(self, key):
        return self._ask("item", args=(key,))

    def __len__(self):
        return self._ask("len")

    def __bool__(self):
        return bool(self._ask("bool"))

    def __iter__(self):
        return iter(self._ask("list"))

    def __contains__(self, name):
        return bool(self._ask("has", name=str(name)))

    def __repr__(self):
        return f"<candidate's {self._label}>"

    def __setattr__(self, name, value):
        raise AttributeError("the candidate's objects are read-only from the tests")


def _handle_of(value) -> int:
    if isinstance(value, Remote) and value._handle is not None:
        return value._handle
    raise TypeError(f"a {type(value).__name__} cannot be passed to the candidate's code")
