"""The class table of a batch: a summary on the terminal, CSV, xlsx and Gradescope JSON.

One row per candidate, graded or not: a refused submission shows its reason, so nobody
drops out of the table unnoticed. The CSV is UTF-8 with a BOM (Excel on Chinese Windows
reads it); the xlsx is written with openpyxl (one sheet, a header row, numbers as
numbers); the Gradescope JSON lists each graded submission's `results.json`
(`grader.report.to_gradescope`, kept in its record) under its candidate, as the board's export does.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .records import Record

COLUMNS = ["candidate", "status", "score", "max_score"]
TAIL = ["duration_s", "sha256", "source", "reason"]


def header(task_ids: list[str]) -> list[str]:
    return COLUMNS + task_ids + TAIL


def row(r: Record, task_ids: list[str]) -> list:
    return ([r.candidate, r.status, r.score, r.max_score] + [r.tasks.get(t) for t in task_ids]
            + [round(r.duration_s, 2), (r.sha256 or "")[:12], r.source, r.reason])


def to_csv(records: list[Record], task_ids: list[str]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header(task_ids))
    for r in records:
        w.writerow(["" if v is None else (f"{v:g}" if isinstance(v, float) else v) for v in row(r, task_ids)])
    return out.getvalue()


def write_xlsx(records: list[Record], task_ids: list[str], path: Path, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = (title or "results")[:31]
    ws.append(header(task_ids))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in records:
        ws.append(row(r, task_ids))
    ws.freeze_panes = "B2"
    for col, name in zip(ws.columns, header(task_ids)):
        width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
        ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width + 2 if name != "reason" else 40))
    wb.save(path)


def to_gradescope(records: list[Record]) -> list[dict]:
    return [{"candidate": r.candidate, "sha256": r.sha256, "results": r.gradescope}
            for r in records if r.outcome == "graded" and r.gradescope is not None]


def summary(records: list[Record], task_ids: list[str]) -> str:
    """The table printed at the end of a batch."""
    width = max([9] + [len(r.candidate) for r in records])
    tasks = "".join(f"{t[:10]:>11}" for t in task_ids)
    lines = [f"{'candidate':<{width}}  {'status':<14}{'score':>13}{tasks}  reason", "-" * (width + 40 + 11 * len(task_ids))]
    for r in records:
        score = f"{r.score:g} / {r.max_score:g}" if r.score is not None else "-"
        per = "".join(f"{'' if r.tasks.get(t) is None else format(r.tasks[t], 'g'):>11}" for t in task_ids)
        lines.append(f"{r.candidate:<{width}}  {r.status:<14}{score:>13}{per}  {r.reason[:90]}")
    counts: dict[str, int] = {}
    for r in records:
        counts[r.status] = counts.get(r.status, 0) + 1
    graded = [r.score for r in records if r.outcome == "graded" and r.score is not None]
    mean = f", mean {sum(graded) / len(graded):.2f}" if graded else ""
    lines.append("-" * (width + 40 + 11 * len(task_ids)))
    lines.append(f"{len(records)} submission(s): " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + mean)
    return "\n".join(lines)


def write_all(out: Path, records: list[Record], task_ids: list[str], exam_id: str) -> dict[str, Path]:
    """class.csv, class.xlsx and gradescope.json in `out`; returns what was written."""
    paths = {"csv": out / "class.csv", "xlsx": out / "class.xlsx", "gradescope": out / "gradescope.json"}
    paths["csv"].write_text(to_csv(records, task_ids), encoding="utf-8")
    write_xlsx(records, task_ids, paths["xlsx"], exam_id)
    paths["gradescope"].write_text(json.dumps(to_gradescope(records), ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return paths
