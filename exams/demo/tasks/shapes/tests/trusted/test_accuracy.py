import json

import pytest

from practicum import rubric


@pytest.mark.points(4)
def test_accuracy(observations, answers_dir):
    """classification accuracy on the grading pictures
    zh: 评分图片上的分类准确率
    """
    truth = json.loads((answers_dir / "labels.json").read_text())
    predictions = observations.get("predictions")
    if not isinstance(predictions, dict) or not predictions:
        rubric.fail("no predictions were recorded: classify did not run on the grading pictures",
                    zh="没有记录到任何预测结果：classify 未在评分图片上运行")
    acc = rubric.accuracy(predictions, truth, normalize=lambda s: str(s).strip().lower())
    rubric.band(acc, {0.95: 1.0, 0.8: 0.5}, what="accuracy", what_zh="准确率")
