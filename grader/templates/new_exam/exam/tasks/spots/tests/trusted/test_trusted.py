"""Trusted level: runs in the judge's sandbox with the answers, never beside candidate code.

What the candidate's run left (`observations` recorded by tests/hidden, files in
`candidate_outputs`) is hostile data: read files only through rubric.read_* (no
links, capped sizes), and never quote an answer in a message."""
import json

import pytest

from practicum import rubric


@pytest.fixture
def truth(answers_dir):
    return json.loads((answers_dir / "counts.json").read_text(encoding="utf-8"))


@pytest.mark.points(2)
def test_accuracy(observations, truth):
    """counting accuracy on the grading pictures
    zh: 评分图片上的计数准确率
    """
    counts = observations.get("counts")
    rubric.check(isinstance(counts, dict) and counts, "no counts were recorded: count_spots did not run",
                 zh="没有记录到计数：count_spots 没有运行")
    rubric.band(rubric.accuracy(counts, truth), {0.95: 1.0, 0.8: 0.5}, what="accuracy", what_zh="准确率")


@pytest.mark.points(1)
def test_saved_counts(observations, candidate_outputs):
    """output/counts.json agrees with the function
    zh: output/counts.json 与函数的结果一致
    """
    saved = rubric.read_json(candidate_outputs, "output/counts.json", max_bytes=64 * 1024)
    rubric.check(isinstance(saved, dict), "output/counts.json must hold one JSON object",
                 zh="output/counts.json 必须是一个 JSON 对象")
    counts = observations.get("counts") or {}
    differ = sorted(k for k in counts if saved.get(k) != counts[k])
    rubric.check(not differ, f"output/counts.json differs from count_spots for {len(differ)} picture(s)",
                 zh=f"output/counts.json 中有 {len(differ)} 张图片的计数与 count_spots 不一致")
