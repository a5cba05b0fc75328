"""The similarity report's values: what is compared, how, and what was found.

A report only points a person at pairs to read; nothing in it changes a score."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One hand-in of one task, as code text (notebook cells, script, a project's files)."""
    key: str                 # unique in a report: a submission id, a path
    owner: str               # the candidate; a candidate is never paired with themself
    label: str               # what a person reads (candidate number, name, file)
    text: str
    reference: bool = False  # an earlier sitting's: compared with this sitting's, never with each other


@dataclass(frozen=True)
class Settings:
    k: int = 12                   # tokens in a k-gram: shorter runs are noise
    window: int = 6               # winnowing window: runs of k + window - 1 tokens are always found
    threshold: float = 0.5        # a pair at or above is shown as a suspect (a person decides)
    common_share: float = 0.5     # a fingerprint in more than this share of the submissions is ignored ...
    common_min: int = 5           # ... when at least this many have it (two copiers are not "most")
    min_fingerprints: int = 5     # fewer of its own: too little code to compare
    keep_pairs: int = 200         # pairs below the threshold kept for the list (the histogram counts all)
    bins: int = 20

    def __post_init__(self) -> None:
        if self.k < 2 or self.window < 1:
            raise ValueError("k must be at least 2 and window at least 1")
        if not 0 < self.threshold <= 1 or not 0 < self.common_share <= 1:
            raise ValueError("threshold and common_share are shares in (0, 1]")
        if self.bins < 1 or self.keep_pairs < 0 or self.min_fingerprints < 1 or self.common_min < 2:
            raise ValueError("bins, min_fingerprints >= 1, common_min >= 2, keep_pairs >= 0")


@dataclass(frozen=True)
class Fragment:
    """A run of equal normalised tokens in both documents (character offsets, 1-based lines)."""
    tokens: int
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_lines: tuple[int, int]
    b_lines: tuple[int, int]


@dataclass(frozen=True)
class Pair:
    a: str                        # document keys, a < b in the report's order
    b: str
    similarity: float             # shared fingerprints / the smaller document's
    shared: int
    a_share: float                # of a's fingerprints, the share b has too
    b_share: float
    fragments: tuple[Fragment, ...] = ()     # longest first, none overlapping

    @property
    def longest(self) -> Fragment | None:
        return self.fragments[0] if self.fragments else None


@dataclass(frozen=True)
class Skipped:
    key: str
    reason: str                   # "too_little_code": a reason code, shown through a catalogue


@dataclass(frozen=True)
class TaskReport:
    task: str
    settings: Settings
    documents: dict[str, Document]
    pairs: tuple[Pair, ...]       # best first: every pair at or above the threshold, then the best others
    compared: int                 # pairs compared (after team and owner rules)
    histogram: tuple[int, ...]    # pairs per similarity bin of width 1/bins
    clusters: tuple[tuple[str, ...], ...]   # connected components of pairs at or above the threshold
    boilerplate: int              # k-grams of the starter code, ignored
    common: int                   # fingerprints shared by most submissions, ignored
    skipped: tuple[Skipped, ...] = ()

    @property
    def suspects(self) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.similarity >= self.settings.threshold)

    def pair(self, a: str, b: str) -> Pair | None:
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        return None


@dataclass(frozen=True)
class Repeat:
    """Two candidates above the threshold in more than one task."""
    owners: tuple[str, str]
    tasks: tuple[tuple[str, float], ...] = field(default=())   # (task, similarity), best first
