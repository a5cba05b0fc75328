import cv2
import numpy as np

LABELS = ["triangle", "square", "circle"]


def classify(img):
    pts = np.column_stack(np.where(img > 127))[:, ::-1].astype(np.int32)
    if pts.shape[0] < 5:
        return LABELS[2]
    hull = cv2.convexHull(pts)
    eps = 0.03 * cv2.arcLength(hull, True)
    n = len(cv2.approxPolyDP(hull, eps, True))
    idx = 0 if n <= 3 else (1 if n == 4 else 2)
    return LABELS[idx]
