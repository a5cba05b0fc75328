"""A sitting's zip of certificate PDFs, built in the background when it is large.

Rendering costs 100-200 ms of CPU a certificate (bench/certificates.py), so a sitting of
thousands takes minutes: longer than a request should wait and than a proxy keeps one
open. The download page starts a build in a thread of the board's process (the thread
only drives `certpdf.write_zip`'s pool of processes) and answers with its progress; the
page asks again until the zip is ready. A small sitting is still built in the request.

One zip per state of the certificates (a revocation stamps its PDF) and verification
address: the file name carries a hash of both, so a stale zip is never served; when a
newer one is complete the older ones of that sitting are deleted. The builds in progress
are known to this process only: after a restart the next request starts it again
(`write_zip` writes a ``.part`` file and renames it, so a half-written zip is never served).
"""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import certpdf
from .certificates import CertificateView

log = logging.getLogger("practicum.certzip")


@dataclass(frozen=True)
class ZipState:
    status: str            # ready | building | failed
    path: Path
    done: int
    total: int
    error: str = ""


@dataclass
class _Build:
    total: int
    done: int = 0
    error: str = ""
    thread: threading.Thread | None = field(default=None, repr=False)


_lock = threading.Lock()
_builds: dict[Path, _Build] = {}
_writing: dict[Path, threading.Lock] = {}     # one writer of a zip at a time


def path_for(folder: Path, sitting_id: int, views: list[CertificateView], base_url: str) -> Path:
    key = hashlib.sha256(repr([(v.number, v.status) for v in views] + [base_url]).encode()).hexdigest()[:16]
    return Path(folder) / f"sitting-{sitting_id}-{key}.zip"


def state(path: Path) -> ZipState | None:
    """Where the zip at `path` stands; None when it is neither built nor being built here."""
    with _lock:
        b = _builds.get(path)
        if b is not None and (b.error or not path.exists()):
            return ZipState("failed" if b.error else "building", path, b.done, b.total, b.error)
    if path.exists():
        return ZipState("ready", path, 0, 0)
    return None


def build(views: list[CertificateView], base_url: str, path: Path, *, workers: int | None = None) -> ZipState:
    """Build it now, in the caller's thread (a small sitting, or the background thread). Two
    requests at once (a double click) build it once: the second waits and gets the same zip."""
    with _lock:
        writing = _writing.setdefault(path, threading.Lock())
    with writing:
        if path.exists():
            return ZipState("ready", path, len(views), len(views))
        return _write(views, base_url, path, workers)


def _write(views: list[CertificateView], base_url: str, path: Path, workers: int | None) -> ZipState:
    with _lock:
        b = _builds.get(path)
        if b is None or b.error:            # the first try, or again after a failure
            b = _builds[path] = _Build(len(views))

    def progress(done: int) -> None:
        b.done = done

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        certpdf.write_zip(views, base_url, path, workers=workers, progress=progress)
    except Exception as exc:              # kept for the page to show; the log has the traceback
        log.exception("certificate zip %s failed", path.name)
        b.error = f"{type(exc).__name__}: {exc}"[:500]
        return ZipState("failed", path, b.done, b.total, b.error)
    with _lock:
        _builds.pop(path, None)
    _remove_older(path)
    return ZipState("ready", path, len(views), len(views))


def start(views: list[CertificateView], base_url: str, path: Path, *, workers: int | None = None) -> ZipState:
    """Start a background build unless one for `path` runs or the zip is there; its state.
    A failed build is started again (the examiner asked again)."""
    if path.exists():
        return ZipState("ready", path, 0, 0)
    with _lock:
        b = _builds.get(path)
        if b is not None and not b.error:
            return ZipState("building", path, b.done, b.total)
        b = _builds[path] = _Build(len(views))
        b.thread = threading.Thread(target=build, args=(views, base_url, path), kwargs={"workers": workers},
                                    name=f"certzip-{path.stem}", daemon=True)
        b.thread.start()
    return ZipState("building", path, 0, len(views))


def wait(path: Path, timeout: float | None = None) -> ZipState | None:
    """Until the build of `path` in this process ends (tests, the bench)."""
    with _lock:
        b = _builds.get(path)
    if b is not None and b.thread is not None:
        b.thread.join(timeout)
    return state(path)


def _remove_older(path: Path) -> None:
    prefix = path.name.rsplit("-", 1)[0] + "-"
    for old in path.parent.glob(prefix + "*.zip"):
        if old != path:
            old.unlink(missing_ok=True)
