"""Every pair of a task's hand-ins compared by their fingerprints.

Ignored before comparing: every k-gram of the task's starter code (boilerplate all
candidates were given) and the fingerprints most submissions share (the idiom the
task calls for). Never paired: a candidate with themself, two members of one team
(`teams`, owner -> team: the pairing rule is the caller's), two reference documents.
The similarity of a pair is the share of the smaller document's own fingerprints
that the other has too: a copy padded with extra code still scores high."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import fragments
from .model import Document, Pair, Repeat, Settings, Skipped, TaskReport
from .tokens import Tokens, line_offsets, normalise
from .winnow import Fingerprints, fingerprint, kgram_hashes


@dataclass(frozen=True)
class _Prepared:
    doc: Document
    tokens: Tokens
    prints: Fingerprints
    own: frozenset[int]          # fingerprints left after boilerplate and common ones


def compare(task: str, documents: Sequence[Document], *, boilerplate: Iterable[str] = (),
            settings: Settings = Settings(), teams: Mapping[str, str] | None = None) -> TaskReport:
    """The similarity report of one task. `boilerplate`: code texts every candidate had (the starter)."""
    keys = [d.key for d in documents]
    if len(set(keys)) != len(keys):
        raise ValueError("document keys must be unique")
    teams = teams or {}
    k = settings.k
    base: set[int] = set()
    for text in boilerplate:
        base.update(kgram_hashes(normalise(text).kinds, k))
    raw = [(d, normalise(d.text)) for d in documents]
    prints = [fingerprint(t.kinds, k, settings.window) for _, t in raw]
    submissions = sum(1 for d, _ in raw if not d.reference)
    counts = Counter(h for (d, _), p in zip(raw, prints) if not d.reference for h in p.selected.keys() - base)
    common = {h for h, c in counts.items()
              if c >= settings.common_min and c > settings.common_share * submissions}
    ignored = base | common
    prepared, skipped = [], []
    for (d, t), p in zip(raw, prints):
        own = frozenset(p.selected.keys() - ignored)
        if len(own) < settings.min_fingerprints:
            skipped.append(Skipped(d.key, "too_little_code"))
            continue
        prepared.append(_Prepared(d, t, p, own))

    bins = [0] * settings.bins
    scored: list[tuple[float, int, int, int]] = []
    compared = 0
    for i, x in enumerate(prepared):
        for j in range(i + 1, len(prepared)):
            y = prepared[j]
            if not _pairable(x.doc, y.doc, teams):
                continue
            compared += 1
            n = len(x.own & y.own)
            similarity = n / min(len(x.own), len(y.own))
            bins[min(settings.bins - 1, int(similarity * settings.bins))] += 1
            if n:
                scored.append((similarity, n, i, j))
    scored.sort(key=lambda s: (-s[0], -s[1], s[2], s[3]))
    above = [s for s in scored if s[0] >= settings.threshold]
    kept = above + [s for s in scored if s[0] < settings.threshold][:settings.keep_pairs]

    sides: dict[int, fragments.Side] = {}

    def side(i: int) -> fragments.Side:
        if i not in sides:
            x = prepared[i]
            sides[i] = fragments.Side(x.doc.text, x.tokens, x.prints.selected,
                                      fragments.ignored_tokens(x.prints.kgrams, ignored, len(x.tokens), k),
                                      tuple(line_offsets(x.doc.text)))
        return sides[i]

    pairs = []
    for similarity, n, i, j in kept:
        x, y = prepared[i], prepared[j]
        pairs.append(Pair(x.doc.key, y.doc.key, round(similarity, 4), n, round(n / len(x.own), 4),
                          round(n / len(y.own), 4), fragments.shared(side(i), side(j), x.own & y.own, k)))
    return TaskReport(task, settings, {d.key: d for d in documents}, tuple(pairs), compared, tuple(bins),
                      clusters([(p.a, p.b) for p in pairs if p.similarity >= settings.threshold]),
                      len(base), len(common), tuple(skipped))


def _pairable(a: Document, b: Document, teams: Mapping[str, str]) -> bool:
    if a.reference and b.reference:
        return False
    if a.owner == b.owner:
        return False
    team = teams.get(a.owner)
    return team is None or team != teams.get(b.owner)


def clusters(edges: Iterable[tuple[str, str]]) -> tuple[tuple[str, ...], ...]:
    """Connected components (two or more members), the largest first, members in first-seen order."""
    parent: dict[str, str] = {}
    order: dict[str, int] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        for x in (a, b):
            if x not in parent:
                parent[x] = x
                order[x] = len(order)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb, key=order.get)] = min(ra, rb, key=order.get)
    groups: dict[str, list[str]] = {}
    for x in sorted(parent, key=order.get):
        groups.setdefault(find(x), []).append(x)
    return tuple(sorted((tuple(g) for g in groups.values()), key=lambda g: (-len(g), order[g[0]])))


def repeats(reports: Sequence[TaskReport]) -> tuple[Repeat, ...]:
    """Pairs of candidates at or above the threshold in two tasks or more, the most tasks first."""
    found: dict[tuple[str, str], dict[str, float]] = {}
    for report in reports:
        for p in report.suspects:
            a, b = report.documents[p.a], report.documents[p.b]
            if a.reference or b.reference:
                continue
            owners = tuple(sorted((a.owner, b.owner)))
            tasks = found.setdefault(owners, {})
            tasks[report.task] = max(tasks.get(report.task, 0.0), p.similarity)
    out = [Repeat(owners, tuple(sorted(tasks.items(), key=lambda t: (-t[1], t[0]))))
           for owners, tasks in found.items() if len(tasks) > 1]
    return tuple(sorted(out, key=lambda r: (-len(r.tasks), -sum(s for _, s in r.tasks), r.owners)))
