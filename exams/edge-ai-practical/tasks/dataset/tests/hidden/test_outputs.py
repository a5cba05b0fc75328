"""Runs beside the candidate's code: make sure the program ran and wrote output/.

A notebook has run by now. A script has been imported; when its work sits under
`if __name__ == "__main__":` nothing ran yet, so it is run once as a program.
The points that matter are decided in tests/trusted from the files written here.
"""
import os

import pytest

from practicum import rubric

NEEDED = ("output/clean/", "output/labels/", "output/classes.txt", "output/report.json")


def _present(root):
    return [p for p in NEEDED if os.path.exists(os.path.join(root, p.rstrip("/")))]


@pytest.mark.points(1)
@pytest.mark.timeout(90)
def test_writes_outputs(candidate, candidate_dir, run_candidate):
    """the run wrote output/clean/, output/labels/, output/classes.txt and output/report.json
    zh: 运行后写出了 output/clean/、output/labels/、output/classes.txt 和 output/report.json
    """
    script = candidate_dir / "dataset.py"
    ran = os.path.lexists(candidate_dir / "output" / "report.json")
    if not ran and script.is_file() and not (candidate_dir / "dataset.ipynb").is_file():
        try:
            proc = run_candidate(timeout=80)
        except Exception as exc:   # subprocess.TimeoutExpired and the like
            rubric.fail(f"running dataset.py as a program did not finish: {type(exc).__name__}",
                        zh=f"以程序方式运行 dataset.py 未能结束：{type(exc).__name__}")
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1][:200]
            last_zh = last if proc.stderr.strip() else "（没有输出信息）"
            rubric.fail(f"dataset.py exited with code {proc.returncode}: {last}",
                        zh=f"dataset.py 以退出码 {proc.returncode} 结束：{last_zh}")
    present = _present(candidate_dir)
    missing = [p for p in NEEDED if p not in present]
    if missing:
        rubric.fail(f"not written: {', '.join(missing)}", zh=f"未写出：{'、'.join(missing)}")
    if not any((candidate_dir / "output" / "clean").iterdir()):
        rubric.fail("output/clean/ is empty", zh="output/clean/ 是空的")
