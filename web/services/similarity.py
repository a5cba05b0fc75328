"""The similarity report of an exam on the board: each task's counted submissions compared
with the engine's `grader.similarity` (winnowed fingerprints of normalised tokens), the
task's starter code as boilerplate, optionally other exams on the board (earlier sittings)
as reference sets. It points examiners at pairs to read; nothing here changes a score.

Which submission counts is the board's rule (`counting`: the exam's last / best / before
the deadline, per task). Who may not be paired is a parameter (`teams`: candidate
number -> team); `teams_of(exam)` gives the teams of the competitions run on the exam.
A submission's code is read once per content hash and task (`cache`), and a whole report is kept until a result, the roster or
a setting changes, so reopening the page or a pair costs a few aggregate queries."""
from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from grader.errors import SubmissionRejected
from grader.manifest import Exam as Package
from grader.similarity import Document, Repeat, Settings, TaskReport, compare, repeats
from grader.similarity.sources import hand_in_code, starter_code

from ..storage import content
from ..storage.content import get_store, scratch
from ..storage.db import db
from ..storage.models import Competition, Exam, Submission, TeamMember, User
from . import counting
from .scores import version

MAX_CODES = 20_000          # cached code texts (one per content hash and task)
MAX_REPORTS = 32
_lock = threading.Lock()


@dataclass(frozen=True)
class Unreadable:
    submission_id: int
    number: str
    code: str                 # a grader.messages key, or "missing_blob"


@dataclass(frozen=True)
class ExamSimilarity:
    exam_id: int
    tasks: tuple[TaskReport, ...]
    repeats: tuple[Repeat, ...]
    references: tuple[str, ...]             # exam keys compared against
    unreadable: tuple[Unreadable, ...] = ()

    def task(self, task_id: str) -> TaskReport | None:
        return next((r for r in self.tasks if r.task == task_id), None)


def new_cache() -> dict:
    return {"codes": {}, "reports": {}}


def counted(exam: Exam, task_id: str) -> list[tuple[Submission, str, str]]:
    """(submission, candidate number, name) of each candidate's counted submission of a task."""
    ids = {g.submission_id for (_, task), g in counting.counted(exam).items() if task == task_id}
    rows = db.session.execute(                 # filtered here, not as an IN list of every id (SQLite's limit)
        select(Submission, User.username, User.name).join(User, User.id == Submission.candidate_id)
        .where(Submission.exam_id == exam.id, Submission.task_id == task_id).order_by(User.username))
    return [tuple(r) for r in rows if r[0].id in ids]


def teams_of(exam: Exam) -> dict[str, str]:
    """{candidate number: team} for the members of the teams of competitions held on this exam."""
    rows = db.session.execute(
        select(User.username, TeamMember.team_id).join(TeamMember, TeamMember.user_id == User.id)
        .join(Competition, Competition.id == TeamMember.competition_id).where(Competition.exam_id == exam.id))
    return {number: f"team-{team}" for number, team in rows}


def documents(exam: Exam, package: Package, task_id: str, *, reference: bool = False,
              cache: dict | None = None) -> tuple[list[Document], list[Unreadable]]:
    """The task's counted submissions as documents (keys: submission ids; a reference exam's
    prefixed with its key, owners too, so they never meet this sitting's candidates)."""
    codes = (cache if cache is not None else new_cache())["codes"]
    docs, unreadable = [], []
    for sub, number, name in counted(exam, task_id):
        key = (sub.sha256, task_id, exam.package_sha256 or exam.package_path)
        with _lock:
            text = codes.get(key)
        if text is None:
            try:
                text = _code(sub, package, task_id)
            except SubmissionRejected as exc:
                unreadable.append(Unreadable(sub.id, number, exc.code))
                continue
            except content.BlobMissing:
                unreadable.append(Unreadable(sub.id, number, "missing_blob"))
                continue
            with _lock:
                if len(codes) >= MAX_CODES:
                    codes.clear()
                codes[key] = text
        prefix = f"{exam.key}/" if reference else ""
        label = f"{prefix}{number} {name}".strip()
        docs.append(Document(f"{prefix}{sub.id}", f"{prefix}{number}", label, text, reference))
    return docs, unreadable


def _code(sub: Submission, package: Package, task_id: str) -> str:
    local = get_store().path_of(sub.sha256)
    if local.is_file():
        return hand_in_code(local, package, name=sub.filename, sha256=sub.sha256, task=task_id).get(task_id, "")
    data = content.read(sub.sha256)
    if data is None:
        raise content.BlobMissing(sub.sha256)
    with scratch("similarity-") as tmp:
        path = Path(tmp) / "upload"
        path.write_bytes(data)
        return hand_in_code(path, package, name=sub.filename, sha256=sub.sha256, task=task_id).get(task_id, "")


def report(exam: Exam, package: Package, *, settings: Settings = Settings(), teams: Mapping[str, str] | None = None,
           references: Sequence[tuple[Exam, Package]] = (), cache: dict | None = None) -> ExamSimilarity:
    """Every task of the exam compared; kept in `cache` until anything it read changes."""
    cache = cache if cache is not None else new_cache()
    teams = dict(teams or {})
    key = (exam.id, exam.package_sha256, settings, tuple(sorted(teams.items())),
           tuple(sorted(r.id for r, _ in references)))
    now = tuple((version(e.id), counting.signature(e)) for e in [exam, *(r for r, _ in references)])
    with _lock:
        hit = cache["reports"].get(key)
    if hit is not None and hit[0] == now:
        return hit[1]
    tasks, unreadable = [], []
    for task in package.tasks:
        docs, bad = documents(exam, package, task.id, cache=cache)
        unreadable += bad
        for ref_exam, ref_package in references:
            if any(t.id == task.id for t in ref_package.tasks):
                ref_docs, _ = documents(ref_exam, ref_package, task.id, reference=True, cache=cache)
                docs += ref_docs
        tasks.append(compare(task.id, docs, boilerplate=[starter_code(task)], settings=settings, teams=teams))
    result = ExamSimilarity(exam.id, tuple(tasks), repeats(tasks), tuple(r.key for r, _ in references),
                            tuple(unreadable))
    with _lock:
        if len(cache["reports"]) >= MAX_REPORTS:
            cache["reports"].clear()
        cache["reports"][key] = (now, result)
    return result
