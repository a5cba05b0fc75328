"""Sandbox images: named by a hash of their definition, built offline.

Why it is built this way:
- no container registry is reachable, so there is no `FROM python:...`: the root
  filesystem is made here with `debootstrap` from Debian's mirror, then `docker import`ed;
- containers get no network (and would lack the CA bundle for PyPI's HTTPS anyway), so the
  Python packages are downloaded as wheels on the host and installed in a chroot with no
  network, by a pip run from its own wheel file;
- sandboxes run with a read-only root, so bytecode is precompiled into the image and
  HOME/MPLCONFIGDIR point at /tmp, the only writable place.

A definition is a folder `sandbox_images/<name>/` with `image.toml` (Debian part, image
config) and `requirements.txt` (exact pins). The tag is `practicum-sandbox-<name>:<hash>`
over those files and this module, so any change gives a new tag and CI can skip the build
when nothing changed. Downloads and the debootstrapped base are cached under
$PRACTICUM_CACHE (default /var/cache/practicum).
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import docker

from .errors import EngineUnavailable, ImageMissing, PracticumError, SandboxError

REPO_PREFIX = "practicum-sandbox-"
STEPS = 5
BASE_RECIPE = "1"  # bump when the base-rootfs recipe below changes in a way the hash misses
CHROOT_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": "/root",
              "LANG": "C.UTF-8"}


# ---------------------------------------------------------------- definitions and tags

def definition_dir(name: str) -> Path:
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name):
        raise PracticumError(f"bad sandbox image name {name!r} (use a-z, 0-9, '.', '_', '-')")
    root = os.environ.get("PRACTICUM_IMAGES_DIR")
    base = Path(root) if root else Path(__file__).resolve().parents[1] / "sandbox_images"
    path = base / name
    if not (path / "image.toml").is_file():
        raise PracticumError(f"no sandbox image definition {name!r}: {path}/image.toml is missing")
    return path


def definitions() -> list[str]:
    """The names of every sandbox image definition."""
    root = os.environ.get("PRACTICUM_IMAGES_DIR")
    base = Path(root) if root else Path(__file__).resolve().parents[1] / "sandbox_images"
    return sorted(p.parent.name for p in base.glob("*/image.toml"))


def _definition_files(name: str) -> list[Path]:
    d = definition_dir(name)
    return sorted(p for p in d.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith("."))


def local_packages(name: str) -> list[Path]:
    """Folders of our own packages built into the image (e.g. the edgeai SDK)."""
    d = definition_dir(name)
    return [(d / rel).resolve() for rel in load_definition(name)["python"].get("local", [])]


def _local_files(pkg: Path) -> list[Path]:
    """What goes into the package's wheel: its tests and build leftovers do not count."""
    out = []
    for p in sorted(pkg.rglob("*")):
        rel = p.relative_to(pkg).parts
        if not p.is_file() or rel[0] in ("tests", "build") or "__pycache__" in rel \
                or any(part.endswith(".egg-info") or part.startswith(".") for part in rel):
            continue
        out.append(p)
    return out


def image_hash(name: str) -> str:
    h = hashlib.sha256()
    d = definition_dir(name)
    for path in _definition_files(name) + [Path(__file__).resolve()]:
        label = path.relative_to(d).as_posix() if path.is_relative_to(d) else "grader/images.py"
        h.update(f"{label}\0{path.stat().st_size}\0".encode())
        h.update(path.read_bytes())
    for pkg in local_packages(name):
        for path in _local_files(pkg):
            h.update(f"local:{pkg.name}/{path.relative_to(pkg).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def image_repo(name: str) -> str:
    return REPO_PREFIX + name


def image_tag(name: str) -> str:
    return f"{image_repo(name)}:{image_hash(name)}"


def load_definition(name: str) -> dict:
    with open(definition_dir(name) / "image.toml", "rb") as f:
        return tomllib.load(f)


def _short_hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


# ---------------------------------------------------------------- engine

def connect(timeout: int = 600) -> docker.DockerClient:
    try:
        client = docker.from_env(version="auto", timeout=timeout)
        client.ping()
    except Exception as e:  # the SDK raises several kinds here
        raise EngineUnavailable(str(e).splitlines()[0] if str(e) else type(e).__name__) from e
    return client


def image_exists(client, tag: str) -> bool:
    try:
        client.images.get(tag)
        return True
    except docker.errors.ImageNotFound:
        return False


def ensure_image(client, name: str) -> str:
    tag = image_tag(name)
    if not image_exists(client, tag):
        raise ImageMissing(tag, name)
    return tag


def prune_images(name: str, client=None, progress=print) -> list[str]:
    """Remove the tags of this image family other than the current one and `latest`."""
    client = client or connect()
    keep = {image_tag(name), f"{image_repo(name)}:latest"}
    removed = []
    for image in client.images.list(name=image_repo(name)):
        for tag in image.tags:
            if tag in keep:
                continue
            try:
                client.images.remove(tag)
                removed.append(tag)
                progress(f"removed {tag}")
            except docker.errors.APIError as e:  # e.g. still used by a container
                progress(f"kept {tag}: {e.explanation}")
    return removed


# ---------------------------------------------------------------- build helpers

def cache_dir() -> Path:
    path = Path(os.environ.get("PRACTICUM_CACHE") or "/var/cache/practicum")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run(cmd: list[str], **kw) -> None:
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
        raise SandboxError(f"image build step failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")


def _in_chroot(rootfs: Path, cmd: list[str], wheels: Path | None = None) -> None:
    """Run `cmd` chrooted in rootfs, in new net and mount namespaces: no network, and the
    wheelhouse bind mount (read-only at /wheels) vanishes with the process."""
    script = 'exec chroot "$1" "${@:2}"'
    if wheels is not None:
        script = ('mount --bind "$W" "$1/wheels" && mount -o remount,bind,ro "$1/wheels" && '
                  + script)
        (rootfs / "wheels").mkdir(exist_ok=True)
    _run(["unshare", "--net", "--mount", "--fork", "bash", "-c", script, "-", str(rootfs), *cmd],
         env={**CHROOT_ENV, "W": str(wheels or "")})


def _unmount_all_under(path: Path) -> None:
    prefix = str(path.resolve()) + "/"
    with open("/proc/mounts") as f:
        points = [line.split()[1] for line in f if line.split()[1].startswith(prefix)]
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", "-l", point], check=False)


def _remove_tree(path: Path) -> None:
    """rm -rf that never follows into a mount (a bind-mounted wheelhouse, a /proc)."""
    if path.exists():
        _unmount_all_under(path)
        shutil.rmtree(path, ignore_errors=True)


def _wheel_platforms(glibc: str) -> list[str]:
    arch = platform.machine()
    newest = int(glibc.split(".")[1])
    return [f"manylinux_2_{n}_{arch}" for n in range(newest, 16, -1)] + [f"manylinux2014_{arch}"]


def download_wheels(name: str, cache: Path) -> tuple[Path, bool]:
    """Step 1: every wheel needed, for the image's python, into a cached wheelhouse."""
    d, py = definition_dir(name), load_definition(name)["python"]
    req = (d / "requirements.txt").read_text()
    nodeps_file = d / "requirements-nodeps.txt"
    nodeps = nodeps_file.read_text() if nodeps_file.exists() else ""
    key = _short_hash(req, nodeps, py["pip"], py["python_version"], py["glibc"], platform.machine())
    wheels = cache / f"wheels-{key}"
    if (wheels / ".complete").exists():
        return wheels, True
    _remove_tree(wheels)
    wheels.mkdir()
    (wheels / "requirements.txt").write_text(req)
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
           "--only-binary=:all:", "--python-version", py["python_version"],
           "--implementation", "cp", "--abi", "cp" + py["python_version"].replace(".", ""),
           "-d", str(wheels), "-r", str(wheels / "requirements.txt"), f"pip=={py['pip']}"]
    for plat in _wheel_platforms(py["glibc"]):
        cmd += ["--platform", plat]
    _run(cmd)
    # packages whose declared dependencies would pull what we must not have
    # (a second OpenCV, say): their wheels alone, dependencies pinned above
    (wheels / "requirements-nodeps.txt").write_text(nodeps)
    if nodeps.strip():
        nd = [c for c in cmd if c != f"pip=={py['pip']}"]
        nd[nd.index("-r") + 1] = str(wheels / "requirements-nodeps.txt")
        _run(nd + ["--no-deps"])
    (wheels / ".complete").touch()
    return wheels, False


def build_local_wheels(name: str, wheels: Path) -> list[str]:
    """Our own packages, as wheels, into the (per-build copy of the) wheelhouse."""
    built = []
    for pkg in local_packages(name):
        out = wheels / "local"
        out.mkdir(exist_ok=True)
        _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
              "--no-deps", "-w", str(out), str(pkg)])
        built.append(pkg.name)
    return built


def make_base(name: str, cache: Path, rootfs: Path) -> bool:
    """Step 2: the debootstrapped Debian base, restored from a cached tarball if any."""
    deb = load_definition(name)["debian"]
    packages = ",".join(deb["packages"])
    key = _short_hash(BASE_RECIPE, deb["suite"], deb["mirror"], deb["variant"], packages,
                      platform.machine())
    tarball = cache / f"base-{key}.tar.gz"
    rootfs.mkdir()
    if tarball.exists():
        _run(["tar", "-C", str(rootfs), "--numeric-owner", "-xzpf", str(tarball)])
        return True
    debs = cache / "debs"
    debs.mkdir(exist_ok=True)
    _run(["debootstrap", f"--variant={deb['variant']}", f"--cache-dir={debs}",
          f"--include={packages}", deb["suite"], str(rootfs), deb["mirror"]])
    _unmount_all_under(rootfs)
    for junk in ["var/cache/apt/archives", "var/lib/apt/lists", "usr/share/man",
                 "usr/share/info", "var/log"]:
        for child in (rootfs / junk).glob("*"):
            if child.is_file() or child.is_symlink():
                child.unlink()
            elif child.name != "partial":
                shutil.rmtree(child)
    part = tarball.with_suffix(".part")
    _run(["tar", "-C", str(rootfs), "--numeric-owner", "-I", "gzip -1", "-cf", str(part), "."])
    part.rename(tarball)
    return False


def install_wheels(rootfs: Path, wheels: Path, pip_version: str) -> None:
    """Step 3: pip, run from its own wheel, installs offline into /usr/local."""
    pip_wheel = f"/wheels/pip-{pip_version}-py3-none-any.whl/pip"
    pip = ["python3", pip_wheel, "install", "--quiet", "--no-index", "--find-links", "/wheels",
           "--no-cache-dir", "--break-system-packages", "--root-user-action=ignore",
           "--disable-pip-version-check", "--no-warn-script-location"]
    _in_chroot(rootfs, pip + ["-r", "/wheels/requirements.txt"], wheels=wheels)
    nodeps = wheels / "requirements-nodeps.txt"
    if nodeps.exists() and nodeps.read_text().strip():
        _in_chroot(rootfs, pip + ["--no-deps", "-r", "/wheels/requirements-nodeps.txt"], wheels=wheels)
    local = sorted((wheels / "local").glob("*.whl")) if (wheels / "local").is_dir() else []
    if local:
        _in_chroot(rootfs, pip + ["--no-deps", *[f"/wheels/local/{w.name}" for w in local]], wheels=wheels)
    (rootfs / "wheels").rmdir()


def compile_bytecode(rootfs: Path, python_version: str) -> None:
    """Step 4: .pyc for stdlib and site-packages: imports from a read-only root stay fast."""
    # -x: PySide6 ships Jinja templates named *.tmpl.py that are not Python
    _in_chroot(rootfs, ["python3", "-m", "compileall", "-q", "-x", r"[.]tmpl[.]py$",
                        "/usr/lib/python3",
                        f"/usr/lib/python{python_version}",
                        f"/usr/local/lib/python{python_version}"])


def _changes(name: str, digest: str) -> list[str]:
    conf = load_definition(name)["image"]
    changes = [f"ENV {k}={v}" for k, v in conf.get("env", {}).items()]
    changes += [f"USER {conf['user']}", f"WORKDIR {conf['workdir']}",
                f"LABEL practicum.definition={name} practicum.hash={digest}"]
    if conf.get("cmd"):
        changes.append("CMD " + "[" + ", ".join(f'"{c}"' for c in conf["cmd"]) + "]")
    return changes


def import_rootfs(client, rootfs: Path, name: str, digest: str) -> None:
    """Step 5: stream `tar` of the rootfs to the engine as a one-layer image."""
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "--numeric-owner", "-cf", "-", "."],
                           stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)

    def chunks():
        while block := tar.stdout.read(1 << 20):
            yield block

    try:
        client.api.import_image_from_stream(chunks(), repository=image_repo(name), tag=digest,
                                            changes=_changes(name, digest))
    finally:
        tar.stdout.close()
        if tar.wait() != 0:
            raise SandboxError(f"tar of {rootfs} failed ({tar.returncode})")
    client.images.get(f"{image_repo(name)}:{digest}").tag(image_repo(name), "latest")


# ---------------------------------------------------------------- build

@contextlib.contextmanager
def _build_lock(cache: Path, name: str):
    with open(cache / f"build-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _check_host() -> None:
    if os.geteuid() != 0:
        raise SandboxError("building a sandbox image needs root (debootstrap, chroot, mount)")
    missing = [t for t in ("debootstrap", "unshare", "chroot", "tar", "gzip") if not shutil.which(t)]
    if missing:
        raise SandboxError(f"missing host tools for the image build: {', '.join(missing)} "
                           "(scripts/setup.sh installs them)")


def build_image(name: str, *, force: bool = False, progress=print, client=None) -> str:
    """Build the image `name` unless its tag already exists; return the tag."""
    tag, digest = image_tag(name), image_hash(name)
    client = client or connect()
    if image_exists(client, tag) and not force:
        progress(f"image {tag} is up to date")
        return tag
    _check_host()
    cache = cache_dir()
    with _build_lock(cache, name):
        if image_exists(client, tag) and not force:  # built by another process meanwhile
            progress(f"image {tag} is up to date")
            return tag
        for stale in cache.glob(f"build-{name}-*"):  # left by a killed build
            _remove_tree(stale)
        _build(client, name, digest, cache, progress)
    progress(f"built {tag}")
    return tag


def _build(client, name: str, digest: str, cache: Path, progress) -> None:
    definition = load_definition(name)
    work = Path(tempfile.mkdtemp(prefix=f"build-{name}-", dir=cache))
    rootfs = work / "rootfs"
    started = time.monotonic()

    def step(n: int, text: str, t0: float) -> None:
        progress(f"[{n}/{STEPS}] {text} {time.monotonic() - t0:.1f}s")

    try:
        t = time.monotonic()
        wheels, cached = download_wheels(name, cache)
        step(1, "wheelhouse" + (" (cached)" if cached else " downloaded"), t)
        t = time.monotonic()
        cached = make_base(name, cache, rootfs)
        suite = definition["debian"]["suite"]
        step(2, f"debootstrap {suite}" + (" (cached base found)" if cached else ""), t)
        if local_packages(name):
            t = time.monotonic()
            build_dir = work / "wheels"
            shutil.copytree(wheels, build_dir)     # the cached wheelhouse stays as downloaded
            wheels = build_dir
            built = build_local_wheels(name, wheels)
            step(2, f"local packages {', '.join(built)} built", t)
        t = time.monotonic()
        install_wheels(rootfs, wheels, definition["python"]["pip"])
        step(3, "pip install (offline, in chroot)", t)
        t = time.monotonic()
        compile_bytecode(rootfs, definition["python"]["python_version"])
        step(4, "compileall", t)
        t = time.monotonic()
        import_rootfs(client, rootfs, name, digest)
        step(5, "docker import", t)
    finally:
        _remove_tree(work)
    progress(f"total {time.monotonic() - started:.1f}s")


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m grader.images")
    parser.add_argument("command", choices=["build", "tag", "prune"])
    parser.add_argument("name", nargs="?", default="default")
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = parser.parse_args(argv)
    try:
        if args.command == "tag":
            print(image_tag(args.name))
        elif args.command == "build":
            build_image(args.name, force=args.force)
        else:
            prune_images(args.name)
    except PracticumError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
