"""Beside the candidate's code: make sure the program ran on the grading data (no points here:
the trusted tests judge the files the run wrote, beside the answers)."""
import pytest

from practicum import rubric


@pytest.mark.points(0)
@pytest.mark.timeout(240)
def test_program_runs(candidate_dir, run_candidate):
    """the program runs on the grading data and writes output/model.onnx
    zh: 程序在评分数据上运行并写出 output/model.onnx
    """
    rubric.run_as_program(candidate_dir, run_candidate, "train.py", timeout=230)
    rubric.check((candidate_dir / "output/model.onnx").exists(), "the run wrote no output/model.onnx",
                 zh="运行后没有写出 output/model.onnx")
