import numpy as np


def classify(img):
    """Width of the shape row by row: constant for a square, growing for a triangle."""
    white = img > 127
    widths = white.sum(axis=1)
    rows = widths[widths > 0]
    if rows.size < 3:
        return "circle"
    top, middle, bottom = rows[: rows.size // 4], rows[rows.size // 3: 2 * rows.size // 3], rows[-rows.size // 4:]
    change = abs(float(bottom.mean()) - float(top.mean())) / float(rows.max())
    flat = float(middle.std()) / float(rows.max())
    if change > 0.35:
        return "triangle"
    if flat < 0.05 and top.mean() > 0.8 * rows.max():
        return "square"
    return "circle"
