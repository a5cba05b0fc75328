"""Render a GradeReport: the CLI's JSON contract, a readable table, Gradescope."""
from __future__ import annotations

from .models import GradeReport, TaskResult, TestResult, Visibility


def test_json(t: TestResult) -> dict:
    return {"name": t.name, "score": t.score, "max_score": t.max_score, "status": t.status.value,
            "message": t.message, "messages": dict(t.messages), "visibility": t.visibility.value,
            "phase": t.phase.value, "duration_s": t.duration_s,
            "measures": [{"what": m.what, "value": m.value, "bounds": list(m.bounds), "relative": m.relative}
                         for m in t.measures]}


def usage_json(t: TaskResult) -> list[dict]:
    return [{"limit": u.limit, "used_s": u.used_s, "limit_s": u.limit_s, "share": round(u.share, 3),
             "hit": u.hit} for u in t.usage]


def task_json(t: TaskResult) -> dict:
    return {"id": t.id, "score": t.score, "max_score": t.max_score, "status": t.status.value,
            "message": t.message, "messages": dict(t.messages), "duration_s": t.duration_s,
            "artifacts": list(t.artifacts), "limit_use": usage_json(t),
            "tests": [test_json(x) for x in t.tests]}


def to_json(r: GradeReport) -> dict:
    return {
        "exam": r.exam,
        "submission": {"sha256": r.submission.sha256, "filename": r.submission.filename,
                       "kind": r.submission.kind},
        "status": r.status.value,
        "score": r.score,
        "max_score": r.max_score,
        "duration_s": r.duration_s,
        "artifacts_dir": r.artifacts_dir,
        "time_scale": r.time_scale.to_json() if r.time_scale else None,
        "tasks": [task_json(t) for t in r.tasks],
    }


_GS_VIS = {Visibility.HIDDEN: "hidden", Visibility.AFTER_PUBLISHED: "after_published",
           Visibility.VISIBLE: "visible"}


def to_gradescope(r: GradeReport) -> dict:
    """The Gradescope autograder results.json shape."""
    tests = []
    for task in r.tasks:
        for t in task.tests:
            tests.append({
                "name": f"{task.id}: {t.name}", "score": t.score, "max_score": t.max_score,
                "status": "passed" if t.status.value == "passed" else "failed",
                "output": t.message, "visibility": _GS_VIS[t.visibility], "tags": [task.id, t.phase.value],
            })
    return {"score": r.score, "execution_time": round(r.duration_s, 2),
            "output": " | ".join(f"{t.id}: {t.message}" for t in r.tasks),
            "visibility": "after_published", "stdout_visibility": "hidden", "tests": tests}


def to_table(r: GradeReport) -> str:
    lines = [f"exam {r.exam}   submission {r.submission.filename} ({r.submission.sha256[:12]})",
             f"{'task':<16}{'score':>14}  {'status':<14} message", "-" * 78]
    for t in r.tasks:
        lines.append(f"{t.id:<16}{t.score:>6g} / {t.max_score:<5g}  {t.status.value:<14} {t.message}")
        for x in t.tests:
            mark = "✓" if x.status.value == "passed" else "~" if x.status.value == "partial" else "✗"
            msg = f"  {x.message}" if x.message else ""
            lines.append(f"   {mark} {x.name:<36}{x.score:>5g}/{x.max_score:<4g} {x.status.value}{msg}")
    lines.append("-" * 78)
    lines.append(f"{'total':<16}{r.score:>6g} / {r.max_score:<5g}  {r.status.value:<14} {r.duration_s:.1f}s")
    if r.time_scale is not None:
        lines.append(r.time_scale.describe())
    return "\n".join(lines)
