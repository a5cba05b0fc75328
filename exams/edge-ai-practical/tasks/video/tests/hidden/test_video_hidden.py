"""Candidate sandbox: make sure the outputs exist, call the candidate's functions
on the grading clip and record what they return. No points are decided here:
the trusted tests compare the records with the answers."""
import cv2
import pytest

from practicum import rubric

CLIP = "clip.mp4"
MAX_FRAMES = 600


def read_frames(path):
    cap = cv2.VideoCapture(str(path))
    frames = []
    while len(frames) < MAX_FRAMES:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def synthetic_series():
    """A slow rise with a one-frame flash in the middle: the brightest frame is
    at the end, the biggest rise is the flash (the trusted test knows it too)."""
    values = [40.0 + 4.0 * i for i in range(30)]
    values[11] += 30.0
    return values


def as_number(value, what):
    try:
        number = float(value)
    except (TypeError, ValueError):
        rubric.fail(f"{what} should return a number, got {type(value).__name__}",
                    zh=f"{what} 应返回一个数值，实际返回了 {type(value).__name__}")
    if number != number:
        rubric.fail(f"{what} returned NaN", zh=f"{what} 返回了 NaN")
    return number


def as_index(value, what):
    number = as_number(value, what)
    if number != int(number):
        rubric.fail(f"{what} should return a whole frame number, got {number:g}",
                    zh=f"{what} 应返回整数帧号，实际返回了 {number:g}")
    return int(number)


@pytest.mark.points(0)
@pytest.mark.timeout(60)
def test_program_ran(candidate, candidate_dir, run_candidate):
    """the program ran and wrote output/summary.json
    zh: 程序已运行并写出 output/summary.json
    """
    summary = candidate_dir / "output" / "summary.json"
    script = candidate_dir / "video.py"
    if not summary.is_file() and script.is_file():
        # a script whose work is under `if __name__ == "__main__":` runs as a program
        proc = run_candidate(timeout=50)
        if proc.returncode != 0 and not summary.is_file():
            last = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1][:200]
            rubric.fail(f"running video.py failed: {last}", zh=f"运行 video.py 失败：{last}")
    if not summary.is_file():
        rubric.fail("output/summary.json was not written", zh="未写出 output/summary.json")


@pytest.mark.points(0)
@pytest.mark.timeout(30)
def test_mean_brightness_runs(candidate, hidden_dir, record):
    """mean_brightness(frame) returns a number for frames of the grading clip
    zh: mean_brightness(frame) 对评分视频的帧返回数值
    """
    rubric.require(candidate, "mean_brightness")
    frames = read_frames(hidden_dir / CLIP)
    n = len(frames)
    picks = sorted({0, n // 5, 2 * n // 5, 3 * n // 5, 4 * n // 5, n - 1})
    values = {}
    for i in picks:
        values[str(i)] = as_number(candidate.mean_brightness(frames[i].copy()), "mean_brightness")
        record("mean_brightness", values)


@pytest.mark.points(0)
@pytest.mark.timeout(30)
def test_find_flash_runs(candidate, hidden_dir, record):
    """find_flash(values) returns a frame number
    zh: find_flash(values) 返回帧号
    """
    rubric.require(candidate, "find_flash")
    frames = read_frames(hidden_dir / CLIP)
    series = [float(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).mean()) for f in frames]
    record("find_flash_clip", as_index(candidate.find_flash(list(series)), "find_flash"))
    record("find_flash_synthetic", as_index(candidate.find_flash(synthetic_series()), "find_flash"))
