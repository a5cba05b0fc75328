"""Runs beside the candidate's code: call the required functions on the grading
pictures and record what they answer; tests/trusted judges the answers.

Only the plate latency is scored here, because only here can the candidate's
code run: it is timed against the SDK's own pipeline (edgeai.plate.read) in
the same process, on the same scenes, so a busy worker slows both alike.
"""
import csv
import itertools

import cv2
import numpy as np
import pytest

from practicum import rubric

FUNCTIONS = ("verify", "build_gallery", "identify", "wears_mask", "read_plate")
BATCH = 3                       # scenes per timed call
PER_SCENE_CAP_S = 0.3           # the gate's own requirement, per scene
RELATIVE = 3.0                  # at most this many times the reference pipeline
AGREE_FOR_LATENCY = 0.8         # a fast reader that reads wrong earns no speed points
ATTEMPTS = 2


def load(path):
    img = cv2.imread(str(path))
    if img is None:
        raise RuntimeError(f"grading picture unreadable: {path.name}")
    return img


def _plain(value):
    """A JSON-safe form of whatever the candidate returned."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return value[:40]
    if isinstance(value, (int, float, np.integer, np.floating)):
        return {"number": float(value)}
    return {"type": type(value).__name__}


def _error(exc):
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:160]}" if text else type(exc).__name__


def ask(fn, cases):
    """{key: plain answer} for fn(*args) per case, with the errors counted, not raised."""
    answers, errors, first = {}, 0, None
    for key, args in cases:
        try:
            answers[key] = _plain(fn(*args))
        except Exception as exc:   # one bad picture must not hide the rest
            errors += 1
            first = first or f"{key}: {_error(exc)}"
    return {"answers": answers, "errors": errors, "first_error": first}


@pytest.mark.points(0)
@pytest.mark.timeout(30)
def test_defines_functions(candidate):
    """the program runs and defines verify, build_gallery, identify, wears_mask and read_plate
    zh: 程序能运行，并定义了 verify、build_gallery、identify、wears_mask 和 read_plate
    """
    rubric.require(candidate, *FUNCTIONS)
    odd = [n for n in FUNCTIONS if not callable(getattr(candidate, n))]
    if odd:
        rubric.fail(f"not functions: {', '.join(odd)}", zh=f"以下名称不是函数：{', '.join(odd)}")


@pytest.mark.points(0)
@pytest.mark.timeout(120)
def test_run_verify(candidate, hidden_dir, record):
    """verify(img_a, img_b) on every grading pair (judged in the trusted phase)
    zh: 对每组评分图片调用 verify(img_a, img_b)（在评判阶段计分）
    """
    rubric.require(candidate, "verify")
    with open(hidden_dir / "pairs.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cases = ((r["pair"], (load(hidden_dir / r["image_a"]), load(hidden_dir / r["image_b"]))) for r in rows)
    record("verify", ask(candidate.verify, cases))


@pytest.mark.points(0)
@pytest.mark.timeout(120)
def test_run_identify(candidate, hidden_dir, record):
    """build_gallery(folder), then identify(img, gallery) on every probe (judged in the trusted phase)
    zh: 先调用 build_gallery(folder)，再对每张待识别图片调用 identify(img, gallery)（在评判阶段计分）
    """
    rubric.require(candidate, "build_gallery", "identify")
    try:
        gallery = candidate.build_gallery(str(hidden_dir / "gallery"))
    except Exception as exc:
        record("identify", {"answers": {}, "errors": 1, "first_error": f"build_gallery: {_error(exc)}"})
        rubric.fail(f"build_gallery raised {_error(exc)}", zh=f"build_gallery 抛出异常 {_error(exc)}")
    probes = sorted((hidden_dir / "probes").glob("*.jpg"))
    record("identify", ask(candidate.identify, ((p.name, (load(p), gallery)) for p in probes)))


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_run_wears_mask(candidate, hidden_dir, record):
    """wears_mask(img) on every mask picture (judged in the trusted phase)
    zh: 对每张口罩图片调用 wears_mask(img)（在评判阶段计分）
    """
    rubric.require(candidate, "wears_mask")
    pictures = sorted((hidden_dir / "mask").glob("*.jpg"))
    record("mask", ask(candidate.wears_mask, ((p.name, (load(p),)) for p in pictures)))


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_run_read_plate(candidate, hidden_dir, record):
    """read_plate(img) on every street scene (judged in the trusted phase)
    zh: 对每个街景调用 read_plate(img)（在评判阶段计分）
    """
    rubric.require(candidate, "read_plate")
    scenes = sorted((hidden_dir / "plates").glob("*.jpg"))
    record("plates", ask(candidate.read_plate, ((p.name, (load(p),)) for p in scenes)))


def plate_text(value):
    """A plate number as compared: spaces and the middle dot (京A·12345) do not count."""
    return value.replace(" ", "").replace("·", "").replace("•", "").strip().upper() if isinstance(value, str) else None


def _fraction(outcome):
    return outcome.fraction if isinstance(outcome, rubric.Partial) else 0.0


def _top_text(img):
    from edgeai import plate
    found = plate.read(img)
    return found[0][1] if found else ""


@pytest.mark.points(2)
@pytest.mark.timeout(120)
def test_plate_latency(candidate, hidden_dir):
    """read_plate is fast enough: per scene at most 3x the SDK's plate.read pipeline and at most 0.3 s
    zh: read_plate 足够快：每个场景的用时不超过 SDK 的 plate.read 流程的 3 倍，且不超过 0.3 秒
    """
    rubric.require(candidate, "read_plate")
    scenes = [load(p) for p in sorted((hidden_dir / "plates").glob("*.jpg"))]
    batches = [scenes[i:i + BATCH] for i in range(0, len(scenes) - BATCH + 1, BATCH)]
    mine, theirs, failures = [], [], []

    def candidate_read(img):
        try:
            return candidate.read_plate(img)
        except Exception as exc:
            failures.append(_error(exc))
            return None

    def timed(fn, sink):
        # each call reads other scenes than the one before, so remembering answers does not help
        order = itertools.cycle(batches)

        def run():
            for img in next(order):
                sink.append(fn(img.copy()))
        return run

    # a busy worker can stall one measurement: a second try, and the better one counts
    outcome = None
    for _attempt in range(ATTEMPTS):
        try:
            rubric.latency_limit(timed(candidate_read, mine), timed(_top_text, theirs),
                                 absolute_s=PER_SCENE_CAP_S * BATCH, relative=RELATIVE, repeat=5, warmup=1,
                                 what=f"time for {BATCH} scenes, one at a time",
                                 what_zh=f"逐个处理 {BATCH} 个场景的用时")
        except (rubric.Partial, rubric.Fail) as exc:
            if outcome is None or _fraction(exc) > _fraction(outcome):
                outcome = exc
            if failures:
                break
        else:
            outcome = None
            break
    if failures:
        rubric.fail(f"read_plate raised an error while timed: {failures[0]}",
                    zh=f"read_plate 在计时过程中出错：{failures[0]}")
    agree = sum(1 for a, b in zip(mine, theirs) if plate_text(a) == b) / max(1, len(theirs))
    if agree < AGREE_FOR_LATENCY:
        rubric.fail(f"speed is scored only for a reader that reads the plates right: {agree:.0%} of the "
                    f"timed reads were right, at least {AGREE_FOR_LATENCY:.0%} needed",
                    zh=f"只有车牌读对时才计速度分：计时过程中读对了 {agree:.0%}，"
                       f"至少需要 {AGREE_FOR_LATENCY:.0%}")
    if outcome is not None:
        raise outcome
