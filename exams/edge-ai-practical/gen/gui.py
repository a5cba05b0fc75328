"""Task `gui` (unit 2): one picture per set for the Qt window, and the answers.

The picture is a synthetic street-like scene: a sky-to-road gradient that is
red on one side and blue on the other (so a red/blue swap in the BGR -> RGB
conversion shows), coloured boxes and discs with sharp edges (so Canny has
something to find) and a line of text. Public and hidden pictures differ in
size, palette and layout.

    public/sample.png        the candidates' sample
    hidden/photo.png         what the grading test opens through the patched file dialog
    answers/expected.json    width, height, mean R/G/B, grey mean, edge share
    answers/edges.png        cv2.Canny(gray, 100, 200) of the hidden picture
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

CANNY = (100, 200)


def scene(rng, w: int, h: int) -> np.ndarray:
    x = np.linspace(0.0, 1.0, w)[None, :]
    y = np.linspace(0.0, 1.0, h)[:, None]
    img = np.zeros((h, w, 3), np.float32)
    r0, b0 = float(rng.uniform(170, 220)), float(rng.uniform(30, 70))
    img[..., 2] = r0 - 60 * x + 10 * y            # R: strong on the left
    img[..., 1] = 70 + 80 * y + 0 * x             # G: grows downwards
    img[..., 0] = b0 + 70 * x + 0 * y             # B: grows to the right
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(4, 7))):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        x1, y1 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        x2, y2 = x1 + int(rng.integers(20, 70)), y1 + int(rng.integers(15, 50))
        cv2.rectangle(img, (x1, y1), (min(x2, w - 1), min(y2, h - 1)), colour, -1)
    for _ in range(int(rng.integers(2, 4))):
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        centre = (int(rng.integers(20, w - 20)), int(rng.integers(20, h - 20)))
        cv2.circle(img, centre, int(rng.integers(10, 28)), colour, -1, cv2.LINE_AA)
    label = "EDGE-%02d" % int(rng.integers(0, 100))
    cv2.putText(img, label, (8, h - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2, cv2.LINE_AA)
    return img


def facts(img: np.ndarray) -> tuple[dict, np.ndarray]:
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    edges = cv2.Canny(gray, *CANNY)
    b, g, r = (float(img[..., c].mean()) for c in range(3))
    return ({"width": int(img.shape[1]), "height": int(img.shape[0]),
             "mean_rgb": [round(r, 3), round(g, 3), round(b, 3)],
             "gray_mean": round(float(gray.mean()), 3),
             "edge_share": round(float((edges > 0).mean()), 5)}, edges)


def write(path: Path, img) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def generate(out: Path, rng) -> None:
    write(out / "public" / "sample.png", scene(rng, 320, 240))
    # hidden: another size (rows stay 4-byte aligned in RGB888 and Grayscale8)
    w, h = ((280, 210), (300, 220))[int(rng.integers(0, 2))]
    img = scene(rng, w, h)
    write(out / "hidden" / "photo.png", img)
    expected, edges = facts(cv2.imread(str(out / "hidden" / "photo.png")))
    (out / "answers").mkdir(parents=True, exist_ok=True)
    (out / "answers" / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    write(out / "answers" / "edges.png", edges)
