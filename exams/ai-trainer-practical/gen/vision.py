"""Task "vision": label the parts on a conveyor belt in YOLO format.

out/public/seed/images/*.png + seed/labels/*.txt   a labeled seed set (also in hidden/)
out/public/images/*.png                            sample pictures to label
out/public/sample_answer/labels/*.txt              their labels
out/hidden/images/*.png                            the grading pictures (drawn after the samples)
out/answers/truth.json                             their boxes in pixels, per picture
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2

from gen.scenes import CLASSES, scene, yolo_lines


def draw_set(rng, images: Path, labels: Path | None, n: int, prefix: str) -> dict:
    images.mkdir(parents=True, exist_ok=True)
    truth = {}
    for i in range(n):
        img, boxes = scene(rng)
        name = f"{prefix}{i:03d}"
        cv2.imwrite(str(images / f"{name}.png"), img)
        truth[f"{name}.png"] = [list(b) for b in boxes]
        if labels is not None:
            labels.mkdir(parents=True, exist_ok=True)
            (labels / f"{name}.txt").write_text(yolo_lines(boxes))
    return truth


def generate(out: Path, rng) -> None:
    draw_set(rng, out / "public" / "seed" / "images", out / "public" / "seed" / "labels", 12, "seed_")
    draw_set(rng, out / "public" / "images", out / "public" / "sample_answer" / "labels", 6, "belt_")
    truth = draw_set(rng, out / "hidden" / "images", None, 40, "belt_")
    (out / "answers" / "truth.json").write_text(json.dumps({"classes": CLASSES, "pictures": truth}, indent=0))
    for sub in ("images", "labels"):
        (out / "hidden" / "seed" / sub).mkdir(parents=True, exist_ok=True)
        for p in sorted((out / "public" / "seed" / sub).iterdir()):
            (out / "hidden" / "seed" / sub / p.name).write_bytes(p.read_bytes())
    for part in ("public", "hidden"):
        (out / part / "classes.txt").write_text("".join(c + "\n" for c in CLASSES))
