"""Task "train": labeled part pictures to split, train on, export (ONNX) and test.

out/{public,hidden}/pictures/*.png, labels.csv   32x32 grey pictures of parts and their class
out/answers/pictures.npz                         the hidden pictures again (names, pixels) for the judge
out/answers/captures.json                        the hidden pictures' capture: copies share one
out/answers/test.npz                             a hidden test set (other captures, no copies)

A quarter of the captures are in the set twice or three times: saved again with a
little noise (a copy differs from its original by at most 2 grey levels of 255 on average, so
two copies by under 4), while distinct captures differ by 8 or more (the background noise
alone sees to that; tests/test_ai_trainer.py checks every pair). A split that puts copies of
one capture on both sides tests the model on pictures it was trained on.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cv2
import numpy as np

CLASSES = ("bottle", "can", "box", "ring")
SIZE = 32


def picture(rng, kind: str) -> np.ndarray:
    """One part on a noisy belt, drawn at 4x and shrunk (smooth edges)."""
    s = SIZE * 4
    bg = rng.uniform(50, 140)
    img = np.full((s, s), bg, np.float32) + np.linspace(-15, 15, s)[None, :] * rng.uniform(-1, 1)
    tone = float(np.clip(bg + rng.uniform(25, 60), 0, 255))        # parts are lighter than the belt
    cx, cy = (s / 2 + rng.uniform(-12, 12) for _ in range(2))
    scale = rng.uniform(0.8, 1.15)
    shape = np.zeros((s, s), np.uint8)
    c = (int(cx), int(cy))
    if kind == "bottle":                       # upright: a bar with a rounded top
        w, h = int(26 * scale), int(80 * scale)
        cv2.rectangle(shape, (c[0] - w // 2, c[1] - h // 2 + w // 2), (c[0] + w // 2, c[1] + h // 2), 255, -1)
        cv2.circle(shape, (c[0], c[1] - h // 2 + w // 2), w // 2, 255, -1)
    elif kind == "can":                        # seen from above: a disc
        cv2.circle(shape, c, int(34 * scale), 255, -1)
    elif kind == "box":                        # wider than tall
        w, h = int(84 * scale), int(50 * scale)
        cv2.rectangle(shape, (c[0] - w // 2, c[1] - h // 2), (c[0] + w // 2, c[1] + h // 2), 255, -1)
    else:                                      # a washer: a disc with a hole
        cv2.circle(shape, c, int(36 * scale), 255, -1)
        cv2.circle(shape, c, int(rng.uniform(9, 14) * scale), 0, -1)
    turn = cv2.getRotationMatrix2D((cx, cy), rng.uniform(-15, 15), 1.0)
    shape = cv2.warpAffine(shape, turn, (s, s), flags=cv2.INTER_NEAREST)
    img[shape > 0] = tone
    small = cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    return np.clip(small + rng.normal(0, 8, small.shape), 0, 255).astype(np.uint8)


def captures(rng, n: int) -> tuple[list[np.ndarray], list[str]]:
    images, labels = [], []
    while len(images) < n:
        kind = CLASSES[len(images) % len(CLASSES)]
        img = picture(rng, kind)
        if all(np.abs(img.astype(np.float32) - o).mean() >= 8 for o in images[-40:]):
            images.append(img.astype(np.float32))
            labels.append(kind)
    return [i.astype(np.uint8) for i in images], labels


def draw_set(rng, folder: Path, n_captures: int):
    """Writes folder/pictures/*.png and labels.csv; returns (names, pixels, labels, capture ids)."""
    base, base_labels = captures(rng, n_captures)
    items = []   # (pixels, label, capture)
    for c, (img, label) in enumerate(zip(base, base_labels)):
        items.append((img, label, c))
        if rng.random() < 0.25:
            for _ in range(int(rng.integers(1, 3))):
                copy = img.astype(np.float32) + rng.uniform(-1, 1) + rng.normal(0, 1.0, img.shape)
                copy = np.clip(np.round(copy), 0, 255).astype(np.uint8)
                assert np.abs(copy.astype(np.float32) - img).mean() <= 2
                items.append((copy, label, c))
    order = rng.permutation(len(items))
    (folder / "pictures").mkdir(parents=True, exist_ok=True)
    names, pixels, labels, groups = [], [], [], []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "label"])
    for i, k in enumerate(order):
        img, label, c = items[int(k)]
        name = f"p_{i:04d}.png"
        cv2.imwrite(str(folder / "pictures" / name), img)
        w.writerow([name, label])
        names.append(name)
        pixels.append(img)
        labels.append(label)
        groups.append(c)
    (folder / "labels.csv").write_text(buf.getvalue())
    return names, np.stack(pixels), labels, groups


def generate(out: Path, rng) -> None:
    draw_set(rng, out / "public", 160)
    names, pixels, labels, groups = draw_set(rng, out / "hidden", 280)
    np.savez_compressed(out / "answers" / "pictures.npz", names=np.array(names), images=pixels,
                        labels=np.array(labels))
    (out / "answers" / "captures.json").write_text(json.dumps(dict(zip(names, groups))))
    test, test_labels = captures(rng, 400)
    np.savez_compressed(out / "answers" / "test.npz", images=np.stack(test), labels=np.array(test_labels))
