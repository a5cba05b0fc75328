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


def _error_zh(exc):
    """_error in Chinese where the message is ours (the candidate's own errors stay as raised)."""
    zh = getattr(exc, "zh", None)
    return f"{type(exc).__name__}: {zh}"[:160] if zh else _error(exc)


def _wrong(kind, message, zh):
    """An exception of `kind` whose message has a Chinese form too."""
    exc = kind(message)
    exc.zh = zh
    return exc


def run_all(fn, folder, convert):
    """{file: converted answer or None}, {"count", "first"} of the failures, and "first" in Chinese."""
    answers, errors, first, first_zh = {}, 0, None, None
    for path in pictures(folder):
        img = cv2.imread(str(path))
        try:
            answers[path.name] = convert(fn(img))
        except Exception as exc:   # the candidate's code, or an answer of the wrong shape
            answers[path.name] = None
            errors += 1
            if first is None:     # not the file name: it would hint at the answer
                first, first_zh = _error(exc), _error_zh(exc)
    return answers, {"count": errors, "first": first}, first_zh


def as_boxes(value):
    if value is None:
        raise _wrong(TypeError, "detect_faces returned None; return [] when there is no face",
                     "detect_faces 返回了 None；没有人脸时请返回 []")
    boxes = []
    for item in list(value)[:50]:
        if hasattr(item, "box"):
            raise _wrong(TypeError, "return the boxes (face.box), not the Face objects",
                         "请返回框（face.box），而不是 Face 对象")
        numbers = [float(v) for v in list(item)[:4]]
        if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
            raise _wrong(ValueError, "each box must be 4 numbers (x1, y1, x2, y2)",
                         "每个框必须是 4 个数 (x1, y1, x2, y2)")
        boxes.append([round(v, 2) for v in numbers])
    return boxes


def as_label(value):
    if isinstance(value, tuple):
        raise _wrong(TypeError, 'classify_mask must return "mask" or "no_mask", got a tuple '
                     '(mask.classify returns (label, probability): return the label)',
                     'classify_mask 必须返回 "mask" 或 "no_mask"，实际返回了元组'
                     '（mask.classify 返回 (label, probability)：请只返回 label）')
    if not isinstance(value, str):
        raise _wrong(TypeError, f'classify_mask must return "mask" or "no_mask", got {type(value).__name__}',
                     f'classify_mask 必须返回 "mask" 或 "no_mask"，实际返回了 {type(value).__name__}')
    return value.strip()[:MAX_TEXT]


def as_text(value):
    if value is None:
        raise _wrong(TypeError, 'read_plate returned None; return "" when there is no plate',
                     'read_plate 返回了 None；没有车牌时请返回 ""')
    if isinstance(value, tuple):
        raise _wrong(TypeError, "read_plate must return the plate number, got a tuple "
                     "(plate.recognize returns (text, confidence): return the text)",
                     "read_plate 必须返回车牌号，实际返回了元组"
                     "（plate.recognize 返回 (text, confidence)：请只返回 text）")
    if not isinstance(value, str):
        raise _wrong(TypeError, f"read_plate must return a str, got {type(value).__name__}",
                     f"read_plate 必须返回 str，实际返回了 {type(value).__name__}")
    return value[:MAX_TEXT]


def _finish(answers, errors, what, first_zh):
    if errors["count"] == len(answers) and answers:
        rubric.fail(f"{what} failed on every picture, e.g. {errors['first']}",
                    zh=f"{what} 在每张图片上都出错，例如 {first_zh}")
    if errors["count"]:
        rubric.fail(f"{what} failed on {errors['count']} of {len(answers)} pictures, e.g. {errors['first']}",
                    zh=f"{what} 在 {len(answers)} 张图片中的 {errors['count']} 张上出错，例如 {first_zh}")


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_detect_faces_runs(candidate, hidden_dir, record):
    """detect_faces(img) answers every picture of data/faces/
    zh: detect_faces(img) 对 data/faces/ 中的每张图片都给出结果
    """
    rubric.require(candidate, "detect_faces")
    answers, errors, first_zh = run_all(candidate.detect_faces, hidden_dir / "faces", as_boxes)
    record("faces", answers)
    record("faces_errors", errors)
    _finish(answers, errors, "detect_faces", first_zh)


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_classify_mask_runs(candidate, hidden_dir, record):
    """classify_mask(img) answers every picture of data/masks/
    zh: classify_mask(img) 对 data/masks/ 中的每张图片都给出结果
    """
    rubric.require(candidate, "classify_mask")
    answers, errors, first_zh = run_all(candidate.classify_mask, hidden_dir / "masks", as_label)
    record("masks", answers)
    record("masks_errors", errors)
    _finish(answers, errors, "classify_mask", first_zh)


@pytest.mark.points(0)
@pytest.mark.timeout(90)
def test_read_plate_runs(candidate, hidden_dir, record):
    """read_plate(img) answers every picture of data/plates/
    zh: read_plate(img) 对 data/plates/ 中的每张图片都给出结果
    """
    rubric.require(candidate, "read_plate")
    answers, errors, first_zh = run_all(candidate.read_plate, hidden_dir / "plates", as_text)
    record("plates", answers)
    record("plates_errors", errors)
    _finish(answers, errors, "read_plate", first_zh)


@pytest.mark.points(0)
@pytest.mark.timeout(30)
def test_model_info_runs(candidate, record):
    """model_info() returns a dict
    zh: model_info() 返回一个 dict
    """
    rubric.require(candidate, "model_info")
    value = candidate.model_info()
    if not isinstance(value, dict):
        rubric.fail(f"model_info() must return a dict, got {type(value).__name__}",
                    zh=f"model_info() 必须返回 dict，实际返回了 {type(value).__name__}")
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
