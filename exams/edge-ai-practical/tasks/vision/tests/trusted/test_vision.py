"""Basic vision algorithms, judged beside the answers: no candidate code runs here.

The observations are what the candidate's functions returned on the grading
pictures (recorded by tests/hidden); they are claims, so every value is
type-checked before use. Messages give figures and counts over the whole set,
never the answer for one picture.
"""
import json
import math

import pytest

from practicum import rubric

IOU_MATCH = 0.5
MODEL_KEYS = {
    "face_onet_input": "the O-Net input side of the face detector",
    "face_embedding_dim": "the length of a face embedding",
    "mask_input_size": "the mask model's input side",
    "mask_index": 'the index of "mask" in the mask model\'s output',
    "plate_num_classes": "the number of classes of the plate recogniser",
    "plate_input_height": "the input height of the plate recogniser",
}
MODEL_KEYS_ZH = {
    "face_onet_input": "人脸检测器 O-Net 的输入边长",
    "face_embedding_dim": "人脸特征向量的长度",
    "mask_input_size": "口罩模型的输入边长",
    "mask_index": '口罩模型输出中 "mask" 的索引',
    "plate_num_classes": "车牌识别模型的类别数",
    "plate_input_height": "车牌识别模型的输入高度",
}
SEPARATORS = " ·•.-_\t"


@pytest.fixture
def truth(answers_dir):
    return json.loads((answers_dir / "truth.json").read_text(encoding="utf-8"))


def recorded(observations, key, function):
    """The candidate's answers {file: value}, or a failure naming the function."""
    value = observations.get(key)
    if not isinstance(value, dict) or not value:
        rubric.fail(f"no answers were recorded from {function}: see the check of {function} above",
                    zh=f"没有记录到 {function} 的任何结果：见上面 {function} 的检查项")
    return value


def _errors_note(observations, key, total):
    """The note on pictures that raised an error, as (English, Chinese)."""
    errors = observations.get(f"{key}_errors")
    count = errors.get("count") if isinstance(errors, dict) else 0
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return f"; {count} of {total} pictures raised an error", f"；{total} 张图片中有 {count} 张出错"
    return "", ""


# -- model parameters -------------------------------------------------------------
def _same(mine, right):
    if isinstance(mine, bool) or not isinstance(mine, (int, float)) or not math.isfinite(mine):
        if isinstance(mine, str):
            try:
                return float(mine.strip()) == right
            except ValueError:
                return False
        return False
    return float(mine) == float(right)


@pytest.mark.points(3)
def test_model_info(observations, truth):
    """model_info() gives the 6 model parameters (0.5 each)
    zh: model_info() 给出 6 个模型参数（每个 0.5 分）
    """
    mine = observations.get("model_info")
    if not isinstance(mine, dict):
        rubric.fail("no answer was recorded from model_info(): see the check of model_info above",
                    zh="没有记录到 model_info() 的结果：见上面 model_info 的检查项")
    right = truth["model_info"]
    wrong = [k for k in MODEL_KEYS if not _same(mine.get(k), right[k])]
    if not wrong:
        return
    missing = [k for k in wrong if k not in mine]
    notes, notes_zh = [], []
    if missing:
        notes.append("missing key(s): " + ", ".join(missing))
        notes_zh.append("缺少键：" + "、".join(missing))
    off = [k for k in wrong if k in mine]
    if off:
        notes.append("wrong: " + "; ".join(f"{k} ({MODEL_KEYS[k]})" for k in off))
        notes_zh.append("错误：" + "；".join(f"{k}（{MODEL_KEYS_ZH[k]}）" for k in off))
    good = len(MODEL_KEYS) - len(wrong)
    message = f"model_info: {good} of {len(MODEL_KEYS)} parameters right; " + "; ".join(notes)
    zh = f"model_info：{len(MODEL_KEYS)} 个参数中 {good} 个正确；" + "；".join(notes_zh)
    if good == 0:
        rubric.fail(message, zh)
    rubric.partial(good / len(MODEL_KEYS), message, zh)


# -- faces -------------------------------------------------------------------------
def _boxes(value):
    """A recorded answer as a list of (x1, y1, x2, y2), or None when unusable."""
    if not isinstance(value, list):
        return None
    out = []
    for b in value:
        if not (isinstance(b, list) and len(b) == 4
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in b)):
            return None
        out.append(tuple(float(v) for v in b))
    return out


def _pairs(pred, gold):
    """Greedy one-to-one IoU matching, as rubric.match_boxes: [(pred index, gold index, iou)]."""
    scored = sorted(((rubric.iou(p, t), i, j) for i, p in enumerate(pred) for j, t in enumerate(gold)
                     if p[2] > p[0] and p[3] > p[1]), reverse=True)
    used_p, used_t, out = set(), set(), []
    for score, i, j in scored:
        if score < IOU_MATCH:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            out.append((i, j, score))
    return out


@pytest.fixture
def faces(observations, truth):
    """Counts over all face pictures: right counts, matches, IoUs and hints."""
    answers = recorded(observations, "faces", "detect_faces")
    gold_all, far_all = truth["faces"], truth["far_faces"]
    right_count = tp = fp = fn = on_far = as_xywh = 0
    ious = []
    for name, gold in gold_all.items():
        pred = _boxes(answers.get(name))
        if pred is None:
            fn += len(gold)
            continue
        right_count += len(pred) == len(gold)
        pairs = _pairs(pred, gold)
        tp, fp, fn = tp + len(pairs), fp + len(pred) - len(pairs), fn + len(gold) - len(pairs)
        ious += [s for _, _, s in pairs]
        matched = {i for i, _, _ in pairs}
        extra = [p for i, p in enumerate(pred) if i not in matched]
        on_far += len(_pairs(extra, far_all.get(name, [])))
        # a common slip: (x, y, w, h) where (x1, y1, x2, y2) is asked for
        as_xywh += len(_pairs([(x, y, x + w, y + h) for x, y, w, h in pred], gold)) - len(pairs)
    errors, errors_zh = _errors_note(observations, "faces", len(gold_all))
    return {"pictures": len(gold_all), "right_count": right_count, "tp": tp, "fp": fp, "fn": fn,
            "ious": ious, "on_far": on_far, "xywh": as_xywh > 0.5 * max(1, tp + fn),
            "errors": errors, "errors_zh": errors_zh}


def _xywh_note(f, zh=False):
    if zh:
        return "；这些框看起来是 (x, y, w, h)：请返回 (x1, y1, x2, y2)" if f["xywh"] else ""
    return "; the boxes look like (x, y, w, h): return (x1, y1, x2, y2)" if f["xywh"] else ""


@pytest.mark.points(2)
def test_face_count(faces):
    """the number of faces reported per picture is right (>= 0.90 of pictures full marks, >= 0.75 half)
    zh: 每张图片报告的人脸数正确（≥ 0.90 的图片正确得满分，≥ 0.75 得一半）
    """
    f = faces
    rubric.band(f["right_count"] / f["pictures"], {0.9: 1.0, 0.75: 0.5}, "face count accuracy",
         f"; {f['right_count']} of {f['pictures']} pictures counted right{f['errors']}",
         what_zh="人脸计数准确率",
         detail_zh=f"；{f['pictures']} 张图片中 {f['right_count']} 张人脸数正确{f['errors_zh']}")


@pytest.mark.points(2)
def test_face_recall(faces):
    """the faces to report are found: box IoU >= 0.5 (recall >= 0.90 full marks, >= 0.75 half)
    zh: 找到了应报告的人脸：框的 IoU ≥ 0.5（召回率 ≥ 0.90 得满分，≥ 0.75 得一半）
    """
    f = faces
    _, recall = rubric.precision_recall(f["tp"], f["fp"], f["fn"])
    rubric.band(recall, {0.9: 1.0, 0.75: 0.5}, "face recall",
         f"; {f['tp']} of {f['tp'] + f['fn']} faces found{_xywh_note(f)}{f['errors']}",
         what_zh="人脸召回率",
         detail_zh=f"；{f['tp'] + f['fn']} 张人脸中找到 {f['tp']} 张{_xywh_note(f, zh=True)}{f['errors_zh']}")


@pytest.mark.points(1)
def test_face_precision(faces):
    """no extra boxes: far-away faces and non-faces are not reported (precision >= 0.90 full marks, >= 0.75 half)
    zh: 没有多余的框：远处的人脸和非人脸不报告（精确率 ≥ 0.90 得满分，≥ 0.75 得一半）
    """
    f = faces
    if f["tp"] + f["fp"] == 0:
        rubric.fail(f"no usable face box was reported{_xywh_note(f)}{f['errors']}",
                    zh=f"没有报告任何可用的人脸框{_xywh_note(f, zh=True)}{f['errors_zh']}")
    precision, _ = rubric.precision_recall(f["tp"], f["fp"], f["fn"])
    far = (f"; {f['on_far']} of them {'is a far-away face' if f['on_far'] == 1 else 'are far-away faces'} "
           "(box side under 60 px), not to be reported" if f["on_far"] else "")
    far_zh = f"；其中 {f['on_far']} 个是远处的人脸（框边长不足 60 像素），不应报告" if f["on_far"] else ""
    rubric.band(precision, {0.9: 1.0, 0.75: 0.5}, "face precision",
         f"; {f['fp']} of {f['tp'] + f['fp']} reported boxes match no face to report{far}",
         what_zh="人脸精确率",
         detail_zh=f"；报告的 {f['tp'] + f['fp']} 个框中有 {f['fp']} 个不对应任何应报告的人脸{far_zh}")


@pytest.mark.points(1)
def test_face_box_fit(faces):
    """the boxes fit the faces (mean IoU of the found faces >= 0.75 full marks, >= 0.60 half)
    zh: 框与人脸贴合（已找到人脸的平均 IoU ≥ 0.75 得满分，≥ 0.60 得一半）
    """
    ious = faces["ious"]
    if not ious:
        rubric.fail(f"no reported box matches a face, so the fit cannot be measured{_xywh_note(faces)}",
                    zh=f"报告的框都对不上人脸，无法衡量贴合程度{_xywh_note(faces, zh=True)}")
    rubric.band(sum(ious) / len(ious), {0.75: 1.0, 0.6: 0.5}, "mean IoU of the found faces",
         what_zh="已找到人脸的平均 IoU")


# -- masks -------------------------------------------------------------------------
@pytest.mark.points(3)
def test_mask_accuracy(observations, truth):
    """mask / no_mask is right (accuracy >= 0.90 full marks, >= 0.80 half)
    zh: mask / no_mask 判断正确（准确率 ≥ 0.90 得满分，≥ 0.80 得一半）
    """
    answers = recorded(observations, "masks", "classify_mask")
    gold = truth["masks"]
    per = {"mask": [0, 0], "no_mask": [0, 0]}
    odd = 0
    for name, label in gold.items():
        mine = answers.get(name)
        per[label][1] += 1
        if isinstance(mine, str):
            mine = mine.strip().lower()
            odd += mine not in per
            per[label][0] += mine == label
    hits = per["mask"][0] + per["no_mask"][0]
    acc = hits / len(gold)
    detail = (f"; with a mask {per['mask'][0]} of {per['mask'][1]} right, "
              f"without {per['no_mask'][0]} of {per['no_mask'][1]} right")
    detail_zh = (f"；戴口罩的 {per['mask'][1]} 张中 {per['mask'][0]} 张正确，"
                 f"未戴口罩的 {per['no_mask'][1]} 张中 {per['no_mask'][0]} 张正确")
    if odd:
        detail += f'; {odd} answers are neither "mask" nor "no_mask"'
        detail_zh += f'；{odd} 个结果既不是 "mask" 也不是 "no_mask"'
    if acc < 0.2 and not odd:
        detail += "; nearly every answer is the opposite one: check the order of the model's labels"
        detail_zh += "；几乎每个结果都正好相反：请检查模型标签的顺序"
    errors, errors_zh = _errors_note(observations, "masks", len(gold))
    detail += errors
    detail_zh += errors_zh
    rubric.band(acc, {0.9: 1.0, 0.8: 0.5}, "mask accuracy", detail, what_zh="口罩识别准确率", detail_zh=detail_zh)


# -- plates ------------------------------------------------------------------------
def _n(count, one, many):
    return f"{count} {one if count == 1 else many}"


def _plain(text):
    return "".join(c for c in text if c not in SEPARATORS).upper()


@pytest.mark.points(4)
def test_plate_accuracy(observations, truth):
    """plate numbers read exactly ("" where there is no plate) (>= 0.90 full marks, >= 0.80 half, >= 0.50 a quarter)
    zh: 车牌号完全读对（没有车牌时为 ""）（≥ 0.90 得满分，≥ 0.80 得一半，≥ 0.50 得四分之一）
    """
    answers = recorded(observations, "plates", "read_plate")
    gold = truth["plates"]
    hits = no_province = ghost = 0
    for name, text in gold.items():
        mine = answers.get(name)
        if not isinstance(mine, str):
            continue
        mine = _plain(mine)
        hits += mine == text
        if text and len(mine) == 6 and mine == text[1:]:
            no_province += 1
        if not text and mine:
            ghost += 1
    detail = f"; {hits} of {len(gold)} scenes read exactly"
    detail_zh = f"；{len(gold)} 个场景中 {hits} 个完全读对"
    if no_province:
        detail += f"; {_n(no_province, 'read lacks', 'reads lack')} the province character"
        detail_zh += f"；{no_province} 个结果缺少省份简称汉字"
    if ghost:
        detail += f"; {_n(ghost, 'scene', 'scenes')} without a plate got a plate number"
        detail_zh += f"；{ghost} 个没有车牌的场景给出了车牌号"
    errors, errors_zh = _errors_note(observations, "plates", len(gold))
    detail += errors
    detail_zh += errors_zh
    rubric.band(hits / len(gold), {0.9: 1.0, 0.8: 0.5, 0.5: 0.25}, "plate accuracy", detail,
         what_zh="车牌识别准确率", detail_zh=detail_zh)
