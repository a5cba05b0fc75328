"""The report as text for the terminal: per task the suspects and the best other pairs, the
histogram, the clusters; then the pairs of candidates that repeat across tasks."""
from __future__ import annotations

from collections.abc import Sequence

from .model import Repeat, TaskReport

BAR = 40


def render(reports: Sequence[TaskReport], repeated: Sequence[Repeat], *, top: int = 20) -> str:
    out = []
    for r in reports:
        s = r.settings
        out.append(f"task {r.task}: {len(r.documents)} hand-ins, {r.compared} pairs compared, "
                   f"{len(r.suspects)} at or above {s.threshold:.2f} "
                   f"(k={s.k}, window={s.window}; ignored: {r.boilerplate} starter k-grams, "
                   f"{r.common} common fingerprints)")
        for sk in r.skipped:
            out.append(f"  not compared: {r.documents[sk.key].label} (too little code of its own)")
        shown = list(r.suspects) + [p for p in r.pairs if p.similarity < s.threshold][:max(0, top - len(r.suspects))]
        if shown:
            out.append(f"  {'#':>3}  {'similarity':>10}  {'a':<28} {'b':<28} longest shared fragment")
        for n, p in enumerate(shown, 1):
            f = p.longest
            where = f"{f.tokens} tokens, a lines {f.a_lines[0]}-{f.a_lines[1]}, b lines {f.b_lines[0]}-{f.b_lines[1]}" \
                if f else "-"
            mark = "*" if p.similarity >= s.threshold else " "
            out.append(f"  {n:>3}{mark} {p.similarity:>10.2f}  {_clip(r.documents[p.a].label, 28):<28} "
                       f"{_clip(r.documents[p.b].label, 28):<28} {where}")
        out.append("  histogram (pairs per similarity; empty bins left out):")
        peak = max(r.histogram) or 1
        width = 1 / len(r.histogram)
        for i, count in enumerate(r.histogram):
            lo = i * width
            line = "#" * (max(1, round(BAR * count / peak)) if count else 0)
            cut = " <- threshold" if lo <= s.threshold < lo + width else ""
            if not count and not cut:
                continue
            out.append(f"    {lo:4.2f}-{lo + width:4.2f} {count:>7} {line}{cut}")
        for n, members in enumerate(r.clusters, 1):
            out.append(f"  cluster {n}: " + ", ".join(r.documents[k].label for k in members))
        out.append("")
    if repeated:
        out.append("pairs above the threshold in more than one task:")
        for rep in repeated:
            out.append(f"  {rep.owners[0]} & {rep.owners[1]}: "
                       + ", ".join(f"{task} {sim:.2f}" for task, sim in rep.tasks))
    out.append("A person decides: this report changes no score.")
    return "\n".join(out) + "\n"


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
