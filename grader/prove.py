"""Prove an exam: every reference solution must earn exactly its recorded score.

`reference_solutions/<exam id>/solutions*.toml` list the solutions::

    [[solution]]
    path = "full"                 # a folder, zip, notebook or script beside this file
    task = "blur"                 # optional: grade a single file as this task
    score = 30                    # expected total
    tasks = { blur = 10 }         # optional: expected per-task scores
    status = { loop = "time_limit" }   # optional: expected per-task verdicts
    note = "reference solution"
"""
from __future__ import annotations

import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import pool
from .errors import ExamConfigError, PracticumError
from .grading import grade_path, prepare_exam, resolve_image
from .manifest import Exam
from .models import GradeReport, Problem
from .store import Store

TOLERANCE = 0.011


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


@dataclass
class Proof:
    solution: SolutionModel
    report: GradeReport | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ProveOutcome:
    exam: str
    proofs: list[Proof]
    duration_s: float

    @property
    def ok(self) -> bool:
        return all(p.ok for p in self.proofs)

    def to_json(self) -> dict:
        return {"exam": self.exam, "ok": self.ok, "duration_s": round(self.duration_s, 2),
                "solutions": [{"path": p.solution.path, "expected": p.solution.score,
                               "score": p.report.score if p.report else None, "ok": p.ok,
                               "problems": p.problems,
                               "duration_s": p.report.duration_s if p.report else None}
                              for p in self.proofs]}


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
    return problems


def prove(exam: Exam, solutions_dir: Path | None = None, *, only: str | None = None,
          progress=None) -> ProveOutcome:
    folder = Path(solutions_dir) if solutions_dir else default_solutions_dir(exam)
    solutions = load_solutions(folder)
    if only:
        solutions = [s for s in solutions if only in s.path or only == s.task]
    image = resolve_image(exam)
    exam = prepare_exam(exam, image, progress=progress)
    t0 = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="practicum-prove-") as tmp:
        store = Store(Path(tmp) / "store")

        def one(sol: SolutionModel) -> Proof:
            try:
                rep = grade_path(exam, folder / sol.path, store=store, task=sol.task, image=image,
                                 artifacts_root=None)
            except PracticumError as exc:
                return Proof(sol, None, [f"not graded: {exc.show('en')}"])
            proof = Proof(sol, rep, check(sol, rep))
            if progress:
                progress(f"  {'ok  ' if proof.ok else 'FAIL'} {sol.path:<32} {rep.score:>6g} / {rep.max_score:g}"
                         f"  ({rep.duration_s:.1f}s)")
            return proof

        # each solution's tasks run one after another; solutions run side by side,
        # and the sandbox slots keep the machine at its core count
        with ThreadPoolExecutor(max(1, pool.size())) as ex:
            proofs = list(ex.map(one, solutions))
    return ProveOutcome(exam.id, proofs, time.monotonic() - t0)


def render(outcome: ProveOutcome) -> str:
    lines = [f"prove {outcome.exam}: {len(outcome.proofs)} solution(s) in {outcome.duration_s:.1f}s", ""]
    for p in outcome.proofs:
        got = f"{p.report.score:g}" if p.report else "—"
        lines.append(f"{'PASS' if p.ok else 'FAIL'}  {p.solution.path:<34} expected {p.solution.score:>5g}  got {got:>5}"
                     f"  {p.solution.note}")
        if p.report:
            for t in p.report.tasks:
                lines.append(f"        {t.id:<14} {t.score:>5g}/{t.max_score:<4g} {t.status.value:<13} {t.message[:70]}")
        for problem in p.problems:
            lines.append(f"        ! {problem}")
    lines.append("")
    lines.append("exam proven: every solution earned its recorded score" if outcome.ok
                 else "exam NOT proven: see the FAIL lines above")
    return "\n".join(lines)
