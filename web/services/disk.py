"""The store's disk, as the proctor watches it: how full the file system holding the uploads
is, how much the board's own folders take, and an alert before it runs out.

The file system's figures come from `statvfs` (cheap, every poll); the folders' size is
a walk, kept for `cache_s` so a dashboard asking every few seconds walks rarely.
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_sizes: dict[tuple[str, ...], tuple[float, int]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class DiskUsage:
    total: int           # bytes of the file system holding the store
    used: int
    free: int            # what an unprivileged process may still write
    board: int           # bytes in the board's folders (store, artifacts)

    @property
    def free_percent(self) -> float:
        return 100.0 * self.free / self.total if self.total else 0.0

    @property
    def used_percent(self) -> float:
        return 100.0 - self.free_percent


def folder_bytes(path: Path) -> int:
    total = 0
    stack = [Path(path)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:          # removed while walking, or unreadable: count what is there
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    stack.append(Path(e.path))
                elif e.is_file(follow_symlinks=False):
                    total += e.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


def usage(store: Path, others: tuple[Path, ...] = (), cache_s: float = 60.0) -> DiskUsage:
    fs = shutil.disk_usage(store)
    key = tuple(str(p) for p in (store, *others))
    now = time.monotonic()
    with _lock:
        hit = _sizes.get(key)
    if hit is None or now - hit[0] >= cache_s:
        hit = (now, sum(folder_bytes(p) for p in (store, *others)))
        with _lock:
            _sizes[key] = hit
    return DiskUsage(total=fs.total, used=fs.total - fs.free, free=fs.free, board=hit[1])


def alert(disk: DiskUsage, warn_free_percent: float, critical_free_percent: float) -> tuple[str, str, dict] | None:
    """(level, i18n key, params) once free space falls under the thresholds, else None."""
    if disk.free_percent >= warn_free_percent:
        return None
    level = "bad" if disk.free_percent < critical_free_percent else "warn"
    return level, "alert.disk_low", {"free": human(disk.free), "percent": f"{disk.free_percent:.1f}",
                                     "threshold": f"{warn_free_percent:g}"}


def human(n: int) -> str:
    """Bytes as the proctor reads them: 1.2 GB, 340 MB, 12 KB."""
    for unit, size in (("TB", 1024 ** 4), ("GB", 1024 ** 3), ("MB", 1024 ** 2), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{n} B"
