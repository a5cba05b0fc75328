"""Turn what the sandboxes reported into points. Pure functions, no I/O.

The maximum of every test comes from the exam package (read on the host),
never from the sandbox: a results file can only report outcomes for tests the
package declares, and points are clamped to what the package says. Tests of
the TRUSTED phase are decided by the judge sandbox alone, so nothing the
candidate's run writes can change them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import messages
from .manifest import Task, TestSpec
from .models import (LimitUse, Measure, Phase, RunResult, TaskResult, TestResult, TestStatus, Verdict,
                     round_score, worst)

MAX_TEXT = 500


class MeasureRecord(BaseModel):
    """A timing a test judged (rubric.measure): read back for `exam prove`'s headroom check."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    what: str = Field(default="", max_length=200)
    value: float = Field(ge=0.0, allow_inf_nan=False)
    bounds: list[float] = Field(default_factory=list, max_length=8)
    relative: bool = True


class TestRecord(BaseModel):
    """One 'end' event as the harness wrote it; validated, since it crossed the boundary."""

    __test__ = False
    model_config = ConfigDict(extra="ignore", frozen=True)
    name: str = Field(max_length=200)
    outcome: Literal["passed", "partial", "failed", "error", "time_limit", "memory_limit", "skipped"]
    fraction: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    text: str | None = Field(default=None, max_length=2000)
    texts: dict[Literal["zh", "en"], Annotated[str, Field(max_length=2000)]] = Field(default_factory=dict)
    key: str | None = Field(default=None, max_length=64)
    params: dict[str, str | int | float | None] = Field(default_factory=dict)
    duration_s: float = Field(default=0.0, ge=0.0, allow_inf_nan=False)
    measures: list[MeasureRecord] = Field(default_factory=list, max_length=20)


class CellReport(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    index: int
    status: str = Field(max_length=32)
    ename: str | None = Field(default=None, max_length=200)
    evalue: str | None = Field(default=None, max_length=2000)
    line: int | None = Field(default=None, ge=0, le=1_000_000)
    duration_s: float = Field(default=0.0, allow_inf_nan=False)


class NotebookReport(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    cells: list[CellReport] = Field(default_factory=list, max_length=5000)
    kernel_died: int | str | None = None
    hung: int | None = None
    flooded: int | None = None
    tests_ran: bool = False
    test_error: str | None = Field(default=None, max_length=2000)


@dataclass(frozen=True)
class PhaseReport:
    """Everything one sandbox run of a phase told us."""

    run: RunResult
    records: dict[str, TestRecord]
    started: frozenset[str]          # tests that started and never ended
    watchdog: bool = False           # a test hung past its hard limit
    notebook: NotebookReport | None = None


def parse_events(lines: list[str], known: set[str]) -> tuple[dict[str, TestRecord], frozenset[str]]:
    """Validate the results file; unknown tests and broken lines are dropped."""
    import json

    ended: dict[str, TestRecord] = {}
    started: set[str] = set()
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict) or not isinstance(event.get("name"), str) \
                or event["name"] not in known:
            continue
        if event.get("event") == "start":
            started.add(event["name"])
        elif event.get("event") == "end":
            try:
                rec = TestRecord.model_validate(event)
            except ValidationError:
                continue
            ended.setdefault(rec.name, rec)   # the first word counts: no later overwrite
    return ended, frozenset(started - set(ended))


def parse_notebook_report(raw: str | None) -> NotebookReport | None:
    if not raw:
        return None
    try:
        return NotebookReport.model_validate_json(raw)
    except ValidationError:
        return None


# ---------------------------------------------------------------------------


_OUTCOME = {
    "passed": TestStatus.PASSED,
    "partial": TestStatus.PARTIAL,
    "failed": TestStatus.FAILED,
    "error": TestStatus.ERROR,
    "time_limit": TestStatus.TIME_LIMIT,
    "memory_limit": TestStatus.MEMORY_LIMIT,
    "skipped": TestStatus.NOT_RUN,
}


def _record_message(rec: TestRecord, spec: TestSpec, lang: str) -> str:
    if rec.key and rec.key in messages.CATALOGUE:
        params = {k: v for k, v in rec.params.items() if k not in ("key", "lang")}
        try:
            return messages.text(rec.key, lang, **params)[:MAX_TEXT]
        except (KeyError, IndexError, ValueError, TypeError):
            pass
    if rec.texts.get(lang):
        return rec.texts[lang][:MAX_TEXT]
    if rec.text:
        return rec.text[:MAX_TEXT]
    if rec.outcome == "passed":
        return ""
    if rec.outcome == "time_limit":
        return messages.text("time_limit_test", lang, test_s=spec.timeout_s)
    if rec.outcome == "memory_limit":
        return messages.text("test_memory", lang)
    return f"{messages.text('test_failed', lang)} {spec.title(lang)}".strip()


def _unfinished(phase: PhaseReport, spec: TestSpec, lang: str) -> tuple[TestStatus, str]:
    """A test that started but never reported: name why the run ended."""
    run = phase.run
    nb_died = phase.notebook is not None and phase.notebook.kernel_died is not None
    if run.oom_killed:
        return TestStatus.MEMORY_LIMIT, messages.text("test_memory", lang)
    if phase.watchdog or run.timed_out:
        return TestStatus.TIME_LIMIT, messages.text("time_limit_test", lang, test_s=spec.timeout_s)
    if run.output_exceeded:
        return TestStatus.ERROR, messages.text("output_limit", lang, limit="the output limit")
    detail = "the kernel stopped" if nb_died else f"exit code {run.exit_code}"
    return TestStatus.ERROR, messages.text("runtime_error", lang, detail=detail)


def score_test(spec: TestSpec, phase: PhaseReport | None, lang: str) -> TestResult:
    def result(status: TestStatus, fraction: float, message: str, duration: float = 0.0,
               measures: tuple[Measure, ...] = ()) -> TestResult:
        return TestResult(name=spec.name, score=round_score(spec.points * fraction), max_score=spec.points,
                          status=status, message=message, visibility=spec.visibility, phase=spec.phase,
                          duration_s=round(duration, 3), measures=measures)

    if phase is None:
        return result(TestStatus.NOT_RUN, 0.0, messages.text("test_not_run", lang))
    if phase.run.verdict is Verdict.SANDBOX_ERROR:
        return result(TestStatus.SANDBOX_ERROR, 0.0, messages.text("sandbox_error", lang))
    rec = phase.records.get(spec.name)
    if rec is not None:
        status = _OUTCOME[rec.outcome]
        fraction = 1.0 if status is TestStatus.PASSED else rec.fraction if status is TestStatus.PARTIAL else 0.0
        if status is TestStatus.PARTIAL and fraction >= 1.0:
            status = TestStatus.PASSED
        measures = tuple(Measure(m.what, m.value, tuple(m.bounds), m.relative) for m in rec.measures)
        return result(status, fraction, _record_message(rec, spec, lang), rec.duration_s, measures)
    if spec.name in phase.started:
        status, message = _unfinished(phase, spec, lang)
        return result(status, 0.0, message)
    return result(TestStatus.NOT_RUN, 0.0, messages.text("test_not_run", lang))


def _run_verdict(phase: PhaseReport | None) -> Verdict:
    if phase is None:
        return Verdict.OK
    v = phase.run.verdict
    nb = phase.notebook
    if v is Verdict.OK and phase.started:
        return Verdict.RUNTIME_ERROR      # the run ended in the middle of a test
    if nb is not None and v is Verdict.OK:
        if nb.hung is not None or any(c.status == "time_limit" for c in nb.cells):
            return Verdict.TIME_LIMIT
        if nb.flooded is not None:
            return Verdict.OUTPUT_LIMIT
        if nb.kernel_died is not None:
            return Verdict.RUNTIME_ERROR
    return v


def _task_message(task: Task, verdict: Verdict, phase: PhaseReport | None,
                  tests: list[TestResult], lang: str) -> str:
    lim = task.limits
    nb = phase.notebook if phase else None
    if verdict is Verdict.SANDBOX_ERROR:
        return messages.text("sandbox_error", lang)
    if verdict is Verdict.MEMORY_LIMIT:
        msg = messages.text("memory_limit", lang, memory_mb=lim.memory_mb)
    elif verdict is Verdict.TIME_LIMIT:
        cell = None
        if nb is not None:
            timed = [c.index for c in nb.cells if c.status == "time_limit"]
            cell = timed[0] + 1 if timed else (nb.hung + 1 if nb.hung is not None else None)
        if cell is not None:
            msg = messages.text("time_limit_cell", lang, cell=cell, cell_s=lim.cell_s)
        elif phase is not None and phase.run.timed_out:
            msg = messages.text("time_limit_run", lang, wall_s=lim.wall_s)
        else:
            timed = [spec.timeout_s for spec, t in zip(task.tests, tests) if t.status is TestStatus.TIME_LIMIT]
            msg = messages.text("time_limit_test", lang, test_s=timed[0] if timed else lim.test_s)
        shown = {"cell": lim.cell_s, "run": lim.wall_s}.get(
            "cell" if cell is not None else "run" if phase is not None and phase.run.timed_out else "", None)
        if task.time_factor != 1.0 and shown is not None:
            msg += " " + messages.text("time_limit_scaled", lang, nominal=shown / task.time_factor,
                                       factor=task.time_factor)
    elif verdict is Verdict.OUTPUT_LIMIT:
        msg = messages.text("output_limit", lang, limit=f"{lim.stdout_kb * 8} KB / {lim.output_mb} MB")
    elif verdict is Verdict.RUNTIME_ERROR:
        detail = ""
        if phase is not None:
            detail = (phase.run.stderr.strip().splitlines() or [""])[-1][:300]
            if nb is not None and nb.kernel_died is not None:
                detail = "the notebook kernel stopped" + (f" in cell {nb.kernel_died + 1}"
                                                         if isinstance(nb.kernel_died, int) else "")
        msg = messages.text("runtime_error", lang, detail=detail or f"exit code {phase.run.exit_code if phase else '?'}")
    else:
        passed = sum(1 for t in tests if t.status is TestStatus.PASSED)
        msg = messages.text("task_ok" if verdict is Verdict.OK else "task_wrong", lang,
                            passed=passed, total=len(tests))
    if nb is not None:
        bad = [c for c in nb.cells if c.status == "error"]
        if bad:
            msg += " " + messages.text("cell_errors", lang, cells=", ".join(str(c.index + 1) for c in bad[:10]))
            msg += " " + "; ".join(_cell_error(c, lang) for c in bad[:3])
    return msg


def _cell_error(cell: CellReport, lang: str) -> str:
    """'cell 3, line 5: ValueError: bad shape' — what a candidate needs to find it."""
    detail = f"{cell.ename}: {cell.evalue}" if cell.evalue else (cell.ename or "")
    key = "cell_error_line" if cell.line else "cell_error"
    return messages.text(key, lang, cell=cell.index + 1, line=cell.line or 0, detail=detail[:200]).strip()


def score_task(task: Task, candidate: PhaseReport | None, judge: PhaseReport | None,
               lang: str, duration_s: float = 0.0, artifacts: tuple[str, ...] = ()) -> TaskResult:
    by_phase = {Phase.PUBLIC: candidate, Phase.HIDDEN: candidate, Phase.TRUSTED: judge}
    tests = [score_test(spec, by_phase[spec.phase], lang) for spec in task.tests]
    verdicts = [_run_verdict(candidate)]
    if judge is not None and judge.run.verdict is Verdict.SANDBOX_ERROR:
        verdicts.append(Verdict.SANDBOX_ERROR)
    for t in tests:
        if t.status is TestStatus.TIME_LIMIT:
            verdicts.append(Verdict.TIME_LIMIT)
        elif t.status is TestStatus.MEMORY_LIMIT:
            verdicts.append(Verdict.MEMORY_LIMIT)
        elif t.status is TestStatus.SANDBOX_ERROR:
            verdicts.append(Verdict.SANDBOX_ERROR)
        elif t.status is not TestStatus.PASSED:
            verdicts.append(Verdict.WRONG)
    verdict = worst(verdicts)
    score = round_score(sum(t.score for t in tests))
    return TaskResult(id=task.id, score=score, max_score=task.points, status=verdict,
                      message=_task_message(task, verdict, candidate, tests, lang),
                      tests=tuple(tests), duration_s=round(duration_s, 3), artifacts=artifacts,
                      infra_error=_infra_error(candidate, judge) if verdict is Verdict.SANDBOX_ERROR else None)


def _infra_error(candidate: PhaseReport | None, judge: PhaseReport | None) -> str:
    """What our infrastructure said when a run failed (the candidate's first, then the judge's)."""
    said = [f"{who}: {p.run.infra_error}" for who, p in (("candidate run", candidate), ("judge run", judge))
            if p is not None and p.run.verdict is Verdict.SANDBOX_ERROR and p.run.infra_error]
    return "; ".join(said) or "a sandbox run failed without saying why"


def score_task_bilingual(task: Task, candidate: PhaseReport | None, judge: PhaseReport | None,
                         lang: str, duration_s: float = 0.0, artifacts: tuple[str, ...] = ()) -> TaskResult:
    """`score_task` in `lang`, carrying every message in every language too.

    Scores do not depend on the language; only the texts do, so the board can
    show a result in the reader's language long after grading.
    """
    by_lang = {code: score_task(task, candidate, judge, code, duration_s, artifacts) for code in messages.LANGS}
    return _with_messages(by_lang[lang] if lang in by_lang else score_task(task, candidate, judge, lang,
                                                                            duration_s, artifacts), by_lang)


def _with_messages(primary: TaskResult, by_lang: dict[str, TaskResult]) -> TaskResult:
    tests = tuple(
        dataclasses.replace(t, messages=tuple((code, r.tests[i].message) for code, r in by_lang.items()))
        for i, t in enumerate(primary.tests))
    return dataclasses.replace(primary, tests=tests,
                               messages=tuple((code, r.message) for code, r in by_lang.items()))


def missing_task(task: Task, lang: str) -> TaskResult:
    """A task with nothing handed in: every test 0, messages in every language."""
    by_lang = {code: _missing(task, code) for code in messages.LANGS}
    return _with_messages(by_lang.get(lang) or _missing(task, lang), by_lang)


def _missing(task: Task, lang: str) -> TaskResult:
    tests = tuple(score_test(spec, None, lang) for spec in task.tests)
    return TaskResult(id=task.id, score=0.0, max_score=task.points, status=Verdict.MISSING,
                      message=messages.text("task_missing", lang, expected=" / ".join(task.expected_files())),
                      tests=tests)


def limit_usage(task: Task, candidate: PhaseReport | None, judge: PhaseReport | None,
                judge_wall_s: float | None = None) -> tuple[LimitUse, ...]:
    """The share of each time limit the task's runs used: the whole run, its slowest
    notebook cell, its slowest test of each sandbox, and the judge's run."""
    out: list[LimitUse] = []
    specs = {t.name: t for t in task.tests}

    def slowest_test(phase: PhaseReport | None, label: str) -> None:
        if phase is None:
            return
        best: LimitUse | None = None
        for name, rec in phase.records.items():
            spec = specs.get(name)
            if spec is None or spec.timeout_s <= 0:
                continue
            use = LimitUse(f"{label} {name}", rec.duration_s, spec.timeout_s, hit=rec.outcome == "time_limit")
            if best is None or use.share > best.share:
                best = use
        for name in phase.started:      # stopped by the watchdog or the wall clock
            spec = specs.get(name)
            if spec is not None and (phase.watchdog or phase.run.timed_out):
                best = LimitUse(f"{label} {name}", spec.timeout_s, spec.timeout_s, hit=True)
        if best is not None:
            out.append(best)

    if candidate is not None and candidate.run.verdict is not Verdict.SANDBOX_ERROR:
        out.append(LimitUse("run", candidate.run.duration_s, task.limits.wall_s, hit=candidate.run.timed_out))
        nb = candidate.notebook
        if nb is not None and nb.cells:
            cell = max(nb.cells, key=lambda c: c.duration_s)
            hit = any(c.status == "time_limit" for c in nb.cells) or nb.hung is not None
            out.append(LimitUse(f"cell {cell.index + 1}", cell.duration_s, task.limits.cell_s, hit=hit))
        slowest_test(candidate, "test")
    if judge is not None and judge.run.verdict is not Verdict.SANDBOX_ERROR:
        slowest_test(judge, "trusted")
        if judge_wall_s:
            out.append(LimitUse("judge", judge.run.duration_s, judge_wall_s, hit=judge.run.timed_out))
    return tuple(LimitUse(u.limit, round(u.used_s, 3), round(u.limit_s, 3), u.hit) for u in out)
