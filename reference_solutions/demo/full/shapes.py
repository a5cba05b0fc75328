"""Reference: roundness first, then the corners of the outline."""
import math

import cv2


def classify(img):
    _, mask = cv2.threshold(img, 127, 255, cv2.THRESH_BINARY)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    perimeter = cv2.arcLength(outline, True)
    roundness = 4 * math.pi * cv2.contourArea(outline) / (perimeter * perimeter)
    if roundness > 0.85:
        return "circle"
    corners = cv2.approxPolyDP(outline, 0.04 * perimeter, True)
    return "triangle" if len(corners) == 3 else "square"
