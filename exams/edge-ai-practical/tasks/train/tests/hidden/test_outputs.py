"""Runs beside the candidate's code: make sure training ran and wrote output/.

A notebook has run by now. A script has been imported; when its work sits under
`if __name__ == "__main__":` nothing ran yet, so it is run once as a program.
The model itself is judged in tests/trusted, where onnxruntime loads it as data.
"""
import json
import os

import pytest

from practicum import rubric

NEEDED = ("output/model.onnx", "output/classes.json")


@pytest.mark.points(1)
@pytest.mark.timeout(250)
def test_writes_model(candidate, candidate_dir, run_candidate):
    """the run wrote output/model.onnx and output/classes.json
    zh: 运行后写出了 output/model.onnx 和 output/classes.json
    """
    script = candidate_dir / "train.py"
    ran = os.path.lexists(candidate_dir / "output" / "model.onnx")
    if not ran and script.is_file() and not (candidate_dir / "train.ipynb").is_file():
        try:
            proc = run_candidate(timeout=240)
        except Exception as exc:   # subprocess.TimeoutExpired and the like
            rubric.fail(f"running train.py as a program did not finish: {type(exc).__name__}",
                        zh=f"以程序方式运行 train.py 未能结束：{type(exc).__name__}")
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no message)"])[-1][:200]
            last_zh = last if proc.stderr.strip() else "（没有输出信息）"
            rubric.fail(f"train.py exited with code {proc.returncode}: {last}",
                        zh=f"train.py 以退出码 {proc.returncode} 结束：{last_zh}")
    missing = [p for p in NEEDED if not os.path.isfile(candidate_dir / p)]
    if missing:
        rubric.fail(f"not written: {', '.join(missing)}", zh=f"未写出：{'、'.join(missing)}")
    if os.path.getsize(candidate_dir / "output" / "model.onnx") == 0:
        rubric.fail("output/model.onnx is empty", zh="output/model.onnx 是空文件")
    try:
        json.loads((candidate_dir / "output" / "classes.json").read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        rubric.fail("output/classes.json is not valid JSON", zh="output/classes.json 不是有效的 JSON")
