"""Make the demo exam's data: public samples, hidden inputs and hidden answers.

Deterministic (fixed seeds), so the committed files can be checked by running
this again: `python3 exams/demo/generate.py` rewrites them byte for byte.
Hidden inputs use other seeds than the public samples.
"""
import json
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent / "tasks"


def scene(rng, h=60, w=80):
    """A colour picture with a gradient, rectangles and circles: edges to blur."""
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.uint8)
    img[..., 0] = (x * 255 // w).astype(np.uint8)
    img[..., 1] = (y * 255 // h).astype(np.uint8)
    img[..., 2] = rng.integers(0, 256)
    for _ in range(3):
        c = tuple(int(v) for v in rng.integers(0, 256, 3))
        x1, y1 = int(rng.integers(0, w - 20)), int(rng.integers(0, h - 20))
        cv2.rectangle(img, (x1, y1), (x1 + int(rng.integers(8, 20)), y1 + int(rng.integers(8, 20))), c, -1)
        cv2.circle(img, (int(rng.integers(10, w - 10)), int(rng.integers(10, h - 10))), int(rng.integers(4, 10)), c, -1)
    return img


def gray_blur(img):
    return cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (5, 5), 0)


def shape(rng, kind, size=64):
    img = np.zeros((size, size), np.uint8)
    cx, cy = (int(v) for v in rng.integers(24, 40, 2))
    r = int(rng.integers(12, 20))
    if kind == "circle":
        cv2.circle(img, (cx, cy), r, 255, -1)
    else:
        n = 4 if kind == "square" else 3
        angle = rng.uniform(0, 2 * np.pi)
        pts = [(cx + r * np.cos(angle + 2 * np.pi * i / n), cy + r * np.sin(angle + 2 * np.pi * i / n))
               for i in range(n)]
        cv2.fillPoly(img, [np.array(pts, np.int32)], 255)
    noise = rng.integers(0, 30, img.shape).astype(np.uint8)
    return cv2.add(img, noise)


def write(path: Path, img) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def blur_task():
    base = ROOT / "blur"
    rng = np.random.default_rng(1)
    write(base / "public" / "sample.png", scene(rng))
    rng = np.random.default_rng(1001)
    for i in range(4):
        img = scene(rng)
        write(base / "hidden" / f"photo_{i}.png", img)
        write(base / "answers" / "output" / f"photo_{i}.png", gray_blur(img))


def shapes_task():
    base = ROOT / "shapes"
    kinds = ["circle", "square", "triangle"]
    rng = np.random.default_rng(2)
    labels = {}
    for i, kind in enumerate(kinds):
        write(base / "public" / f"sample_{i}.png", shape(rng, kind))
        labels[f"sample_{i}.png"] = kind
    (base / "public" / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    rng = np.random.default_rng(2002)
    order = [kinds[i % 3] for i in range(30)]
    rng.shuffle(order)
    answers = {}
    for i, kind in enumerate(order):
        write(base / "hidden" / f"img_{i:03d}.png", shape(rng, kind))
        answers[f"img_{i:03d}.png"] = kind
    (base / "answers").mkdir(parents=True, exist_ok=True)
    (base / "answers" / "labels.json").write_text(json.dumps(answers, indent=1) + "\n")


if __name__ == "__main__":
    blur_task()
    shapes_task()
    print("demo data written under", ROOT)
