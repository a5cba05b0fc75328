"""PID 1 of every sandbox: run one command, cap its output, report in one line.

The command's stdout and stderr go through pipes to this process, which keeps
the first `stdout_kb` of each, counts the rest, and kills the command's
process group when the total passes the flood limit. The summary is the last
line of this process's own stdout, i.e. the container log: candidate code
cannot write there (its descriptors are our pipes, and this process is made
non-dumpable so /proc/1 gives nothing away).
"""
from __future__ import annotations

import ctypes
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
    return [sys.executable, "-m", "practicum.phase"]


def supervise(spec: dict) -> dict:
    keep = int(spec["limits"]["stdout_kb"]) * 1024
    flood = keep * 8
    cwd = protocol.WORK if spec["mode"] == "raw" else "/tmp"
    if spec["mode"] == "raw":
        protocol.ensure_dirs()     # (not via .phase: that would import pytest here)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        _command(spec), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=cwd, start_new_session=True,
        preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE)],
    )
    kept = {"stdout": bytearray(), "stderr": bytearray()}
    total = {"stdout": 0, "stderr": 0}
    flooded = False
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
    sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
    open_streams = 2
    drain_until = None
    code = None
    while open_streams:
        if code is None:
            code = proc.poll()
            if code is not None:
                # the command is done: what it left running goes, and we read
                # what is still in the pipes for a moment: a process that left the
                # group (setsid) may hold them open, and must not hold us here
                _kill_group(proc.pid)
                drain_until = time.monotonic() + DRAIN_S
        elif time.monotonic() > drain_until:
            break
        for key, _ in sel.select(timeout=0.2):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            name = key.data
            total[name] += len(chunk)
            room = keep - len(kept[name])
            if room > 0:
                kept[name] += chunk[:room]
            if total["stdout"] + total["stderr"] > flood and not flooded:
                flooded = True
                _kill_group(proc.pid)
    if code is None:
        code = proc.wait()
    _kill_group(proc.pid)
    if code < 0:              # killed by a signal: report it the shell's way (137 = SIGKILL)
        code = 128 - code
    return {
        "exit_code": code,
        "duration_s": round(time.monotonic() - t0, 4),
        "stdout": kept["stdout"].decode("utf-8", "replace"),
        "stderr": kept["stderr"].decode("utf-8", "replace"),
        "stdout_bytes": total["stdout"],
        "stderr_bytes": total["stderr"],
        "flooded": flooded,
    }


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
