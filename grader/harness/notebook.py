"""Execute a candidate's notebook with per-cell limits, then its tests against the kernel.

The tests run here, in the harness's process. The kernel, the candidate's
process, then runs one more cell that answers the tests' calls through two
FIFOs (candidate_server.serve_notebook), so the tests call the functions the
notebook defined, with the state it built, without running it a second time.

An async kernel manager over IPC is used because a sync one hung for the
whole outer timeout after an out-of-memory kill, where this one notices the
dead kernel in about two seconds (platform.md). Outputs are capped so a print
loop cannot make this process, rather than the kernel, run out of memory.
"""
from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import time

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from . import protocol, wire
from .remote import CandidateGone, Channel, Remote
from .kernel_setup import FLOOD_ENAME
from .tracebacks import error_line

CELL_KEEP = 64 * 1024         # output kept per cell in the executed notebook
HANDSHAKE_S = 30.0            # for the kernel to start serving the tests' calls
TIMEOUT_ENAME = "CellTimeoutError"


def _size(out) -> int:
    if out.get("output_type") == "stream":
        return len(out.get("text", ""))
    data = out.get("data") or {}
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values()) \
        + len("".join(out.get("traceback", []) or []))


class CappedClient(NotebookClient):
    """Keeps at most CELL_KEEP of output per cell and notices an output flood."""

    def __init__(self, nb, flood_bytes: int, **kw):
        super().__init__(nb, **kw)
        self.flood_bytes = flood_bytes
        self.total = 0
        self.flooded_cell: int | None = None
        self._kept: dict[int, int] = {}
        self._noted: set[int] = set()

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return out
        size = _size(out)
        self.total += size
        kept = self._kept.get(cell_index, 0) + size
        self._kept[cell_index] = kept
        if kept > CELL_KEEP and outs and outs[-1] is out:
            outs.pop()
            if cell_index not in self._noted:
                self._noted.add(cell_index)
                outs.append(nbformat.v4.new_output("stream", name="stderr",
                                                   text="\n[output truncated by the grader]\n"))
        if self.total > self.flood_bytes and self.flooded_cell is None:
            self.flooded_cell = cell_index
            asyncio.ensure_future(self.km.interrupt_kernel())
        return out


def _cell_status(cell, elapsed: float, cell_s: float) -> dict:
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    # on timeout nbclient interrupts the kernel: the cell shows KeyboardInterrupt
    if elapsed >= cell_s * 0.98 or any(o.get("ename") == TIMEOUT_ENAME for o in errors):
        return {"status": "time_limit"}
    if any(o.get("ename") == FLOOD_ENAME for o in errors):
        return {"status": "output_limit"}
    if errors:
        e = errors[-1]
        return {"status": "error", "ename": str(e.get("ename", ""))[:80],
                "evalue": str(e.get("evalue", ""))[:300], "line": error_line(e)}
    return {"status": "ok"}



async def _run(spec: dict) -> dict:
    limits = spec["limits"]
    cell_s = float(limits["cell_s"])
    path = f"{protocol.WORK}/{spec['entry']}"
    nb = nbformat.read(path, as_version=4)
    km = AsyncKernelManager(transport="ipc", connection_file="/tmp/practicum-kernel.json")
    client = CappedClient(
        nb, flood_bytes=int(limits["stdout_kb"]) * 1024 * 8, km=km, timeout=int(cell_s),
        kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": f"cell ran longer than {cell_s:g}s",
                          "traceback": []},
        resources={"metadata": {"path": protocol.WORK}}, record_timing=False,
        startup_timeout=60,
    )
    report = {"cells": [], "kernel_died": None, "hung": None, "flooded": None, "tests_ran": False}
    async with client.async_setup_kernel():
        await _install_limits(client, nb, int(limits["stdout_kb"]) * 1024 * 8)
        for idx, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.monotonic()
            try:
                await asyncio.wait_for(client.async_execute_cell(cell, idx), cell_s * 2 + 10)
            except asyncio.TimeoutError:
                report["hung"] = idx
                report["cells"].append({"index": idx, "status": "time_limit",
                                        "duration_s": round(time.monotonic() - t0, 3)})
                break
            except DeadKernelError:
                report["kernel_died"] = idx
                report["cells"].append({"index": idx, "status": "died",
                                        "duration_s": round(time.monotonic() - t0, 3)})
                break
            entry = {"index": idx, "duration_s": round(time.monotonic() - t0, 3)}
            entry.update(_cell_status(cell, time.monotonic() - t0, cell_s))
            if client.flooded_cell == idx or entry["status"] == "output_limit":
                entry["status"] = "output_limit"
                report["flooded"] = idx if report["flooded"] is None else report["flooded"]
            report["cells"].append(entry)
        _save(nb)
        if report["kernel_died"] is None and report["hung"] is None and spec.get("test_dirs"):
            report["tests_ran"] = True
            _write_report(report)
            client.timeout = int(spec.get("tests_budget_s", 600))
            error = await _test_against_kernel(spec, client, nb)
            if error == "died":
                report["kernel_died"] = "tests"
            elif error:
                report["test_error"] = error
    return report


async def _test_against_kernel(spec: dict, client, nb) -> str | None:
    """Run the tests here while the kernel serves their calls; None, "died" or an internal error."""
    from .phase import run_pytest

    folder = wire.spill_folder()
    request, reply = os.path.join(folder, "request"), os.path.join(folder, "reply")
    os.mkfifo(request, 0o600)
    os.mkfifo(reply, 0o600)
    cell = nbformat.v4.new_code_cell(
        "import practicum.candidate_server as __pt_serve\n"
        f"__pt_serve.serve_notebook(globals(), {request!r}, {reply!r}, {folder!r})")
    nb.cells.append(cell)
    serving = asyncio.ensure_future(client.async_execute_cell(cell, len(nb.cells) - 1, store_history=False))
    rfd = os.open(reply, os.O_RDONLY | os.O_NONBLOCK)     # no writer needed yet
    wfd = None
    try:
        # the kernel opens `reply` for writing, says it is ready, then opens `request`
        deadline = time.monotonic() + HANDSHAKE_S
        while not select.select([rfd], [], [], 0)[0]:
            if serving.done() or time.monotonic() > deadline:     # no answer: say why
                errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
                said = f"{errors[-1].get('ename')}: {str(errors[-1].get('evalue'))[:200]}" if errors else "no answer"
                return (_ended(serving) if serving.done() else None) or f"the kernel did not serve the tests ({said})"
            await asyncio.sleep(0.02)
        os.set_blocking(rfd, True)
        while wfd is None:
            try:
                wfd = os.open(request, os.O_WRONLY | os.O_NONBLOCK)   # ENXIO until the kernel reads
            except OSError:
                if serving.done() or time.monotonic() > deadline:
                    return "the kernel did not serve the tests (it never read the requests)"
                await asyncio.sleep(0.02)
        os.set_blocking(wfd, True)
        killed: list = []
        channel = Channel(_kernel_start(rfd, wfd, _kernel_pid(client), killed), folder)
        rfd = wfd = None                 # the channel owns them now
        # blocking our event loop here is fine: the kernel needs nothing from it to answer
        try:
            run_pytest(spec, lambda: (Remote(channel, None, spec["entry"]), channel))
        except Exception as exc:         # an internal error must not look like a pass
            return f"{type(exc).__name__}: {str(exc)[:200]}"
        finally:
            channel.close()
        # every test has reported: how the serving cell ends no longer decides anything
        # (a kernel that died during the tests made those tests fail with the reason)
        await asyncio.wait([serving], timeout=5)
        return None
    except DeadKernelError:
        return "died"
    finally:
        for fd in (rfd, wfd):
            if fd is not None:
                os.close(fd)
        nb.cells.pop()
        if not serving.done():
            serving.cancel()
            await asyncio.wait([serving], timeout=5)
        if serving.done() and not serving.cancelled():
            serving.exception()       # retrieved: a DeadKernelError after the tests is not ours


def _ended(serving) -> str | None:
    exc = serving.exception() if not serving.cancelled() else None
    if isinstance(exc, DeadKernelError):
        return "died"
    return f"{type(exc).__name__}: {str(exc)[:200]}" if exc else None


def _kernel_pid(client) -> int | None:
    proc = getattr(getattr(client.km, "provisioner", None), "process", None)
    return getattr(proc, "pid", None)


def _kernel_start(rfd: int, wfd: int, kernel_pid: int | None, killed: list):
    """The one connection to the kernel: a kernel cannot be started again with its state."""
    def start():
        if killed:
            raise CandidateGone("the notebook's kernel was stopped after a call that did not come back")

        def stop(graceful: bool):
            if not graceful and kernel_pid:     # the kernel is in an unknown state: it goes
                killed.append(True)
                try:
                    os.kill(kernel_pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

        return rfd, wfd, stop, lambda: "the notebook's kernel stopped"
    return start


async def _install_limits(client, nb, flood_bytes: int) -> None:
    """Run our set-up in the kernel as an unseen cell, before the candidate's first."""
    cell = nbformat.v4.new_code_cell(
        f"import practicum.kernel_setup as __pt_setup\n__pt_setup.install({flood_bytes})\ndel __pt_setup")
    nb.cells.insert(0, cell)
    try:
        await client.async_execute_cell(cell, 0, store_history=False)
    finally:
        nb.cells.pop(0)


def _save(nb) -> None:
    nbformat.write(nb, f"{protocol.ARTIFACTS}/executed.ipynb")


def _write_report(report: dict) -> None:
    protocol.send_file("notebook", json.dumps(report))


def run_notebook(spec: dict) -> int:
    report = {"cells": [], "kernel_died": None, "hung": None, "flooded": None, "tests_ran": False}
    try:
        report = asyncio.run(_run(spec))
    except DeadKernelError:
        report["kernel_died"] = "start"
    finally:
        _write_report(report)
    return 0
