"""What the distributed-mode benches (scale.py, board/load.py) share: a whole deployment on this
machine built from support/cluster.py and support/infra.py, torn down whatever happens, and a
sampler of the machine's load while it runs.

One redis-server and one PostgreSQL cluster serve every round of a bench; each round gets a
flushed Redis and a new, empty database, so no round sees the jobs, rows or workers of the
one before it, and the servers' start-up (initdb takes seconds) is paid once.
"""
from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench", ROOT / "bench" / "board"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from boardlib import quantile  # noqa: E402
from support.cluster import Cluster  # noqa: E402
from support.infra import PostgresServer, RedisServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"

# support/cluster.py runs the fault tests on fast clocks (a heartbeat every 0.5 s); a bench
# measures what a deployment would see, so the board's own defaults (web/storage/settings.py) win here
PRODUCTION_CLOCKS = {"PRACTICUM_HEARTBEAT_S": "10", "PRACTICUM_STALE_AFTER_S": "60",
                     "PRACTICUM_REPUBLISH_AFTER_S": "30", "PRACTICUM_RETRY_DELAY_S": "15"}


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def trap_signals() -> None:
    """SIGTERM and SIGHUP unwind like Ctrl-C, so the `finally` blocks stop every server and
    process: the board and workers run in their own sessions and would not get the signal."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)


class Deployment:
    """Redis + PostgreSQL for the whole bench; `round()` gives a fresh cluster on them."""

    def __init__(self, label: str, env: dict | None = None, fast_clocks: bool = False):
        self.tmp = Path(tempfile.mkdtemp(prefix=f"practicum-bench-{label}-"))
        self.env = {**({} if fast_clocks else PRODUCTION_CLOCKS), **(env or {})}
        self.redis: RedisServer | None = None
        self.pg: PostgresServer | None = None
        self._rounds = 0
        self._worker_pids: list[int] = []

    def __enter__(self) -> "Deployment":
        try:
            # everysec, not the tests' "always": a production broker's setting; grading, not
            # the broker's fsync, is what these benches measure
            self.redis = RedisServer(self.tmp / "redis", appendfsync="everysec").start()
            self.pg = PostgresServer().start()       # under /tmp: the postgres user must reach it
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def round(self, name: str):
        """A board on a flushed Redis and a new database; its processes stopped on the way out."""
        self._rounds += 1
        with self.redis.client() as r:
            r.flushall()
        db = f"bench_{self._rounds}"
        url = self.pg.create_database(db)
        root = self.tmp / f"{self._rounds:02d}-{name}"
        root.mkdir()
        cluster = Cluster(root, self.redis, url, env=self.env)
        try:
            cluster.start_board()
            yield cluster
        finally:
            self._worker_pids += [w.pid for w in cluster.workers]
            with _no_sigint():
                cluster.close()
                _remove_sandboxes_of(self._worker_pids)
                self.pg.drop_database(db)

    def close(self) -> None:
        with _no_sigint():
            for server in (self.redis, self.pg):
                if server is not None:
                    try:
                        server.close()
                    except Exception as exc:      # noqa: BLE001 - the rest must still go
                        print(f"cleanup: {server!r}: {exc}", file=sys.stderr)
            _remove_sandboxes_of(self._worker_pids)
            shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def _no_sigint():
    """A second Ctrl-C during teardown would leave half of it undone; every step has a timeout."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _remove_sandboxes_of(pids: list[int]) -> None:
    """A worker killed after its stop timeout leaves its sandboxes; only ours are touched (the
    machine is shared: another grader's containers are not this bench's business)."""
    if not pids:
        return
    try:
        from grader import sandbox
        client = sandbox.get_client()
        owners = {f":{p}" for p in pids}
        for c in client.containers.list(all=True, filters={"label": sandbox.LABEL}):
            owner = c.labels.get(sandbox.OWNER_LABEL, "")
            if any(owner.endswith(o) for o in owners):
                c.remove(force=True)
    except Exception as exc:                      # noqa: BLE001 - best effort at teardown
        print(f"cleanup: sandboxes: {exc}", file=sys.stderr)


# ------------------------------------------------------------------ load while it runs

def _cpu_jiffies() -> tuple[int, int]:
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    idle = f[3] + f[4]                            # idle + iowait
    return sum(f[:8]) - idle, sum(f[:8])


def _proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its reaped children."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return 0.0
    f = stat[stat.rindex(")") + 2:].split()
    return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """Once a second: the 1-minute load average; over the window: how busy all cores were and
    how much CPU each named process used. A 1-minute average lags a 1-minute run, so the busy
    share from /proc/stat is the better figure for short windows."""

    def __init__(self, procs: dict[str, int] | None = None, every: float = 1.0):
        super().__init__(daemon=True)
        self.procs, self.every = dict(procs or {}), every
        self.loads: list[float] = []
        self._halt = threading.Event()

    def start(self) -> "Sampler":
        self.t0 = time.monotonic()
        self.busy0, self.total0 = _cpu_jiffies()
        self.cpu0 = {name: _proc_cpu_s(pid) for name, pid in self.procs.items()}
        self.uptime_start = uptime()
        super().start()
        return self

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.loads.append(os.getloadavg()[0])

    def stop(self) -> dict:
        self._halt.set()
        self.join()
        secs = time.monotonic() - self.t0
        busy, total = _cpu_jiffies()
        cpu = {name: _proc_cpu_s(pid) - self.cpu0[name] for name, pid in self.procs.items()}
        return {
            "window_s": round(secs, 1),
            "cores": os.cpu_count(),
            "cpu_busy_pct": round(100 * (busy - self.busy0) / max(1, total - self.total0), 1),
            "loadavg1_mean": round(sum(self.loads) / len(self.loads), 2) if self.loads else None,
            "loadavg1_max": round(max(self.loads), 2) if self.loads else None,
            "uptime_start": self.uptime_start,
            "uptime_end": uptime(),
            "process_cpu_pct_of_one_core": {n: round(100 * s / secs, 1) for n, s in cpu.items()},
        }


def uptime() -> str:
    out = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return out[out.find("load average"):] if "load average" in out else out


# ------------------------------------------------------------------ the record

def git_head() -> dict:
    def git(*args):
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()
    return {"head": git("rev-parse", "--short", "HEAD"),
            "uncommitted_files_in_web_grader": len(git("status", "--porcelain", "web", "grader").splitlines())}


def machine() -> dict:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        mem = f"{int(open('/proc/meminfo').readline().split()[1]) / 2**20:.1f} GiB"
    return {"cores": os.cpu_count(), "cpu": cpu, "memory": mem, "python": sys.version.split()[0],
            "git": git_head(), "loadavg_at_end": [round(x, 2) for x in os.getloadavg()]}


def write_json(name: str, record: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {"bench": name, "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "command": " ".join(["python3", *sys.argv]), "machine": machine(), **record}
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]])


def exactly_once(cluster: Cluster, ids: list[int], score: float) -> dict:
    """Which acknowledged submissions were not graded exactly once with the expected score."""
    status = cluster.outcome(ids)
    once = cluster.graded_once(ids)
    wrong = {sid: {"status": status.get(sid), "results_attempts_score": once.get(sid)}
             for sid in ids if status.get(sid) != "graded" or once.get(sid) != (1, 1, score)}
    return {"checked": len(ids), "ok": len(ids) - len(wrong), "wrong": wrong}


def job_times(cluster: Cluster, ids: list[int]) -> dict:
    """From the database (one host clock): attempts per outcome, the graded attempts' durations,
    the queue wait of each job's first attempt, and which worker process did each job."""
    rows = cluster.rows("""
        select a.outcome, extract(epoch from a.ended_at - a.started_at), a.worker,
               extract(epoch from a.started_at - j.enqueued_at), a.number
        from job_attempts a join jobs j on j.id = a.job_id where j.submission_id = any(:ids)""", ids=ids)
    grading = [float(r[1]) for r in rows if r[0] == "graded" and r[1] is not None]
    waits = [float(r[3]) for r in rows if r[4] == 1 and r[3] is not None]
    outcomes: dict[str, int] = {}
    per_worker: dict[str, int] = {}
    for r in rows:
        outcomes[str(r[0])] = outcomes.get(str(r[0]), 0) + 1
        if r[0] == "graded":
            proc = r[2].split("/")[0]
            per_worker[proc] = per_worker.get(proc, 0) + 1
    engine = [float(r[0]) for r in cluster.rows(
        "select duration_s from results where submission_id = any(:ids)", ids=ids)]
    return {"attempts_by_outcome": outcomes, "graded_per_worker": per_worker,
            "grading_s": _stats(grading), "engine_task_s": _stats(engine), "queue_wait_s": _stats(waits)}


def _stats(v: list[float]) -> dict:
    if not v:
        return {"n": 0}
    return {"n": len(v), "mean": round(sum(v) / len(v), 3), "p50": round(quantile(v, 0.5), 3),
            "p95": round(quantile(v, 0.95), 3), "max": round(max(v), 3)}


def log_problems(cluster: Cluster, limit: int = 8) -> dict:
    """Tracebacks and ERROR/WARNING lines in the board's and workers' logs, for the record."""
    out = {}
    for p in [*([cluster.board] if cluster.board else []), *cluster.workers]:
        try:
            lines = p.log.read_text(errors="replace").splitlines()
        except OSError:
            continue
        bad = [ln for ln in lines if "Traceback" in ln or " ERROR" in ln or "ERROR/" in ln
               or " WARNING" in ln or "WARNING/" in ln or "CRITICAL" in ln]
        if bad:
            out[p.name] = {"count": len(bad), "first": bad[:limit]}
    return out
