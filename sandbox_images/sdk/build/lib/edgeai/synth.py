"""Deterministic synthetic licence-plate data for exams (合成车牌数据).

    import numpy as np
    from edgeai import synth
    rng = np.random.default_rng(7)
    text = synth.random_plate_text(rng)               # "苏E3K7Q2"
    plate = synth.render_plate(text)                  # 140×440×3 BGR, blue with white characters
    img, truth = synth.render_scene(rng, [text])      # 480×640×3 BGR street scene + answers
    hard = synth.degrade(img, rng, 3)                 # blur, noise, low light, JPEG

Every random choice comes from the numpy Generator passed in, so the same seed gives
the same bytes (with the same fonts and library versions). Use different seeds for
public samples and hidden sets.
"""
from __future__ import annotations

import functools
import glob
import math
import os
import shutil
import subprocess

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "PROVINCES",
    "LETTERS",
    "ALNUM",
    "is_plate_text",
    "random_plate_text",
    "render_plate",
    "render_scene",
    "degrade",
    "find_cjk_font",
    "PLATE_SIZE",
    "LEVELS",
]

PROVINCES = "京沪津渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
DIGITS = "0123456789"
ALNUM = LETTERS + DIGITS
PLATE_SIZE = (440, 140)  # (width, height) in pixels = millimetres of a real blue plate
LEVELS = (0, 1, 2, 3)  # degradation levels understood by degrade()

_FONT_FIRST = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
_FONT_NAMES = ("wqyzenhei", "wqymicrohei", "notosanscjk", "notoserifcjk", "droidsansfallback")


def is_plate_text(text: str) -> bool:
    """True for a 7-character blue-plate number: province, letter (no I/O), 5 letters/digits."""
    return (
        isinstance(text, str)
        and len(text) == 7
        and text[0] in PROVINCES
        and text[1] in LETTERS
        and all(c in ALNUM for c in text[2:])
    )


def random_plate_text(rng: np.random.Generator) -> str:
    """A random valid plate number such as 京A12345 (mostly digits, like real plates)."""
    _check_rng(rng)
    province = PROVINCES[int(rng.integers(len(PROVINCES)))]
    letter = LETTERS[int(rng.integers(len(LETTERS)))]
    n_letters = int(rng.choice([0, 1, 2], p=[0.5, 0.35, 0.15]))
    where = set(rng.choice(5, size=n_letters, replace=False).tolist())
    tail = "".join(
        LETTERS[int(rng.integers(len(LETTERS)))] if i in where else DIGITS[int(rng.integers(10))]
        for i in range(5)
    )
    return province + letter + tail


# ---------------------------------------------------------------- fonts


@functools.lru_cache(maxsize=1)
def find_cjk_font() -> str:
    """Path of a font that can draw Chinese.

    Looks for /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc, then known CJK fonts under
    /usr/share/fonts, then any font fontconfig (fc-list) says covers Chinese.
    """
    if os.path.isfile(_FONT_FIRST):
        return _FONT_FIRST
    files = sorted(
        p for ext in ("ttc", "ttf", "otf") for p in glob.glob(f"/usr/share/fonts/**/*.{ext}", recursive=True)
    )
    for name in _FONT_NAMES:
        for path in files:
            if name in os.path.basename(path).lower().replace("-", "").replace("_", ""):
                return path
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        for line in sorted(out.splitlines()):
            path = line.split(":")[0].strip()
            if path and os.path.isfile(path):
                return path
    raise FileNotFoundError(
        "no Chinese (CJK) font found: install the Debian package fonts-wqy-zenhei "
        f"(apt-get install -y fonts-wqy-zenhei), which provides {_FONT_FIRST}"
    )


@functools.lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(find_cjk_font(), size)


# province characters: bold, 40 of the 45 mm cell wide (plate fonts are heavier and
# narrower than a screen Hei font); letters and digits: full height, natural width up to 45
_PROVINCE_INK = (40, 90)
_PROVINCE_STROKE = 3
_ALNUM_STROKE = 2


@functools.lru_cache(maxsize=256)
def _glyph(char: str, width: int, height: int) -> np.ndarray:
    """Alpha mask (height×width uint8) of one character fitted to a plate character cell."""
    stroke = _PROVINCE_STROKE if char in PROVINCES else _ALNUM_STROKE
    canvas = Image.new("L", (260, 260), 0)
    ImageDraw.Draw(canvas).text(
        (50, 30), char, font=_font(160), fill=255, stroke_width=stroke, stroke_fill=255
    )
    a = np.asarray(canvas)
    ys, xs = np.nonzero(a > 0)
    if len(xs) == 0:
        raise ValueError(f"the font cannot draw {char!r}")
    a = a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    h, w = a.shape
    if char in PROVINCES:
        tw, th = min(_PROVINCE_INK[0], width), min(_PROVINCE_INK[1], height)
    else:
        th = height
        tw = min(width, max(int(round(w * height / h)), 8))  # "1" stays narrow
    glyph = cv2.resize(a, (tw, th), interpolation=cv2.INTER_AREA)
    cell = np.zeros((height, width), np.uint8)
    x0, y0 = (width - tw) // 2, (height - th) // 2
    cell[y0 : y0 + th, x0 : x0 + tw] = glyph
    return cell


# ---------------------------------------------------------------- plates


def render_plate(
    text: str,
    rng: np.random.Generator | None = None,
    style: str = "blue",
    noise: float = 0.0,
) -> np.ndarray:
    """Draw a Chinese blue plate (140×440×3 uint8 BGR) with white characters, border and rivets.

    Layout follows GA 36 (mm = px): 45×90 characters, 12 mm gaps, a dot after the 2nd character.
    rng: optional Generator for small colour variations; noise: Gaussian noise sigma
    (0 = none, needs rng, 2-6 looks like a photo).
    """
    if style != "blue":
        raise ValueError(f"style {style!r} is not supported: only 'blue' (蓝牌) plates")
    if not is_plate_text(text):
        raise ValueError(
            f"{text!r} is not a blue-plate number: 7 characters, a province character "
            "(e.g. 京), a letter A-Z without I/O, then 5 letters or digits, e.g. 京A12345"
        )
    if noise and rng is None:
        raise ValueError("noise needs rng (a numpy Generator)")
    W, H = PLATE_SIZE
    def jitter(lo, hi):
        return float(rng.uniform(lo, hi)) if rng is not None else (lo + hi) / 2

    # blue background (BGR), slightly brighter at the top, as on an embossed plate
    blue = np.array([170.0 + jitter(-15, 15), 75.0 + jitter(-12, 12), 15.0 + jitter(-8, 8)])
    grad = np.linspace(1.08, 0.92, H)[:, None, None]
    img = np.clip(blue[None, None, :] * grad * np.ones((H, W, 1)), 0, 255)

    white = np.array([235.0, 238.0, 240.0]) + jitter(-10, 10)
    # white border: rounded rectangle inset 5 px, 3 px wide
    mask = np.zeros((H, W), np.uint8)
    _rounded_rect(mask, (5, 5), (W - 6, H - 6), 12, 255, 3)
    # characters: left margin 15.5, cells 45 wide, gaps 12, 34 mm between 2nd and 3rd (dot inside)
    xs = [15.5, 72.5]
    x = 72.5 + 45 + 34
    for _ in range(5):
        xs.append(x)
        x += 45 + 12
    for ch, x0 in zip(text, xs):
        cell = _glyph(ch, 45, 90)
        xi, yi = int(round(x0)), 25
        region = mask[yi : yi + 90, xi : xi + 45]
        np.maximum(region, cell, out=region)
    # separator dot
    cv2.circle(mask, (int(72.5 + 45 + 17), 70), 5, 255, -1, cv2.LINE_AA)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    img = img * (1 - alpha) + white[None, None, :] * alpha

    # rivets: small metal discs in the top gaps, with a shadow
    for cx in (int(72.5 + 45 + 17), int(xs[5] + 45 + 6)):
        cv2.circle(img, (cx + 1, 15), 6, (60, 40, 20), -1, cv2.LINE_AA)
        cv2.circle(img, (cx, 14), 6, (200, 200, 205), -1, cv2.LINE_AA)
        cv2.circle(img, (cx - 2, 12), 2, (250, 250, 250), -1, cv2.LINE_AA)

    if noise:
        img = img + rng.normal(0.0, float(noise), img.shape)
    return np.clip(img, 0, 255).round().astype(np.uint8)


def _rounded_rect(mask, p1, p2, r, color, thickness):
    (x1, y1), (x2, y2) = p1, p2
    cv2.line(mask, (x1 + r, y1), (x2 - r, y1), color, thickness, cv2.LINE_AA)
    cv2.line(mask, (x1 + r, y2), (x2 - r, y2), color, thickness, cv2.LINE_AA)
    cv2.line(mask, (x1, y1 + r), (x1, y2 - r), color, thickness, cv2.LINE_AA)
    cv2.line(mask, (x2, y1 + r), (x2, y2 - r), color, thickness, cv2.LINE_AA)
    cv2.ellipse(mask, (x1 + r, y1 + r), (r, r), 180, 0, 90, color, thickness, cv2.LINE_AA)
    cv2.ellipse(mask, (x2 - r, y1 + r), (r, r), 270, 0, 90, color, thickness, cv2.LINE_AA)
    cv2.ellipse(mask, (x2 - r, y2 - r), (r, r), 0, 0, 90, color, thickness, cv2.LINE_AA)
    cv2.ellipse(mask, (x1 + r, y2 - r), (r, r), 90, 0, 90, color, thickness, cv2.LINE_AA)


# ---------------------------------------------------------------- scenes


def render_scene(
    rng: np.random.Generator,
    plates: list[str],
    size: tuple[int, int] = (640, 480),
) -> tuple[np.ndarray, list[dict]]:
    """A street-like scene (H×W×3 uint8 BGR, size=(width, height)) with one car per plate.

    Each plate is warped with a mild perspective (roll ±5°, yaw, pitch), scaled (140-190 px
    wide in a 640-px scene with one or two plates) and slightly blurred; cars sit in equal
    slots, left to right. Returns (img, truth) with one dict per plate, in the order given:
    {"text": str, "corners": [[x, y] ×4 clockwise from top-left, floats], "box": [x1, y1, x2, y2] ints}.
    """
    _check_rng(rng)
    if isinstance(plates, str):
        plates = [plates]
    W, H = int(size[0]), int(size[1])
    if W < 160 or H < 120:
        raise ValueError(f"size {size} is too small: at least (160, 120)")
    n = len(plates)
    slot = W / max(n, 1)
    if n and slot < 150:
        raise ValueError(f"{n} plates do not fit a scene {W} px wide (at most {int(W // 150)})")

    img = _background(rng, W, H)
    truth = []
    for i, text in enumerate(plates):
        plate = render_plate(text, rng, noise=float(rng.uniform(0, 3)))
        x0 = int(i * slot)
        # plate width: a fraction of the slot, capped so one-plate scenes stay realistic
        pw = float(rng.uniform(0.55, 0.75)) * min(slot, 0.4 * W)
        pw = max(pw, 90.0)
        ph = pw * PLATE_SIZE[1] / PLATE_SIZE[0]
        cx = x0 + slot / 2 + float(rng.uniform(-0.12, 0.12)) * (slot - pw)
        cy = float(rng.uniform(0.55, 0.8)) * H
        cy = min(max(cy, ph), H - ph)
        _draw_car(img, rng, cx, cy, pw, ph, x0, slot, H)
        corners = _warp_corners(rng, cx, cy, pw, ph)
        _paste(img, plate, corners, rng)
        xs, ys = corners[:, 0], corners[:, 1]
        box = [
            int(math.floor(max(xs.min(), 0))),
            int(math.floor(max(ys.min(), 0))),
            int(math.ceil(min(xs.max(), W - 1))),
            int(math.ceil(min(ys.max(), H - 1))),
        ]
        truth.append(
            {
                "text": text,
                "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in corners],
                "box": box,
            }
        )
    noise = rng.normal(0.0, 2.0, img.shape)
    img = np.clip(img.astype(np.float32) + noise, 0, 255).round().astype(np.uint8)
    return img, truth


def _background(rng, W, H) -> np.ndarray:
    """Sky gradient, buildings (rectangles with windows), road, lane marks."""
    horizon = int(H * float(rng.uniform(0.3, 0.45)))
    img = np.zeros((H, W, 3), np.float32)
    sky_top = rng.uniform([150, 110, 60], [250, 210, 190])
    sky_bot = rng.uniform([180, 170, 150], [255, 240, 230])
    t = np.linspace(0, 1, horizon)[:, None, None]
    img[:horizon] = sky_top * (1 - t) + sky_bot * t
    road = rng.uniform(70, 130)
    t = np.linspace(0, 1, H - horizon)[:, None, None]
    img[horizon:] = (road * (0.9 + 0.25 * t)) * np.ones(3)
    # buildings: tall, in muted warm or grey tones, with ribbon windows (a block with a row
    # or two of separate small windows, above all in blue, reads as a plate to the detector)
    x = int(rng.integers(-30, 0))
    while x < W:
        bw = int(rng.integers(40, 120))
        bh = int(rng.integers(max(horizon // 2, bw), max(horizon, bw) + 1))
        grey = float(rng.uniform(90, 200))
        tint = rng.uniform([-25, -10, 0], [0, 10, 25])  # BGR: never bluer than grey
        col = np.clip(grey + tint, 0, 255)
        cv2.rectangle(img, (x, horizon - bh), (x + bw, horizon), col.tolist(), -1)
        wc = (col * float(rng.uniform(0.55, 0.8))).tolist()
        step_y = int(rng.integers(10, 16))
        for wy in range(horizon - bh + 6, horizon - 8, step_y):  # ribbon windows
            cv2.rectangle(img, (x + 4, wy), (x + bw - 4, wy + step_y // 2), wc, -1)
        x += bw + int(rng.integers(0, 25))
    # lane marks
    for lx in range(int(rng.integers(0, 80)), W, 160):
        y = int(H * 0.92)
        cv2.rectangle(img, (lx, y), (lx + 70, y + 6), (225, 225, 225), -1)
    return img


def _draw_car(img, rng, cx, cy, pw, ph, x0, slot, H):
    """A boxy car rear around the plate: body, window, lights, bumper, wheels."""
    body_w = min(pw * float(rng.uniform(2.6, 3.2)), slot * 0.98)
    body_h = pw * float(rng.uniform(1.1, 1.4))
    left = cx - body_w / 2
    top = cy - body_h * 0.6
    bottom = cy + body_h * 0.4
    col = rng.uniform(20, 230, 3)
    if float(rng.uniform()) < 0.3:  # many cars are white, silver or black
        v = float(rng.choice([25.0, 190.0, 235.0]))
        col = np.array([v, v, v]) + rng.uniform(-8, 8, 3)
    col = col.tolist()
    p = lambda x, y: (int(round(x)), int(round(y)))
    # shadow and wheels
    cv2.ellipse(img, p(cx, bottom + 4), (int(body_w * 0.55), int(ph * 0.35)), 0, 0, 360, (30, 30, 30), -1)
    for wx in (left + body_w * 0.12, left + body_w * 0.88):
        cv2.rectangle(img, p(wx - body_w * 0.07, bottom - 6), p(wx + body_w * 0.07, bottom + ph * 0.35), (20, 20, 20), -1)
    # body with a roof
    cv2.rectangle(img, p(left, top), p(left + body_w, bottom), col, -1)
    roof_top = top - body_h * 0.55
    roof = np.array(
        [p(left + body_w * 0.12, top), p(left + body_w * 0.22, roof_top),
         p(left + body_w * 0.78, roof_top), p(left + body_w * 0.88, top)], np.int32)
    cv2.fillPoly(img, [roof], col)
    glass = np.array(
        [p(left + body_w * 0.17, top - 3), p(left + body_w * 0.25, roof_top + 6),
         p(left + body_w * 0.75, roof_top + 6), p(left + body_w * 0.83, top - 3)], np.int32)
    g = rng.uniform(40, 90)
    cv2.fillPoly(img, [glass], (g + 15, g + 5, g))
    # lights
    lw, lh = body_w * 0.16, body_h * 0.14
    ly = top + body_h * 0.12
    for lx in (left + body_w * 0.04, left + body_w * 0.96 - lw):
        cv2.rectangle(img, p(lx, ly), p(lx + lw, ly + lh), (40, 40, 200), -1)
    # bumper line under the plate and a plate recess
    dark = [c * 0.6 for c in col]
    cv2.rectangle(img, p(left, cy + ph * 0.75), p(left + body_w, cy + ph * 0.95), dark, -1)
    cv2.rectangle(img, p(cx - pw * 0.58, cy - ph * 0.65), p(cx + pw * 0.58, cy + ph * 0.65), dark, -1)
    # an emblem and a faint model badge (clutter near the plate)
    cv2.circle(img, p(cx, top + body_h * 0.2), max(int(ph * 0.18), 2), (200, 200, 200), -1)


def _warp_corners(rng, cx, cy, pw, ph) -> np.ndarray:
    """Plate corners (TL, TR, BR, BL): a small roll, yaw and pitch (foreshortening) and jitter."""
    angle = math.radians(float(rng.uniform(-5, 5)))
    yaw = float(rng.uniform(-0.1, 0.1))  # one side taller than the other
    pitch = float(rng.uniform(-0.05, 0.05))  # top narrower or wider than the bottom
    hw, hh = pw / 2, ph / 2
    pts = np.array(
        [[-hw * (1 - pitch), -hh * (1 - yaw)], [hw * (1 - pitch), -hh * (1 + yaw)],
         [hw * (1 + pitch), hh * (1 + yaw)], [-hw * (1 + pitch), hh * (1 - yaw)]]
    )
    pts += rng.uniform(-0.01, 0.01, (4, 2)) * np.array([pw, ph])
    c, s = math.cos(angle), math.sin(angle)
    pts = pts @ np.array([[c, s], [-s, c]])
    return pts + np.array([cx, cy])


def _paste(img, plate, corners, rng):
    """Warp the plate onto img (float32, in place) with anti-aliased edges and a little blur."""
    # shrink with area averaging first: warpPerspective alone would alias the strokes
    tw = max(np.linalg.norm(corners[1] - corners[0]), np.linalg.norm(corners[2] - corners[3]))
    th = max(np.linalg.norm(corners[3] - corners[0]), np.linalg.norm(corners[2] - corners[1]))
    if tw < plate.shape[1]:
        size = (max(int(round(tw * 1.25)), 8), max(int(round(th * 1.25)), 4))
        plate = cv2.resize(plate, size, interpolation=cv2.INTER_AREA)
    h, w = plate.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    M = cv2.getPerspectiveTransform(src, np.float32(corners))
    H, W = img.shape[:2]
    # replicate the plate's edge outside it so blurring does not darken the rim
    warped = cv2.warpPerspective(
        plate.astype(np.float32), M, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    warped = cv2.GaussianBlur(warped, (0, 0), float(rng.uniform(0.3, 1.0)))
    alpha = cv2.warpPerspective(np.ones((h, w), np.float32), M, (W, H), flags=cv2.INTER_LINEAR)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 0.5)[:, :, None]
    img[:] = img * (1 - alpha) + warped * alpha


# ---------------------------------------------------------------- degradation


def degrade(img: np.ndarray, rng: np.random.Generator, level: int) -> np.ndarray:
    """Make an image harder to read: level 0 (copy) … 3 (heavy blur, noise, dim light, low JPEG).

    Each level draws its strength from a range, so images of one level vary a little.
    """
    _check_rng(rng)
    if img is None:
        raise ValueError("image is None: check the path passed to cv2.imread")
    if not isinstance(img, np.ndarray) or img.dtype != np.uint8:
        raise TypeError("img must be a uint8 numpy array (as returned by cv2.imread)")
    if not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] in (1, 3))) or img.size == 0:
        raise ValueError(f"img has shape {img.shape}: expected H×W×3 (BGR) or H×W (grey)")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if level == 0:
        return img.copy()
    # (blur sigma, noise sigma, brightness scale, JPEG quality, downscale)
    params = {
        1: ((0.5, 0.8), (2, 4), (0.9, 1.05), (75, 90), (1.0, 1.0)),
        2: ((0.8, 1.2), (4, 7), (0.7, 0.95), (45, 65), (0.8, 0.9)),
        3: ((1.2, 1.8), (7, 11), (0.55, 0.85), (25, 40), (0.6, 0.75)),
    }[level]
    (b0, b1), (n0, n1), (l0, l1), (q0, q1), (s0, s1) = params
    out = img.astype(np.float32)
    h, w = out.shape[:2]
    scale = float(rng.uniform(s0, s1))
    if scale < 1.0:
        small_size = (max(int(w * scale), 1), max(int(h * scale), 1))
        small = cv2.resize(out, small_size, interpolation=cv2.INTER_AREA)
        out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(b0, b1))).reshape(img.shape)
    out = out * float(rng.uniform(l0, l1))
    out = out + rng.normal(0.0, float(rng.uniform(n0, n1)), out.shape)
    out = np.clip(out, 0, 255).round().astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(q0, q1 + 1))])
    if not ok:  # pragma: no cover - cv2 always encodes uint8 images
        raise RuntimeError("JPEG encoding failed")
    dec = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return dec.reshape(img.shape)


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator, e.g. np.random.default_rng(42), got {type(rng).__name__}"
        )
