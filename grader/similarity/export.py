"""The report as CSV rows: one per kept pair, for a spreadsheet or the examiners' minutes."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict

from .model import Repeat, TaskReport

HEADER = ("task", "rank", "a", "b", "a_owner", "b_owner", "similarity", "a_share", "b_share", "shared_fingerprints",
          "longest_tokens", "a_lines", "b_lines", "suspect", "cluster")


def rows(reports: Sequence[TaskReport]) -> list[tuple]:
    out = []
    for report in reports:
        cluster_of = {key: n + 1 for n, members in enumerate(report.clusters) for key in members}
        for rank, p in enumerate(report.pairs, 1):
            a, b = report.documents[p.a], report.documents[p.b]
            f = p.longest
            out.append((report.task, rank, a.label, b.label, a.owner, b.owner, f"{p.similarity:.4f}",
                        f"{p.a_share:.4f}", f"{p.b_share:.4f}", p.shared, f.tokens if f else 0,
                        f"{f.a_lines[0]}-{f.a_lines[1]}" if f else "", f"{f.b_lines[0]}-{f.b_lines[1]}" if f else "",
                        "yes" if p.similarity >= report.settings.threshold else "no",
                        cluster_of.get(p.a, "") if p.similarity >= report.settings.threshold else ""))
    return out


def to_csv(reports: Sequence[TaskReport]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows(reports):
        writer.writerow(_safe(v) for v in row)
    return buf.getvalue()


def _safe(value):
    """A spreadsheet runs a cell starting with = + - @ as a formula: labels come from candidates' file names."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_json(reports: Sequence[TaskReport], repeated: Sequence[Repeat]) -> dict:
    """Everything but the code texts: pairs with their fragments, histograms, clusters, repeats."""
    def doc(key: str, report: TaskReport) -> dict:
        d = report.documents[key]
        return {"key": d.key, "owner": d.owner, "label": d.label, "reference": d.reference}

    return {"tasks": [{"task": r.task, "settings": asdict(r.settings), "documents": len(r.documents),
                       "compared": r.compared, "histogram": list(r.histogram),
                       "ignored": {"starter_kgrams": r.boilerplate, "common_fingerprints": r.common},
                       "skipped": [{"key": s.key, "reason": s.reason} for s in r.skipped],
                       "clusters": [list(c) for c in r.clusters],
                       "pairs": [{"a": doc(p.a, r), "b": doc(p.b, r), "similarity": p.similarity,
                                  "a_share": p.a_share, "b_share": p.b_share, "shared": p.shared,
                                  "suspect": p.similarity >= r.settings.threshold,
                                  "fragments": [asdict(f) for f in p.fragments]} for p in r.pairs]}
                      for r in reports],
            "repeats": [{"owners": list(x.owners), "tasks": [{"task": t, "similarity": s} for t, s in x.tasks]}
                        for x in repeated]}
