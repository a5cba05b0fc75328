"""Radial profile: distances from the centroid to the outline."""
import cv2
import numpy as np


def centroid(mask):
    m = cv2.moments(mask, binaryImage=True)
    if m["m00"] == 0:
        return None
    return m["m10"] / m["m00"], m["m01"] / m["m00"]


def radial_spread(mask, center):
    edges = cv2.Canny(mask, 50, 150)
    yy, xx = np.nonzero(edges)
    d = np.hypot(xx - center[0], yy - center[1])
    return d.std() / max(d.mean(), 1e-6), d.max() / max(d.min(), 1e-6)


def classify(img):
    mask = np.where(img > 120, 255, 0).astype("uint8")
    c = centroid(mask)
    if c is None:
        return "circle"
    spread, span = radial_spread(mask, c)
    if spread < 0.06:
        return "circle"
    return "triangle" if span > 1.7 else "square"
