"""Where the board keeps bytes: the engine's content-addressed store on this machine's disk,
scratch folders and artifacts, and blobs (uploads, packed exam packages, artifacts) in the
database by sha256.

A worker on another machine fetches what a job names by sha256 (from the board's
worker API, `web.grading.gateway`), checks the hash, and keeps a local copy so each
blob crosses the network once per worker. Packages are packed into a
deterministic zip, so the same package folder always has the same hash.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePath

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from grader.store import Store, base_name

from .db import db
from .models import Blob

FIXED_TIME = (2026, 1, 1, 0, 0, 0)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
MAX_NAME = 120


# ------------------------------------------------------------------ files on this machine

def get_store() -> Store:
    return current_app.extensions["practicum.store"]


def artifacts_root(submission_id: int) -> Path:
    return Path(current_app.config["ARTIFACTS_DIR"]) / str(submission_id)


@contextmanager
def scratch(prefix: str):
    """A private temporary folder under WORK_DIR (same file system as the store)."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=current_app.config["WORK_DIR"]) as d:
        yield Path(d)


def safe_filename(client_name: str | None, fallback: str = "upload") -> str:
    """The client's file name made harmless, keeping its suffix and any Chinese."""
    name = _UNSAFE.sub("_", base_name(client_name)).strip().lstrip(".").strip() if client_name else ""
    if not name:
        return fallback
    if len(name) > MAX_NAME:
        suffix = PurePath(name).suffix[:16]
        name = name[: MAX_NAME - len(suffix)] + suffix
    return name


def sha256_of(path: Path) -> str:
    """The hex sha256 of the file at `path`, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------ blobs in the database


class BlobMissing(RuntimeError):
    pass


def put(data: bytes, sha256: str | None = None) -> str:
    """Keep `data` (idempotent: a blob already there is left alone); the caller commits."""
    digest = hashlib.sha256(data).hexdigest()
    if sha256 is not None and sha256 != digest:
        raise ValueError(f"blob hash mismatch: {sha256} != {digest}")
    if not exists(digest):
        try:
            with db.session.begin_nested():   # two uploads of the same bytes at once: one row
                db.session.add(Blob(sha256=digest, size=len(data), data=data))
        except IntegrityError:
            pass
    return digest


def put_file(path: Path, sha256: str | None = None) -> str:
    return put(Path(path).read_bytes(), sha256)


def read(sha256: str) -> bytes | None:
    """The bytes of blob `sha256`, or None when there is none."""
    return _read_row(sha256)


def _read_row(sha256: str) -> bytes | None:
    return db.session.scalar(select(Blob.data).where(Blob.sha256 == sha256))


def exists(sha256: str) -> bool:
    return db.session.scalar(select(Blob.sha256).where(Blob.sha256 == sha256)) is not None


def _package_files(root: Path):
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts \
                and not path.name.startswith(".") and path.suffix != ".pyc":
            yield path


def pack_package(root: Path) -> bytes:
    """The package folder as a zip whose bytes depend only on its files' names and contents."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in _package_files(root):
            info = zipfile.ZipInfo(path.relative_to(root).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            zf.writestr(info, path.read_bytes())
    return buf.getvalue()


def cache_root() -> Path:
    return Path(os.environ.get("PRACTICUM_CACHE", "/var/cache/practicum")) / "blobs"


def fetch(sha256: str, cache: Path | None = None, read=None) -> Path:
    """A local file holding blob `sha256`: from this worker's cache, else from `read(sha256)`
    (bytes or None; default: the database, else the board's worker API)."""
    cache = cache or cache_root()
    path = cache / sha256[:2] / sha256
    if path.is_file():
        return path
    data = (read or _read_row)(sha256)
    if data is None:
        raise BlobMissing(f"no blob {sha256} on the board")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BlobMissing(f"blob {sha256} is damaged (its content has another hash)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)          # other threads see the whole file or none
    return path


def unpacked_package(sha256: str, cache: Path | None = None, read=None) -> Path:
    """The package packed as blob `sha256`, unpacked once per worker under its hash."""
    cache = cache or cache_root()
    target = cache / "packages" / sha256
    if (target / "exam.toml").is_file():
        return target
    archive = fetch(sha256, cache, read)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
    try:
        with zipfile.ZipFile(archive) as zf:      # our own archive, packed by pack_package
            for info in zf.infolist():
                dest = (tmp / info.filename).resolve()
                if not dest.is_relative_to(tmp.resolve()):
                    raise BlobMissing(f"package {sha256} has an entry outside its folder")
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(info))
                os.chmod(dest, (info.external_attr >> 16) & 0o777 or 0o644)
        try:
            os.rename(tmp, target)
        except OSError:             # another thread unpacked it first
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def init_app(app: Flask) -> None:
    app.extensions["practicum.store"] = Store(Path(app.config["STORE_DIR"]))
