"""edgeai.synth: plate texts, plate and scene rendering, degradation — deterministic by seed.

Run: PYTHONPATH=sandbox_images/sdk python -m pytest sandbox_images/sdk/tests/test_synth.py -q
Needs numpy, opencv-python-headless, pillow and a CJK font (Debian fonts-wqy-zenhei).
"""
import os
import re

import cv2
import numpy as np
import pytest

from edgeai import synth

PLATE_RE = re.compile(
    r"^[京沪津渝冀晋蒙辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5}$"
)


def _font_or_skip():
    try:
        return synth.find_cjk_font()
    except FileNotFoundError as e:  # the sandbox image has it; a bare host may not
        pytest.skip(str(e))


# ---------------------------------------------------------------- texts


def test_random_texts_have_the_blue_plate_format():
    rng = np.random.default_rng(0)
    texts = [synth.random_plate_text(rng) for _ in range(2000)]
    for t in texts:
        assert PLATE_RE.match(t), t
        assert synth.is_plate_text(t)
        assert "I" not in t and "O" not in t
    # every province and every second-position letter shows up; tails mix letters and digits
    assert {t[0] for t in texts} == set(synth.PROVINCES)
    assert {t[1] for t in texts} == set(synth.LETTERS)
    assert any(any(c.isalpha() for c in t[2:]) for t in texts)
    assert sum(t[2:].isdigit() for t in texts) > 500


def test_random_texts_are_deterministic_and_seed_dependent():
    a = [synth.random_plate_text(np.random.default_rng(42)) for _ in range(3)]
    assert a[0] == a[1] == a[2]
    r1, r2 = np.random.default_rng(1), np.random.default_rng(2)
    assert [synth.random_plate_text(r1) for _ in range(20)] != [
        synth.random_plate_text(r2) for _ in range(20)
    ]


@pytest.mark.parametrize("bad", ["京A1234", "京I12345", "京O12345", "A京12345", "京a12345", "京A1234I", 7])
def test_is_plate_text_rejects_bad_numbers(bad):
    assert not synth.is_plate_text(bad)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="default_rng"):
        synth.random_plate_text(42)
    with pytest.raises(TypeError, match="default_rng"):
        synth.render_scene(np.random.RandomState(0), ["京A12345"])


# ---------------------------------------------------------------- plates


def test_font_is_found():
    path = _font_or_skip()
    assert os.path.isfile(path)


def test_render_plate_looks_like_a_blue_plate():
    _font_or_skip()
    img = synth.render_plate("京A12345")
    assert img.shape == (140, 440, 3) and img.dtype == np.uint8
    b, g, r = (img[..., i].astype(int) for i in range(3))
    blue = (b > 120) & (b > r + 60) & (b > g + 40)
    white = (b > 200) & (g > 200) & (r > 200)
    assert 0.55 < blue.mean() < 0.85, blue.mean()
    assert 0.12 < white.mean() < 0.4, white.mean()
    # characters sit in the middle band; each of the 7 character cells has white ink
    for x0 in (15, 72, 151, 208, 265, 322, 379):
        assert white[30:110, x0 + 5 : x0 + 40].mean() > 0.1, x0
    # a thin white border runs round the edge
    assert white[3:8, 60:380].any(axis=0).mean() > 0.95
    assert white[-8:-3, 60:380].any(axis=0).mean() > 0.95


def test_render_plate_is_deterministic():
    _font_or_skip()
    a = synth.render_plate("粤B8Q7X6")
    b = synth.render_plate("粤B8Q7X6")
    assert a.tobytes() == b.tobytes()
    c = synth.render_plate("粤B8Q7X6", np.random.default_rng(3), noise=4)
    d = synth.render_plate("粤B8Q7X6", np.random.default_rng(3), noise=4)
    assert c.tobytes() == d.tobytes()
    assert c.tobytes() != a.tobytes()
    assert synth.render_plate("粤B8Q7X7").tobytes() != a.tobytes()


def test_render_plate_rejects_bad_input():
    with pytest.raises(ValueError, match="blue-plate number"):
        synth.render_plate("京A1234")
    with pytest.raises(ValueError, match="blue-plate number"):
        synth.render_plate("京I12345")
    with pytest.raises(ValueError, match="only 'blue'"):
        synth.render_plate("京A12345", style="green")
    with pytest.raises(ValueError, match="noise needs rng"):
        synth.render_plate("京A12345", noise=3)


# ---------------------------------------------------------------- scenes


def test_render_scene_is_deterministic():
    _font_or_skip()
    texts = ["京A12345", "沪B54321"]
    a, ta = synth.render_scene(np.random.default_rng(7), texts)
    b, tb = synth.render_scene(np.random.default_rng(7), texts)
    assert a.tobytes() == b.tobytes()
    assert ta == tb
    c, _ = synth.render_scene(np.random.default_rng(8), texts)
    assert c.tobytes() != a.tobytes()


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_render_scene_truth_is_consistent(n):
    _font_or_skip()
    rng = np.random.default_rng(100 + n)
    texts = [synth.random_plate_text(rng) for _ in range(n)]
    img, truth = synth.render_scene(rng, texts, size=(640, 480))
    assert img.shape == (480, 640, 3) and img.dtype == np.uint8
    assert [t["text"] for t in truth] == texts
    boxes = []
    for t in truth:
        c = np.array(t["corners"])
        x1, y1, x2, y2 = t["box"]
        assert c.shape == (4, 2)
        assert 0 <= x1 < x2 < 640 and 0 <= y1 < y2 < 480
        assert (c[:, 0] >= x1 - 1).all() and (c[:, 0] <= x2 + 1).all()
        assert (c[:, 1] >= y1 - 1).all() and (c[:, 1] <= y2 + 1).all()
        # clockwise from top-left: TL above BL, TR right of TL, BR below TR
        assert c[0, 1] < c[3, 1] and c[1, 0] > c[0, 0] and c[2, 1] > c[1, 1]
        assert 90 <= x2 - x1 <= 260, x2 - x1
        # the plate region really holds the blue plate
        m = np.zeros(img.shape[:2], np.uint8)
        cv2.fillConvexPoly(m, np.round(c).astype(np.int32), 1)
        m = cv2.erode(m, np.ones((5, 5), np.uint8))
        px = img[m > 0].astype(int)
        assert (px[:, 0] > px[:, 2] + 40).mean() > 0.5
        boxes.append((x1, x2))
    # plates do not overlap (one car per slot, left to right)
    for (a1, a2), (b1, b2) in zip(boxes, boxes[1:]):
        assert a2 < b1


def test_render_scene_rejects_too_many_plates():
    with pytest.raises(ValueError, match="do not fit"):
        synth.render_scene(np.random.default_rng(0), ["京A12345"] * 5, size=(640, 480))
    with pytest.raises(ValueError, match="too small"):
        synth.render_scene(np.random.default_rng(0), ["京A12345"], size=(100, 80))


# ---------------------------------------------------------------- degrade


def test_degrade_levels_get_stronger_and_are_deterministic():
    _font_or_skip()
    img, _ = synth.render_scene(np.random.default_rng(5), ["京A12345"])
    assert synth.degrade(img, np.random.default_rng(0), 0).tobytes() == img.tobytes()
    diffs = []
    for level in (1, 2, 3):
        a = synth.degrade(img, np.random.default_rng(level), level)
        b = synth.degrade(img, np.random.default_rng(level), level)
        assert a.tobytes() == b.tobytes()
        assert a.shape == img.shape and a.dtype == np.uint8
        diffs.append(np.abs(a.astype(int) - img.astype(int)).mean())
    assert diffs[0] < diffs[1] < diffs[2], diffs


def test_degrade_keeps_grey_images_grey():
    grey = np.full((60, 80), 128, np.uint8)
    out = synth.degrade(grey, np.random.default_rng(0), 2)
    assert out.shape == (60, 80)


def test_degrade_rejects_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^image is None: check the path passed to cv2.imread$"):
        synth.degrade(None, rng, 1)
    with pytest.raises(ValueError, match="level must be one of"):
        synth.degrade(np.zeros((10, 10, 3), np.uint8), rng, 4)
    with pytest.raises(TypeError, match="uint8"):
        synth.degrade(np.zeros((10, 10, 3), np.float32), rng, 1)
