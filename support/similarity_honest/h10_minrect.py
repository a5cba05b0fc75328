import cv2

def largest(contours):
    best, best_area = None, 0
    for c in contours:
        a = cv2.contourArea(c)
        if a > best_area:
            best, best_area = c, a
    return best, best_area

def classify(img):
    _, b = cv2.threshold(img, 127, 255, 0)
    contours, _ = cv2.findContours(b, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    c, area = largest(contours)
    if c is None:
        return "circle"
    (w, h) = cv2.minAreaRect(c)[1]
    rect = w * h
    tri = cv2.minEnclosingTriangle(c)[0]
    if rect and area / rect > 0.9:
        return "square"
    if tri and area / tri > 0.85:
        return "triangle"
    return "circle"
