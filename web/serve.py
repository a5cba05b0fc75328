"""`practicum serve`: the board, and in embedded mode its Celery worker, in one process.

The web threads only take uploads (the engine's intake: store, unzip, check)
and show pages; grading runs in the Celery worker's threads (embedded) or in
`practicum worker` processes (distributed), whose candidate code runs only in
the engine's Docker sandboxes.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path

from werkzeug.serving import make_server

from grader import images, sandbox
from grader.errors import PracticumError

from .grading import dispatch
from .grading.launch import EmbeddedWorker, board_housekeeping
from .pages.app import create_app
from .services import exams
from .storage.db import upgrade

log = logging.getLogger("practicum.serve")


def prepare(exam_dirs: Iterable[Path] = (), *, instance_path: Path | None = None,
            database_url: str | None = None, secure_cookies: bool = True, config: dict | None = None,
            broker_url: str | None = None):
    """The configured app with its database migrated and `exam_dirs` registered."""
    cfg = dict(config or {})
    if instance_path is not None:
        cfg["INSTANCE_PATH"] = str(instance_path)
    if database_url:
        cfg["SQLALCHEMY_DATABASE_URI"] = database_url
    if broker_url:
        cfg["BROKER_URL"] = broker_url
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
          secure_cookies: bool = True, config: dict | None = None, demo: str | None = None,
          broker_url: str | None = None) -> None:
    """Run the board until interrupted.

    Embedded (no `broker_url`, or memory://): the board grades in its own process with
    `workers` Celery threads (None: the cores). Distributed (a redis:// broker): the board
    grades nothing unless `workers` is given; `practicum worker` processes do. `secure_cookies=False`
    only for a board served over plain HTTP on a closed exam-room network."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    sandbox.install_signal_cleanup()
    app = prepare(exam_dirs, instance_path=instance_path, database_url=database_url,
                  secure_cookies=secure_cookies, config=config, broker_url=broker_url)
    embedded = dispatch.is_embedded(app)
    if not embedded and workers is None:
        workers = 0
    grader_node = housekeeper = None
    if workers != 0:
        check_engine(app)
        grader_node = EmbeddedWorker(app, workers).start()
    else:
        housekeeper = board_housekeeping(app)
    server = make_server(host, port, app, threaded=True)
    mode = "embedded" if embedded else f"distributed, broker {_redact(app.config['BROKER_URL'])}"
    print(f"practicum board on http://{host}:{server.port}/ (instance {app.instance_path}, {mode}, "
          f"{grader_node.size if grader_node else 0} grading threads here)", file=sys.stderr, flush=True)
    if demo:
        from .services.demo import banner, seed
        with app.app_context():
            accounts = seed(demo)
        print(banner(f"http://{host}:{server.port}/", accounts), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if grader_node is not None:
            grader_node.stop()
        if housekeeper is not None:
            housekeeper.stop_housekeeping()


def _redact(url: str) -> str:
    """A broker URL without its password, for logs."""
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


__all__ = ["serve", "prepare", "check_engine", "PracticumError"]
