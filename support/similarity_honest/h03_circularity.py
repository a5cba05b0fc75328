import math

import cv2


def shape_features(image):
    """Area, perimeter and hull of the largest white blob."""
    ret, th = cv2.threshold(image, 100, 255, cv2.THRESH_BINARY)
    th = cv2.morphologyEx(th, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    cnts, hierarchy = cv2.findContours(th, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    areas = [cv2.contourArea(c) for c in cnts]
    best = cnts[areas.index(max(areas))]
    return cv2.contourArea(best), cv2.arcLength(best, closed=True)


def circularity(area, perimeter):
    if perimeter == 0:
        return 0.0
    return 4 * math.pi * area / (perimeter * perimeter)


def classify(img):
    try:
        area, perimeter = shape_features(img)
    except ValueError:
        return "circle"
    c = circularity(area, perimeter)
    # circle ~ 1.0, square ~ 0.785, triangle ~ 0.6
    if c >= 0.85:
        return "circle"
    if c >= 0.7:
        return "square"
    return "triangle"
