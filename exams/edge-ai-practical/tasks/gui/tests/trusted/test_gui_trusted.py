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


def observed(observations, key, step):
    value = observations.get(key)
    if not isinstance(value, dict):
        rubric.fail(f"nothing was recorded for this step: {step} did not work (see its test above)")
    return value


def num(value, default=float("nan")):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def size_ok(obs, want):
    return num(obs.get("width")) == want["width"] and num(obs.get("height")) == want["height"]


def give(fraction, notes):
    note = "; ".join(notes)
    if fraction <= 0:
        rubric.fail(note)
    rubric.partial(fraction, note)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_open_shows_picture(observations, answers_dir):
    """openButton: the picture is shown at its own size with the right colours"""
    want = expected(answers_dir)
    obs = observed(observations, "open", "opening a picture with openButton")
    score, notes = 0.0, []
    if size_ok(obs, want):
        score += 0.5
    else:
        notes.append("the picture is not shown at its own size (do not scale it)")
    rgb = obs.get("mean_rgb")
    rgb = [num(v) for v in rgb] if isinstance(rgb, list) and len(rgb) == 3 else [float("nan")] * 3
    off = max(abs(a - b) for a, b in zip(rgb, want["mean_rgb"]))
    swapped = max(abs(a - b) for a, b in zip(rgb, want["mean_rgb"][::-1]))
    if off <= COLOUR_TOL:
        score += 0.5
    elif swapped <= COLOUR_TOL:
        notes.append("red and blue are swapped: OpenCV pictures are BGR, Qt's Format_RGB888 expects RGB")
    else:
        notes.append(f"the colours shown differ from the picture's by {off:.1f} grey levels"
                     f" (at most {COLOUR_TOL:g} allowed)")
    give(score, notes)


@pytest.mark.points(3)
@pytest.mark.timeout(20)
def test_gray_shows_gray(observations, answers_dir):
    """grayButton: imageLabel then shows the grey picture"""
    want = expected(answers_dir)
    obs = observed(observations, "gray", "clicking grayButton")
    if not obs.get("changed"):
        rubric.fail("clicking grayButton did not change the picture in imageLabel")
    share = num(obs.get("gray_share"), 0.0)
    if share < 0.99:
        rubric.fail(f"the picture shown after grayButton is not grey: {100 * (1 - share):.0f}% of its"
                    f" pixels have R, G, B that differ")
    sixths, notes = 3, []      # grey 3/6 (1.5 points), grey level 2/6 (1), size 1/6 (0.5)
    mean = num(obs.get("mean_rgb", [None])[0] if isinstance(obs.get("mean_rgb"), list) else None)
    if abs(mean - want["gray_mean"]) <= GRAY_TOL:
        sixths += 2
    else:
        notes.append(f"its mean grey level differs by {abs(mean - want['gray_mean']):.1f}"
                     f" (at most {GRAY_TOL:g}): use cv2.COLOR_BGR2GRAY on the BGR picture")
    if size_ok(obs, want):
        sixths += 1
    else:
        notes.append("the grey picture is not shown at the picture's own size")
    give(sixths / 6, notes)


@pytest.mark.points(2)
@pytest.mark.timeout(20)
def test_edge_shows_edges(observations, answers_dir):
    """edgeButton: imageLabel then shows the Canny edges (thresholds 100, 200)"""
    want = expected(answers_dir)
    obs = observed(observations, "edge", "clicking edgeButton")
    if not size_ok(obs, want):
        rubric.fail("the edge picture is not shown at the picture's own size")
    w, h = want["width"], want["height"]
    try:
        bits = np.frombuffer(bytes.fromhex(str(obs.get("mask", ""))), np.uint8)
        mask = np.unpackbits(bits)[: w * h].reshape(h, w).astype(bool)
    except ValueError:
        rubric.fail("the edge picture could not be read back")
    truth = cv2.imread(str(answers_dir / "edges.png"), cv2.IMREAD_GRAYSCALE) > 0
    kernel = np.ones((3, 3), np.uint8)
    near_truth = cv2.dilate(truth.astype(np.uint8), kernel) > 0
    near_mask = cv2.dilate(mask.astype(np.uint8), kernel) > 0
    precision = (mask & near_truth).sum() / max(1, mask.sum())
    recall = (truth & near_mask).sum() / max(1, truth.sum())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    rubric.band(f1, {0.9: 1.0, 0.6: 0.5}, what="edge match (F1, 1-pixel tolerance)")


@pytest.mark.points(0.5)
@pytest.mark.timeout(20)
def test_status_bar_size(observations, answers_dir):
    """after opening, the status bar gives the picture's width and height"""
    want = expected(answers_dir)
    text = observations.get("status")
    if not isinstance(text, str) or not text.strip():
        rubric.fail("the status bar shows nothing after opening a picture")
    numbers = [int(n) for n in re.findall(r"\d+", text[:200])]
    if want["width"] not in numbers or want["height"] not in numbers:
        rubric.fail("the status bar does not give the opened picture's width and height")


@pytest.mark.points(0.5)
@pytest.mark.timeout(20)
def test_screenshots(candidate_artifacts):
    """the screenshots taken after opening and after grayButton show a picture"""
    notes = []
    for name in ("after_open.png", "after_gray.png"):
        path = candidate_artifacts / name
        if not path.is_file() or path.is_symlink() or path.stat().st_size > MAX_SHOT:
            notes.append(f"no screenshot {name} (an earlier step failed)")
            continue
        shot = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if shot is None or shot.shape[0] < 50 or shot.shape[1] < 50 or float(shot.std()) < 5.0:
            notes.append(f"the screenshot {name} is blank")
    if notes:
        rubric.fail("; ".join(notes))
