import cv2
import pytest

from practicum import rubric


@pytest.mark.points(1)
def test_classify_answers_every_picture(candidate, hidden_dir, record):
    """classify returns an answer for every grading picture
    zh: classify 对每张评分图片都给出答案
    """
    rubric.require(candidate, "classify")
    predictions = {}
    for path in sorted(hidden_dir.glob("*.png")):
        label = candidate.classify(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
        predictions[path.name] = str(label)
        # keep what we have so far: the trusted test scores even a partial run
        record("predictions", predictions)
    bad = [n for n, p in predictions.items() if p not in ("circle", "square", "triangle")]
    rubric.check(not bad, f"classify returned something other than circle/square/triangle for {len(bad)} picture(s)",
                 zh=f"classify 对 {len(bad)} 张图片返回了 circle/square/triangle 以外的结果")
