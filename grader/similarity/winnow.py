"""Winnowing (Schleimer, Wilkerson and Aiken, 2003): a document's fingerprints are the
smallest hash of every window of `window` consecutive k-gram hashes.

Two documents that share a run of at least `k + window - 1` tokens share at least one
fingerprint, whatever surrounds the run; runs shorter than `k` are never matched (noise).
Hashes are a polynomial rolling hash over stable token codes, so a document has the same
fingerprints in every process (Python's own `hash` of a string changes per process)."""
from __future__ import annotations

import zlib
from collections import deque
from dataclasses import dataclass

_MOD = (1 << 61) - 1
_BASE = 1_000_003


@dataclass(frozen=True)
class Fingerprints:
    kgrams: tuple[int, ...]                       # hash of the k-gram starting at each token
    selected: dict[int, tuple[int, ...]]          # fingerprint -> token positions where it starts


def codes(kinds: tuple[str, ...]) -> list[int]:
    """A stable integer per token kind."""
    return [zlib.crc32(k.encode("utf-8")) + 1 for k in kinds]


def kgram_hashes(kinds: tuple[str, ...], k: int) -> tuple[int, ...]:
    """The rolling hash of every k-gram (none when there are fewer than k tokens)."""
    values = codes(kinds)
    if len(values) < k:
        return ()
    top = pow(_BASE, k - 1, _MOD)
    h = 0
    for v in values[:k]:
        h = (h * _BASE + v) % _MOD
    out = [h]
    for i in range(k, len(values)):
        h = ((h - values[i - k] * top) * _BASE + values[i]) % _MOD
        out.append(h)
    return tuple(out)


def winnow(hashes: tuple[int, ...], window: int) -> dict[int, tuple[int, ...]]:
    """{fingerprint: positions}: in each window the smallest hash (the rightmost on a tie),
    each selected position once. A document shorter than one window keeps its smallest."""
    if not hashes:
        return {}
    window = max(1, min(window, len(hashes)))
    chosen: dict[int, list[int]] = {}
    ring: deque[int] = deque()            # positions whose hashes increase, front = the minimum
    last = -1
    for i, h in enumerate(hashes):
        while ring and hashes[ring[-1]] >= h:
            ring.pop()
        ring.append(i)
        if ring[0] <= i - window:
            ring.popleft()
        if i >= window - 1 and ring[0] != last:
            last = ring[0]
            chosen.setdefault(hashes[last], []).append(last)
    return {h: tuple(p) for h, p in chosen.items()}


def fingerprint(kinds: tuple[str, ...], k: int, window: int) -> Fingerprints:
    hashes = kgram_hashes(kinds, k)
    return Fingerprints(hashes, winnow(hashes, window))
