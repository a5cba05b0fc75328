"""Grade every submission of a folder: `jobs` at a time, resumable, stoppable with Ctrl-C.

The steps: find the submissions (`discover`), hash each one and keep the records of those
graded before with the same bytes and the same exam package (`records.done_before`,
unless `force`), measure this machine's speed once, then grade the rest on a thread pool
of `jobs` submissions through the one engine path (`grader.grading.grade_path`) — the
pool's slots (`grader.pool`) still cap the sandboxes at `jobs`. Each finished submission
gets its record at once, so whatever happens later, what was graded stays graded.

A bad submission is a row, never the end of the batch: a refusal (`SubmissionRejected`)
is recorded with its reason, our own faults as `sandbox_error` (graded again next time),
and anything unexpected as an error row with its type.

Ctrl-C (or SIGTERM): no new submission starts, every sandbox this process runs is killed
(and removed by its run's own `finally`), the threads are waited for, and the runs cut
short are thrown away, not recorded, so a re-run grades them again. A second Ctrl-C
during that cleanup is ignored; it takes a second or two.
"""
from __future__ import annotations

import dataclasses
import shutil
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TextIO

from .. import grading, pool, sandbox, speed
from ..errors import PracticumError, SandboxError, SubmissionRejected
from ..manifest import Exam
from ..models import GradeReport
from ..report import to_gradescope, to_json
from ..store import Store
from . import discover, exports, records
from .progress import Progress
from .records import Record


@dataclasses.dataclass(frozen=True)
class Options:
    jobs: int
    force: bool = False
    lang: str = "en"
    task: str | None = None
    assignment: str | None = None
    worker: speed.WorkerSpeed | None = None


@dataclasses.dataclass(frozen=True)
class Outcome:
    out: Path
    records: tuple[Record, ...]
    task_ids: tuple[str, ...]
    graded: int            # graded (or refused) in this run
    kept: int              # skipped: graded before with the same bytes and package
    left: int              # not finished because the run was stopped
    interrupted: bool
    files: dict = dataclasses.field(default_factory=dict)   # export name -> path
    layout: str = "plain"

    @property
    def infra_ok(self) -> bool:
        return all(r.status != "sandbox_error" for r in self.records)


def grade_folder(exam: Exam, source: Path, out: Path, options: Options, *, store: Store,
                 stream: TextIO | None = None, say=None) -> Outcome:
    say = say or (lambda text: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    exam_sha = records.exam_sha256(exam.root)
    found = discover.find(Path(source), out / "work", assignment=options.assignment)
    base = Path(source) if Path(source).is_dir() else out / "work"
    task_ids = tuple([options.task] if options.task else [t.id for t in exam.tasks])

    rows: dict[str, Record] = {}
    todo: list[tuple[discover.Submission, str]] = []
    for bad in found.unusable:
        rows[bad.candidate] = Record(candidate=bad.candidate, source=_rel(bad.path, base), sha256=None,
                                     exam_sha256=exam_sha, outcome="unusable", status="unusable", reason=bad.reason)
    kept = 0
    for sub in found.submissions:
        try:
            sha = records.submission_sha256(sub.path, store)
        except OSError as exc:
            rows[sub.candidate] = Record(candidate=sub.candidate, source=_rel(sub.path, base), sha256=None,
                                         exam_sha256=exam_sha, outcome="unusable", status="unusable",
                                         reason=f"cannot be read ({exc.strerror or type(exc).__name__})")
            continue
        before = None if options.force else records.done_before(out, sub.candidate, sha, exam_sha)
        if before is not None:
            rows[sub.candidate] = before
            kept += 1
        else:
            todo.append((sub, sha))
    say(f"{len(found.submissions)} submission(s) found ({found.layout} layout) in {source}; "
        f"{kept} graded before, {len(todo)} to grade")

    graded, interrupted = 0, False
    if todo:
        image = grading.resolve_image(exam)
        exam = grading.prepare_exam(exam, image, progress=say)
        pool.configure(options.jobs)
        scale = grading.time_scale_for(exam, image, options.worker, progress=say)
        progress = Progress(len(found.submissions), skipped=kept, stream=stream, jobs=options.jobs)
        progress.start()
        run = _Run(exam, out, options, store=store, image=image, scale=scale, exam_sha=exam_sha, base=base)
        try:
            for record in run.all(todo):
                records.write(out, record)
                rows[record.candidate] = record
                graded += 1
                progress.finished(f"{record.candidate}: {_brief(record)}")
        except (KeyboardInterrupt, SystemExit):
            interrupted = True
            for record in run.stop():
                records.write(out, record)
                rows[record.candidate] = record
                graded += 1
        finally:
            progress.close()

    order = [s.candidate for s in found.submissions] + [u.candidate for u in found.unusable]
    table = [rows[c] for c in sorted(order, key=str.casefold) if c in rows]
    files = exports.write_all(out, table, list(task_ids), exam.id)
    left = len(todo) - graded
    return Outcome(out=out, records=tuple(table), task_ids=task_ids, graded=graded, kept=kept, left=left,
                   interrupted=interrupted, files=files, layout=found.layout)


def _brief(r: Record) -> str:
    if r.score is not None:
        return f"{r.score:g}/{r.max_score:g} {r.status}"
    return r.status


def _rel(path: Path, base: Path) -> str:
    try:
        return Path(path).relative_to(base).as_posix()
    except ValueError:
        return Path(path).name


class _Run:
    """The thread pool of one batch run, and how it stops."""

    def __init__(self, exam: Exam, out: Path, options: Options, *, store: Store, image: str,
                 scale, exam_sha: str, base: Path) -> None:
        self.exam, self.out, self.options, self.store = exam, out, options, store
        self.image, self.scale, self.exam_sha, self.base = image, scale, exam_sha, base
        self.stopping = threading.Event()
        self.executor = ThreadPoolExecutor(options.jobs, thread_name_prefix="batch")
        self.futures: list[Future] = []
        self.taken: set[Future] = set()     # futures whose record the caller has

    def all(self, todo):
        """Yield each submission's record as it finishes."""
        self.futures = [self.executor.submit(self._one, sub, sha) for sub, sha in todo]
        pending = set(self.futures)
        while pending:
            # a timeout, so Ctrl-C reaches this thread promptly whatever the platform
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                self.taken.add(fut)
                if fut.result() is not None:
                    yield fut.result()
        self.executor.shutdown(wait=True)

    def stop(self) -> list[Record]:
        """Stop now: kill our sandboxes until every thread has returned; the records of runs
        that finished before the stop (not yet written) are returned, the rest thrown away."""
        self.stopping.set()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
        try:
            self.executor.shutdown(wait=False, cancel_futures=True)
            while any(not f.done() for f in self.futures):
                sandbox.kill_mine()
                wait(self.futures, timeout=0.3)
            self.executor.shutdown(wait=True)
            return [f.result() for f in self.futures if f not in self.taken
                    and not f.cancelled() and f.exception() is None and f.result() is not None]
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def _one(self, sub: discover.Submission, sha: str) -> Record | None:
        if self.stopping.is_set():
            return None
        t0 = time.monotonic()
        artifacts = self.out / "artifacts"
        shutil.rmtree(artifacts / sub.candidate, ignore_errors=True)   # a run cut short, or --force
        common = dict(candidate=sub.candidate, source=_rel(sub.path, self.base), sha256=sha,
                      exam_sha256=self.exam_sha)
        try:
            rep = grading.grade_path(self.exam, sub.path, store=self.store, task=self.options.task,
                                     lang=self.options.lang, artifacts_root=artifacts, image=self.image,
                                     parallel_tasks=1, scale=self.scale, submission_id=sub.candidate,
                                     job=f"batch:{sub.candidate}"[:60])
            record = _graded(rep, common)
        except SubmissionRejected as exc:
            record = Record(**common, outcome="rejected", status="rejected", code=exc.code,
                            reason=exc.show(self.options.lang), duration_s=time.monotonic() - t0)
        except SandboxError as exc:
            record = Record(**common, outcome="error", status="sandbox_error", reason=exc.show(self.options.lang),
                            duration_s=time.monotonic() - t0)
        except PracticumError as exc:
            record = Record(**common, outcome="error", status="error", reason=exc.show(self.options.lang),
                            duration_s=time.monotonic() - t0)
        except Exception as exc:   # noqa: BLE001 - one submission's surprise must not end the batch
            record = Record(**common, outcome="error", status="error",
                            reason=f"unexpected {type(exc).__name__}: {str(exc)[:200]}",
                            duration_s=time.monotonic() - t0)
        return None if self.stopping.is_set() else record


def _graded(rep: GradeReport, common: dict) -> Record:
    status = "sandbox_error" if not rep.infra_ok else rep.status.value
    worst = next((t for t in rep.tasks if t.status.value not in ("ok",)), None)
    reason = f"{worst.id}: {worst.message}" if worst is not None and len(rep.tasks) > 1 else (
        worst.message if worst is not None else "")
    return Record(**common, outcome="graded", status=status, score=rep.score, max_score=rep.max_score,
                  reason=reason, duration_s=rep.duration_s, tasks={t.id: t.score for t in rep.tasks},
                  report=to_json(rep), gradescope=to_gradescope(rep))


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()

