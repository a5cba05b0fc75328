"""Conveyor-belt scenes with parts to label: shared by gen/vision.py and gen/audit.py.

A 192x144 picture: a grey belt with darker slats and uneven light, and 2-5 parts
that never touch, each one solid colour with a dark outline of 1 px:
  bottle  green, an upright rounded bar (seen from the side)
  can     red, a disc (seen from above)
  box     orange, a rectangle wider than tall
Small grey specks are dust, not parts. A part's true box is the bounding
rectangle of its coloured pixels and outline, (x1, y1, x2, y2), x2/y2 exclusive.
"""
from __future__ import annotations

import cv2
import numpy as np

CLASSES = ("bottle", "can", "box")
W, H = 192, 144
COLOURS = {"bottle": (60, 170, 40), "can": (40, 40, 200), "box": (30, 140, 235)}   # BGR


def belt(rng) -> np.ndarray:
    base = rng.uniform(110, 160)
    img = np.full((H, W, 3), base, np.float32)
    for x in range(int(rng.integers(0, 24)), W, 24):          # slats
        img[:, x:x + 3] -= 25
    light = np.linspace(rng.uniform(-20, 0), rng.uniform(0, 20), W, dtype=np.float32)
    img += light[None, :, None] + rng.normal(0, 3, (H, W, 1))
    for _ in range(int(rng.integers(4, 10))):                  # dust
        x, y = int(rng.integers(0, W - 3)), int(rng.integers(0, H - 3))
        img[y:y + 2, x:x + 2] = rng.uniform(60, 200)
    return np.clip(img, 0, 255).astype(np.uint8)


def _part(kind, rng):
    """(width, height, draw(img, x, y)) of one part drawn with its top-left corner at x, y."""
    colour = tuple(int(c + rng.integers(-12, 13)) for c in COLOURS[kind])
    if kind == "bottle":
        w, h = int(rng.integers(12, 18)), int(rng.integers(30, 44))

        def draw(img, x, y):
            cv2.rectangle(img, (x, y + w // 2), (x + w - 1, y + h - 1), (20, 20, 20), -1)
            cv2.circle(img, (x + w // 2, y + w // 2), w // 2, (20, 20, 20), -1)
            cv2.rectangle(img, (x + 1, y + w // 2), (x + w - 2, y + h - 2), colour, -1)
            cv2.circle(img, (x + w // 2, y + w // 2), w // 2 - 1, colour, -1)
    elif kind == "can":
        r = int(rng.integers(9, 15))
        w = h = 2 * r + 1

        def draw(img, x, y):
            cv2.circle(img, (x + r, y + r), r, (20, 20, 20), -1)
            cv2.circle(img, (x + r, y + r), r - 1, colour, -1)
    else:
        w, h = int(rng.integers(28, 44)), int(rng.integers(18, 26))

        def draw(img, x, y):
            cv2.rectangle(img, (x, y), (x + w - 1, y + h - 1), (20, 20, 20), -1)
            cv2.rectangle(img, (x + 1, y + 1), (x + w - 2, y + h - 2), colour, -1)
    return w, h, draw


def scene(rng, n_parts=None):
    """(picture, [(class id, x1, y1, x2, y2), ...])."""
    img = belt(rng)
    boxes, tries = [], 0
    want = n_parts or int(rng.integers(2, 6))
    while len(boxes) < want and tries < 200:
        tries += 1
        cls = int(rng.integers(len(CLASSES)))
        w, h, draw = _part(CLASSES[cls], rng)
        x, y = int(rng.integers(2, W - w - 2)), int(rng.integers(2, H - h - 2))
        if any(x < b[3] + 4 and b[1] < x + w + 4 and y < b[4] + 4 and b[2] < y + h + 4 for b in boxes):
            continue
        draw(img, x, y)
        boxes.append((cls, x, y, x + w, y + h))
    return img, boxes


def yolo_lines(boxes) -> str:
    return "".join(f"{c} {(x1 + x2) / 2 / W:.6f} {(y1 + y2) / 2 / H:.6f} {(x2 - x1) / W:.6f} {(y2 - y1) / H:.6f}\n"
                   for c, x1, y1, x2, y2 in boxes)
