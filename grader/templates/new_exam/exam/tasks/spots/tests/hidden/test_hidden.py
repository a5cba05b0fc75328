"""Hidden level: runs in the candidate's sandbox on the hidden inputs (never the answers).

It calls the candidate's code and records what it returned; tests/trusted judges it.
A script keeping its work under `if __name__ == "__main__":` is run once as a program,
so output/ exists for the trusted tests whichever way the candidate wrote it."""
import cv2
import pytest

from practicum import rubric


@pytest.mark.points(1)
@pytest.mark.timeout(30)
def test_counts_every_picture(candidate, candidate_dir, hidden_dir, record, run_candidate):
    """count_spots returns a whole number for every grading picture
    zh: count_spots 对每张评分图片都返回整数
    """
    rubric.run_as_program(candidate_dir, run_candidate, "spots.py", timeout=20)
    rubric.require(candidate, "count_spots")
    counts = {}
    for path in sorted((hidden_dir / "images").glob("*.png")):
        counts[path.name] = candidate.count_spots(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))
    record("counts", {k: v if isinstance(v, int) else str(v) for k, v in counts.items()})
    bad = [k for k, v in counts.items() if not isinstance(v, int) or isinstance(v, bool)]
    rubric.check(not bad, f"count_spots returned something other than an integer for {len(bad)} picture(s)",
                 zh=f"count_spots 对 {len(bad)} 张图片返回的不是整数")
