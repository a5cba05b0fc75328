import cv2
import numpy as np
import pytest

from practicum import rubric


@pytest.mark.points(2)
def test_gray_blur_on_grading_images(candidate, hidden_dir):
    """gray_blur is right on the grading pictures
    zh: gray_blur 在评分图片上结果正确
    """
    rubric.require(candidate, "gray_blur")
    worst = 0.0
    for path in sorted(hidden_dir.glob("*.png")):
        img = cv2.imread(str(path))
        expected = cv2.GaussianBlur(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), (5, 5), 0)
        got = np.asarray(candidate.gray_blur(img.copy()))
        if got.shape != expected.shape:
            rubric.fail(f"{path.name}: result has shape {got.shape}, expected a grayscale image {expected.shape}",
                        zh=f"{path.name}：结果的形状为 {got.shape}，应为形状 {expected.shape} 的灰度图")
        worst = max(worst, float(np.abs(got.astype(float) - expected).mean()))
    # exact up to rounding for full marks; a different blur still earns half
    rubric.band(worst, {1.0: 1.0, 12.0: 0.5}, what="mean pixel difference", higher_is_better=False,
                what_zh="平均像素差")
