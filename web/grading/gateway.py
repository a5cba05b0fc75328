"""What a grading process asks of the board, and how a worker machine asks it over HTTP.

A worker needs little: claim a job, heartbeat the claims it holds (and learn which were
taken away), read what a job names, fetch that job's upload and package by hash, finish it
(outcome, result, artifacts), and write its own row for the proctor. `Gateway` is that list,
with two implementations:

- `direct.DatabaseGateway`: the same calls straight on the database, for the board's own
  grading threads (`practicum serve` embedded), its housekeeping, and tests.
- `BoardGateway` (here): HTTP to the board's worker API (`web/pages/worker_api.py`) with a
  per-worker bearer token, so a worker machine holds no database URL or password, and the
  board lets each token touch only the jobs it claimed, their two blobs and its own row.

Like the database outage handling before it, a board that does not answer (restarted,
network down) is waited out: calls are retried until `patience` runs out; a token the board
refuses (revoked, unknown: 401; out of scope: 403) raises `Refused` at once.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import requests

from grader.errors import FaultCause
from grader.models import TaskResult, TimeScale, Visibility
from grader.report import test_json

from ..storage import content
from ..storage.models import AttemptOutcome, JobStatus

log = logging.getLogger("practicum.worker")

API = "/api/worker"
TOKEN_ENV = "PRACTICUM_WORKER_TOKEN"


@dataclass(frozen=True)
class Claim:
    """One claimed attempt of a job: what a worker holds while it grades."""
    job_id: int
    attempt_id: int
    attempt: int            # 1-based
    submission_id: int
    worker: str

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "Claim":
        return cls(int(d["job_id"]), int(d["attempt_id"]), int(d["attempt"]), int(d["submission_id"]),
                   str(d["worker"]))


@dataclass(frozen=True)
class Work:
    """What a job needs, read before grading starts."""
    submission_id: int
    task_id: str
    sha256: str
    filename: str
    lang: str
    package_sha256: str | None
    package_path: str

    @classmethod
    def from_json(cls, d: dict) -> "Work":
        return cls(int(d["submission_id"]), str(d["task_id"]), str(d["sha256"]), str(d["filename"]), str(d["lang"]),
                   d.get("package_sha256"), str(d.get("package_path") or ""))


@dataclass(frozen=True)
class Finish:
    """How an attempt ended, as the worker reports it."""
    outcome: AttemptOutcome
    detail: str | None = None
    cause: FaultCause | None = None
    result: dict | None = None       # `result_values` of the graded task (its blobs are the board's)
    artifacts: dict[str, bytes] = field(default_factory=dict)   # path under the task's folder -> bytes


@dataclass(frozen=True)
class Finished:
    """The job's new status (None: the claim was lost, nothing written); a retry's queue and delay."""
    status: JobStatus | None
    queue: str | None = None
    delay_s: float = 0.0


ARTIFACT_MAX_BYTES = 8 * 2 ** 20       # one screenshot or executed notebook, well above real ones
ARTIFACTS_MAX_BYTES = 32 * 2 ** 20      # all of one result


def tests_json(task: TaskResult, descriptions: dict[str, str] | None = None) -> list[dict]:
    out = []
    for t in task.tests:
        item = test_json(t)
        item["description"] = (descriptions or {}).get(t.name, t.name)
        out.append(item)
    return out


def visible_points(tests: list[dict]) -> float:
    """Points from the tests candidates may always see: what a board may show before publication."""
    return round(sum(float(t.get("score") or 0) for t in tests if t.get("visibility") == Visibility.VISIBLE.value), 4)


def result_values(task: TaskResult, *, artifacts_dir: str | None = None, descriptions: dict[str, str] | None = None,
                  artifact_blobs: dict[str, str] | None = None, time_scale: TimeScale | None = None) -> dict:
    """The columns a result row gets from a graded task, as plain JSON values (no `job_id`, no
    `graded_at`: the writer sets those)."""
    tests = tests_json(task, descriptions)
    return dict(task_id=task.id, score=task.score, max_score=task.max_score,
                visible_score=visible_points(tests), status=task.status.value, message=task.message,
                messages=dict(task.messages) or None, tests=tests, artifacts=list(task.artifacts),
                artifacts_dir=artifacts_dir, artifact_blobs=artifact_blobs or None, duration_s=task.duration_s,
                worker_speed=time_scale.worker_speed if time_scale else None,
                time_factor=time_scale.factor if time_scale else None)


class Gateway(Protocol):
    reaps: bool     # True: this process also re-queues dead workers' jobs and resends lost messages

    def claim(self, worker: str, job_id: int) -> Claim | None: ...
    def heartbeat(self, claims: list[Claim]) -> list[Claim]: ...     # those cancelled or taken back
    def work_of(self, claim: Claim) -> Work: ...
    def blob(self, claim: Claim, sha256: str) -> Path: ...           # a local file holding it
    def package(self, claim: Claim, sha256: str) -> Path: ...        # the package unpacked here
    def finish(self, claim: Claim, fin: Finish) -> Finished: ...
    def record(self, name: str, values: dict) -> None: ...           # this process's `workers` row


class Refused(RuntimeError):
    """The board refused the token (`revoked`: unknown or revoked, 401) or the request (403)."""

    def __init__(self, message: str, revoked: bool):
        super().__init__(message)
        self.revoked = revoked


class Unreachable(RuntimeError):
    """The board did not answer within the call's patience."""


RETRY_STATUS = frozenset({502, 503, 504})


class BoardGateway:
    """The worker API of the board at `url`, authenticated by `token`."""

    reaps = False       # the board's own housekeeping reaps and republishes: it has the database

    def __init__(self, url: str, token: str, *, patience_s: float = 120.0, timeout_s: float = 60.0,
                 cache: Path | None = None):
        if not token:
            raise ValueError("a worker token is needed (practicum worker-token create NAME on the board)")
        self.url = url.rstrip("/")
        self.patience_s, self.timeout_s, self.cache = patience_s, timeout_s, cache
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, *, patience_s: float | None = None, **kwargs) -> requests.Response:
        """One API call, retried while the board cannot be reached or answers 502-504."""
        patience = self.patience_s if patience_s is None else patience_s
        deadline, pause = time.monotonic() + patience, 0.2
        while True:
            try:
                r = self.http.request(method, self.url + API + path, timeout=self.timeout_s, **kwargs)
                if r.status_code not in RETRY_STATUS:
                    break
                problem = f"HTTP {r.status_code}"
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = type(exc).__name__
            if time.monotonic() + pause > deadline:
                raise Unreachable(f"the board at {self.url} did not answer {path} for {patience:g} s ({problem})")
            log.warning("board %s: %s, trying again in %.1f s", path, problem, pause)
            time.sleep(pause)
            pause = min(pause * 2, 3.0)
        if r.status_code in (401, 403):
            raise Refused(f"the board refused {path}: {r.status_code} {r.text[:200]}", revoked=r.status_code == 401)
        r.raise_for_status()
        return r

    def claim(self, worker: str, job_id: int) -> Claim | None:
        got = self._call("POST", "/claim", json={"worker": worker, "job_id": job_id}).json()["claim"]
        return Claim.from_json(got) if got else None

    def heartbeat(self, claims: list[Claim]) -> list[Claim]:
        beat = 5.0      # the next beat tries again: no long wait here
        got = self._call("POST", "/heartbeat", json={"claims": [c.to_json() for c in claims]}, patience_s=beat)
        return [Claim.from_json(c) for c in got.json()["taken_away"]]

    def work_of(self, claim: Claim) -> Work:
        return Work.from_json(self._call("POST", "/work", json={"claim": claim.to_json()}).json())

    def _read(self, claim: Claim):
        def read(sha256: str) -> bytes:
            return self._call("POST", f"/blobs/{sha256}", json={"claim": claim.to_json()}).content
        return read

    def blob(self, claim: Claim, sha256: str) -> Path:
        return content.fetch(sha256, self.cache, read=self._read(claim))

    def package(self, claim: Claim, sha256: str) -> Path:
        return content.unpacked_package(sha256, self.cache, read=self._read(claim))

    def finish(self, claim: Claim, fin: Finish) -> Finished:
        names = sorted(fin.artifacts)
        report = {"claim": claim.to_json(), "outcome": fin.outcome.value, "detail": fin.detail,
                  "cause": fin.cause.value if fin.cause else None, "result": fin.result, "artifacts": names}
        files = [(f"artifact{i}", (f"a{i}", fin.artifacts[n], "application/octet-stream"))
                 for i, n in enumerate(names)]
        got = self._call("POST", "/finish", data={"report": json.dumps(report)}, files=files or None).json()
        return Finished(JobStatus(got["status"]) if got["status"] else None, got.get("queue"),
                        float(got.get("delay_s") or 0.0))

    def record(self, name: str, values: dict) -> None:
        self._call("POST", "/record", json={"name": name, "values": values}, patience_s=5.0)


def read_token(path: Path | None = None, environ: dict | None = None) -> str:
    """The worker's token from the file `path` when given, else $PRACTICUM_WORKER_TOKEN (never a
    command-line argument: those are visible to every user of the machine in `ps`)."""
    import os

    if path is not None:
        return Path(path).read_text(encoding="utf-8").strip()
    env = os.environ if environ is None else environ
    return (env.get(TOKEN_ENV) or "").strip()
