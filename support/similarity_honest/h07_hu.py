import cv2
import numpy as np

REFERENCE = {}


def _template(kind, size=64):
    canvas = np.zeros((size, size), np.uint8)
    if kind == "circle":
        cv2.circle(canvas, (32, 32), 20, 255, -1)
    elif kind == "square":
        cv2.rectangle(canvas, (14, 14), (50, 50), 255, -1)
    else:
        cv2.fillPoly(canvas, [np.array([[32, 10], [54, 50], [10, 50]], np.int32)], 255)
    return canvas


def _signature(picture):
    _, binary = cv2.threshold(picture, 127, 255, cv2.THRESH_BINARY)
    hu = cv2.HuMoments(cv2.moments(binary)).flatten()
    return -np.sign(hu) * np.log10(np.abs(hu) + 1e-30)


def classify(img):
    if not REFERENCE:
        for kind in ("circle", "square", "triangle"):
            REFERENCE[kind] = _signature(_template(kind))
    sig = _signature(img)
    scores = {kind: float(np.abs(sig[:3] - ref[:3]).sum()) for kind, ref in REFERENCE.items()}
    return min(scores, key=scores.get)
