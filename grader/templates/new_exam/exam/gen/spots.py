"""Task "spots": small grey pictures with a few bright spots each.

out/public/images/*.png, out/public/counts.json   samples and their answers (candidates have both)
out/hidden/images/*.png                           the grading pictures (the candidate's data/ when graded)
out/answers/counts.json                           their answers: only the judge sandbox sees them
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

SIZE = 64


def picture(rng, spots: int) -> np.ndarray:
    img = rng.integers(0, 60, (SIZE, SIZE)).astype(np.uint8)      # dark noise
    placed = []
    while len(placed) < spots:
        x, y = (int(v) for v in rng.integers(6, SIZE - 6, 2))
        if all(abs(x - a) > 10 or abs(y - b) > 10 for a, b in placed):   # spots never touch
            placed.append((x, y))
            cv2.circle(img, (x, y), int(rng.integers(2, 4)), 255, -1)
    return img


def write_set(folder: Path, rng, n: int) -> dict[str, int]:
    (folder / "images").mkdir(parents=True, exist_ok=True)
    counts = {}
    for i in range(n):
        name = f"img_{i:03d}.png"
        counts[name] = int(rng.integers(1, 6))
        cv2.imwrite(str(folder / "images" / name), picture(rng, counts[name]))
    return counts


def generate(out: Path, rng) -> None:
    public = write_set(out / "public", rng, 4)     # drawn first: the hidden set never repeats them
    (out / "public" / "counts.json").write_text(json.dumps(public, indent=1) + "\n")
    hidden = write_set(out / "hidden", rng, 20)
    (out / "answers" / "counts.json").write_text(json.dumps(hidden, indent=1) + "\n")
