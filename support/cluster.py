"""A whole distributed deployment on this machine, for the fault tests and the scale benches:
real Redis and PostgreSQL (support/infra.py), the board as a `practicum serve` process and
`practicum worker` processes, each with its own instance folder, so workers get uploads and
packages only through the database, as on separate machines. Candidates talk to the board
over HTTP like browsers do.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

from support.infra import RedisServer, _die_with_parent, free_port

REPO = Path(__file__).resolve().parents[1]
LAB = REPO / "tests" / "fixtures" / "lab"          # calc with a trusted test: two sandboxes a job
QUICK = REPO / "tests" / "fixtures" / "quick"      # the same task, no judge: one sandbox a job
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# fast clocks: a dead worker is noticed within seconds, not a minute
FAST = {"PRACTICUM_HEARTBEAT_S": "0.5", "PRACTICUM_STALE_AFTER_S": "4", "PRACTICUM_REPUBLISH_AFTER_S": "2",
        "PRACTICUM_RETRY_DELAY_S": "1"}


def calc_solution(sleep_s: float = 0.0) -> bytes:
    """A full-marks answer to the `calc` task of the lab and quick exams (4 points), optionally slow (the import
    runs inside a test, whose limit is 4 s: keep `sleep_s` under 3)."""
    return (f"import time\ntime.sleep({sleep_s})\n\n" if sleep_s else "") .encode() + \
        b"def add(a, b):\n    return a + b\n"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a machine that loses power: nothing is cleaned up."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def stop(self, timeout: float = 60) -> None:
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


@dataclass
class Cluster:
    root: Path
    redis: RedisServer
    pg_url: str
    exam_dir: Path = LAB
    env: dict = field(default_factory=dict)
    board: Proc | None = None
    board_url: str = ""
    workers: list[Proc] = field(default_factory=list)

    def __post_init__(self):
        self.engine = sa.create_engine(self.pg_url, pool_pre_ping=True)
        self._port = free_port()
        self._n = 0

    # ------------------------------------------------------------ processes

    def _env(self, extra: dict | None = None) -> dict:
        env = {**os.environ, **FAST, **self.env, **(extra or {}), "PYTHONUNBUFFERED": "1"}
        env.pop("PRACTICUM_DATABASE_URL", None)
        return env

    def _spawn(self, name: str, args: list[str], env: dict | None = None) -> Proc:
        log = self.root / f"{name}.log"
        fh = open(log, "ab")
        popen = subprocess.Popen([sys.executable, "-m", "web.cli", *args], cwd=REPO, env=self._env(env),
                                 stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, preexec_fn=_die_with_parent(signal.SIGTERM))
        fh.close()
        return Proc(name, popen, log)

    def start_board(self, timeout: float = 60) -> Proc:
        """The board alone (it grades nothing: the workers do), on the same port each time."""
        self.board = self._spawn("board", [
            "serve", "--broker", self.redis.url, "--database", self.pg_url, "--exam", str(self.exam_dir),
            "--instance", str(self.root / "board"), "--port", str(self._port), "--insecure-cookies"])
        self.board_url = f"http://127.0.0.1:{self._port}"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.board.alive(), f"the board exited:\n{self.board.tail()}"
            try:
                if requests.get(f"{self.board_url}/healthz", timeout=2).status_code == 200:
                    return self.board
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the board did not answer within {timeout:.0f} s:\n{self.board.tail()}")

    def start_worker(self, concurrency: int = 1, timeout: float = 60) -> Proc:
        """A worker process with its own instance folder and worker token, on the board's worker API
        (no database URL anywhere in its command line or environment); returns once it has sent a heartbeat."""
        self._n += 1
        name = f"worker{self._n}"
        proc = self._spawn(name, ["worker", "--broker", self.redis.url, "--board", self.board_url,
                                  "--instance", str(self.root / name), "-c", str(concurrency)],
                           env={"PRACTICUM_WORKER_TOKEN": self.worker_token(name)})
        self.workers.append(proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert proc.alive(), f"{name} exited:\n{proc.tail()}"
            if self.scalar("select count(*) from workers where name like :n and status = 'up'",
                           n=f"%:{proc.pid}"):
                return proc
            time.sleep(0.2)
        raise AssertionError(f"{name} sent no heartbeat within {timeout:.0f} s:\n{proc.tail()}")

    def close(self) -> None:
        for p in [*self.workers, *([self.board] if self.board else [])]:
            p.stop(timeout=20)
        self.engine.dispose()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.tail()}" for p in [*([self.board] if self.board else []), *self.workers])

    # ------------------------------------------------------------ database

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))

    def add_candidates(self, n: int, prefix: str = "9") -> dict[str, str]:
        """n candidates on the board's exam: {number: one-time code}."""
        from web.services import accounts
        from web.storage.db import db
        from web.storage.models import Exam
        from web.services.roster import RosterRow

        app = self._app()
        with app.app_context():
            exam = db.session.scalar(sa.select(Exam))
            rows = [RosterRow(i + 1, f"{prefix}{i:05d}", f"考生{i}", f"S{i}") for i in range(n)]
            codes = {c.number: c.code for c in accounts.import_roster(exam, rows)}
            db.session.remove()
            db.engine.dispose()
        return codes

    def worker_token(self, name: str) -> str:
        """A new worker token, made as `practicum worker-token create NAME` does on the board machine."""
        from web.services import worker_tokens
        from web.storage.db import db

        app = self._app()
        with app.app_context():
            _, secret = worker_tokens.create(f"{name}-{os.getpid()}-{time.monotonic_ns()}", actor="cluster")
            db.session.remove()
            db.engine.dispose()
        return secret

    def _app(self):
        from web.pages.app import create_app
        return create_app({"SQLALCHEMY_DATABASE_URI": self.pg_url, "INSTANCE_PATH": str(self.root / "admin"),
                           "BROKER_URL": self.redis.url})

    def stop_job(self, job_id: int) -> str | None:
        """What the proctor's cancel writes (web.grading.jobs.stop); the status the job had."""
        from web.grading import jobs
        from web.storage.db import db

        app = self._app()
        with app.app_context():
            was = jobs.stop(job_id)
            db.session.remove()
            db.engine.dispose()
        return was.value if was else None

    def outcome(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        return {sid: status for sid, status in self.rows(
            "select id, status from submissions where id = any(:ids)", ids=list(ids))}

    def wait_graded(self, ids: list[int], timeout: float = 300) -> dict[int, str]:
        """Wait until every submission has ended (graded or failed); their statuses."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.outcome(ids)
            if all(s in ("graded", "failed", "cancelled") for s in status.values()) and len(status) == len(ids):
                return status
            if time.monotonic() > deadline:
                waiting = {k: v for k, v in status.items() if v not in ("graded", "failed")}
                raise AssertionError(f"not ended within {timeout:.0f} s: {waiting}\n{self.logs()}")
            time.sleep(0.3)

    def graded_once(self, ids: list[int]) -> dict[int, tuple]:
        """Per submission: (results, graded attempts, score) — exactly-once means (1, 1, ...)."""
        rows = self.rows("""
            select s.id,
                   (select count(*) from results r where r.submission_id = s.id),
                   (select count(*) from job_attempts a join jobs j on j.id = a.job_id
                     where j.submission_id = s.id and a.outcome = 'graded'),
                   (select r.score from results r where r.submission_id = s.id)
            from submissions s where s.id = any(:ids)""", ids=list(ids))
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


class Candidate:
    """A candidate's browser: signs in with the one-time code, uploads, reads the receipt."""

    def __init__(self, cluster: Cluster, number: str, code: str):
        self.cluster, self.number = cluster, number
        self.http = requests.Session()
        page = self.http.get(f"{cluster.board_url}/login", timeout=10)
        r = self.http.post(f"{cluster.board_url}/login", timeout=10, allow_redirects=False,
                           data={"number": number, "code": code, "csrf_token": CSRF.search(page.text).group(1)})
        assert r.status_code == 302, (r.status_code, r.text[:500])

    def upload(self, data: bytes, task: str = "calc", name: str = "calc.py", timeout: float = 30) -> int:
        """The new submission's id, once the board has acknowledged it (a redirect to its receipt)."""
        page = self.http.get(f"{self.cluster.board_url}/exam", timeout=timeout)
        token = CSRF.search(page.text).group(1)
        r = self.http.post(f"{self.cluster.board_url}/exam/{task}/upload", timeout=timeout, allow_redirects=False,
                           data={"csrf_token": token}, files={"file": (name, data)})
        m = re.search(r"/submissions/(\d+)", r.headers.get("Location", ""))
        assert r.status_code in (302, 303) and m, (r.status_code, r.text[:500])
        return int(m.group(1))


# ------------------------------------------------------------------ the Docker engine

def engine_up() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True).returncode == 0


def _systemd_runs_docker() -> bool:
    """Only a machine booted with systemd manages dockerd through it (a container may have the
    unit enabled with no systemd running: there setup.sh started dockerd by hand)."""
    return Path("/run/systemd/system").is_dir() and subprocess.run(
        ["systemctl", "is-active", "--quiet", "docker"], capture_output=True).returncode == 0


def stop_engine(timeout: float = 60) -> None:
    """Stop dockerd the way an operator or a crash would take it away mid-exam."""
    if _systemd_runs_docker():
        subprocess.run(["systemctl", "stop", "docker.socket", "docker"], check=True)
        return
    pids = subprocess.run(["pidof", "dockerd"], capture_output=True, text=True).stdout.split()
    for pid in pids:
        os.kill(int(pid), signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while subprocess.run(["pidof", "dockerd"], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "dockerd did not stop"
        time.sleep(0.2)


def start_engine(timeout: float = 60) -> None:
    """Start dockerd again as scripts/setup.sh does (or through systemd where it runs)."""
    if engine_up():
        return
    if Path("/run/systemd/system").is_dir():
        subprocess.run(["systemctl", "start", "docker"], check=True)
    else:
        # through a shell that returns at once: dockerd outlives this test process
        subprocess.run(["sh", "-c", "nohup setsid dockerd >>/var/log/practicum-dockerd.log 2>&1 </dev/null &"],
                       check=True)
    deadline = time.monotonic() + timeout
    while not engine_up():
        assert time.monotonic() < deadline, "dockerd did not come back"
        time.sleep(0.5)
