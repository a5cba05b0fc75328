"""Shapes by the number of corners of the outline."""
import cv2


def binarize(img):
    blurred = cv2.GaussianBlur(img, (5, 5), 0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return mask


def biggest_outline(mask):
    found, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not found:
        return None
    return max(found, key=cv2.contourArea)


def classify(img):
    outline = biggest_outline(binarize(img))
    if outline is None:
        return "circle"
    perimeter = cv2.arcLength(outline, True)
    corners = cv2.approxPolyDP(outline, 0.04 * perimeter, True)
    if len(corners) == 3:
        return "triangle"
    if len(corners) == 4:
        return "square"
    return "circle"
