"""Where the board keeps files: the engine's content-addressed store, artifacts, scratch space."""
from __future__ import annotations

import re
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePath

from flask import Flask, current_app

from grader.store import Store, base_name

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
MAX_NAME = 120


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


def init_app(app: Flask) -> None:
    app.extensions["practicum.store"] = Store(Path(app.config["STORE_DIR"]))
