"""Face-mask classification, and the synthetic mask painter used to make its data.

    import cv2
    from edgeai import face, mask

    img = cv2.imread("photo.jpg")
    f = face.detect(img)[0]
    label, prob = mask.classify(face.align(img, f))    # ("mask" | "no_mask", probability)
    masked = mask.paint_mask(img, f, rng=1)            # same photo, a synthetic mask painted on

The classifier is a small CNN the project trains itself
(sandbox_images/sdk/models/train_mask.py) on faces with synthetic masks, exported to
ONNX (edgeai/models/mask.onnx) and run with onnxruntime on the CPU.
"""
from __future__ import annotations

import numpy as np
import cv2

from ._common import MODELS_DIR, check_image, file_bytes, lazy_model, onnx_session

__all__ = ["INPUT_SIZE", "LABELS", "MODEL_PATH", "PALETTE", "classify", "info", "paint_mask"]

MODEL_PATH = MODELS_DIR / "mask.onnx"
INPUT_SIZE = 64
"""The model's input side: any face crop is resized to 64×64."""
LABELS = ("no_mask", "mask")
"""Order of the model's output probabilities."""

PALETTE = {
    "surgical_blue": (222, 196, 140),
    "surgical_green": (190, 212, 160),
    "white": (238, 238, 236),
    "black": (34, 32, 32),
    "grey": (150, 150, 152),
    "navy": (92, 48, 30),
    "pink": (192, 170, 240),
    "red": (48, 40, 190),
}
"""Named mask colours (BGR) paint_mask() picks from when color is None."""


# ----------------------------------------------------------------------------- classifier


@lazy_model
def _session():
    return onnx_session(MODEL_PATH)


def _preprocess(face_img) -> np.ndarray:
    x = cv2.resize(face_img, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_AREA)
    return x.transpose(2, 0, 1)[None].astype(np.float32)  # 1×3×64×64 BGR 0..255


def classify(face_img, threshold: float = 0.5) -> tuple[str, float]:
    """("mask" | "no_mask", probability of that label) for a BGR face crop.

    Best input: face.align(img, face) (any size). A box crop img[y1:y2, x1:x2] also works.
    "mask" when the model's mask probability is >= threshold."""
    face_img = check_image(face_img, "face_img")
    if min(face_img.shape[:2]) < 16:
        raise ValueError(f"face_img is too small ({face_img.shape[1]}×{face_img.shape[0]}): "
                         "give a face crop at least 16×16, e.g. face.align(img, face)")
    sess = _session()
    probs = sess.run(None, {sess.get_inputs()[0].name: _preprocess(face_img)})[0][0]
    p_mask = float(probs[1])
    if p_mask >= float(threshold):
        return "mask", p_mask
    return "no_mask", 1.0 - p_mask


def info() -> dict:
    """The mask model: name, input size and format, labels, file and size in bytes."""
    return {
        "name": "edgeai mask CNN (4 conv blocks + global average pooling + softmax)",
        "trained_by": "sandbox_images/sdk/models/train_mask.py (synthetic masks)",
        "runtime": "onnxruntime, CPU",
        "input": "float32 N×3×64×64, BGR, pixel values 0..255 (the model scales them)",
        "input_size": [INPUT_SIZE, INPUT_SIZE],
        "output": "float32 N×2 probabilities " + str(list(LABELS)),
        "labels": list(LABELS),
        "file": str(MODEL_PATH),
        "bytes": file_bytes(MODEL_PATH),
    }


# ----------------------------------------------------------------------------- painter


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def _face_frame(face):
    """Origin (eye centre), unit axes and scales of the face from its 5 landmarks."""
    pts = np.asarray(getattr(face, "landmarks", face), dtype=np.float64)
    if pts.shape != (5, 2) or not np.all(np.isfinite(pts)):
        raise ValueError("face must be a Face from face.detect() (or 5 (x, y) landmark points)")
    le, re, nose, ml, mr = pts
    eye_c, mouth_c = (le + re) / 2, (ml + mr) / 2
    ex = re - le
    d_eye = float(np.hypot(*ex))
    if d_eye < 1e-3:
        raise ValueError("cannot paint a mask: the two eye landmarks coincide")
    ux = ex / d_eye
    uy = np.array([-ux[1], ux[0]])
    if np.dot(mouth_c - eye_c, uy) < 0:
        uy = -uy
    em = float(np.dot(mouth_c - eye_c, uy))
    if em < 0.2 * d_eye:  # profile or broken landmarks: fall back to typical proportions
        em = 1.08 * d_eye
    nose_dx = float(np.dot(nose - eye_c, ux))
    mouth_dx = float(np.dot(mouth_c - eye_c, ux))
    return eye_c, ux, uy, d_eye, em, nose_dx, mouth_dx


def _mask_polygon(face, rng: np.random.Generator):
    eye_c, ux, uy, d_eye, em, nose_dx, mouth_dx = _face_frame(face)
    top = rng.uniform(0.28, 0.45)        # top edge (nose bridge), in eye-to-mouth units below the eyes
    bottom = rng.uniform(1.65, 1.95)     # chin
    half_w = rng.uniform(1.0, 1.2)       # half width, in eye-distance units
    # a turned head shows more of one cheek: widen that side
    turn = np.clip(nose_dx / (0.5 * d_eye), -0.7, 0.7)
    left_w, right_w = half_w * (1 + 0.6 * turn), half_w * (1 - 0.6 * turn)
    centre = 0.5 * (nose_dx + mouth_dx) / d_eye
    uv = [(-1.0, top + 0.12), (-0.5, top + 0.02), (0.0, top - 0.05), (0.5, top + 0.02), (1.0, top + 0.12),
          (1.05, 0.5 * (top + bottom) - 0.05), (0.9, bottom - 0.35), (0.55, bottom - 0.08), (0.0, bottom),
          (-0.55, bottom - 0.08), (-0.9, bottom - 0.35), (-1.05, 0.5 * (top + bottom) - 0.05)]
    pts = []
    for u, v in uv:
        u = centre + u * (right_w if u > 0 else left_w)
        pts.append(eye_c + u * d_eye * ux + v * em * uy)
    poly = np.array(pts)
    for _ in range(2):  # Chaikin corner cutting: a smooth outline
        a, b = poly, np.roll(poly, -1, axis=0)
        poly = np.stack([0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b], axis=1).reshape(-1, 2)
    ears = [eye_c + (centre + s * 1.35 * w) * d_eye * ux + 0.25 * em * uy
            for s, w in ((-1, left_w), (1, right_w))]
    corners = [eye_c + (centre + s * 1.0 * w) * d_eye * ux + (top + 0.2) * em * uy
               for s, w in ((-1, left_w), (1, right_w))]
    return poly, ears, corners, (eye_c, ux, uy, d_eye, em, top, bottom)


def paint_mask(img, face, color=None, rng=None) -> np.ndarray:
    """A copy of `img` with a synthetic face mask painted over `face` (nose to chin).

    face:  a Face from face.detect() (or its 5 landmarks).
    color: BGR tuple; None picks a colour from PALETTE (or a random one) with rng.
    rng:   a numpy Generator or an int seed: the same seed paints the same mask.
    Style (pleats, seam, shading, ear loops) is drawn at random with rng."""
    img = check_image(img)
    rng = _rng(rng)
    if color is None:
        if rng.random() < 0.75:
            names = sorted(PALETTE)
            base = np.array(PALETTE[names[rng.integers(len(names))]], dtype=np.float64)
            base = np.clip(base + rng.normal(0, 8, 3), 0, 255)
        else:
            base = rng.uniform(0, 255, 3)
    else:
        base = np.asarray(color, dtype=np.float64).reshape(-1)
        if base.shape != (3,) or np.any(base < 0) or np.any(base > 255):
            raise ValueError(f"color must be a BGR tuple of 3 values in 0..255, got {color!r}")
    poly, ears, corners, (eye_c, ux, uy, d_eye, em, top, bottom) = _mask_polygon(face, rng)

    h, w = img.shape[:2]
    allpts = np.vstack([poly, ears])
    pad = int(0.1 * d_eye) + 3
    x0, y0 = np.floor(allpts.min(0)).astype(int) - pad
    x1, y1 = np.ceil(allpts.max(0)).astype(int) + pad
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    out = img.copy()
    if x1 <= x0 or y1 <= y0:
        return out
    off = np.array([x0, y0], dtype=np.float64)
    rw, rh = x1 - x0, y1 - y0
    shift = 4  # sub-pixel drawing
    sc = float(1 << shift)

    def ipts(p):
        return np.round((np.asarray(p, dtype=np.float64) - off) * sc).astype(np.int32)

    alpha = np.zeros((rh, rw), np.float32)
    cv2.fillPoly(alpha, [ipts(poly)], 1.0, lineType=cv2.LINE_AA, shift=shift)
    feather = max(0.6, 0.015 * d_eye)
    alpha = cv2.GaussianBlur(alpha, (0, 0), feather)

    # colour layer: base colour, vertical shading, fabric noise, pleats or seam
    yy, xx = np.mgrid[0:rh, 0:rw].astype(np.float32)
    xx += x0
    yy += y0
    v = ((xx - eye_c[0]) * uy[0] + (yy - eye_c[1]) * uy[1]) / em          # down the face
    u = ((xx - eye_c[0]) * ux[0] + (yy - eye_c[1]) * ux[1]) / d_eye       # across the face
    shade = 1.0 + rng.uniform(0.04, 0.14) * (1 - np.abs(u)) - rng.uniform(0.0, 0.12) * np.clip(
        (v - top) / max(bottom - top, 1e-3), 0, 1)
    layer = np.empty((rh, rw, 3), np.float32)
    layer[:] = base.astype(np.float32)
    layer *= shade[..., None]
    layer += rng.normal(0, rng.uniform(1.0, 6.0), (rh, rw, 1)).astype(np.float32)
    style = rng.integers(3)
    line_w = max(1, int(round(0.035 * d_eye)))
    dark = np.clip(base * rng.uniform(0.7, 0.85), 0, 255)
    lines = np.zeros((rh, rw), np.float32)
    if style == 0:  # surgical: 3 horizontal pleats
        for k in range(3):
            vk = top + (bottom - top) * (0.3 + 0.18 * k)
            a = eye_c + (-0.95 * d_eye) * ux + vk * em * uy
            b = eye_c + (0.95 * d_eye) * ux + vk * em * uy
            cv2.line(lines, tuple(ipts(a)), tuple(ipts(b)), 1.0, line_w, cv2.LINE_AA, shift)
    elif style == 1:  # cup mask: a vertical seam
        a = eye_c + top * em * uy
        b = eye_c + bottom * em * uy
        cv2.line(lines, tuple(ipts(a)), tuple(ipts(b)), 1.0, line_w, cv2.LINE_AA, shift)
    lines = cv2.GaussianBlur(lines, (0, 0), feather) * rng.uniform(0.5, 1.0)
    layer = layer * (1 - lines[..., None]) + dark.astype(np.float32) * lines[..., None]
    roi = out[y0:y1, x0:x1].astype(np.float32)
    roi = roi * (1 - alpha[..., None]) + np.clip(layer, 0, 255) * alpha[..., None]

    # ear loops, drawn over the skin beside the mask
    if rng.random() < 0.8:
        loops = np.zeros((rh, rw), np.float32)
        loop_w = max(1, int(round(0.03 * d_eye)))
        for c, e in zip(corners, ears):
            cv2.line(loops, tuple(ipts(c)), tuple(ipts(e)), 1.0, loop_w, cv2.LINE_AA, shift)
        loops = np.clip(loops - alpha, 0, 1)
        loop_col = np.clip(base * rng.uniform(0.8, 1.05), 0, 255).astype(np.float32)
        roi = roi * (1 - loops[..., None]) + loop_col * loops[..., None]
    out[y0:y1, x0:x1] = np.clip(roi + 0.5, 0, 255).astype(np.uint8)
    return out
