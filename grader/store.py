"""Immutable, content-addressed storage of everything candidates hand in.

Layout under the store root::

    blobs/<sha[:2]>/<sha>         the bytes, mode 0o444
    blobs/<sha[:2]>/<sha>.json    sidecar: original filename, size, first-seen time,
                                  `truncated` (and `original_size` when it is)
    log.jsonl                     one line per intake decision (accepted / rejected)
    tmp/                          staging for atomic writes (same file system)

Blobs are written to `tmp/`, hashed while they are copied (1 MiB chunks), made
read-only and moved into place with `os.replace`, so a reader never sees a
half-written blob. Storing bytes that are already there is a no-op: the first
sidecar (first filename, first-seen time) is kept.

Size policy ("loses nothing"): an upload over `max_bytes` is refused with
`SubmissionRejected("too_large")`, but it is stored first. It is kept whole if
it is at most `KEEP_FACTOR` (10) times the limit; beyond that only its first
`max_bytes` bytes are kept and the sidecar says `"truncated": true` with the
size seen. The raised exception carries the kept blob as `exc.blob`; recording
the rejection in the log is the caller's job (see `grader.intake`).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from .errors import SubmissionRejected

CHUNK = 1024 * 1024
MIB = 1024 * 1024
KEEP_FACTOR = 10
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
STATUSES = ("accepted", "rejected")


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    path: Path
    filename: str
    size: int
    truncated: bool = False     # only the first `max_bytes` bytes of a huge upload


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def base_name(filename: str) -> str:
    """The last component of a client-supplied name (`C:\\fakepath\\a.py` -> `a.py`)."""
    return re.split(r"[\\/]", str(filename))[-1] or "upload"


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.blobs = self.root / "blobs"
        self.tmp = self.root / "tmp"
        self.log = self.root / "log.jsonl"
        for d in (self.root, self.blobs, self.tmp):
            d.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ paths

    def path_of(self, sha256: str) -> Path:
        if not _SHA_RE.match(sha256 or ""):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.blobs / sha256[:2] / sha256

    def __contains__(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def meta(self, sha256: str) -> dict:
        """The sidecar of a stored blob."""
        return json.loads(self.path_of(sha256).with_suffix(".json").read_text(encoding="utf-8"))

    # ----------------------------------------------------------------- writes

    def put_bytes(self, data: bytes, filename: str, *, max_bytes: int | None = None) -> StoredBlob:
        return self._put_stream(io.BytesIO(data), base_name(filename), max_bytes, len(data))

    def put_file(self, path: Path, filename: str | None = None, *,
                 max_bytes: int | None = None) -> StoredBlob:
        path = Path(path)
        with open(path, "rb") as fh:
            size_hint = os.fstat(fh.fileno()).st_size
            return self._put_stream(fh, base_name(filename or path.name), max_bytes, size_hint)

    def put_folder(self, path: Path, *, max_bytes: int | None = None,
                   max_files: int | None = None) -> StoredBlob:
        """Pack a folder into a deterministic zip and store the zip.

        Entries are sorted, timestamps fixed at 1980-01-01, files 0o644, folders
        0o755. Links are never followed: a symlink is stored as a link entry
        (so the intake can refuse it). Sockets, FIFOs and devices are skipped.
        Past `KEEP_FACTOR` x `max_bytes` bytes or x `max_files` entries packing
        stops and the blob is flagged `truncated`; this method never refuses —
        validating the packed zip is the intake's job.
        """
        path = Path(path)
        byte_cap = None if max_bytes is None else max_bytes * KEEP_FACTOR
        file_cap = None if max_files is None else max_files * KEEP_FACTOR
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="pack-", suffix=".zip")
        tmp = Path(tmp_name)
        state = {"bytes": 0, "files": 0, "truncated": False}
        try:
            with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED,
                                                             compresslevel=6) as zf:
                self._pack_dir(zf, path, "", state, byte_cap, file_cap)
            digest, size = _hash_file(tmp)
            return self._commit(tmp, digest, base_name(path.name), size,
                                truncated=state["truncated"], original_size=None)
        finally:
            tmp.unlink(missing_ok=True)

    def _pack_dir(self, zf: zipfile.ZipFile, folder: Path, prefix: str, state: dict,
                  byte_cap: int | None, file_cap: int | None) -> None:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            if state["truncated"]:
                return
            name = prefix + _zip_safe(entry.name)
            st = entry.stat(follow_symlinks=False)
            if file_cap is not None and state["files"] >= file_cap:
                state["truncated"] = True
                return
            if stat.S_ISLNK(st.st_mode):
                info = _zinfo(name, stat.S_IFLNK | 0o777)
                zf.writestr(info, os.fsencode(os.readlink(entry.path)))
                state["files"] += 1
            elif stat.S_ISDIR(st.st_mode):
                zf.writestr(_zinfo(name + "/", stat.S_IFDIR | 0o755), b"")
                state["files"] += 1
                self._pack_dir(zf, Path(entry.path), name + "/", state, byte_cap, file_cap)
            elif stat.S_ISREG(st.st_mode):
                if byte_cap is not None and state["bytes"] + st.st_size > byte_cap:
                    state["truncated"] = True
                    return
                info = _zinfo(name, stat.S_IFREG | 0o644)
                info.file_size = st.st_size
                fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
                with os.fdopen(fd, "rb") as src, zf.open(info, "w", force_zip64=st.st_size > 2**31) as dst:
                    while chunk := src.read(CHUNK):
                        dst.write(chunk)
                state["bytes"] += st.st_size
                state["files"] += 1
            # anything else (FIFO, socket, device) is not a file a candidate wrote

    def _put_stream(self, src: BinaryIO, filename: str, max_bytes: int | None,
                    size_hint: int | None) -> StoredBlob:
        keep_cap = None if max_bytes is None else max_bytes * KEEP_FACTOR
        h = hashlib.sha256()
        prefix_h = None          # hash of exactly the first max_bytes bytes
        total = 0
        truncated = False
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="put-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := src.read(CHUNK):
                    if max_bytes is not None and prefix_h is None and total + len(chunk) > max_bytes:
                        prefix_h = h.copy()
                        prefix_h.update(chunk[: max_bytes - total])
                    if keep_cap is not None and total + len(chunk) > keep_cap:
                        if total < max_bytes:            # the kept prefix ends in this chunk
                            out.write(chunk[: max_bytes - total])
                        total += len(chunk)
                        truncated = True
                        break
                    h.update(chunk)
                    out.write(chunk)
                    total += len(chunk)
                if truncated:
                    out.flush()
                    out.truncate(max_bytes)
            if truncated:
                seen = max(total, size_hint or 0)
                blob = self._commit(tmp, prefix_h.hexdigest(), filename, max_bytes,
                                    truncated=True, original_size=seen)
            else:
                seen = total
                blob = self._commit(tmp, h.hexdigest(), filename, total,
                                    truncated=False, original_size=None)
        finally:
            tmp.unlink(missing_ok=True)
        if max_bytes is not None and seen > max_bytes:
            exc = SubmissionRejected("too_large", name=filename, size_mb=seen / MIB,
                                     limit_mb=max_bytes / MIB)
            exc.blob = blob
            raise exc
        return blob

    def _commit(self, tmp: Path, digest: str, filename: str, size: int, *,
                truncated: bool, original_size: int | None) -> StoredBlob:
        final = self.path_of(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        sidecar = final.with_suffix(".json")
        if not final.exists():
            os.chmod(tmp, 0o444)
            os.replace(tmp, final)
        if not sidecar.exists():
            meta = {"sha256": digest, "filename": filename, "size": size,
                    "first_seen": _now(), "truncated": truncated}
            if truncated:
                meta["original_size"] = original_size
            self._write_atomic(sidecar, json.dumps(meta, ensure_ascii=False, indent=1).encode())
        else:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        return StoredBlob(sha256=digest, path=final, filename=filename, size=size,
                          truncated=bool(meta.get("truncated", truncated)))

    def _write_atomic(self, target: Path, data: bytes) -> None:
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="meta-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, target)
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    # -------------------------------------------------------------------- log

    def record(self, sha256: str, status: str, reason: str | None, *,
               filename: str | None = None) -> None:
        """Append one intake decision to `log.jsonl` (one `write` per line)."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
        if filename is None:
            try:
                filename = self.meta(sha256).get("filename")
            except (OSError, ValueError):
                filename = None
        line = json.dumps({"time": _now(), "sha256": sha256, "filename": filename,
                           "status": status, "reason": reason}, ensure_ascii=False) + "\n"
        fd = os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def entries(self) -> list[dict]:
        """Every line of the log, oldest first."""
        if not self.log.exists():
            return []
        return [json.loads(l) for l in self.log.read_text(encoding="utf-8").splitlines() if l.strip()]


def _zinfo(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.create_system = 3          # Unix, so the mode bits below mean what they say
    info.external_attr = (mode & 0xFFFF) << 16
    if stat.S_ISDIR(mode):
        info.external_attr |= 0x10  # MS-DOS directory flag
    info.compress_type = zipfile.ZIP_STORED if stat.S_ISDIR(mode) else zipfile.ZIP_DEFLATED
    return info


def _zip_safe(name: str) -> str:
    """A file name the zip can hold: undecodable bytes become U+FFFD."""
    return os.fsencode(name).decode("utf-8", errors="replace")


def _hash_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size
