import cv2
import numpy as np


def count_corners(gray):
    smooth = cv2.bilateralFilter(gray, 5, 50, 50)
    corners = cv2.goodFeaturesToTrack(smooth, maxCorners=8, qualityLevel=0.2, minDistance=8)
    return 0 if corners is None else len(corners)


def is_round(gray):
    circles = cv2.HoughCircles(gray, cv2.HOUGH_GRADIENT, dp=1.2, minDist=64,
                               param1=100, param2=15, minRadius=5, maxRadius=40)
    return circles is not None


def classify(img):
    k = count_corners(img)
    if k == 3:
        return "triangle"
    if k == 4:
        return "square"
    if is_round(img):
        return "circle"
    return "square" if k > 4 else "circle"
