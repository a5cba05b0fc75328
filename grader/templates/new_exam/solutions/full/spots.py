"""Reference solution: bright pixels, then connected components."""
import json
from pathlib import Path

import cv2


def count_spots(gray):
    _, mask = cv2.threshold(gray, 200, 255, cv2.THRESH_BINARY)
    n, _ = cv2.connectedComponents(mask)
    return int(n - 1)          # label 0 is the background


if __name__ == "__main__":
    counts = {p.name: count_spots(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE))
              for p in sorted(Path("data/images").glob("*.png"))}
    Path("output").mkdir(exist_ok=True)
    Path("output/counts.json").write_text(json.dumps(counts, indent=1))
