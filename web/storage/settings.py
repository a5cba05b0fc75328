"""The board's settings and the minimal app every process starts from: settings, database, file store.

`base_app(config)` is what a grading worker needs and all it gets; the board
(`web.pages.app.create_app`) adds its pages on top of the same app, so both are
built by one factory and read the same settings.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from . import content, db


def default_instance_path() -> Path:
    home = Path(os.environ.get("PRACTICUM_HOME", Path.home() / ".practicum"))
    return home / "board"


def defaults(instance: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'board.sqlite3'}",
        "STORE_DIR": str(instance / "store"),           # every upload, by sha256
        "ARTIFACTS_DIR": str(instance / "artifacts"),   # per submission id
        "WORK_DIR": str(instance / "tmp"),              # uploads being taken in, grading copies
        "PACKAGES_DIR": str(instance / "packages"),     # exam packages uploaded by examiners
        "EXAM_ROOTS": [],                               # folders of exam packages examiners may load
        "PACKAGE_MAX_MB": 512,                          # an uploaded package, packed and unpacked
        "TIMEZONE": "Asia/Shanghai",                    # how exam windows are shown and entered
        "DEFAULT_LANG": "zh",
        "BROKER_URL": "memory://localhost/",            # embedded; redis://HOST:6379/0 for many worker machines
        "BROKER_VISIBILITY_S": 3600.0,                  # Redis gives an unacknowledged message back after this
        "REPUBLISH_AFTER_S": 30.0,                      # a queued job unclaimed this long, its queue empty: resent
        "SANDBOX_IMAGE": None,                          # None: the exam's image, checked by the engine
        "JOB_MAX_ATTEMPTS": 3,                          # sandbox errors are retried up to this
        "RETRY_DELAY_S": 15.0,                          # times the attempt number
        "HEARTBEAT_S": 10.0,
        "STALE_AFTER_S": 60.0,                          # a running job without a heartbeat this long is re-queued
        "SSE_POLL_S": 1.0,
        "SSE_KEEPALIVE_S": 15.0,
        "SSE_MAX_S": 300.0,                             # the browser reconnects by itself
        "LIVE_POLL_S": 3.0,                             # the proctor's dashboard asks this often
        "WAIT_POLL_S": 10.0,                            # a queued receipt asks its queue place this often
        "BOARD_RELOAD_S": 30,                           # the public scoreboard reloads this often
        "WORKER_LATE_S": 30.0,                          # a worker's heartbeat this old: warning
        "WORKER_CRITICAL_S": 120.0,                     # ... this old: critical
        "RUNAWAY_AFTER_S": 600.0,                       # a job running this long is flagged
        "FAULT_WINDOW_S": 600.0,                        # sandbox faults this recent raise an alert
        "DISK_WARN_FREE_PERCENT": 15.0,                 # the store's disk this free or less: the proctor is warned
        "DISK_CRITICAL_FREE_PERCENT": 5.0,              # ... and alarmed
        "DISK_CACHE_S": 60.0,                           # the board's folders are measured this often
        "PUBLIC_URL": None,                             # base of certificates' verification URLs (QR); None: the request's
        "VERIFY_RATE_LIMIT": "30 per minute",           # public certificate look-ups, per address (every one)
        "CERT_ZIP_INLINE_MAX": 40,                      # certificates a zip download renders in the request; more: background
        # growing delays after failures (web/pages/throttle.py): `free` failures, then first_s doubling up
        # to max_s, counted from the last failure; a record is forgotten forget_s after its last failure
        "LOGIN_PER_ADDRESS": {"free": 5, "first_s": 2, "max_s": 900, "forget_s": 3600},
        "LOGIN_PER_ACCOUNT": {"free": 10, "first_s": 2, "max_s": 30, "forget_s": 3600},   # short: never a lock-out
        "VERIFY_PER_ADDRESS": {"free": 10, "first_s": 2, "max_s": 900, "forget_s": 3600},  # look-ups finding nothing
        "MAX_CONTENT_LENGTH": 80 * 1024 * 1024,         # any request body; uploads stop at UPLOAD_MAX_BYTES
        "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,           # one candidate upload: over it nothing is kept
        "UPLOAD_FORM_SLACK_BYTES": 64 * 1024,           # multipart framing and the CSRF token around the file
        "UPLOAD_DRAIN_MAX_BYTES": 256 * 1024 * 1024,    # a refused body read and dropped so the page arrives
        "REFUSED_PER_MINUTE": 5,                        # refused uploads of one candidate in 60 s ...
        "REFUSED_PER_HOUR": 30,                         # ... and in any hour; then uploads wait
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "practicum_session",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    }


def _secret_key(instance: Path) -> str:
    """Kept in the instance folder, made once: restarts and workers share it."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _from_env(app: Flask) -> None:
    env = {"PRACTICUM_DATABASE_URL": "SQLALCHEMY_DATABASE_URI", "PRACTICUM_SECRET_KEY": "SECRET_KEY",
           "PRACTICUM_BROKER_URL": "BROKER_URL",
           "PRACTICUM_TIMEZONE": "TIMEZONE", "PRACTICUM_PUBLIC_URL": "PUBLIC_URL"}
    for var, key in env.items():
        if os.environ.get(var):
            app.config[key] = os.environ[var]
    for key in ("HEARTBEAT_S", "STALE_AFTER_S", "REPUBLISH_AFTER_S", "RETRY_DELAY_S", "JOB_MAX_ATTEMPTS"):
        if os.environ.get(f"PRACTICUM_{key}"):     # operators (and the fault tests) tune these per process
            app.config[key] = float(os.environ[f"PRACTICUM_{key}"])
    for key, kind in (("UPLOAD_MAX_BYTES", int), ("REFUSED_PER_MINUTE", int), ("REFUSED_PER_HOUR", int),
                      ("DISK_WARN_FREE_PERCENT", float), ("DISK_CRITICAL_FREE_PERCENT", float)):
        if os.environ.get(f"PRACTICUM_{key}"):     # the exam centre's upload limits and disk alert
            app.config[key] = kind(os.environ[f"PRACTICUM_{key}"])
    if os.environ.get("PRACTICUM_CERT_ZIP_INLINE_MAX"):      # certificates a zip renders in the request
        app.config["CERT_ZIP_INLINE_MAX"] = int(os.environ["PRACTICUM_CERT_ZIP_INLINE_MAX"])
    if os.environ.get("PRACTICUM_EXAM_ROOTS"):
        app.config["EXAM_ROOTS"] = os.environ["PRACTICUM_EXAM_ROOTS"].split(os.pathsep)


def base_app(test_config: dict | None = None, import_name: str = __name__, *, database: bool = True) -> Flask:
    """A configured app with its database and file store, nothing else (no pages, no queue).
    `database=False`: a worker machine on the board's API, whose configuration holds no
    database URL at all (not even one from the environment)."""
    test_config = dict(test_config or {})
    instance = Path(test_config.pop("INSTANCE_PATH", None) or default_instance_path()).resolve()
    app = Flask(import_name, instance_path=str(instance))
    app.config.from_mapping(defaults(instance))
    _from_env(app)
    app.config.update(test_config)
    if not database:
        app.config.pop("SQLALCHEMY_DATABASE_URI", None)
    instance.mkdir(parents=True, exist_ok=True)
    for key in ("STORE_DIR", "ARTIFACTS_DIR", "WORK_DIR", "PACKAGES_DIR"):
        Path(app.config[key]).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)
    if database:
        db.init_app(app)
    content.init_app(app)
    return app
