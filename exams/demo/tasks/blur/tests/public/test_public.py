import cv2
import pytest

from practicum import rubric


@pytest.mark.points(1)
def test_defines_gray_blur(candidate, public_dir):
    """gray_blur returns a grayscale image of the same size"""
    rubric.require(candidate, "gray_blur")
    img = cv2.imread(str(public_dir / "sample.png"))
    out = candidate.gray_blur(img)
    assert getattr(out, "shape", None) == img.shape[:2], \
        f"gray_blur should return a {img.shape[1]}x{img.shape[0]} grayscale image, got shape {getattr(out, 'shape', None)}"
