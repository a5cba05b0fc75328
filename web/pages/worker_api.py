"""The worker API: how a `practicum worker --board URL` machine claims, heartbeats, fetches
and finishes its jobs without the database password (client: `web.grading.gateway.BoardGateway`).

JSON over HTTP, each request with `Authorization: Bearer <worker token>`. No session, no
CSRF token (nothing here is a browser form; the bearer token is not sent by browsers on
their own). An unknown or revoked token is a 401, a request outside the token's scope a 403
(`web.services.worker_api`); both are logged and audited with the token's name and address.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict

from flask import Blueprint, abort, current_app, g, jsonify, request

from ..grading.gateway import ARTIFACT_MAX_BYTES
from ..services import worker_api, worker_tokens
from ..services.worker_api import OutOfScope
from ..storage.db import db
from .policy import audit
from .security import csrf

log = logging.getLogger("practicum.worker_api")
bp = Blueprint("worker_api", __name__, url_prefix="/api/worker")
csrf.exempt(bp)
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _refusal(code: int, action: str, reason: str):
    """The 401 or 403 answer, logged and audited (the request's work rolled back first)."""
    db.session.rollback()
    name = g.worker_token.name if g.get("worker_token") else ""
    log.warning("worker API %s %s refused (%s, token %r, %s): %s", request.method, request.path, code, name,
                request.remote_addr, reason)
    audit(action, name or "?", actor_name=f"worker-token:{name}" if name else "worker-token", path=request.path,
          reason=reason[:500])
    response = jsonify({"error": reason if code == 403 else "unknown or revoked worker token"})
    response.status_code = code
    return response


@bp.before_request
def _token():
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = worker_tokens.verify(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        return _refusal(401, "worker_token_refused", "no valid worker token")
    g.worker_token = token
    return None


@bp.errorhandler(OutOfScope)
def _out_of_scope(exc: OutOfScope):
    return _refusal(403, "worker_api_refused", str(exc))


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise OutOfScope("not a JSON object")
    return body


@bp.post("/claim")
def claim():
    body = _body()
    try:
        worker, job_id = str(body["worker"]), int(body["job_id"])
    except (KeyError, TypeError, ValueError):
        raise OutOfScope("a claim needs worker and job_id") from None
    got = worker_api.claim(g.worker_token, worker, job_id)
    return jsonify({"claim": got.to_json() if got else None})


@bp.post("/heartbeat")
def heartbeat():
    claims = _body().get("claims")
    if not isinstance(claims, list):
        raise OutOfScope("a heartbeat needs a list of claims")
    return jsonify({"taken_away": [c.to_json() for c in worker_api.heartbeat(g.worker_token, claims)]})


@bp.post("/work")
def work():
    return jsonify(asdict(worker_api.work(g.worker_token, _body().get("claim") or {})))


@bp.post("/blobs/<sha256>")
def blob(sha256: str):
    if not SHA256.match(sha256):
        abort(404)
    data = worker_api.blob(g.worker_token, _body().get("claim") or {}, sha256)
    if data is None:
        abort(404)
    return current_app.response_class(data, mimetype="application/octet-stream")


@bp.post("/finish")
def finish():
    try:
        report = json.loads(request.form["report"])
    except (KeyError, ValueError):
        raise OutOfScope("a finish needs its report") from None
    names = (report.get("artifacts") or []) if isinstance(report, dict) else None
    if not isinstance(names, list):
        raise OutOfScope("a finish report is a JSON object with a list of artifacts")
    artifacts = {}
    for i, name in enumerate(names):
        part = request.files.get(f"artifact{i}")
        if part is None or not isinstance(name, str):
            raise OutOfScope(f"artifact {i} is missing")
        data = part.read(ARTIFACT_MAX_BYTES + 1)
        if len(data) <= ARTIFACT_MAX_BYTES:     # the caps hold here too, whatever the worker sent
            artifacts[name] = data
    done = worker_api.finish(g.worker_token, report, artifacts, float(current_app.config["RETRY_DELAY_S"]))
    return jsonify({"status": done.status.value if done.status else None, "queue": done.queue,
                    "delay_s": done.delay_s})


@bp.post("/record")
def record():
    body = _body()
    worker_api.record(g.worker_token, body.get("name"), body.get("values"))
    return jsonify({"ok": True})
