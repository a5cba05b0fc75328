"""Judge sandbox: the candidate's output files and recorded values against the
answers. No candidate code runs here. Messages say which check failed and by
how much, never the expected values."""
import csv
import io
import json
import math
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from practicum import rubric

MAX_JSON = 64 * 1024
MAX_CSV = 256 * 1024
MAX_VIDEO = 48 * 1024 * 1024
FRAME_TOL = 4.0        # mean |difference| per pixel for a saved frame
BRIGHT_TOL = 0.5       # grey levels
PICKS = 6             # frames test_mean_brightness_runs asks about
GRAY_TOL = 4.0         # mean |difference| of the grey video (it is re-encoded, so lossy)


def answers(answers_dir):
    summary = json.loads((answers_dir / "summary.json").read_text())
    values = json.loads((answers_dir / "brightness.json").read_text())
    return summary, values


# the candidate's files are read through rubric.read_* (no links, capped sizes): an unreadable
# one fails the check with the file's name and the reason in English and Chinese
def candidate_summary(candidate_outputs):
    data = rubric.read_json(candidate_outputs, "output/summary.json", max_bytes=MAX_JSON)
    if not isinstance(data, dict):
        rubric.fail("output/summary.json should hold one JSON object", zh="output/summary.json 应包含一个 JSON 对象")
    return data


def number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        value = float(value)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def share(part, whole):
    """'75%': counts of the hidden clip's frames would tell its length."""
    return f"{100.0 * part / whole:.0f}%" if whole else "0%"


def give(fraction, note, zh=None):
    """Partial credit; nothing earned reads as a plain failure (`zh`: the note in Chinese)."""
    if fraction <= 0:
        rubric.fail(note, zh)
    rubric.partial(fraction, note, zh)


def give_notes(fraction, notes):
    """`give` with notes as (English, Chinese) pairs."""
    give(fraction, "; ".join(en for en, _ in notes), "；".join(zh for _, zh in notes))


def synthetic_answer():
    """The frame with the biggest rise in the series test_find_flash_runs builds."""
    return 11


def read_video(path, limit):
    """Frames and fps of a video file the judge owns (OpenCV never opens a candidate's path)."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        return None, 0.0
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while len(frames) < limit:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames, fps


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_summary(candidate_outputs, answers_dir):
    """output/summary.json: frame count, fps, width and height of the clip
    zh: output/summary.json：视频的帧数、帧率、宽度和高度
    """
    want, _ = answers(answers_dir)
    got = candidate_summary(candidate_outputs)
    checks = {
        "frame_count": lambda v: v == want["frame_count"],
        "fps": lambda v: abs(v - want["fps"]) <= 0.01,
        "width": lambda v: v == want["width"],
        "height": lambda v: v == want["height"],
    }
    wrong = [key for key, ok in checks.items() if number(got.get(key)) is None or not ok(number(got[key]))]
    if wrong:
        give((len(checks) - len(wrong)) / len(checks),
             f"{len(checks) - len(wrong)} of {len(checks)} values in summary.json are right;"
             f" missing or wrong: {', '.join(wrong)}",
             f"summary.json 中 {len(checks)} 个值有 {len(checks) - len(wrong)} 个正确；"
             f"缺失或错误：{', '.join(wrong)}")


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_frames_saved(candidate_outputs, answers_dir):
    """output/frames/: every 5th frame (0, 5, 10, ...) at half size, named by frame number
    zh: output/frames/：每隔 5 帧保存一帧（0、5、10……），尺寸减半，以帧号命名
    """
    expected = sorted(p.name for p in (answers_dir / "frames").glob("frame_*.png"))
    try:
        found = {n.rsplit("/", 1)[-1] for n in rubric.list_files(candidate_outputs, "output/frames",
                                                                  pattern="frame_*.png")}
    except rubric.Unreadable:
        rubric.fail("the folder output/frames/ is missing", zh="缺少文件夹 output/frames/")
    named = [n for n in expected if n in found]
    extra = len(found - set(expected))
    good, wrong_size, diffs = 0, 0, []
    for name in named:
        try:
            got = rubric.read_image(candidate_outputs, f"output/frames/{name}", max_bytes=4 * 1024 * 1024)
        except rubric.Unreadable:
            got = None
        want = cv2.imread(str(answers_dir / "frames" / name), cv2.IMREAD_COLOR)
        if got is None or got.shape != want.shape:
            wrong_size += 1
            continue
        diff = float(np.abs(got.astype(np.float32) - want).mean())
        diffs.append(diff)
        if diff <= FRAME_TOL:
            good += 1
    names_part = max(0, len(named) - extra) / len(expected)
    content_part = good / len(expected)
    fraction = 0.5 * names_part + 0.5 * content_part
    if fraction >= 1.0:
        return
    notes = [(f"{share(len(named), len(expected))} of the expected files found",
              f"找到了应有文件的 {share(len(named), len(expected))}")]
    if extra:
        notes.append((f"{extra} other frame_*.png files: check which frames you keep and how you number them",
                      f"另有 {extra} 个 frame_*.png 文件：请检查保存的是哪些帧、帧号如何编排"))
    notes.append((f"{share(good, len(expected))} have the right picture",
                  f"{share(good, len(expected))} 的图片内容正确"))
    if wrong_size:
        notes.append((f"{wrong_size} are not half the clip's width and height",
                      f"{wrong_size} 个文件的宽高不是视频的一半"))
    bad = [d for d in diffs if d > FRAME_TOL]
    if bad:
        notes.append((f"pixels differ by {max(bad):.1f} on average in the worst file"
                      f" (at most {FRAME_TOL:g} allowed): check the colour order and the resize",
                      f"最差的文件中像素平均相差 {max(bad):.1f}（最多允许 {FRAME_TOL:g}）：请检查颜色通道顺序和缩放"))
    give_notes(fraction, notes)


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_brightness_csv(candidate_outputs, answers_dir):
    """output/brightness.csv: the mean grey level of every frame
    zh: output/brightness.csv：每一帧的平均灰度
    """
    _, want = answers(answers_dir)
    text = rubric.read_text(candidate_outputs, "output/brightness.csv", max_bytes=MAX_CSV)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["frame", "brightness"]:
        rubric.fail("output/brightness.csv should start with the header line frame,brightness",
                    zh="output/brightness.csv 的第一行应为表头 frame,brightness")
    got = {}
    for row in rows[1:]:
        if len(row) >= 2:
            idx, val = number(row[0]), number(row[1])
            if idx is not None and val is not None:
                got[int(idx)] = val
    good = sum(1 for i, v in enumerate(want) if i in got and abs(got[i] - v) <= BRIGHT_TOL)
    if good == len(want):
        return
    missing = sum(1 for i in range(len(want)) if i not in got)
    worst = max((abs(got[i] - v) for i, v in enumerate(want) if i in got), default=0.0)
    note = f"{share(good, len(want))} of the frames have the right brightness (±{BRIGHT_TOL:g})"
    zh = f"{share(good, len(want))} 的帧亮度正确（±{BRIGHT_TOL:g}）"
    if missing:
        note += f"; {share(missing, len(want))} of the frames have no row"
        zh += f"；{share(missing, len(want))} 的帧没有对应的行"
    if worst > BRIGHT_TOL:
        note += f"; the worst is off by {worst:.1f} grey levels"
        zh += f"；误差最大的一帧相差 {worst:.1f} 个灰度级"
    if 0 not in got and len(want) in got:
        note += "; frames are numbered from 0"
        zh += "；帧号从 0 开始"
    give(good / len(want), note, zh)


@pytest.mark.points(1)
@pytest.mark.timeout(30)
def test_mean_brightness_function(observations, answers_dir):
    """mean_brightness(frame) is right on frames of the grading clip
    zh: mean_brightness(frame) 在评分视频的帧上结果正确
    """
    _, want = answers(answers_dir)
    got = observations.get("mean_brightness")
    if not isinstance(got, dict) or not got:
        rubric.fail("mean_brightness was not called successfully (see test_mean_brightness_runs)",
                    zh="未能成功调用 mean_brightness（见 test_mean_brightness_runs）")
    total, good, worst = 0, 0, 0.0
    for key, value in got.items():
        idx, val = number(key), number(value)
        if idx is None or not 0 <= idx < len(want) or val is None:
            continue
        total += 1
        err = abs(val - want[int(idx)])
        worst = max(worst, err)
        good += err <= BRIGHT_TOL
    if total == 0:
        rubric.fail("mean_brightness gave no usable value", zh="mean_brightness 没有给出可用的值")
    if good == PICKS:
        return
    note = f"{good} of {PICKS} frames right (±{BRIGHT_TOL:g})"
    zh = f"{PICKS} 帧中 {good} 帧正确（±{BRIGHT_TOL:g}）"
    if total < PICKS:
        note += f"; mean_brightness answered only {total} frames"
        zh += f"；mean_brightness 只对 {total} 帧给出了结果"
    if worst > BRIGHT_TOL:
        note += f"; the worst is off by {worst:.1f} grey levels"
        zh += f"；误差最大的一帧相差 {worst:.1f} 个灰度级"
    give(good / PICKS, note, zh)


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_flash(candidate_outputs, observations, answers_dir):
    """the flash frame: flash_frame in summary.json and find_flash(values)
    zh: 闪光帧：summary.json 中的 flash_frame 与 find_flash(values)
    """
    want, _ = answers(answers_dir)
    score, notes = 0.0, []
    flash = None
    try:
        data = rubric.read_json(candidate_outputs, "output/summary.json", max_bytes=MAX_JSON)
        flash = number(data.get("flash_frame")) if isinstance(data, dict) else None
    except rubric.Unreadable:
        pass
    if flash is not None and flash == want["flash_frame"]:
        score += 0.5
    else:
        notes.append(("flash_frame in summary.json is " + ("missing" if flash is None else "wrong"),
                      "summary.json 中的 flash_frame " + ("缺失" if flash is None else "错误")))
    if observations.get("find_flash_clip") == want["flash_frame"]:
        score += 0.25
    else:
        notes.append(("find_flash is wrong on the grading clip", "find_flash 在评分视频上的结果错误"))
    if observations.get("find_flash_synthetic") == synthetic_answer():
        score += 0.25
    else:
        notes.append(("find_flash is wrong on a slowly brightening series:"
                      " the flash is the biggest rise over the previous frame, not the brightest frame",
                      "find_flash 在逐渐变亮的序列上结果错误：闪光帧是比前一帧亮度升高最多的帧，而不是最亮的帧"))
    give_notes(score, notes)


@pytest.mark.points(2)
@pytest.mark.timeout(40)
def test_gray_video(candidate_outputs, answers_dir, hidden_dir):
    """output/gray.mp4: the clip in grey, same frame count, fps and size
    zh: output/gray.mp4：灰度版视频，帧数、帧率和尺寸与原视频相同
    """
    want, _ = answers(answers_dir)
    name = next((n for n in ("gray.mp4", "gray.avi") if rubric.exists(candidate_outputs, f"output/{n}")), None)
    if name is None:
        rubric.fail("output/gray.mp4 is missing", zh="缺少 output/gray.mp4")
    data = rubric.read_bytes(candidate_outputs, f"output/{name}", max_bytes=MAX_VIDEO)
    with tempfile.TemporaryDirectory() as tmp:     # a copy the judge owns, for OpenCV to open
        path = Path(tmp) / name
        path.write_bytes(data)
        frames, fps = read_video(path, want["frame_count"] + 10)
    if not frames:
        rubric.fail(f"{path.name} cannot be read as a video", zh=f"{path.name} 无法作为视频读取")
    score, notes = 0.0, []
    if len(frames) == want["frame_count"] and abs(fps - want["fps"]) <= 0.1:
        score += 0.25
    else:
        notes.append(("the frame count or the fps differs from the clip's", "帧数或帧率与原视频不同"))
    same_size = frames[0].shape[:2] == (want["height"], want["width"])
    if same_size:
        score += 0.25
    else:
        notes.append(("the size differs from the clip's", "尺寸与原视频不同"))
    tint = float(np.mean([np.abs(f[..., 0].astype(np.int16) - f[..., 2]).mean() for f in frames]))
    if tint <= 3.0:
        score += 0.25
    else:
        notes.append((f"the frames are not grey (blue and red differ by {tint:.1f} on average)",
                      f"画面不是灰度的（蓝、红通道平均相差 {tint:.1f}）"))
    if same_size:
        ref, _ = read_video(hidden_dir / "clip.mp4", want["frame_count"])
        diffs = [float(np.abs(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).astype(np.float32)
                              - cv2.cvtColor(r, cv2.COLOR_BGR2GRAY)).mean())
                 for f, r in zip(frames, ref)]
        diff = float(np.mean(diffs))
        if diff <= GRAY_TOL:
            score += 0.25
        else:
            notes.append((f"the grey frames differ from the clip's grey levels by {diff:.1f} on average"
                          f" (at most {GRAY_TOL:g} allowed)",
                          f"灰度帧与原视频的灰度平均相差 {diff:.1f}（最多允许 {GRAY_TOL:g}）"))
    give_notes(score, notes)
