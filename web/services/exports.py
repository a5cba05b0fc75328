"""Exports: the results table as CSV, and Gradescope-style results.json per submission.

The CSV has one row per candidate of the exam: candidate number, name, seat,
each task's counted points, the practical total, theory, and the weighted total
(UTF-8 with a BOM, so Excel on Chinese Windows reads it). The Gradescope JSON of
a submission is `grader.report.to_gradescope` of its current result.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator

from sqlalchemy import select

from grader.models import (GradeReport, Phase, SubmissionRef, TaskResult, TestResult, TestStatus, Verdict,
                           Visibility)
from grader.report import to_gradescope

from ..storage.db import db
from ..storage.models import Exam, Result, Submission, User
from .counting import counted_ids
from .scores import board


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def results_csv(exam: Exam, task_ids: list[str], practical_max: float, headers: list[str]) -> str:
    """`headers`: the fixed columns' names in the reader's language (number, name, seat, practical,
    theory, total); task columns are the task ids."""
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(headers[:3] + task_ids + headers[3:])
    for r in sorted(board(exam, practical_max), key=lambda r: r.number):
        w.writerow([r.number, r.name, r.seat or ""] + [_num(r.tasks.get(t)) for t in task_ids]
                   + [_num(r.practical), _num(r.theory), _num(r.total)])
    return out.getvalue()


def report_of(exam_key: str, sub: Submission, r: Result) -> GradeReport:
    """The engine's report of one graded submission, rebuilt from its stored result."""
    tests = tuple(TestResult(name=t.get("name", ""), score=float(t.get("score") or 0),
                             max_score=float(t.get("max_score") or 0), status=TestStatus(t.get("status", "failed")),
                             message=t.get("message", ""), visibility=Visibility(t.get("visibility", "hidden")),
                             phase=Phase(t.get("phase", "trusted")), duration_s=float(t.get("duration_s") or 0),
                             messages=tuple(sorted((t.get("messages") or {}).items())))
                  for t in r.tests or [])
    task = TaskResult(id=r.task_id, score=r.score, max_score=r.max_score, status=Verdict(r.status),
                      message=r.message, tests=tests, duration_s=r.duration_s, artifacts=tuple(r.artifacts or ()))
    return GradeReport(exam=exam_key, submission=SubmissionRef(sub.sha256, sub.filename, "file"),
                       score=r.score, max_score=r.max_score, duration_s=r.duration_s, tasks=(task,))


def gradescope_items(exam: Exam) -> Iterator[dict]:
    """Every submission of the exam with a current result, oldest first, with who and whether it counts."""
    counted = counted_ids(exam)
    q = (select(Submission, Result, User.username).join(Result, Result.submission_id == Submission.id)
         .join(User, User.id == Submission.candidate_id).where(Submission.exam_id == exam.id)
         .order_by(Submission.id).execution_options(yield_per=500))
    for sub, r, number in db.session.execute(q):
        yield {"submission": sub.id, "candidate": number, "task": sub.task_id, "counted": sub.id in counted,
               # which worker speed graded it and how its time limits were scaled (grader/speed.py)
               "worker_speed": r.worker_speed, "time_factor": r.time_factor,
               "results": to_gradescope(report_of(exam.key, sub, r))}


def gradescope_list(exam: Exam) -> str:
    return json.dumps(list(gradescope_items(exam)), ensure_ascii=False, indent=1)


def gradescope_zip(exam: Exam):
    """A zip (spooled to disk when large) of `<candidate>/<submission>-<task>.json`, one results.json each."""
    buf = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for item in gradescope_items(exam):
            zf.writestr(f"{item['candidate']}/{item['submission']}-{item['task']}.json",
                        json.dumps(item["results"], ensure_ascii=False, indent=1))
    buf.seek(0)
    return buf
