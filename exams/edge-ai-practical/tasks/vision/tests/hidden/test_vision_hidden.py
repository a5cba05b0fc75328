"""Candidate sandbox: call the candidate's four functions on every grading picture
and record what they return. No points are decided here (anything in this process
can be forged): the trusted tests compare the records with the answers.

A call that raises is recorded as an error for that picture and the others go on,
so one bad picture costs one answer, not the whole part.
"""
import math

import cv2
import pytest

from practicum import rubric

MAX_TEXT = 40


def pictures(folder):
    return sorted(p for p in folder.glob("*.jpg") if p.is_file())


def _error(exc):
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text[:160]


def run_all(fn, folder, convert):
    """{file: converted answer or None}, and {"count", "first"} of the failures."""
    answers, errors, first = {}, 0, None
    for path in pictures(folder):
        img = cv2.imread(str(path))
        try:
            answers[path.name] = convert(fn(img))
        except Exception as exc:   # the candidate's code, or an answer of the wrong shape
            answers[path.name] = None
            errors += 1
            first = first or _error(exc)     # not the file name: it would hint at the answer
    return answers, {"count": errors, "first": first}


def as_boxes(value):
    if value is None:
        raise TypeError("detect_faces returned None; return [] when there is no face")
    boxes = []
    for item in list(value)[:50]:
        if hasattr(item, "box"):
            raise TypeError("return the boxes (face.box), not the Face objects")
        numbers = [float(v) for v in list(item)[:4]]
        if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
            raise ValueError("each box must be 4 numbers (x1, y1, x2, y2)")
        boxes.append([round(v, 2) for v in numbers])
    return boxes


def as_label(value):
    if isinstance(value, tuple):
        raise TypeError('classify_mask must return "mask" or "no_mask", got a tuple '
                        '(mask.classify returns (label, probability): return the label)')
    if not isinstance(value, str):
        raise TypeError(f'classify_mask must return "mask" or "no_mask", got {type(value).__name__}')
    return value.strip()[:MAX_TEXT]


def as_text(value):
    if value is None:
        raise TypeError('read_plate returned None; return "" when there is no plate')
    if isinstance(value, tuple):
        raise TypeError("read_plate must return the plate number, got a tuple "
                        "(plate.recognize returns (text, confidence): return the text)")
    if not isinstance(value, str):
        raise TypeError(f"read_plate must return a str, got {type(value).__name__}")
    return value[:MAX_TEXT]


def _finish(answers, errors, what):
    if errors["count"] == len(answers) and answers:
        rubric.fail(f"{what} failed on every picture, e.g. {errors['first']}")
    if errors["count"]:
        rubric.fail(f"{what} failed on {errors['count']} of {len(answers)} pictures, e.g. {errors['first']}")


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_detect_faces_runs(candidate, hidden_dir, record):
    """detect_faces(img) answers every picture of data/faces/"""
    rubric.require(candidate, "detect_faces")
    answers, errors = run_all(candidate.detect_faces, hidden_dir / "faces", as_boxes)
    record("faces", answers)
    record("faces_errors", errors)
    _finish(answers, errors, "detect_faces")


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_classify_mask_runs(candidate, hidden_dir, record):
    """classify_mask(img) answers every picture of data/masks/"""
    rubric.require(candidate, "classify_mask")
    answers, errors = run_all(candidate.classify_mask, hidden_dir / "masks", as_label)
    record("masks", answers)
    record("masks_errors", errors)
    _finish(answers, errors, "classify_mask")


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_read_plate_runs(candidate, hidden_dir, record):
    """read_plate(img) answers every picture of data/plates/"""
    rubric.require(candidate, "read_plate")
    answers, errors = run_all(candidate.read_plate, hidden_dir / "plates", as_text)
    record("plates", answers)
    record("plates_errors", errors)
    _finish(answers, errors, "read_plate")


@pytest.mark.points(0)
@pytest.mark.timeout(30)
def test_model_info_runs(candidate, record):
    """model_info() returns a dict"""
    rubric.require(candidate, "model_info")
    value = candidate.model_info()
    if not isinstance(value, dict):
        rubric.fail(f"model_info() must return a dict, got {type(value).__name__}")
    kept = {}
    for key, v in list(value.items())[:50]:
        if isinstance(v, (bool, int, float, str)) or v is None:
            kept[str(key)[:60]] = v if not isinstance(v, str) else v[:MAX_TEXT]
        else:
            try:
                kept[str(key)[:60]] = float(v)     # numpy numbers
            except (TypeError, ValueError):
                kept[str(key)[:60]] = repr(v)[:MAX_TEXT]
    record("model_info", kept)
