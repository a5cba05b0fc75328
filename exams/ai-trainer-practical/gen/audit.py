"""Task "audit": a labeled conveyor set with planted labeling errors to find and correct.

out/{public,hidden}/images/*.png, labels/*.txt   the labeled set (YOLO), some labels wrong
out/public/sample_answer/                       the samples' audit.csv, corrected labels and stats.json
out/answers/truth.json                          per picture: the right boxes and the planted errors

Planted errors, at most one per picture: wrong_class (a box carries another class),
loose_box (a box grown by 6-10 px on every side), missed_object (a part has no line).
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cv2

from gen.scenes import CLASSES, H, W, scene, yolo_lines

KINDS = ("wrong_class", "loose_box", "missed_object")


def plant(rng, boxes, kind):
    boxes = [list(b) for b in boxes]
    i = int(rng.integers(len(boxes)))
    if kind == "wrong_class":
        boxes[i][0] = (boxes[i][0] + int(rng.integers(1, len(CLASSES)))) % len(CLASSES)
    elif kind == "loose_box":
        g = int(rng.integers(6, 11))
        c, x1, y1, x2, y2 = boxes[i]
        boxes[i] = [c, max(0, x1 - g), max(0, y1 - g), min(W, x2 + g), min(H, y2 + g)]
    else:
        del boxes[i]
    return boxes


def draw_set(rng, folder: Path, n: int, per_kind: int):
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "labels").mkdir(parents=True, exist_ok=True)
    kinds = [k for k in KINDS for _ in range(per_kind)] + [None] * (n - per_kind * len(KINDS))
    rng.shuffle(kinds)
    truth = {}
    for i, kind in enumerate(kinds):
        img, boxes = scene(rng, n_parts=int(rng.integers(2, 5)))
        name = f"lot_{i:03d}.png"
        cv2.imwrite(str(folder / "images" / name), img)
        given = plant(rng, boxes, kind) if kind else boxes
        (folder / "labels" / f"lot_{i:03d}.txt").write_text(yolo_lines(given))
        truth[name] = {"boxes": [list(b) for b in boxes], "error": kind}
    (folder / "classes.txt").write_text("".join(c + "\n" for c in CLASSES))
    return truth


def generate(out: Path, rng) -> None:
    sample = draw_set(rng, out / "public", 10, 2)
    hidden = draw_set(rng, out / "hidden", 36, 4)
    (out / "answers" / "truth.json").write_text(json.dumps(hidden, indent=0))
    answer = out / "public" / "sample_answer"
    (answer / "corrected").mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "error"])
    counts = {c: 0 for c in CLASSES}
    for name, t in sorted(sample.items()):
        if t["error"]:
            w.writerow([name, t["error"]])
        (answer / "corrected" / name.replace(".png", ".txt")).write_text(yolo_lines(t["boxes"]))
        for b in t["boxes"]:
            counts[CLASSES[b[0]]] += 1
    (answer / "audit.csv").write_text(buf.getvalue())
    (answer / "stats.json").write_text(json.dumps({"objects": counts, "errors": {
        k: sum(1 for t in sample.values() if t["error"] == k) for k in KINDS}}, indent=1) + "\n")
