"""Candidate sandbox: run the candidate's service as a process, the way the
gate's edge box does, on three batches, and record what happened. Nothing of
the candidate's is imported here. The trusted tests judge the CSV files the
runs wrote and these records.

    images     data/images/: a normal batch of plate crops
    incoming   data/incoming/: crops mixed with damaged files and a notes.txt
    missing    a folder that does not exist
"""
import subprocess
import sys
import time

import pytest

from practicum import rubric

MODEL = ["--model", "data/model.onnx", "--labels", "data/labels.txt"]
RUNS = {
    "images": ["--input", "data/images", "--output", "result_images.csv"],
    "incoming": ["--input", "data/incoming", "--output", "result_incoming.csv"],
    "missing": ["--input", "data/camera3_batch", "--output", "result_missing.csv"],
}
TIMEOUT_S = 30
KEEP = 4000


def run(candidate_dir, record, key):
    """Run app.py on one batch; record exit code, output tails and time."""
    out = candidate_dir / RUNS[key][3]
    if out.is_file() or out.is_symlink():
        out.unlink()                      # a CSV handed in with the project must not count
    t0 = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "app.py", *RUNS[key], *MODEL], cwd=candidate_dir,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        result = {"timed_out": True, "returncode": None, "seconds": TIMEOUT_S,
                  "stdout": (exc.stdout or b"")[-KEEP:].decode("utf-8", "replace"),
                  "stderr": (exc.stderr or b"")[-KEEP:].decode("utf-8", "replace")}
    else:
        result = {"timed_out": False, "returncode": proc.returncode,
                  "seconds": round(time.monotonic() - t0, 3),
                  "stdout": proc.stdout[-KEEP:].decode("utf-8", "replace"),
                  "stderr": proc.stderr[-KEEP:].decode("utf-8", "replace")}
    record(f"run_{key}", result)
    return result


def last_line(text, empty="(nothing on stderr)"):
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else empty


@pytest.mark.points(1)
@pytest.mark.timeout(45)
def test_runs_on_normal_batch(candidate_dir, record):
    """python app.py --input data/images --output result_images.csv runs and writes the CSV
    zh: python app.py --input data/images --output result_images.csv 能运行并写出 CSV
    """
    if not (candidate_dir / "app.py").is_file():
        rubric.fail("app.py is missing from plate_service/", zh="plate_service/ 中缺少 app.py")
    result = run(candidate_dir, record, "images")
    if result["timed_out"]:
        rubric.fail(f"the run on data/images did not finish within {TIMEOUT_S} s",
                    zh=f"在 data/images 上的运行未在 {TIMEOUT_S} 秒内结束")
    if result["returncode"] != 0:
        rubric.fail(f"the run on data/images exited with code {result['returncode']}: {last_line(result['stderr'])}",
                    zh=f"在 data/images 上的运行以退出码 {result['returncode']} 结束："
                       f"{last_line(result['stderr'], '（stderr 中没有输出）')}")
    if not (candidate_dir / "result_images.csv").is_file():
        rubric.fail("the run on data/images exited with code 0 but wrote no result_images.csv",
                    zh="在 data/images 上的运行以退出码 0 结束，但没有写出 result_images.csv")


@pytest.mark.points(0)
@pytest.mark.timeout(45)
def test_runs_on_damaged_batch(candidate_dir, record):
    """the run on a batch with damaged files (recorded for the trusted tests)
    zh: 在含有损坏文件的批次上运行（记录结果供评判阶段使用）
    """
    run(candidate_dir, record, "incoming")


@pytest.mark.points(0)
@pytest.mark.timeout(45)
def test_runs_on_missing_folder(candidate_dir, record):
    """the run on a folder that does not exist (recorded for the trusted tests)
    zh: 在不存在的文件夹上运行（记录结果供评判阶段使用）
    """
    run(candidate_dir, record, "missing")
