"""Execute a candidate's notebook with per-cell limits, then its tests in the kernel.

An async kernel manager over IPC is used because a sync one hung for the
whole outer timeout after an out-of-memory kill, where this one notices the
dead kernel in about two seconds (platform.md). Outputs are capped so a print
loop cannot make this process, rather than the kernel, run out of memory.
"""
from __future__ import annotations

import asyncio
import json
import time

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from . import protocol
from .kernel_setup import FLOOD_ENAME
from .tracebacks import error_line

CELL_KEEP = 64 * 1024         # output kept per cell in the executed notebook
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
            test_cell = nbformat.v4.new_code_cell(
                "import practicum.kernel_tests as __pt_run\n__pt_run.run(globals())")
            nb.cells.append(test_cell)
            client.timeout = int(spec.get("tests_budget_s", 600))
            try:
                await client.async_execute_cell(test_cell, len(nb.cells) - 1)
            except DeadKernelError:
                report["kernel_died"] = "tests"
            except Exception as exc:  # an internal error must not look like a pass
                report["test_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
            nb.cells.pop()
    return report


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
    with open(protocol.NOTEBOOK_REPORT, "w", encoding="utf-8") as fh:
        json.dump(report, fh)


def run_notebook(spec: dict) -> int:
    report = {"cells": [], "kernel_died": None, "hung": None, "flooded": None, "tests_ran": False}
    try:
        report = asyncio.run(_run(spec))
    except DeadKernelError:
        report["kernel_died"] = "start"
    finally:
        _write_report(report)
    return 0
