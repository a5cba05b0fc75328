"""Starting grading processes: the Celery worker inside the board (`EmbeddedWorker`), a
`practicum worker` process on any machine (`run_worker`), and the board's own housekeeping
when it grades nothing itself. Each builds a `Node`, registers the Celery task on it, and
starts its housekeeping: the one place a worker starts and registers itself.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time

from flask import Flask

from grader import images, pool, sandbox
from grader.errors import SandboxError

from ..storage.db import db
from ..storage.settings import base_app
from . import dispatch
from .gateway import Gateway
from .node import Node

log = logging.getLogger("practicum.worker")


def worker_app(config: dict | None = None, *, database: bool = True) -> Flask:
    """The app a `practicum worker` process runs on: the board's settings and file store
    (`base_app`, the same factory the board starts from) and the Celery queue; no pages.
    `database=False` (a worker on the board's API, `BoardGateway`): no database configured at all."""
    app = base_app(config, database=database)
    dispatch.init_app(app)
    return app


def board_housekeeping(app: Flask) -> Node:
    """The board's own housekeeping when it grades nothing itself (distributed mode): it
    re-queues jobs of dead workers and resends lost messages even when every worker is down.
    Workers heartbeat through the board, so while it was down (restarted) none got through:
    for STALE_AFTER_S after its start it reaps nothing, time for the live ones to beat again."""
    node = Node(app, 0, [], "board")
    node.reap_from = time.monotonic() + float(app.config["STALE_AFTER_S"])
    node.start_housekeeping()
    return node


def available_queues(app: Flask, names: list[str] | None = None, client=None) -> list[str]:
    """The queues of the sandbox images this machine's engine has (or of `names`), so the
    worker takes only jobs it can run."""
    if app.config.get("SANDBOX_IMAGE"):
        return [dispatch.queue_for_image(app.config["SANDBOX_IMAGE"])]
    wanted = names or images.definitions()
    client = client or sandbox.get_client()
    tags = [dispatch.image_ref(app, n) for n in wanted]
    return [dispatch.queue_for_image(t) for t in tags if images.image_exists(client, t)]


def calibration_image(app: Flask, queues: list[str]) -> str | None:
    """The image a node measures its speed in: the board's override, else the default image
    when this machine grades at all."""
    if not queues:
        return None
    return app.config.get("SANDBOX_IMAGE") or dispatch.image_ref(app, "default")


def register_task(node: Node) -> None:
    cel = dispatch.get_celery(node.app)
    cel.set_default()      # the threads pool looks tasks up on the default app, not the consumer's

    @cel.task(name=dispatch.TASK_NAME, shared=False, acks_late=True, reject_on_worker_lost=True)
    def grade(job_id: int):
        status = node.grade_job(int(job_id))
        return status.value if status else None


class EmbeddedWorker:
    """A Celery worker (threads) inside this process, with the node's housekeeping."""

    def __init__(self, app: Flask, size: int | None = None, queues: list[str] | None = None):
        from celery.worker import WorkController
        self.app = app
        self.size = size or pool.default_slots()
        queues = queues if queues is not None else available_queues(app)
        self.node = Node(app, self.size, queues, "embedded")
        register_task(self.node)
        self._controller = WorkController(app=dispatch.get_celery(app), pool_cls="threads",
                                          concurrency=self.size, queues=queues or ["grade.default"],
                                          hostname=f"embedded@{self.node.name}", without_heartbeat=True,
                                          without_mingle=True, without_gossip=True, optimization="fair")
        self._thread: threading.Thread | None = None

    def start(self) -> "EmbeddedWorker":
        pool.configure(self.size)
        self.node.measure_speed(calibration_image(self.app, self.node.queues))
        self._thread = threading.Thread(target=self._controller.start, name="practicum-celery", daemon=True)
        self._thread.start()
        with self.app.app_context():
            jobs_sent = dispatch.republish(self.app, 0)   # memory:// starts empty: the rows are the truth
            db.session.remove()
        if jobs_sent:
            log.info("sent %d queued job(s) again after start", len(jobs_sent))
        self.node.start_housekeeping()
        self.app.extensions["practicum.node"] = self.node
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._controller.stop(in_sighandler=False)
        if self._thread is not None:
            self._thread.join(timeout)
        self.node.stop_housekeeping()
        if self.app.extensions.get("practicum.node") is self.node:
            del self.app.extensions["practicum.node"]


def _stop_self() -> None:
    """The board revoked this worker's token: stop as SIGTERM would (jobs in flight end; the
    board refuses their results and its reaper gives them to another worker)."""
    log.error("the board refused this worker's token (revoked?): stopping")
    os.kill(os.getpid(), signal.SIGTERM)


def run_worker(app: Flask, concurrency: int | None = None, image_names: list[str] | None = None,
               gateway: Gateway | None = None) -> None:
    """`practicum worker`: a Celery worker process until SIGTERM (warm shutdown: jobs in flight
    finish) or SIGKILL (the reaper re-queues them elsewhere). `gateway`: the board's worker API
    (`BoardGateway`); None: the database in the app's settings."""
    size = concurrency or pool.default_slots()
    queues = available_queues(app, image_names)
    if not queues:
        raise SandboxError("no sandbox image on this machine's engine: build one with `practicum image build default`")
    pool.configure(size)
    sandbox.sweep_orphans(sandbox.get_client())
    node = Node(app, size, queues, "celery", gateway=gateway, on_refused=_stop_self)
    node.measure_speed(calibration_image(app, queues))
    register_task(node)
    app.extensions["practicum.node"] = node
    try:
        node.tick()         # its `workers` row before the first message: the board checks claims against it
    except Exception as exc:   # noqa: BLE001 - the board or database not up yet: the housekeeping retries
        log.warning("worker %s could not register yet: %s", node.name, exc)
    node.start_housekeeping()
    cel = dispatch.get_celery(app)
    worker = cel.Worker(pool_cls="threads", concurrency=size, queues=queues, hostname=f"practicum@{node.name}",
                        without_heartbeat=True, without_mingle=True, without_gossip=True, optimization="fair",
                        loglevel="INFO", quiet=True)
    try:
        worker.start()
    finally:
        node.stop_housekeeping()
    code = getattr(worker, "exitcode", 0) or 0
    if code:
        raise SystemExit(code)
