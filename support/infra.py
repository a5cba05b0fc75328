"""Real Redis and PostgreSQL servers for tests: Debian's binaries, a private temp dir, a free
localhost port. Each can be stopped gracefully, killed with SIGKILL and started again on the
same port and data dir, so the distributed mode can be tested against broker and database
crashes. Nothing here is a mock: `scripts/setup.sh` installs the packages.
"""
from __future__ import annotations

import atexit
import ctypes
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path

INSTALL_HINT = "install redis-server / postgresql: bash scripts/setup.sh"
REDIS_SERVER = "/usr/bin/redis-server"
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class InfraError(RuntimeError):
    """A test server could not be found, started or stopped."""


def free_port() -> int:
    """A port nobody listens on right now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


_PR_SET_PDEATHSIG = 1
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):       # not Linux: servers then outlive a crashed test run
    _prctl = None


def _die_with_parent(sig: int):
    """A preexec_fn: the server gets `sig` when the test process dies, even by SIGKILL, so a
    crashed or interrupted run never leaves servers behind on CI. It runs after the switch to
    the server's user (subprocess sets uid first), which would otherwise clear the setting.

    The kernel sends it when the *thread* that started the server ends, so it is only set from
    the main thread: a test restarting a server from a helper thread must not have the server
    die with that thread (the atexit hook below still stops it)."""
    if _prctl is None or threading.current_thread() is not threading.main_thread():
        return None

    def preexec() -> None:
        _prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    return preexec


_LIVE: "weakref.WeakSet[_Server]" = weakref.WeakSet()


@atexit.register
def _kill_leftovers() -> None:
    """A run that ends without its fixtures' teardown (an error in a session hook, a forgotten
    close()) still takes its servers down."""
    for server in list(_LIVE):
        try:
            server.kill()
            shutil.rmtree(server.root, ignore_errors=True)
        except Exception:
            pass


def _group_running(pgid: int) -> bool:
    """Whether a process of the group is still running. Zombies do not count: a killed server's
    orphaned children wait for an init that may never reap them (containers), yet they hold
    nothing any more (sockets, shared memory)."""
    try:
        entries = os.listdir("/proc")
    except OSError:                     # no procfs: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
            return True
        except ProcessLookupError:
            return False
    for pid in entries:
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()     # after "pid (comm) ": state ppid pgrp ...
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class _Server:
    """A child process in its own session (so kill() takes its children with it)."""

    name = "server"
    pdeathsig = signal.SIGTERM

    def __init__(self, root: str | Path | None = None, port: int | None = None):
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix=f"practicum-{self.name}-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.log = self.root / f"{self.name}.log"
        self.proc: subprocess.Popen | None = None
        self._started = False               # once it has, the port is kept: clients know the url

    # -- what subclasses provide
    def _command(self) -> list[str]:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _popen_kwargs(self) -> dict:
        return {}

    def _graceful_signal(self) -> int:
        return signal.SIGTERM

    # -- lifecycle
    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 30.0) -> "_Server":
        if self.running:
            return self
        if _port_taken(self.port):
            if self._started:
                raise InfraError(f"{self.name}: port {self.port} was taken by another process while it was down")
            self.port = free_port()         # lost the race for the free port: its url is not out yet
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self._command(), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True,
                                         preexec_fn=_die_with_parent(self.pdeathsig), **self._popen_kwargs())
        _LIVE.add(self)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                code, self.proc = self.proc.returncode, None
                raise InfraError(f"{self.name} exited with {code} at start; log {self.log}:\n{_tail(self.log)}")
            if self._ready():
                self._started = True
                return self
            if time.monotonic() > deadline:
                self.kill()
                raise InfraError(f"{self.name} did not answer within {timeout:g} s; log {self.log}:\n"
                                 f"{_tail(self.log)}")
            time.sleep(0.05)

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful shutdown; SIGKILL when it does not end within `timeout`."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(self._graceful_signal())
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self._reap_group()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL the server and every child of it: a crash, not a shutdown."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self._reap_group()
        self.proc = None

    def _reap_group(self) -> None:
        """Wait until no process of the server's session is left running: a restart on the same
        data dir must not race a backend that is still exiting."""
        pgid = self.proc.pid
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if not _group_running(pgid):
                return
            time.sleep(0.02)
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def restart(self) -> "_Server":
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop and delete the data dir."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} 127.0.0.1:{self.port} {'running' if self.running else 'stopped'} {self.root}>"


class RedisServer(_Server):
    """redis-server with an append-only file, so what was written survives stop, kill and restart."""

    name = "redis"

    def __init__(self, root=None, port=None, *, appendfsync: str = "always"):
        if not os.access(REDIS_SERVER, os.X_OK):
            raise InfraError(f"{REDIS_SERVER} not found: {INSTALL_HINT}")
        super().__init__(root, port)
        # "always": a write acknowledged to a client is on disk before a kill() can lose it,
        # which is what crash tests of the broker assert; fast enough for test volumes.
        self.appendfsync = appendfsync

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, **kw):
        import redis
        return redis.Redis(host="127.0.0.1", port=self.port, db=0, **kw)

    def _command(self) -> list[str]:
        return [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.root),
                "--daemonize", "no", "--appendonly", "yes", "--appendfsync", self.appendfsync,
                "--save", "", "--logfile", "", "--databases", "16"]

    def _ready(self) -> bool:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        try:    # redis-py retries with backoff by default: seconds per probe while it starts
            with self.client(socket_connect_timeout=0.5, socket_timeout=0.5, retry=Retry(NoBackoff(), 0)) as r:
                return bool(r.ping())
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
            return False


def _pg_bin() -> Path:
    found = sorted(glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    for d in reversed(found):
        if os.access(Path(d) / "postgres", os.X_OK) and os.access(Path(d) / "initdb", os.X_OK):
            return Path(d)
    raise InfraError(f"PostgreSQL binaries not found in {PG_BIN_GLOB}: {INSTALL_HINT}")


class PostgresServer(_Server):
    """A private PostgreSQL cluster (initdb once), trust auth, listening on 127.0.0.1 and a socket
    in its own dir. `url` is the `practicum` database; `create_database()` gives more.

    PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` system user.
    Its temp dir must therefore be reachable by that user (the default, under /tmp, is)."""

    name = "postgres"
    # SIGQUIT: "immediate shutdown", the postmaster takes its backends down with it
    pdeathsig = signal.SIGQUIT
    DEFAULT_DB = "practicum"

    def __init__(self, root=None, port=None):
        self.bin = _pg_bin()
        self.owner = None
        if os.geteuid() == 0:
            try:
                self.owner = pwd.getpwnam("postgres")
            except KeyError:
                raise InfraError(f"running as root needs the `postgres` system user: {INSTALL_HINT}") from None
        super().__init__(root, port)
        self.data = self.root / "data"
        self.sockets = self.root / "sock"
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)

    @property
    def url(self) -> str:
        return self.url_for(self.DEFAULT_DB)

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kw):
        import psycopg
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, **kw)

    def _popen_kwargs(self) -> dict:
        if self.owner is None:
            return {}
        return {"user": self.owner.pw_uid, "group": self.owner.pw_gid, "extra_groups": [],
                "env": {**os.environ, "HOME": str(self.root), "USER": "postgres", "LOGNAME": "postgres"}}

    def _graceful_signal(self) -> int:
        return signal.SIGINT       # "fast shutdown": disconnects clients instead of waiting for them

    def _initdb(self) -> None:
        cmd = [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
               "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"]
        out = subprocess.run(cmd, cwd=self.root, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             **self._popen_kwargs())
        if out.returncode != 0:
            shutil.rmtree(self.data, ignore_errors=True)
            raise InfraError(f"initdb failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")

    def _command(self) -> list[str]:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.sockets),
            # throwaway test data: durability against an OS crash is not needed, and a kill()
            # of the server alone loses nothing, since a commit still writes its WAL to the
            # kernel, which keeps the pages. Several times faster migrations and commits.
            # synchronous_commit stays on: off, a commit would wait in shared memory that
            # kill() throws away, and crash tests would lose acknowledged rows.
            "fsync": "off",
            "full_page_writes": "off",
            "max_connections": "200",      # worker pools and concurrency tests open many
            "logging_collector": "off",
            "log_min_messages": "warning",
        }
        cmd = [str(self.bin / "postgres"), "-D", str(self.data)]
        for k, v in settings.items():
            cmd += ["-c", f"{k}={v}"]
        return cmd

    def _ready(self) -> bool:
        import psycopg
        try:
            with self.connect(connect_timeout=1) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.OperationalError:        # not listening yet, or "starting up"
            return False

    def start(self, timeout: float = 60.0) -> "PostgresServer":
        if self.running:
            return self
        fresh = not (self.data / "PG_VERSION").exists()
        if fresh:
            self._initdb()
        self.sockets.mkdir(exist_ok=True)
        if self.owner is not None:
            os.chown(self.sockets, self.owner.pw_uid, self.owner.pw_gid)
        super().start(timeout)
        if fresh:
            self.create_database(self.DEFAULT_DB)
        return self

    def create_database(self, name: str) -> str:
        """Create an empty database (from template0: nothing a test put in template1) and return its URL."""
        from psycopg import sql
        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        from psycopg import sql
        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
