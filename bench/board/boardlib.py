"""What the board benches share: a real board in a subprocess, an HTTP client that signs in
and carries the CSRF token, statistics, tables, and the JSON record.

The board is started exactly as an operator starts it (`python -m web.cli serve`),
on 127.0.0.1 only, with its own instance folder. Every client here talks to 127.0.0.1.
"""
from __future__ import annotations

import collections
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import requests  # noqa: E402

RESULTS = ROOT / "bench" / "results"
DEMO = ROOT / "exams" / "demo"
STAFF_PASSWORD = "bench password 2024"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


# ------------------------------------------------------------------ the board

class Board:
    """`python -m web.cli serve` on 127.0.0.1 (a free port), stopped with SIGINT."""

    def __init__(self, instance: Path, *, exam_dirs=(DEMO,), workers: int = 0, keep_log: int = 2000):
        self.instance = Path(instance)
        self.cmd = [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", "0",
                    "--workers", str(workers), "--insecure-cookies", "--instance", str(self.instance)]
        for d in exam_dirs:
            self.cmd += ["--exam", str(d)]
        self.log: collections.deque[str] = collections.deque(maxlen=keep_log)
        self.requests_logged = 0
        self.url: str | None = None
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Board":
        self.proc = subprocess.Popen(self.cmd, cwd=ROOT, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        ready = threading.Event()
        self._pump = threading.Thread(target=self._read, args=(ready,), daemon=True)
        self._pump.start()
        ready.wait(180)
        if self.url is None:
            self.stop()
            raise RuntimeError("the board did not start:\n" + "".join(self.log))
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/login", timeout=5).read()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _read(self, ready: threading.Event) -> None:
        for line in self.proc.stdout:          # always drained: a full pipe would block the board
            if '" 200 ' in line or '" 30' in line or '" 40' in line:
                self.requests_logged += 1
            self.log.append(line)
            if self.url is None:
                m = re.search(r"practicum board on (http://127\.0\.0\.1:\d+)/", line)
                if m:
                    self.url = m.group(1)
                    ready.set()
        ready.set()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_seconds(self) -> float:
        """user + system CPU time of the board process so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/task"))

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(30)
        self._pump.join(10)
        self.proc.stdout.close()

    def __exit__(self, *exc) -> None:
        self.stop()


# ----------------------------------------------------------------- a client

class Client:
    """A requests session against the board: sign in, CSRF token at hand."""

    def __init__(self, base: str):
        self.base = base
        self.s = requests.Session()
        self.s.trust_env = False                 # never a proxy: 127.0.0.1 only

    def get(self, path: str, **kw) -> requests.Response:
        return self.s.get(self.base + path, timeout=120, **kw)

    def token(self, path: str = "/login") -> str:
        m = TOKEN_RE.search(self.get(path).text)
        assert m, f"no CSRF token on {path}"
        return m.group(1)

    def post(self, path: str, data: dict | None = None, files=None, **kw) -> requests.Response:
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.s.post(self.base + path, data=data, files=files, timeout=120, allow_redirects=False, **kw)

    def login_staff(self, username: str, password: str = STAFF_PASSWORD) -> "Client":
        r = self.post("/login/staff", {"username": username, "password": password})
        assert r.status_code == 302, (r.status_code, r.text[:500])
        return self

    def login_candidate(self, number: str, code: str) -> "Client":
        r = self.post("/login", {"number": number, "code": code})
        assert r.status_code == 302, (r.status_code, r.text[:500])
        return self

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.s.cookies)


# --------------------------------------------------------------- statistics

def quantile(values, q: float) -> float:
    v = sorted(values)
    if not v:
        return float("nan")
    pos = (len(v) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def summary(values, scale: float = 1000.0, digits: int = 1) -> dict:
    """n, mean, p50, p95, p99, max of `values` (seconds), times `scale` (default: ms)."""
    if not values:
        return {"n": 0}
    return {"n": len(values), "mean": round(sum(values) / len(values) * scale, digits),
            "p50": round(quantile(values, 0.5) * scale, digits), "p95": round(quantile(values, 0.95) * scale, digits),
            "p99": round(quantile(values, 0.99) * scale, digits), "max": round(max(values) * scale, digits)}


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths)] + [line(r) for r in cells[1:]])


def machine() -> dict:
    import common                      # bench/common.py: cores, CPU, kernel, Docker, git head
    info = common.machine()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "web"], capture_output=True, text=True)
    info["web_uncommitted_files"] = len(dirty.stdout.splitlines())
    import sqlite3
    info["sqlite"] = sqlite3.sqlite_version
    info["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]     # other work on the machine shows here
    return info


def write_json(name: str, record: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"board-{name}.json"
    record = {"bench": f"board-{name}", "machine": machine(), "command": " ".join([Path(sys.executable).name] + sys.argv),
              **record}
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def utc_ts(value) -> float | None:
    """A UTC datetime from the board's database (naive or aware) as a Unix time."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()
