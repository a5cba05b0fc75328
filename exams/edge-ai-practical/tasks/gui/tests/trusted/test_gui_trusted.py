"""Judge sandbox: what the candidate's window showed (recorded by the hidden
tests) against the answers computed from the grading picture, and the kept
screenshots. No candidate code runs here; messages never state the answers."""
import json
import re

import cv2
import numpy as np
import pytest

from practicum import rubric

COLOUR_TOL = 3.0     # per-channel mean, grey levels
GRAY_TOL = 2.0       # mean grey level
MAX_SHOT = 8 * 1024 * 1024


def expected(answers_dir):
    return json.loads((answers_dir / "expected.json").read_text())


def observed(observations, key, step, step_zh):
    value = observations.get(key)
    if not isinstance(value, dict):
        rubric.fail(f"nothing was recorded for this step: {step} did not work (see its test above)",
                    zh=f"这一步没有记录到任何结果：{step_zh}未成功（见上面对应的检查项）")
    return value


def num(value, default=float("nan")):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def size_ok(obs, want):
    return num(obs.get("width")) == want["width"] and num(obs.get("height")) == want["height"]


def give(fraction, notes):
    """Partial credit for notes given as (English, Chinese) pairs."""
    note = "; ".join(en for en, _ in notes)
    zh = "；".join(z for _, z in notes)
    if fraction <= 0:
        rubric.fail(note, zh)
    rubric.partial(fraction, note, zh)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_open_shows_picture(observations, answers_dir):
    """openButton: the picture is shown at its own size with the right colours
    zh: openButton：图片按原尺寸、以正确的颜色显示
    """
    want = expected(answers_dir)
    obs = observed(observations, "open", "opening a picture with openButton", "用 openButton 打开图片")
    score, notes = 0.0, []
    if size_ok(obs, want):
        score += 0.5
    else:
        notes.append(("the picture is not shown at its own size (do not scale it)", "图片没有按原尺寸显示（不要缩放）"))
    rgb = obs.get("mean_rgb")
    rgb = [num(v) for v in rgb] if isinstance(rgb, list) and len(rgb) == 3 else [float("nan")] * 3
    off = max(abs(a - b) for a, b in zip(rgb, want["mean_rgb"]))
    swapped = max(abs(a - b) for a, b in zip(rgb, want["mean_rgb"][::-1]))
    if off <= COLOUR_TOL:
        score += 0.5
    elif swapped <= COLOUR_TOL:
        notes.append(("red and blue are swapped: OpenCV pictures are BGR, Qt's Format_RGB888 expects RGB",
                      "红色和蓝色颠倒了：OpenCV 图片是 BGR 顺序，而 Qt 的 Format_RGB888 要求 RGB"))
    else:
        notes.append((f"the colours shown differ from the picture's by {off:.1f} grey levels"
                      f" (at most {COLOUR_TOL:g} allowed)",
                      f"显示的颜色与原图相差 {off:.1f} 个灰度级（最多允许 {COLOUR_TOL:g}）"))
    give(score, notes)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_gray_shows_gray(observations, answers_dir):
    """grayButton: imageLabel then shows the grey picture
    zh: grayButton：点击后 imageLabel 显示灰度图
    """
    want = expected(answers_dir)
    obs = observed(observations, "gray", "clicking grayButton", "点击 grayButton")
    if not obs.get("changed"):
        rubric.fail("clicking grayButton did not change the picture in imageLabel",
                    zh="点击 grayButton 后 imageLabel 中的图片没有变化")
    share = num(obs.get("gray_share"), 0.0)
    if share < 0.99:
        rubric.fail(f"the picture shown after grayButton is not grey: {100 * (1 - share):.0f}% of its"
                    f" pixels have R, G, B that differ",
                    zh=f"点击 grayButton 后显示的图片不是灰度图：{100 * (1 - share):.0f}% 的像素 R、G、B 值不相同")
    sixths, notes = 3, []      # grey 3/6 (1.5 points), grey level 2/6 (1), size 1/6 (0.5)
    mean = num(obs.get("mean_rgb", [None])[0] if isinstance(obs.get("mean_rgb"), list) else None)
    if abs(mean - want["gray_mean"]) <= GRAY_TOL:
        sixths += 2
    else:
        notes.append((f"its mean grey level differs by {abs(mean - want['gray_mean']):.1f}"
                      f" (at most {GRAY_TOL:g}): use cv2.COLOR_BGR2GRAY on the BGR picture",
                      f"其平均灰度相差 {abs(mean - want['gray_mean']):.1f}（最多允许 {GRAY_TOL:g}）："
                      f"请对 BGR 图片使用 cv2.COLOR_BGR2GRAY"))
    if size_ok(obs, want):
        sixths += 1
    else:
        notes.append(("the grey picture is not shown at the picture's own size", "灰度图没有按原图尺寸显示"))
    give(sixths / 6, notes)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_edge_shows_edges(observations, answers_dir):
    """edgeButton: imageLabel then shows the Canny edges (thresholds 100, 200)
    zh: edgeButton：点击后 imageLabel 显示 Canny 边缘（阈值 100、200）
    """
    want = expected(answers_dir)
    obs = observed(observations, "edge", "clicking edgeButton", "点击 edgeButton")
    if not size_ok(obs, want):
        rubric.fail("the edge picture is not shown at the picture's own size", zh="边缘图没有按原图尺寸显示")
    w, h = want["width"], want["height"]
    try:
        bits = np.frombuffer(bytes.fromhex(str(obs.get("mask", ""))), np.uint8)
        mask = np.unpackbits(bits)[: w * h].reshape(h, w).astype(bool)
    except ValueError:
        rubric.fail("the edge picture could not be read back", zh="无法读回边缘图")
    truth = cv2.imread(str(answers_dir / "edges.png"), cv2.IMREAD_GRAYSCALE) > 0
    kernel = np.ones((3, 3), np.uint8)
    near_truth = cv2.dilate(truth.astype(np.uint8), kernel) > 0
    near_mask = cv2.dilate(mask.astype(np.uint8), kernel) > 0
    precision = (mask & near_truth).sum() / max(1, mask.sum())
    recall = (truth & near_mask).sum() / max(1, truth.sum())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    rubric.band(f1, {0.9: 1.0, 0.6: 0.5}, what="edge match (F1, 1-pixel tolerance)",
                what_zh="边缘吻合度（F1，容差 1 像素）")


@pytest.mark.points(0.5)
@pytest.mark.timeout(20)
def test_status_bar_size(observations, answers_dir):
    """after opening, the status bar gives the picture's width and height
    zh: 打开图片后，状态栏显示图片的宽度和高度
    """
    want = expected(answers_dir)
    text = observations.get("status")
    if not isinstance(text, str) or not text.strip():
        rubric.fail("the status bar shows nothing after opening a picture", zh="打开图片后状态栏没有显示任何内容")
    numbers = [int(n) for n in re.findall(r"\d+", text[:200])]
    if want["width"] not in numbers or want["height"] not in numbers:
        rubric.fail("the status bar does not give the opened picture's width and height",
                    zh="状态栏没有给出所打开图片的宽度和高度")


@pytest.mark.points(0.5)
@pytest.mark.timeout(20)
def test_screenshots(candidate_artifacts):
    """the screenshots taken after opening and after grayButton show a picture
    zh: 打开图片后和点击 grayButton 后的截图中都有图片
    """
    notes = []
    for name in ("after_open.png", "after_gray.png"):
        if not rubric.exists(candidate_artifacts, name):
            notes.append((f"no screenshot {name} (an earlier step failed)", f"没有截图 {name}（前面的某一步失败了）"))
            continue
        try:
            shot = rubric.read_image(candidate_artifacts, name, max_bytes=MAX_SHOT)
        except rubric.Unreadable:
            shot = None
        if shot is None or shot.shape[0] < 50 or shot.shape[1] < 50 or float(shot.std()) < 5.0:
            notes.append((f"the screenshot {name} is blank", f"截图 {name} 是空白的"))
    if notes:
        rubric.fail("; ".join(en for en, _ in notes), zh="；".join(zh for _, zh in notes))
