"""`practicum serve`: the board and its embedded worker pool in one process.

The web threads only take uploads (the engine's intake: store, unzip, check)
and show pages; grading runs in the worker threads, whose candidate code runs
only in the engine's Docker sandboxes.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from werkzeug.serving import make_server

from grader import images, sandbox
from grader.errors import PracticumError

from . import exams
from .app import create_app
from .db import upgrade
from .worker import WorkerPool

log = logging.getLogger("practicum.serve")


def prepare(exam_dirs: Iterable[Path] = (), *, instance_path: Path | None = None,
            database_url: str | None = None, secure_cookies: bool = True, config: dict | None = None):
    """The configured app with its database migrated and `exam_dirs` registered."""
    cfg = dict(config or {})
    if instance_path is not None:
        cfg["INSTANCE_PATH"] = str(instance_path)
    if database_url:
        cfg["SQLALCHEMY_DATABASE_URI"] = database_url
    cfg["SESSION_COOKIE_SECURE"] = secure_cookies
    app = create_app(cfg)
    upgrade(app)
    for d in exam_dirs:                # examiners may load the packages beside them too
        parent = str(Path(d).resolve().parent)
        if parent not in app.config["EXAM_ROOTS"]:
            app.config["EXAM_ROOTS"] = [*app.config["EXAM_ROOTS"], parent]
    with app.app_context():
        for d in exam_dirs:
            row = exams.register_exam(Path(d))
            log.info("exam %s from %s", row.key, row.package_path)
    return app


def check_engine(app) -> None:
    """Fail fast when the engine or an exam's image is missing (SandboxError, exit 4)."""
    client = sandbox.get_client()
    with app.app_context():
        for exam in exams.all_exams():
            images.ensure_image(client, exams.package(exam).image)
    sandbox.sweep_orphans(client)


def serve(host: str = "127.0.0.1", port: int = 8000, exam_dirs: Iterable[Path] = (), *,
          workers: int | None = None, instance_path: Path | None = None, database_url: str | None = None,
          secure_cookies: bool = True, config: dict | None = None, demo: str | None = None) -> None:
    """Run the board until interrupted. `workers`: grading threads (None: the cores;
    0: none, for a separate worker process later). `secure_cookies=False` only for a
    board served over plain HTTP on a closed exam-room network."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    sandbox.install_signal_cleanup()
    app = prepare(exam_dirs, instance_path=instance_path, database_url=database_url,
                  secure_cookies=secure_cookies, config=config)
    pool = None
    if workers != 0:
        check_engine(app)
        pool = WorkerPool(app, workers).start()
    server = make_server(host, port, app, threaded=True)
    print(f"practicum board on http://{host}:{server.port}/ (instance {app.instance_path}, "
          f"{pool.size if pool else 0} grading workers)", file=sys.stderr, flush=True)
    if demo:
        from .demo import banner, seed
        with app.app_context():
            accounts = seed(demo)
        print(banner(f"http://{host}:{server.port}/", accounts), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if pool is not None:
            pool.stop()


__all__ = ["serve", "prepare", "check_engine", "PracticumError"]
