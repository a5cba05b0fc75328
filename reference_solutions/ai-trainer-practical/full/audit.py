"""Reference: label every picture again by colour, compare with the given labels, report and correct."""
import csv
import json
from pathlib import Path

import cv2
import numpy as np

DATA, OUT = Path("data"), Path("output")
CLASSES = [c.strip() for c in (DATA / "classes.txt").read_text().splitlines() if c.strip()]
HUES = {"bottle": [(40, 80)], "can": [(0, 6), (170, 180)], "box": [(10, 25)]}
KINDS = ("wrong_class", "loose_box", "missed_object")


def detect(img):
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    found = []
    for cls, name in enumerate(CLASSES):
        mask = np.zeros(img.shape[:2], np.uint8)
        for lo, hi in HUES[name]:
            mask |= cv2.inRange(hsv, (lo, 120, 80), (hi, 255, 255))
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        found += [(cls, x - 1, y - 1, x + w + 1, y + h + 1) for x, y, w, h, area in stats[1:] if area >= 30]
    return found


def read_labels(path, wid, hgt):
    boxes = []
    for line in path.read_text().splitlines():
        if line.split():
            c, cx, cy, w, h = (float(v) for v in line.split()[:5])
            boxes.append((int(c), (cx - w / 2) * wid, (cy - h / 2) * hgt, (cx + w / 2) * wid, (cy + h / 2) * hgt))
    return boxes


def iou(a, b):
    iw = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def audit(given, found):
    """The error of one picture's labels (or None), judged against a fresh labeling."""
    for part in found:
        best = max(given, key=lambda g: iou(g[1:], part[1:]), default=None)
        if best is None or iou(best[1:], part[1:]) < 0.3:
            return "missed_object"
        if best[0] != part[0]:
            return "wrong_class"
        if iou(best[1:], part[1:]) < 0.8:
            return "loose_box"
    return None


def main():
    (OUT / "corrected").mkdir(parents=True, exist_ok=True)
    counts, errors, rows = {c: 0 for c in CLASSES}, {k: 0 for k in KINDS}, []
    for path in sorted((DATA / "images").glob("*.png")):
        img = cv2.imread(str(path))
        hgt, wid = img.shape[:2]
        found = detect(img)
        error = audit(read_labels(DATA / "labels" / f"{path.stem}.txt", wid, hgt), found)
        if error:
            rows.append([path.name, error])
            errors[error] += 1
        for c, *_ in found:
            counts[CLASSES[c]] += 1
        (OUT / "corrected" / f"{path.stem}.txt").write_text("".join(
            f"{c} {(x1 + x2) / 2 / wid:.6f} {(y1 + y2) / 2 / hgt:.6f} {(x2 - x1) / wid:.6f} {(y2 - y1) / hgt:.6f}\n"
            for c, x1, y1, x2, y2 in found))
    with open(OUT / "audit.csv", "w", newline="") as f:
        csv.writer(f).writerows([["file", "error"], *rows])
    (OUT / "stats.json").write_text(json.dumps({"objects": counts, "errors": errors}, indent=1))


if __name__ == "__main__":
    main()
