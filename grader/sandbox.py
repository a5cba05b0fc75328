"""Run one command in a hardened, throw-away container. Nothing more.

The sandbox knows nothing of exams or scoring: it takes an image, a command,
limits and mounts, and returns a `RunResult` measured from outside. Every run
gets no network, a read-only root, memory == memory+swap, a CPU quota, a pids
limit, capped tmpfs and logs, no capabilities, no-new-privileges, a non-root
user and a wall-clock kill; the container is removed whatever happens.

The writable output folder is a host tmpfs of `output_mb` when we may mount
(we run as root beside the engine), so a run cannot fill the host's disk; where
mounting is refused we fall back to a plain folder measured after the run.
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import docker
import requests
from docker.errors import APIError, DockerException, ImageNotFound
from docker.types import LogConfig, Mount, Ulimit

from .errors import EngineUnavailable
from .harness import protocol
from .models import Limits, RunResult, Verdict

HARNESS_DIR = Path(__file__).resolve().parent / "harness"
SANDBOX_UID = 65534
LABEL = "practicum.sandbox"
OWNER_LABEL = "practicum.owner"
JOB_LABEL = "practicum.job"
START_GRACE_S = 15.0     # container start, interpreter and kernel start-up
_OWNER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Bind:
    source: Path
    target: str
    read_only: bool = True


@dataclass(frozen=True)
class SandboxSpec:
    image: str
    limits: Limits
    run_spec: dict                      # the JSON the in-sandbox harness reads
    binds: tuple[Bind, ...] = ()
    env: dict = field(default_factory=dict)
    grace_s: float = START_GRACE_S
    job: str | None = None              # the board's job id, so a proctor can cancel the run


# ---------------------------------------------------------------------------
# the Docker client, and removing what we started


_client_lock = threading.Lock()
_client: docker.DockerClient | None = None
_live: set[str] = set()
_live_lock = threading.Lock()


def get_client() -> docker.DockerClient:
    global _client
    with _client_lock:
        if _client is None:
            client = None
            try:
                client = docker.from_env(version="auto", timeout=120)
                client.ping()
            except (DockerException, requests.RequestException) as exc:
                if client is not None:
                    client.close()          # its connection pool, not left to the garbage collector
                raise EngineUnavailable(str(exc).splitlines()[0][:200]) from None
            _client = client
        return _client


def _remove_live() -> None:
    with _live_lock:
        ids = list(_live)
    if not ids:
        return
    client = get_client()
    for cid in ids:
        try:
            client.api.remove_container(cid, force=True)
        except DockerException:
            pass


atexit.register(_remove_live)


def install_signal_cleanup() -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks remove containers."""
    if threading.current_thread() is not threading.main_thread():
        return

    def _term(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, _term)


def sweep_orphans(client: docker.DockerClient | None = None) -> int:
    """Remove sandboxes left by grader processes of this host that are gone."""
    client = client or get_client()
    removed = 0
    host = socket.gethostname()
    for c in client.containers.list(all=True, filters={"label": LABEL}):
        owner = c.labels.get(OWNER_LABEL, "")
        h, _, pid = owner.partition(":")
        if h == host and pid.isdigit() and not _pid_alive(int(pid)):
            c.remove(force=True)
            removed += 1
    return removed


def cancel(job: str, client: docker.DockerClient | None = None, *, mine_only: bool = False) -> int:
    """Kill the running sandboxes of one job (a proctor's "cancel"). Returns how many.
    `mine_only`: only those this process started (a worker letting go of a job another
    process on the same engine may be grading again)."""
    client = client or get_client()
    labels = [f"{JOB_LABEL}={job}"] + ([f"{OWNER_LABEL}={_OWNER}"] if mine_only else [])
    killed = 0
    for c in client.containers.list(filters={"label": labels}):
        try:
            c.kill()
            killed += 1
        except DockerException:
            pass
    return killed


def kill_mine() -> int:
    """Kill every sandbox this process is running (a batch stopped with Ctrl-C); each run's
    own `finally` then removes its container. Returns how many were killed."""
    with _live_lock:
        ids = list(_live)
    if not ids:
        return 0
    client = get_client()
    killed = 0
    for cid in ids:
        try:
            client.api.kill(cid)
            killed += 1
        except (DockerException, requests.RequestException):   # gone already, or not started yet
            pass
    return killed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------------------
# the capped output folder


@contextmanager
def output_folder(limits: Limits, parent: Path | None = None):
    """A folder the sandbox may write, capped at `output_mb` when we can mount."""
    base = Path(tempfile.mkdtemp(prefix="practicum-run-", dir=parent))
    out = base / "out"
    out.mkdir()
    mounted = False
    if os.geteuid() == 0:
        opts = (f"size={limits.output_mb}m,nr_inodes=20000,mode=0755,"
                f"uid={SANDBOX_UID},gid={SANDBOX_UID}")
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "practicum-out", str(out)],
                             capture_output=True)
        mounted = res.returncode == 0
    if not mounted:
        os.chmod(out, 0o777)
    try:
        yield out
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(out)], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def stage(src: Path, out_dir: Path) -> Path:
    """Copy the candidate's files to out/work, owned by the sandbox user.

    Done on the host so the sandbox starts with its writable copy in place and
    mounts (the hidden inputs as the candidate's data folder) can sit inside it.
    """
    work = out_dir / "work"
    shutil.copytree(src, work, symlinks=False)
    (out_dir / "artifacts").mkdir(exist_ok=True)
    for root, dirs, files in os.walk(out_dir):
        for name in (*dirs, *files):
            _own(os.path.join(root, name))
    _own(str(out_dir))
    return work


@contextmanager
def raw_run(image: str, command: list[str], limits: Limits, *, binds: tuple[Bind, ...] = (),
            files: Path | None = None, grace_s: float = 5.0):
    """Run `command` (our own code: generators, calibration, tools) in a sandbox; yields the
    RunResult and the output folder, which is removed when the block ends. `files` are staged
    as the working folder (default: an empty one)."""
    with tempfile.TemporaryDirectory(prefix="practicum-raw-") as tmp:
        if files is None:
            files = Path(tmp) / "empty"
            files.mkdir()
        spec = SandboxSpec(image=image, limits=limits, binds=binds, grace_s=grace_s,
                           run_spec={"mode": "raw", "command": list(command),
                                     "limits": {"stdout_kb": limits.stdout_kb}})
        with output_folder(limits) as out:
            stage(files, out)
            yield run(spec, out), out


def _own(path: str) -> None:
    if os.geteuid() == 0:
        os.chown(path, SANDBOX_UID, SANDBOX_UID, follow_symlinks=False)
    else:
        os.chmod(path, 0o777 if os.path.isdir(path) else 0o666)


def folder_size(path: Path) -> int:
    total = 0
    for root, dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


# ---------------------------------------------------------------------------
# one run


def _container_config(spec: SandboxSpec, spec_dir: Path, out_dir: Path) -> dict:
    lim = spec.limits
    mounts = [
        Mount("/opt/practicum/practicum", str(HARNESS_DIR), type="bind", read_only=True),
        Mount("/opt/spec", str(spec_dir), type="bind", read_only=True),
        Mount(protocol.OUT, str(out_dir), type="bind", read_only=False),
    ]
    for b in spec.binds:
        mounts.append(Mount(b.target, str(Path(b.source).resolve()), type="bind", read_only=b.read_only))
    log_kb = max(1024, lim.stdout_kb * 8)
    env = {
        "PYTHONPATH": "/opt/practicum",
        "PIP_NO_INDEX": "1",              # `!pip install` fails at once, not after retries
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "OMP_NUM_THREADS": str(max(1, int(lim.cpus))),
        "OPENBLAS_NUM_THREADS": str(max(1, int(lim.cpus))),
        **spec.env,
    }
    return dict(
        image=spec.image,
        command=["python3", "-S", "-m", "practicum"],   # the supervisor needs only the stdlib
        user=f"{SANDBOX_UID}:{SANDBOX_UID}",
        network_mode="none",
        read_only=True,
        mem_limit=f"{lim.memory_mb}m",
        memswap_limit=f"{lim.memory_mb}m",
        nano_cpus=int(lim.cpus * 1e9),
        pids_limit=lim.pids,
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        tmpfs={"/tmp": f"size={lim.tmpfs_mb}m,noexec,nosuid,nodev,mode=1777"},
        shm_size=64 * 1024 * 1024,
        ulimits=[Ulimit(name="nofile", soft=1024, hard=1024),
                 Ulimit(name="fsize", soft=lim.output_mb * 2 ** 20, hard=lim.output_mb * 2 ** 20)],
        log_config=LogConfig(type="json-file", config={"max-size": f"{log_kb}k", "max-file": "1"}),
        mounts=mounts,
        working_dir="/tmp",
        environment=env,
        labels={LABEL: "1", OWNER_LABEL: _OWNER, **({JOB_LABEL: spec.job} if spec.job else {})},
        stdin_open=False,
        detach=True,
    )


def _parse_summary(logs: bytes) -> dict | None:
    """The supervisor's last line. Only a line that starts with the prefix counts: the
    candidate's printed output sits inside that line's JSON, where a newline is always
    escaped, so a summary they print is never a line of its own (nor split at U+2028)."""
    text = logs.decode("utf-8", "replace")
    marker = "\n" + protocol.SUMMARY_PREFIX
    idx = text.rfind(marker)
    if idx < 0:
        return None
    line = text[idx + len(marker):].split("\n", 1)[0]
    try:
        summary = json.loads(line)
    except ValueError:
        return None
    return summary if isinstance(summary, dict) else None


def _infra(message: str, t0: float) -> RunResult:
    return RunResult(verdict=Verdict.SANDBOX_ERROR, exit_code=None, oom_killed=False, timed_out=False,
                     duration_s=round(time.monotonic() - t0, 4), stdout="", stderr="",
                     infra_error=message)


def run(spec: SandboxSpec, out_dir: Path) -> RunResult:
    """Run the harness under `spec` with `out_dir` as /out. Never raises for candidate faults."""
    t0 = time.monotonic()
    client = get_client()
    spec_dir = Path(tempfile.mkdtemp(prefix="practicum-spec-"))
    container = None
    try:
        (spec_dir / "spec.json").write_text(json.dumps(spec.run_spec), encoding="utf-8")
        os.chmod(spec_dir, 0o755)
        os.chmod(spec_dir / "spec.json", 0o644)
        try:
            container = client.containers.create(**_container_config(spec, spec_dir, out_dir))
        except ImageNotFound:
            raise
        except (APIError, requests.RequestException) as exc:
            return _infra(f"create failed: {exc}", t0)
        with _live_lock:
            _live.add(container.id)
        t_start = time.monotonic()
        container.start()
        wall = spec.limits.wall_s + spec.grace_s
        timed_out = False
        try:
            status = container.wait(timeout=wall)
            exit_code = status.get("StatusCode")
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            timed_out = True
            try:
                container.kill()
            except APIError:
                pass
            exit_code = container.wait(timeout=30).get("StatusCode")
        duration = time.monotonic() - t_start
        state = client.api.inspect_container(container.id)["State"]
        oom = bool(state.get("OOMKilled"))
        logs = container.logs(stdout=True, stderr=True, tail=2000)
        summary = _parse_summary(logs)
        out_bytes = folder_size(out_dir)
        return _verdict(spec.limits, summary, exit_code, oom, timed_out, duration, out_bytes)
    except ImageNotFound:
        raise
    except (APIError, requests.RequestException, DockerException) as exc:
        return _infra(f"{type(exc).__name__}: {str(exc)[:300]}", t0)
    finally:
        if container is not None:
            try:
                container.remove(force=True)
            except (DockerException, requests.RequestException):   # the engine may be gone
                pass
            with _live_lock:
                _live.discard(container.id)
        shutil.rmtree(spec_dir, ignore_errors=True)


def _verdict(limits: Limits, summary: dict | None, exit_code, oom: bool, timed_out: bool,
             duration: float, out_bytes: int) -> RunResult:
    """Name the run plainly; the order is the contract (memory first)."""
    summary = summary or {}
    flooded = bool(summary.get("flooded"))
    out_full = out_bytes >= limits.output_mb * 2 ** 20 * 0.98
    child_code = summary.get("exit_code", exit_code)
    infra = summary.get("internal_error")
    if not summary and not oom and not timed_out:
        # PID 1 is our supervisor, which candidate code cannot signal: a run without its report
        # was ended from outside (the engine stopped or restarted), never by the candidate
        infra = f"the sandbox ended (exit code {exit_code}) without its supervisor's report"
    if infra:
        verdict = Verdict.SANDBOX_ERROR
    elif oom:
        verdict = Verdict.MEMORY_LIMIT
    elif timed_out:
        verdict = Verdict.TIME_LIMIT
    elif flooded or out_full:
        verdict = Verdict.OUTPUT_LIMIT
    elif not summary or child_code != 0:
        verdict = Verdict.RUNTIME_ERROR
    else:
        verdict = Verdict.OK
    return RunResult(
        verdict=verdict,
        exit_code=child_code if isinstance(child_code, int) else exit_code,
        oom_killed=oom,
        timed_out=timed_out,
        duration_s=round(summary.get("duration_s", duration) if not timed_out else duration, 4),
        stdout=summary.get("stdout", ""),
        stderr=summary.get("stderr", ""),
        stdout_truncated=summary.get("stdout_bytes", 0) > len(summary.get("stdout", "").encode()),
        output_exceeded=flooded or out_full,
        infra_error=infra,
        sealed=_sealed(summary.get("sealed")),
    )


def _sealed(value) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if k in protocol.SEALED and isinstance(v, str) and len(v) == 64}
