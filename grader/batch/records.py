"""One JSON record per submission of a batch: what resuming reads and the class table is made of.

`<out>/reports/<candidate>.json` holds the candidate, the submission's sha256, the exam
package's sha256, the outcome (`graded`, `rejected`, `unusable`) and, when graded, the
engine's JSON report (`grader.report.to_json`, the `practicum grade --json` contract).
A record is written to a temporary file and moved into place, so an interrupted run
never leaves half a record; a run that is stopped writes no record for what it did not
finish. A re-run skips a submission whose record has the same two hashes and is final:
graded with our infrastructure working, or rejected (the same bytes are refused again).
A `sandbox_error` is never final: the next run grades it again.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..intake import IntakeLimits
from ..store import CHUNK, Store

VERSION = 1
FINAL = ("graded", "rejected", "unusable")


@dataclass(frozen=True)
class Record:
    candidate: str
    source: str                 # the path graded, relative to the batch's folder where it can be
    sha256: str | None          # None: nothing could be read (not a submission)
    exam_sha256: str
    outcome: str                # "graded" | "rejected" | "unusable" | "error"
    status: str                 # a verdict (ok, wrong, time_limit...), "rejected", "unusable", "sandbox_error"
    score: float | None = None
    max_score: float | None = None
    reason: str = ""            # why it was refused, or the worst task's message
    code: str | None = None     # the catalogue code of a refusal
    duration_s: float = 0.0
    tasks: dict[str, float] = field(default_factory=dict)
    report: dict | None = None  # grader.report.to_json of the GradeReport
    gradescope: dict | None = None   # grader.report.to_gradescope of it

    @property
    def final(self) -> bool:
        return self.outcome in FINAL and self.status != "sandbox_error"

    def to_json(self) -> dict:
        return {"version": VERSION, "candidate": self.candidate, "source": self.source, "sha256": self.sha256,
                "exam_sha256": self.exam_sha256, "outcome": self.outcome, "status": self.status,
                "score": self.score, "max_score": self.max_score, "reason": self.reason, "code": self.code,
                "duration_s": self.duration_s, "tasks": self.tasks, "report": self.report,
                "gradescope": self.gradescope}

    @classmethod
    def from_json(cls, data: dict) -> "Record":
        return cls(candidate=str(data["candidate"]), source=str(data["source"]), sha256=data.get("sha256"),
                   exam_sha256=str(data["exam_sha256"]), outcome=str(data["outcome"]),
                   status=str(data["status"]), score=data.get("score"), max_score=data.get("max_score"),
                   reason=str(data.get("reason") or ""), code=data.get("code"),
                   duration_s=float(data.get("duration_s") or 0.0),
                   tasks={str(k): float(v) for k, v in (data.get("tasks") or {}).items()},
                   report=data.get("report"), gradescope=data.get("gradescope"))


def path_of(out: Path, candidate: str) -> Path:
    return out / "reports" / f"{candidate}.json"


def write(out: Path, record: Record) -> Path:
    dest = path_of(out, record.candidate)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(record.to_json(), f, ensure_ascii=False, indent=1)
    os.replace(tmp, dest)
    return dest


def read(out: Path, candidate: str) -> Record | None:
    """The record kept for `candidate`, or None when there is none or it cannot be read."""
    try:
        data = json.loads(path_of(out, candidate).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return None
        return Record.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def done_before(out: Path, candidate: str, sha256: str | None, exam_sha256: str) -> Record | None:
    """The record to keep instead of grading again, or None to grade."""
    kept = read(out, candidate)
    if kept is None or not kept.final or kept.sha256 != sha256 or kept.exam_sha256 != exam_sha256:
        return None
    return kept


def exam_sha256(root: Path) -> str:
    """A hash of the exam package as it is on disk: every file's path and bytes (caches and
    hidden files left out), so editing a test, a limit or the data regrades everything."""
    h = hashlib.sha256()
    root = Path(root)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not _ignored(p.relative_to(root))):
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(_file_hash(path).encode("ascii") + b"\n")
    return h.hexdigest()


def _ignored(rel: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in rel.parts)


def _file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def submission_sha256(path: Path, store: Store, limits: IntakeLimits = IntakeLimits()) -> str:
    """The sha256 the intake will give this submission: a file's bytes, or the deterministic
    zip the store packs a folder into (stored now; the intake finds it there)."""
    path = Path(path)
    if path.is_dir():
        return store.put_folder(path, max_bytes=limits.max_unpacked_bytes, max_files=limits.max_files).sha256
    return _file_hash(path)
