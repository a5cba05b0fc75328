"""`/healthz`: for load balancers, monitoring and the scripts that wait for a board to start.
Open to anyone and cheap: it names no candidate, only whether the database answers and how
many workers and jobs there are."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..storage.db import db, utcnow
from ..storage.models import Job, JobStatus, WorkerNode, WorkerStatus

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz():
    try:
        late = utcnow() - timedelta(seconds=float(current_app.config["WORKER_CRITICAL_S"]))
        workers = db.session.scalar(select(func.count(WorkerNode.id)).where(
            WorkerNode.status == WorkerStatus.UP, WorkerNode.heartbeat_at >= late)) or 0
        queued = db.session.scalar(select(func.count(Job.id)).where(Job.status == JobStatus.QUEUED)) or 0
    except SQLAlchemyError as exc:
        db.session.rollback()
        return jsonify(ok=False, database=type(exc).__name__), 503
    return jsonify(ok=True, database="ok", workers=workers, queued=queued)
