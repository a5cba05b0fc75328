"""The runs two documents share, grown from their shared fingerprints, and the text cut
into plain and shared pieces for showing them side by side."""
from __future__ import annotations

from dataclasses import dataclass

from .model import Fragment
from bisect import bisect_right

from .tokens import Tokens, line_offsets

MAX_SEEDS_PER_PRINT = 16      # a fingerprint repeated in both: enough places to start from


@dataclass(frozen=True)
class Side:
    """One document as the fragment search needs it."""
    text: str
    tokens: Tokens
    positions: dict[int, tuple[int, ...]]    # fingerprint -> token positions
    ignored: tuple[bool, ...]                # token inside starter code or a common fragment
    lines: tuple[int, ...] = ()              # offsets where lines start (tokens.line_offsets)

    def line(self, offset: int) -> int:
        return bisect_right(self.lines or line_offsets(self.text), offset)


def ignored_tokens(kgrams: tuple[int, ...], ignored: set[int] | frozenset[int], size: int, k: int) -> tuple[bool, ...]:
    """Which tokens lie in a k-gram of the starter code or one most submissions share."""
    out = [False] * size
    for i, h in enumerate(kgrams):
        if h in ignored:
            for j in range(i, min(size, i + k)):
                out[j] = True
    return tuple(out)


def shared(a: Side, b: Side, prints: set[int] | frozenset[int], k: int) -> tuple[Fragment, ...]:
    """Maximal runs of equal tokens through each shared fingerprint, longest first, none
    overlapping another on either side. Runs stop at ignored tokens, so starter code around
    a copied part is not counted in it. Every run is checked token by token (a hash collision
    yields nothing)."""
    ka, kb = a.tokens.kinds, b.tokens.kinds
    runs: set[tuple[int, int, int]] = set()          # (a start, b start, length)
    on_diagonal: dict[int, list[tuple[int, int]]] = {}   # i - j -> runs found there (a start, a end)
    for h in prints:
        seeds = [(i, j) for i in a.positions.get(h, ()) for j in b.positions.get(h, ())][:MAX_SEEDS_PER_PRINT]
        for i, j in seeds:
            found = on_diagonal.setdefault(i - j, [])
            if any(lo <= i < hi for lo, hi in found):     # inside a run grown before: the same run
                continue
            if ka[i:i + k] != kb[j:j + k]:
                continue
            while i > 0 and j > 0 and ka[i - 1] == kb[j - 1] and not a.ignored[i - 1] and not b.ignored[j - 1]:
                i, j = i - 1, j - 1
            n = k
            while i + n < len(ka) and j + n < len(kb) and ka[i + n] == kb[j + n] \
                    and not a.ignored[i + n] and not b.ignored[j + n]:
                n += 1
            runs.add((i, j, n))
            found.append((i, i + n))
    taken_a: list[tuple[int, int]] = []
    taken_b: list[tuple[int, int]] = []
    out = []
    for i, j, n in sorted(runs, key=lambda r: (-r[2], r[0], r[1])):
        if _overlaps(taken_a, i, i + n) or _overlaps(taken_b, j, j + n):
            continue
        taken_a.append((i, i + n))
        taken_b.append((j, j + n))
        out.append(_fragment(a, b, i, j, n))
    return tuple(out)


def _overlaps(taken: list[tuple[int, int]], lo: int, hi: int) -> bool:
    return any(lo < t_hi and t_lo < hi for t_lo, t_hi in taken)


def _fragment(a: Side, b: Side, i: int, j: int, n: int) -> Fragment:
    a0, a1 = a.tokens.starts[i], a.tokens.ends[i + n - 1]
    b0, b1 = b.tokens.starts[j], b.tokens.ends[j + n - 1]
    return Fragment(n, a0, a1, b0, b1, (a.line(a0), a.line(max(a0, a1 - 1))), (b.line(b0), b.line(max(b0, b1 - 1))))


@dataclass(frozen=True)
class Piece:
    text: str
    fragment: int | None          # the fragment's number in the pair (0 = longest), None: not shared


def pieces(text: str, spans: list[tuple[int, int, int]]) -> tuple[Piece, ...]:
    """`text` cut at the (start, end, fragment number) spans: shown with the shared parts marked."""
    out, at = [], 0
    for start, end, number in sorted(spans):
        start = max(start, at)
        if start >= end:
            continue
        if start > at:
            out.append(Piece(text[at:start], None))
        out.append(Piece(text[start:end], number))
        at = end
    if at < len(text):
        out.append(Piece(text[at:], None))
    return tuple(out)


def side_pieces(text: str, fragments: tuple[Fragment, ...], side: str) -> tuple[Piece, ...]:
    """The pieces of side "a" or "b" of a pair's text."""
    if side == "a":
        return pieces(text, [(f.a_start, f.a_end, n) for n, f in enumerate(fragments)])
    return pieces(text, [(f.b_start, f.b_end, n) for n, f in enumerate(fragments)])
