"""PID 1 of every sandbox: run one command, cap its output, report in one line.

The command's stdout and stderr go through pipes to this process, which keeps
the first `stdout_kb` of each, counts the rest, and kills the command's
process group when the total passes the flood limit. The summary is the last
line of this process's own stdout, i.e. the container log: candidate code
cannot write there (its descriptors are our pipes, and this process is made
non-dumpable so /proc/1 gives nothing away).

In a grading phase the command is the harness, which reports test events,
observations and the notebook report through a third pipe that only it and
this process hold. When the command ends, every other process in the sandbox
is killed; only then does this process write those files into /out, and its
log line carries their SHA-256 digests: a file the candidate's code wrote or
changed does not match, and the host does not believe it.
"""
from __future__ import annotations

import ctypes
import hashlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time

from . import protocol

PR_SET_DUMPABLE = 4
DRAIN_S = 2.0
SEALED_CAP = 8 * 1024 * 1024     # bytes kept per sealed file; what passes it is dropped


def _harden_self() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    # As PID 1 we ignore what we do not handle; stray SIGINT from candidate
    # code must not end the supervisor.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)


def _command(spec: dict) -> list[str]:
    if spec["mode"] == "raw":
        return list(spec["command"])
    # isolated (-I): no PYTHONPATH, no current folder, no user site on the harness's sys.path;
    # it imports only from the read-only harness mount and the image
    return [sys.executable, "-I", "-c",
            "import sys; sys.path.insert(0, '/opt/practicum'); "
            "from practicum.phase import main; sys.exit(main())"]


class _Sealed:
    """What the harness sent through its pipe: test events, and whole files by name."""

    def __init__(self):
        self.pending = b""
        self.skipping = False          # inside a line too long to keep
        self.events: list[bytes] = []
        self.size = 0
        self.files: dict[str, bytes] = {}

    def feed(self, chunk: bytes) -> None:
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        for line in lines:
            if not self.skipping:
                self._line(line)
            self.skipping = False
        if len(self.pending) > SEALED_CAP:      # a recorded value far too large: dropped whole
            self.pending, self.skipping = b"", True

    def _line(self, line: bytes) -> None:
        if line.startswith(b'{"file"'):
            try:
                msg = json.loads(line)
                name, text = msg["file"], msg["text"]
            except (ValueError, KeyError, TypeError):
                return
            if name in protocol.SEALED and name != "results" and isinstance(text, str):
                data = text.encode("utf-8")
                if len(data) <= SEALED_CAP:
                    self.files[name] = data
            return
        if line and self.size + len(line) < SEALED_CAP:
            self.events.append(line + b"\n")
            self.size += len(line) + 1

    def write(self) -> dict:
        """Write each file afresh (whatever is at its path goes first) and return the digests."""
        contents = dict(self.files)
        contents["results"] = b"".join(self.events)
        digests = {}
        for name, path in protocol.SEALED.items():
            data = contents.get(name)
            try:
                _remove(path)
                if data is not None:
                    _write_new(path, data)
                    digests[name] = hashlib.sha256(data).hexdigest()
            except OSError:        # a full output folder: without a digest the host believes nothing
                pass
        return digests


def _write_new(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _remove(path: str) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            import shutil
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


def supervise(spec: dict) -> dict:
    keep = int(spec["limits"]["stdout_kb"]) * 1024
    flood = keep * 8
    raw = spec["mode"] == "raw"
    cwd = protocol.WORK if raw else "/tmp"
    if raw:
        protocol.ensure_dirs()     # (not via .phase: that would import pytest here)
    env = dict(os.environ)
    pass_fds: tuple = ()
    results_r = None
    if not raw:
        results_r, results_w = os.pipe()
        pass_fds = (results_w,)
        env[protocol.RESULTS_FD_ENV] = str(results_w)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        _command(spec), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=cwd, start_new_session=True, pass_fds=pass_fds, env=env,
        preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE)],
    )
    sealed = _Sealed()
    kept = {"stdout": bytearray(), "stderr": bytearray()}
    total = {"stdout": 0, "stderr": 0}
    flooded = False
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
    sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
    open_streams = 2
    if results_r is not None:
        os.close(results_w)
        sel.register(results_r, selectors.EVENT_READ, "results")
        open_streams += 1
    drain_until = None
    code = None
    while open_streams:
        if code is None:
            code = proc.poll()
            if code is not None:
                # the command is done: every other process goes (candidate code that left
                # the group or forked to edit results later included), and we read what
                # is still in the pipes for a moment
                _kill_all(proc)
                drain_until = time.monotonic() + DRAIN_S
        elif time.monotonic() > drain_until:
            break
        for key, _ in sel.select(timeout=0.2):
            fd = key.fileobj if isinstance(key.fileobj, int) else key.fileobj.fileno()
            chunk = os.read(fd, 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            name = key.data
            if name == "results":
                sealed.feed(chunk)
                continue
            total[name] += len(chunk)
            room = keep - len(kept[name])
            if room > 0:
                kept[name] += chunk[:room]
            if total["stdout"] + total["stderr"] > flood and not flooded:
                flooded = True
                _kill_all(proc)
    if code is None:
        code = proc.wait()
    _kill_all(proc)
    if code < 0:              # killed by a signal: report it the shell's way (137 = SIGKILL)
        code = 128 - code
    summary = {
        "exit_code": code,
        "duration_s": round(time.monotonic() - t0, 4),
        "stdout": kept["stdout"].decode("utf-8", "replace"),
        "stderr": kept["stderr"].decode("utf-8", "replace"),
        "stdout_bytes": total["stdout"],
        "stderr_bytes": total["stderr"],
        "flooded": flooded,
    }
    if not raw:
        summary["sealed"] = sealed.write()     # nothing else is left running to change them
    return summary


def _kill_all(proc) -> None:
    """SIGKILL every process in the sandbox but this one (kill(-1) spares PID 1), and reap them.
    Only as PID 1 of a sandbox: anywhere else kill(-1) would reach the user's other processes."""
    if os.getpid() != 1:
        _kill_group(proc.pid)
        return
    for _ in range(50):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _reap(proc)
        if not _others():
            return
        time.sleep(0.02)


def _reap(proc) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == proc.pid and proc.returncode is None:
            proc.returncode = os.waitstatus_to_exitcode(status)


def _others() -> list[int]:
    me = os.getpid()
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != me]


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def main() -> int:
    _harden_self()
    spec = protocol.load_spec()
    try:
        summary = supervise(spec)
    except Exception as exc:   # report our own failure plainly; the host calls it a sandbox fault
        summary = {"internal_error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write("\n" + protocol.SUMMARY_PREFIX + json.dumps(summary, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0
