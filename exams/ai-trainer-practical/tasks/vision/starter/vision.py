"""Vision labeling: a YOLO label file in output/labels/ for every picture of data/images/."""
from pathlib import Path

import cv2

DATA, OUT = Path("data"), Path("output")
CLASSES = [c.strip() for c in (DATA / "classes.txt").read_text().splitlines() if c.strip()]

(OUT / "labels").mkdir(parents=True, exist_ok=True)
(OUT / "classes.txt").write_text("".join(c + "\n" for c in CLASSES))
for path in sorted((DATA / "images").glob("*.png")):
    img = cv2.imread(str(path))
    lines = []   # TODO: "class_id center_x center_y width height" for every part
    (OUT / "labels" / f"{path.stem}.txt").write_text("".join(lines))
