"""Task 1: grayscale and Gaussian blur. Fill in gray_blur and the loop below."""
import os

import cv2


def gray_blur(img):
    # TODO: convert to grayscale, then a 5x5 Gaussian blur with sigma 0
    raise NotImplementedError


if __name__ == "__main__":
    os.makedirs("output", exist_ok=True)
    for name in sorted(os.listdir("data")):
        if name.endswith(".png"):
            pass  # TODO: read, process, save to output/<name>
