"""What both benches share: the "bare" runner and small statistics helpers.

The bare runner replaces exactly two functions of `grader.sandbox` for the
duration of a `bare()` block:

* `sandbox.run(spec, out_dir)`: instead of a container, run on the host the
  command the in-sandbox supervisor (PID 1) would have started: the raw
  command for `mode=raw`, `python3 -m practicum.phase` otherwise. It is the same
  harness code (grader/harness on PYTHONPATH as `practicum`), the same run
  spec, the same environment variables as the container gets; container
  paths are mapped to host paths (see bench/bare_site/sitecustomize.py);
* `sandbox.output_folder(limits)`: a plain temporary folder (no tmpfs mount).

Everything around them (intake, staging, pool slots, reading results,
scoring) is the unchanged grader code, so "sandboxed minus bare" is what the
sandbox itself costs: the tmpfs mount, container create/start/wait/inspect/
logs/remove, the supervisor process, and whatever runs slower inside the
container (CPU quota, cgroup accounting, overlay filesystem).

Not reproduced bare: the CPU quota, memory/pids limits, the supervisor's
output capping and flood kill, the read-only root and the non-root user.
"""
from __future__ import annotations

import atexit
import contextlib
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from grader import sandbox  # noqa: E402
from grader.harness import protocol  # noqa: E402
from grader.models import RunResult  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
SITE = BENCH / "bare_site"

# the image's own environment (sandbox_images/default/image.toml [image.env])
IMAGE_ENV = {
    "LANG": "C.UTF-8",
    "QT_QPA_PLATFORM": "offscreen",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}

# The interpreter of bare runs. "image": a venv of the host's Debian python3 with the
# image's own wheels (same CPython build and package versions as the sandbox);
# "host": the python running the bench. Set with set_bare_python().
BARE_VENV = RESULTS / "venv-bare"
bare_python = sys.executable
bare_python_label = "host"

_pkg_dir: Path | None = None
_pkg_lock = threading.Lock()


def harness_package_dir() -> Path:
    """A folder holding `practicum -> grader/harness`, as the container mounts it."""
    global _pkg_dir
    with _pkg_lock:
        if _pkg_dir is None:
            d = Path(tempfile.mkdtemp(prefix="practicum-bench-pkg-"))
            (d / "practicum").symlink_to(sandbox.HARNESS_DIR, target_is_directory=True)
            atexit.register(shutil.rmtree, d, True)
            _pkg_dir = d
        return _pkg_dir


def _map_path(value: str, mapping: list[tuple[str, str]]) -> str:
    for target, source in mapping:
        if value == target or value.startswith(target + "/"):
            return source + value[len(target):]
    return value


def _rewrite(obj, mapping):
    if isinstance(obj, str):
        return _map_path(obj, mapping)
    if isinstance(obj, list):
        return [_rewrite(v, mapping) for v in obj]
    if isinstance(obj, dict):
        return {k: _rewrite(v, mapping) for k, v in obj.items()}
    return obj


def bare_env(spec: sandbox.SandboxSpec, tmp: Path, out_dir: Path, spec_path: Path,
             exam_root: str) -> dict:
    """The container's environment, with host paths where it names container paths."""
    lim = spec.limits
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **IMAGE_ENV,
        "HOME": str(tmp),                      # the image has HOME=/tmp, a fresh tmpfs per run
        "MPLCONFIGDIR": str(tmp / ".mpl"),
        "TMPDIR": str(tmp),
        "PYTHONPATH": f"{SITE}:{harness_package_dir()}",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "OMP_NUM_THREADS": str(max(1, int(lim.cpus))),
        "OPENBLAS_NUM_THREADS": str(max(1, int(lim.cpus))),
        **spec.env,
        "PRACTICUM_BENCH_OUT": str(out_dir),
        "PRACTICUM_BENCH_SPEC": str(spec_path),
        "PRACTICUM_BENCH_EXAM_ROOT": exam_root,
        "PRACTICUM_BENCH_TMP": str(tmp),
    }


def bare_run(spec: sandbox.SandboxSpec, out_dir: Path) -> RunResult:
    """`sandbox.run` without the sandbox: the supervisor's child command, on the host."""
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="practicum-bare-"))   # plays the container's /tmp
    out_dir = Path(out_dir)
    links: list[Path] = []
    try:
        mapping: dict[str, str] = {protocol.OUT: str(out_dir)}
        for b in spec.binds:
            src = str(Path(b.source).resolve())
            if b.target.startswith(protocol.OUT + "/"):
                # a mount inside the output folder (the hidden inputs as ./data): a link here
                host = out_dir / b.target[len(protocol.OUT) + 1:]
                if host.is_dir() and not host.is_symlink() and not any(host.iterdir()):
                    host.rmdir()
                host.parent.mkdir(parents=True, exist_ok=True)
                host.symlink_to(src, target_is_directory=True)
                links.append(host)
            else:
                mapping[b.target] = src
        exam_binds = [s for t, s in mapping.items() if t.startswith("/exam/")]
        exam_root = os.path.commonpath(exam_binds) if exam_binds else str(tmp / "exam")
        # paths the spec names but nothing is mounted at do not exist, here as there
        for absent in ("/exam", "/answers", "/candidate"):
            mapping.setdefault(absent, str(tmp / ("absent" + absent)))
        ordered = sorted(mapping.items(), key=lambda kv: -len(kv[0]))
        run_spec = _rewrite(spec.run_spec, ordered)
        spec_path = tmp / "spec.json"
        spec_path.write_text(json.dumps(run_spec), encoding="utf-8")
        env = bare_env(spec, tmp, out_dir, spec_path, exam_root)

        if run_spec["mode"] == "raw":
            cmd = list(run_spec["command"])
            if cmd and cmd[0] in ("python3", "python"):
                cmd[0] = bare_python               # never a pyenv shim: the interpreter itself
            cwd = out_dir / "work"
            (out_dir / "work").mkdir(exist_ok=True)
            (out_dir / "artifacts").mkdir(exist_ok=True)
        else:
            cmd = [bare_python, "-m", "practicum.phase"]
            cwd = tmp
        wall = spec.limits.wall_s + spec.grace_s
        t_start = time.monotonic()
        timed_out = False
        sealed, reader, pass_fds = None, None, ()
        if run_spec["mode"] != "raw":
            # the supervisor's part: the harness reports through a pipe, and the files are
            # written from what came through it (grader/harness/supervise.py)
            from grader.harness.supervise import _Sealed
            sealed = _Sealed()
            results_r, results_w = os.pipe()
            env[protocol.RESULTS_FD_ENV] = str(results_w)
            pass_fds = (results_w,)

            def drain():
                while chunk := os.read(results_r, 65536):
                    sealed.feed(chunk)
                os.close(results_r)
            reader = threading.Thread(target=drain, daemon=True)
            reader.start()
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, pass_fds=pass_fds,
                                  capture_output=True, timeout=wall, start_new_session=True)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            timed_out, code, out, err = True, 137, exc.stdout or b"", exc.stderr or b""
        finally:
            if pass_fds:
                os.close(pass_fds[0])
        if reader is not None:
            reader.join(10)
        duration = time.monotonic() - t_start
        keep = spec.limits.stdout_kb * 1024
        summary = {"exit_code": code if code >= 0 else 128 - code, "duration_s": round(duration, 4),
                   "stdout": out[:keep].decode("utf-8", "replace"),
                   "stderr": err[:keep].decode("utf-8", "replace"),
                   "stdout_bytes": len(out), "stderr_bytes": len(err), "flooded": False}
        if sealed is not None:
            summary["sealed"] = sealed.write({name: str(out_dir / Path(path).name)
                                              for name, path in protocol.SEALED.items()})
        return sandbox._verdict(spec.limits, summary, code, False, timed_out, duration,
                                sandbox.folder_size(out_dir))
    except Exception as exc:   # report like the real runner: an infrastructure fault
        return sandbox._infra(f"bare run failed: {type(exc).__name__}: {exc}", t0)
    finally:
        for link in links:       # leave an empty mount point behind, as Docker does
            with contextlib.suppress(OSError):
                link.unlink()
                link.mkdir()
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def bare_output_folder(limits, parent: Path | None = None):
    base = Path(tempfile.mkdtemp(prefix="practicum-bare-run-", dir=parent))
    out = base / "out"
    out.mkdir()
    try:
        yield out
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def bare():
    """Within this block the grader runs sandbox runs bare on the host."""
    saved = sandbox.run, sandbox.output_folder
    sandbox.run, sandbox.output_folder = bare_run, bare_output_folder
    try:
        yield
    finally:
        sandbox.run, sandbox.output_folder = saved


class RunCounter:
    """Counts calls of `sandbox.run` (whichever implementation is installed)."""

    def __init__(self):
        self.n = 0
        self._lock = threading.Lock()
        self._inner = None

    def __enter__(self):
        self._inner = sandbox.run

        def counted(spec, out_dir):
            with self._lock:
                self.n += 1
            return self._inner(spec, out_dir)
        sandbox.run = counted
        return self

    def __exit__(self, *exc):
        sandbox.run = self._inner


class StepTimer:
    """Where a sandboxed run's time goes: the Docker API calls and the tmpfs (u)mount.

    Wraps the docker SDK methods `sandbox.run` uses (class-wide) while active;
    meant for sequential runs (`take()` returns and resets the current sums).
    """

    STEPS = ("mount", "create", "start", "wait", "inspect", "logs", "remove", "umount")

    def __init__(self):
        import collections
        self._new = lambda: collections.defaultdict(float)
        self.current = self._new()
        self._saved: list = []

    def _wrap(self, owner, name, label):
        original = getattr(owner, name)
        timer = self

        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                timer.current[label] += time.perf_counter() - t0
        self._saved.append((owner, name, original))
        setattr(owner, name, timed)

    def __enter__(self):
        import docker.api.container as api
        import docker.models.containers as models
        self._wrap(models.ContainerCollection, "create", "create")
        self._wrap(models.Container, "start", "start")
        self._wrap(models.Container, "wait", "wait")
        self._wrap(models.Container, "logs", "logs")
        self._wrap(models.Container, "remove", "remove")
        self._wrap(api.ContainerApiMixin, "inspect_container", "inspect")
        original_run = subprocess.run
        timer = self

        def run(cmd, *a, **k):
            t0 = time.perf_counter()
            try:
                return original_run(cmd, *a, **k)
            finally:
                if isinstance(cmd, list) and cmd and cmd[0] in ("mount", "umount"):
                    timer.current[cmd[0]] += time.perf_counter() - t0
        self._saved.append((subprocess, "run", original_run))
        subprocess.run = run
        return self

    def __exit__(self, *exc):
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()

    def take(self) -> dict:
        d, self.current = self.current, self._new()
        return {k: round(d.get(k, 0.0), 4) for k in self.STEPS}


# --------------------------------------------------------------------------- the bare interpreter

def _wheelhouse() -> Path | None:
    from grader import images
    try:
        cache = Path(os.environ.get("PRACTICUM_CACHE") or "/var/cache/practicum")
        req = (images.definition_dir("default") / "requirements.txt").read_text()
    except Exception:
        return None
    for d in sorted(cache.glob("wheels-*")):
        if (d / ".complete").exists() and (d / "requirements.txt").read_text() == req:
            return d
    return None


def make_bare_venv(progress=print) -> Path:
    """A venv of /usr/bin/python3 with the image's wheels, installed offline from the
    wheelhouse the image build cached (no network)."""
    py = BARE_VENV / "bin" / "python"
    if (BARE_VENV / ".complete").exists():
        return py
    wheels = _wheelhouse()
    if wheels is None:
        raise SystemExit("no complete wheelhouse of the default image under $PRACTICUM_CACHE; "
                         "build the image first or use --bare-python host")
    pip = next(wheels.glob("pip-*.whl"))
    progress(f"making {BARE_VENV} from /usr/bin/python3 and {wheels} (offline) ...")
    shutil.rmtree(BARE_VENV, ignore_errors=True)
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(BARE_VENV)], check=True)
    subprocess.run([str(py), f"{pip}/pip", "install", "--quiet", "--no-index", "--find-links", str(wheels),
                    "-r", str(wheels / "requirements.txt")], check=True)
    (BARE_VENV / ".complete").touch()
    return py


def set_bare_python(choice: str, progress=print) -> str:
    """'image' (default of the benches), 'host', or a path to an interpreter."""
    global bare_python, bare_python_label
    if choice == "image":
        bare_python, bare_python_label = str(make_bare_venv(progress)), "image"
    elif choice == "host":
        bare_python, bare_python_label = sys.executable, "host"
    else:
        bare_python, bare_python_label = choice, choice
    return bare_python


def interpreter_info(python: str) -> str:
    code = "import sys,numpy,cv2,pytest;print(sys.version.split()[0],sys.executable,numpy.__version__,cv2.__version__,pytest.__version__)"
    res = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return res.stdout.strip() or res.stderr.strip()[-200:]


# --------------------------------------------------------------------------- stats, machine

def quantile(values: list[float], q: float) -> float:
    """Linear-interpolated quantile (q in 0..1)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def busy_cpu_s(before: tuple[int, int], after: tuple[int, int]) -> float:
    """CPU seconds the whole machine spent busy between two cpu_busy() readings."""
    return (after[0] - before[0]) / os.sysconf("SC_CLK_TCK")


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    db, dt = after[0] - before[0], after[1] - before[1]
    return round(db / dt, 3) if dt else float("nan")


def machine() -> dict:
    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "cores": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "kernel": platform.release()}
    try:
        with open("/proc/meminfo") as fh:
            info["mem_gib"] = round(int(fh.readline().split()[1]) / 2 ** 20, 1)
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        info["docker"] = sandbox.get_client().version().get("Version")
    except Exception:
        pass
    git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "grader"],
                           capture_output=True, text=True)
    info["git_head"] = git.stdout.strip()
    info["grader_uncommitted_files"] = len(dirty.stdout.splitlines())
    info["grader_tree_hash"] = grader_tree_hash()
    return info


def grader_files() -> dict[str, str]:
    """sha256 of every grader/*.py as it is on disk now (it may be edited while a bench runs)."""
    import hashlib
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()[:12]
            for p in sorted((ROOT / "grader").rglob("*.py")) if "__pycache__" not in p.parts}


def grader_tree_hash() -> str:
    import hashlib
    return hashlib.sha256(json.dumps(grader_files(), sort_keys=True).encode()).hexdigest()[:12]


def grader_changes(before: dict[str, str]) -> list[str]:
    """Problems to report when grader/ changed on disk while the bench ran."""
    now = grader_files()
    changed = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    if not changed:
        return []
    return [f"grader/ changed on disk while the bench ran (figures may mix versions): {', '.join(changed)}"]


def loadavg() -> float:
    with open("/proc/loadavg") as fh:
        return float(fh.read().split()[0])


def write_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
