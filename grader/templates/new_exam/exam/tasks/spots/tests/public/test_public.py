"""Public level: runs in the candidate's sandbox beside their code, on the public samples.

Candidates can reproduce it from their kit, so it holds nothing secret."""
import json

import cv2
import pytest

from practicum import rubric


@pytest.mark.points(1)
def test_samples(candidate, public_dir):
    """count_spots is right on the sample pictures
    zh: count_spots 在样例图片上结果正确
    """
    rubric.require(candidate, "count_spots")
    truth = json.loads((public_dir / "counts.json").read_text(encoding="utf-8"))
    wrong = [name for name, n in sorted(truth.items())
             if candidate.count_spots(cv2.imread(str(public_dir / "images" / name), cv2.IMREAD_GRAYSCALE)) != n]
    rubric.check(not wrong, f"wrong count for {len(wrong)} of {len(truth)} samples, e.g. {wrong[:1]}",
                 zh=f"{len(truth)} 张样例中有 {len(wrong)} 张计数错误，例如 {wrong[:1]}")
