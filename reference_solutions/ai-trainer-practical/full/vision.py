"""Reference: one colour range per class in HSV, the outline added back, YOLO lines."""
from pathlib import Path

import cv2
import numpy as np

DATA, OUT = Path("data"), Path("output")
CLASSES = [c.strip() for c in (DATA / "classes.txt").read_text().splitlines() if c.strip()]
# hue ranges (OpenCV 0-179) of the saturated parts: bottle green, can red, box orange
HUES = {"bottle": [(40, 80)], "can": [(0, 6), (170, 180)], "box": [(10, 25)]}


def boxes(img):
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    found = []
    for cls, name in enumerate(CLASSES):
        mask = np.zeros(img.shape[:2], np.uint8)
        for lo, hi in HUES[name]:
            mask |= cv2.inRange(hsv, (lo, 120, 80), (hi, 255, 255))
        n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
        for x, y, w, h, area in stats[1:]:
            if area >= 30:                                # dust and specks are smaller
                found.append((cls, x - 1, y - 1, x + w + 1, y + h + 1))     # the 1 px outline
    return found


def main():
    (OUT / "labels").mkdir(parents=True, exist_ok=True)
    (OUT / "classes.txt").write_text("".join(c + "\n" for c in CLASSES))
    for path in sorted((DATA / "images").glob("*.png")):
        img = cv2.imread(str(path))
        hgt, wid = img.shape[:2]
        lines = [f"{c} {(x1 + x2) / 2 / wid:.6f} {(y1 + y2) / 2 / hgt:.6f} {(x2 - x1) / wid:.6f} {(y2 - y1) / hgt:.6f}\n"
                 for c, x1, y1, x2, y2 in boxes(img)]
        (OUT / "labels" / f"{path.stem}.txt").write_text("".join(lines))


if __name__ == "__main__":
    main()
