import cv2
import numpy as np
import pytest

from practicum import rubric


@pytest.mark.points(3)
def test_saved_outputs(candidate_outputs, answers_dir):
    """the pictures saved in output/ are right
    zh: output/ 中保存的图片正确
    """
    expected = sorted((answers_dir / "output").glob("*.png"))
    good = 0
    for ref in expected:
        mine = candidate_outputs / "output" / ref.name
        if not mine.is_file():
            continue
        got = cv2.imread(str(mine), cv2.IMREAD_UNCHANGED)
        want = cv2.imread(str(ref), cv2.IMREAD_UNCHANGED)
        if got is not None and got.shape == want.shape and np.abs(got.astype(float) - want).mean() <= 1.0:
            good += 1
    if good == 0:
        rubric.fail(f"none of the {len(expected)} expected pictures in output/ is right",
                    zh=f"output/ 中应有的 {len(expected)} 张图片没有一张正确")
    rubric.partial(good / len(expected), f"{good} of {len(expected)} pictures in output/ are right",
                   zh=f"output/ 中 {len(expected)} 张图片有 {good} 张正确")
