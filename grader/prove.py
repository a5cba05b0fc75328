"""Prove an exam: every reference solution must earn exactly its recorded score.

`reference_solutions/<exam id>/solutions*.toml` list the solutions::

    [[solution]]
    path = "full"                 # a folder, zip, notebook or script beside this file
    task = "blur"                 # optional: grade a single file as this task
    score = 30                    # expected total
    tasks = { blur = 10 }         # optional: expected per-task scores
    status = { loop = "time_limit" }   # optional: expected per-task verdicts
    note = "reference solution"

Headroom: a proof must hold on any machine, quiet or busy, so a verdict that
the machine's speed could decide is a failure even when the score matches:

- a solution recorded with a `time_limit` status is graded at 3x its limits
  (HEADROOM_TIME_LIMIT): stopped there, it is stopped on a machine 3x faster;
- every other solution may use at most half (MAX_SHARE) of any time limit:
  the whole run, a notebook cell, a rubric test, the judge;
- a timing a rubric test judged (`rubric.latency_limit`, `rubric.band(...,
  timing=...)`) must lie clear of its band boundaries: 1.25x for ratios to a
  reference timed in the same sandbox, 2x for absolute times.
"""
from __future__ import annotations

import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import re

from . import pool
from .errors import ExamConfigError, PracticumError
from .grading import grade_path, prepare_exam, resolve_image, time_scale_for
from .manifest import MANIFEST, Exam
from .models import GradeReport, Problem, TaskResult, TimeScale
from .store import Store

TOLERANCE = 0.011
HEADROOM_TIME_LIMIT = 3.0
MAX_SHARE = 0.5
MARGIN_RELATIVE = 1.25
MARGIN_ABSOLUTE = 2.0


class SolutionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str
    score: float = Field(ge=0)
    task: str | None = None
    tasks: dict[str, float] = Field(default_factory=dict)
    status: dict[str, str] = Field(default_factory=dict)
    note: str = ""


class SolutionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    solution: list[SolutionModel] = Field(min_length=1)


def expects_time_limit(sol: SolutionModel) -> bool:
    return "time_limit" in sol.status.values()


@dataclass
class Proof:
    solution: SolutionModel
    report: GradeReport | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def headroom(self) -> str:
        """One short column: the largest share of a time limit used, or the 3x run."""
        if self.report is None:
            return "—"
        if expects_time_limit(self.solution):
            return f"stopped at {HEADROOM_TIME_LIMIT:g}x limits"
        uses = [(u.share, u.limit) for t in self.report.tasks for u in t.usage]
        if not uses:
            return "—"
        share, limit = max(uses)
        return f"{share:4.0%} of {limit}"

    def to_json(self) -> dict:
        rep = self.report
        return {"path": self.solution.path, "expected": self.solution.score,
                "score": rep.score if rep else None, "ok": self.ok, "problems": self.problems,
                "duration_s": rep.duration_s if rep else None, "headroom": self.headroom(),
                "limit_use": {t.id: [{"limit": u.limit, "used_s": u.used_s, "limit_s": u.limit_s,
                                      "share": round(u.share, 3), "hit": u.hit} for u in t.usage]
                              for t in rep.tasks} if rep else {}}


@dataclass
class ProveOutcome:
    exam: str
    proofs: list[Proof]
    duration_s: float
    time_scale: TimeScale | None = None

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.proofs)

    def to_json(self) -> dict:
        return {"exam": self.exam, "ok": self.ok, "duration_s": round(self.duration_s, 2),
                "time_scale": self.time_scale.to_json() if self.time_scale else None,
                "solutions": [p.to_json() for p in self.proofs]}


def default_solutions_dir(exam: Exam) -> Path:
    return exam.root.parent.parent / "reference_solutions" / exam.id


def load_solutions(folder: Path) -> list[SolutionModel]:
    """Every `solutions*.toml` in the folder (one per task is easier to keep)."""
    files = sorted(folder.glob("solutions*.toml"))
    if not files:
        raise ExamConfigError([Problem(str(folder / "solutions.toml"), "",
                                       "missing: list the solutions and their expected scores")])
    out: list[SolutionModel] = []
    problems: list[Problem] = []
    for path in files:
        try:
            parsed = SolutionsFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            problems.append(Problem(path.name, "", str(exc).splitlines()[0]))
            continue
        problems += [Problem(path.name, "solution.path", f"no such file: {s.path}")
                     for s in parsed.solution if not (folder / s.path).exists()]
        out += parsed.solution
    if problems:
        raise ExamConfigError(problems)
    return out


def check(sol: SolutionModel, rep: GradeReport) -> list[str]:
    problems = []
    if abs(rep.score - sol.score) > TOLERANCE:
        problems.append(f"score {rep.score:g}, expected {sol.score:g}")
    by_id = {t.id: t for t in rep.tasks}
    for task_id, expected in sol.tasks.items():
        got = by_id.get(task_id)
        if got is None:
            problems.append(f"task {task_id} was not graded")
        elif abs(got.score - expected) > TOLERANCE:
            problems.append(f"task {task_id}: {got.score:g}, expected {expected:g}")
    for task_id, expected in sol.status.items():
        got = by_id.get(task_id)
        if got is not None and got.status.value != expected:
            problems.append(f"task {task_id}: status {got.status.value}, expected {expected}")
    if not rep.infra_ok:
        problems.append("a sandbox failed (infrastructure), see the report")
    for task in rep.tasks:
        if sol.status.get(task.id) != "time_limit":
            problems += headroom_problems(task)
    if expects_time_limit(sol) and problems:
        problems = [p if "expected time_limit" not in p else
                    f"{p} (graded at {HEADROOM_TIME_LIMIT:g}x its limits: a time-limit case must do unbounded "
                    f"or much larger work, or a machine {HEADROOM_TIME_LIMIT:g}x faster lets it finish)"
                    for p in problems]
    return problems


def headroom_problems(task: TaskResult) -> list[str]:
    """Where this machine's speed, not the solution, could decide the task's verdict."""
    out = []
    for use in task.usage:
        if use.share > MAX_SHARE:
            out.append(f"task {task.id}: used {use.share:.0%} of the {use.limit} time limit "
                       f"({use.used_s:.1f} of {use.limit_s:.1f} s); a solution proven to finish must stay "
                       f"under {MAX_SHARE:.0%} of every limit, or a slower or busier machine stops it")
    for test in task.tests:
        best: dict[str, object] = {}
        for m in test.measures:         # a test that measures twice keeps its better try
            if m.what not in best or m.value < best[m.what].value:
                best[m.what] = m
        for m in best.values():
            margin = MARGIN_RELATIVE if m.relative else MARGIN_ABSOLUTE
            for bound in m.bounds:
                if bound > 0 and 1 / margin < m.value / bound < margin:
                    kind = "ratio" if m.relative else "time"
                    out.append(f"task {task.id}, {test.name}: {m.what} measured {m.value:.3g}, within "
                               f"{margin:g}x of the band boundary {bound:g} ({kind}); machine load could move "
                               f"it across: make the solution clearly faster or slower")
    return out


def record_reference_speed(exam_root: Path, value: float) -> None:
    """Write `reference_speed = X` into exam.toml (top level, before the first table)."""
    path = Path(exam_root) / MANIFEST
    text = path.read_text(encoding="utf-8")
    line = f"reference_speed = {value:.3f}   # worker speed the limits were proven at (practicum exam prove)"
    pattern = re.compile(r"^reference_speed\s*=.*$", re.M)
    if pattern.search(text):
        text = pattern.sub(line, text, count=1)
    else:
        m = re.search(r"^\[", text, re.M)
        at = m.start() if m else len(text)
        text = text[:at] + line + "\n\n" + text[at:]
    path.write_text(text, encoding="utf-8")


def prove(exam: Exam, solutions_dir: Path | None = None, *, only: str | None = None,
          progress=None, worker=None) -> ProveOutcome:
    folder = Path(solutions_dir) if solutions_dir else default_solutions_dir(exam)
    solutions = load_solutions(folder)
    if only:
        solutions = [s for s in solutions if only in s.path or only == s.task]
    image = resolve_image(exam)
    exam = prepare_exam(exam, image, progress=progress)
    scale = time_scale_for(exam, image, worker, progress=progress)
    if progress:
        progress(scale.describe())
    t0 = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="practicum-prove-") as tmp:
        store = Store(Path(tmp) / "store")

        def one(sol: SolutionModel) -> Proof:
            try:
                rep = grade_path(exam, folder / sol.path, store=store, task=sol.task, image=image,
                                 artifacts_root=None, scale=scale,
                                 extra=HEADROOM_TIME_LIMIT if expects_time_limit(sol) else 1.0)
            except PracticumError as exc:
                return Proof(sol, None, [f"not graded: {exc.show('en')}"])
            proof = Proof(sol, rep, check(sol, rep))
            if progress:
                progress(f"  {'ok  ' if proof.ok else 'FAIL'} {sol.path:<32} {rep.score:>6g} / {rep.max_score:g}"
                         f"  ({rep.duration_s:.1f}s, {proof.headroom()})")
            return proof

        # each solution's tasks run one after another; solutions run side by side,
        # and the sandbox slots keep the machine at its core count
        with ThreadPoolExecutor(max(1, pool.size())) as ex:
            proofs = list(ex.map(one, solutions))
    return ProveOutcome(exam.id, proofs, time.monotonic() - t0, scale)


def render(outcome: ProveOutcome) -> str:
    lines = [f"prove {outcome.exam}: {len(outcome.proofs)} solution(s) in {outcome.duration_s:.1f}s"]
    if outcome.time_scale is not None:
        lines.append(outcome.time_scale.describe())
    lines += ["", f"{'':6}{'solution':<34} {'expected':>8}  {'got':>5}  {'headroom (most of a limit used)':<34} note"]
    for p in outcome.proofs:
        got = f"{p.report.score:g}" if p.report else "—"
        lines.append(f"{'PASS' if p.ok else 'FAIL'}  {p.solution.path:<34} {p.solution.score:>8g}  {got:>5}"
                     f"  {p.headroom():<34} {p.solution.note[:60]}")
        if p.report:
            for t in p.report.tasks:
                lines.append(f"        {t.id:<14} {t.score:>5g}/{t.max_score:<4g} {t.status.value:<13} {t.message[:70]}")
        for problem in p.problems:
            lines.append(f"        ! {problem}")
    lines.append("")
    lines.append("exam proven: every solution earned its recorded score" if outcome.ok
                 else "exam NOT proven: see the FAIL lines above")
    return "\n".join(lines)
