"""Task `video` (unit 1): a short synthetic clip per set, and the answers.

Each set is one `clip.mp4` (mp4v): a colour gradient background that slowly
brightens and darkens, a ball and a box moving across it, a frame counter in
the corner, and ONE flash frame (the picture washed towards white). Public and
hidden clips differ in size, frame rate, length, colours and flash position.

Answers are computed from the clip *as decoded* (mp4v is lossy), with the same
OpenCV the candidates use, so they are exact for a correct solution:

    answers/summary.json     frame_count, fps, width, height, flash_frame
    answers/brightness.json  mean grey level of every frame (COLOR_BGR2GRAY)
    answers/frames/frame_XXXX.png   every 5th frame at half size (INTER_AREA)
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import cv2
import numpy as np

STEP = 5            # every 5th frame is saved: 0, 5, 10, ...
CLIP = "clip.mp4"


def _background(rng, w: int, h: int) -> np.ndarray:
    """Red on the left, blue on the right: swapping R and B changes the grey level a lot."""
    x = np.linspace(0.0, 1.0, w)[None, :]
    y = np.linspace(0.0, 1.0, h)[:, None]
    r0, b0, g0 = (int(v) for v in (rng.integers(170, 210), rng.integers(30, 60), rng.integers(60, 100)))
    bg = np.zeros((h, w, 3), np.float32)
    bg[..., 2] = r0 - 50 * x + 0 * y          # R
    bg[..., 1] = g0 + 40 * y + 0 * x          # G
    bg[..., 0] = b0 + 50 * x + 0 * y          # B
    return bg


def _frames(rng, w: int, h: int, n: int, flash: int):
    bg = _background(rng, w, h)
    scale = w / 160.0
    radius = int(round(12 * scale))
    ball = tuple(int(v) for v in rng.integers(0, 256, 3))
    box = tuple(int(v) for v in rng.integers(0, 256, 3))
    bx, by = float(rng.uniform(radius, w - radius)), float(rng.uniform(radius, h - radius))
    vx, vy = (float(rng.choice([-1, 1]) * rng.uniform(2.5, 4.0) * scale) for _ in range(2))
    side = int(round(22 * scale))
    qx, qy = float(rng.uniform(0, w - side)), float(rng.uniform(0, h - side))
    ux, uy = (float(rng.choice([-1, 1]) * rng.uniform(1.5, 3.0) * scale) for _ in range(2))
    period = float(rng.uniform(18, 30))
    for i in range(n):
        level = 0.8 + 0.2 * math.sin(2 * math.pi * i / period)
        frame = np.clip(bg * level, 0, 255).astype(np.uint8)
        cv2.rectangle(frame, (int(qx), int(qy)), (int(qx) + side, int(qy) + side), box, -1)
        cv2.circle(frame, (int(bx), int(by)), radius, ball, -1, cv2.LINE_AA)
        cv2.putText(frame, f"#{i:03d}", (int(4 * scale), h - int(6 * scale)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.4 * scale, (255, 255, 255), max(1, int(scale)), cv2.LINE_AA)
        if i == flash:
            frame = cv2.addWeighted(frame, 0.25, np.full_like(frame, 255), 0.75, 0)
        yield frame
        bx, by, qx, qy = bx + vx, by + vy, qx + ux, qy + uy
        if not radius <= bx <= w - radius:
            vx = -vx
        if not radius <= by <= h - radius:
            vy = -vy
        if not 0 <= qx <= w - side:
            ux = -ux
        if not 0 <= qy <= h - side:
            uy = -uy


def write_clip(path: Path, rng, w: int, h: int, fps: float, n: int, flash: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    if not writer.isOpened():
        raise RuntimeError("cv2.VideoWriter could not open an mp4v writer")
    for frame in _frames(rng, w, h, n, flash):
        writer.write(frame)
    writer.release()


def read_all(path: Path) -> tuple[list[np.ndarray], float]:
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames, fps


def brightness(frame: np.ndarray) -> float:
    return float(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).mean())


def flash_index(values) -> int:
    """The frame whose brightness rises the most over the previous frame's."""
    jumps = [values[i] - values[i - 1] for i in range(1, len(values))]
    return 1 + int(np.argmax(jumps))


def make_set(folder: Path, rng, w: int, h: int, fps: float, n: int, flash: int) -> dict:
    clip = folder / CLIP
    write_clip(clip, rng, w, h, fps, n, flash)
    frames, got_fps = read_all(clip)
    if len(frames) != n or abs(got_fps - fps) > 1e-6 or frames[0].shape != (h, w, 3):
        raise RuntimeError(f"{clip} does not read back exactly: {len(frames)} frames at {got_fps} fps")
    values = [brightness(f) for f in frames]
    if flash_index(values) != flash:
        raise RuntimeError(f"{clip}: the flash is not where it was put")
    return {"frames": frames, "values": values,
            "summary": {"frame_count": n, "fps": fps, "width": w, "height": h, "flash_frame": flash}}


def generate(out: Path, rng) -> None:
    # public sample: small, so candidates can look at it frame by frame
    make_set(out / "public", rng, 160, 120, 10.0, 40, int(rng.integers(14, 26)))

    # hidden: another size, rate, length, palette and flash position
    w, h = ((320, 240), (240, 180))[int(rng.integers(0, 2))]
    fps = float(rng.choice([12.0, 15.0]))
    n = int(rng.integers(48, 67))
    flash = int(rng.integers(n // 3, 2 * n // 3))
    hidden = make_set(out / "hidden", rng, w, h, fps, n, flash)

    answers = out / "answers"
    (answers / "frames").mkdir(parents=True, exist_ok=True)
    (answers / "summary.json").write_text(json.dumps(hidden["summary"], indent=1) + "\n")
    (answers / "brightness.json").write_text(json.dumps([round(v, 4) for v in hidden["values"]]) + "\n")
    for i in range(0, n, STEP):
        small = cv2.resize(hidden["frames"][i], (w // 2, h // 2), interpolation=cv2.INTER_AREA)
        cv2.imwrite(str(answers / "frames" / f"frame_{i:04d}.png"), small, [cv2.IMWRITE_PNG_COMPRESSION, 9])
