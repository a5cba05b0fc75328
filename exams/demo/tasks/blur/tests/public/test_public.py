import cv2
import pytest

from practicum import rubric


@pytest.mark.points(1)
def test_defines_gray_blur(candidate, public_dir):
    """gray_blur returns a grayscale image of the same size
    zh: gray_blur 返回同样尺寸的灰度图
    """
    rubric.require(candidate, "gray_blur")
    img = cv2.imread(str(public_dir / "sample.png"))
    out = candidate.gray_blur(img)
    rubric.check(getattr(out, "shape", None) == img.shape[:2],
                 f"gray_blur should return a {img.shape[1]}x{img.shape[0]} grayscale image, got shape {getattr(out, 'shape', None)}",
                 zh=f"gray_blur 应返回 {img.shape[1]}x{img.shape[0]} 的灰度图，实际形状为 {getattr(out, 'shape', None)}")
