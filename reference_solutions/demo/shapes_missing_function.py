"""Flawed: the function has the wrong name."""
import cv2


def classify_shape(img):
    return "circle"
