"""Vision labeling, judged beside the answers: YOLO label files by mAP@0.5 and box fit.

output/labels/*.txt are the candidate's: read through rubric.read_text (no links, capped),
every line checked; format problems are named by file and line. Messages give figures,
never a picture's boxes."""
import json
import math
from pathlib import Path

import pytest

from practicum import rubric

W, H = 192, 144
IOU_MATCH = 0.5


def parse(text: str, where: str, classes: int):
    """[(class, score, (x1, y1, x2, y2) in pixels)] and the first problem as (en, zh), or None."""
    boxes = []
    for no, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (5, 6):
            return boxes, (f"{where} line {no}: 5 numbers expected (class cx cy w h), found {len(parts)}",
                           f"{where} 第 {no} 行：应有 5 个数（class cx cy w h），实际有 {len(parts)} 个")
        try:
            cls, values = int(parts[0]), [float(p) for p in parts[1:]]
        except ValueError:
            return boxes, (f"{where} line {no}: the class must be a whole number and cx cy w h numbers",
                           f"{where} 第 {no} 行：类别必须是整数，cx cy w h 必须是数值")
        if not 0 <= cls < classes:
            return boxes, (f"{where} line {no}: class {cls} is not 0-{classes - 1} (see classes.txt)",
                           f"{where} 第 {no} 行：类别 {cls} 不在 0-{classes - 1} 之内（见 classes.txt）")
        if not all(math.isfinite(v) and 0 <= v <= 1 for v in values[:4]) or values[2] <= 0 or values[3] <= 0:
            return boxes, (f"{where} line {no}: cx cy w h must be normalised to 0-1 (divide by the picture's "
                           "width and height), w and h above 0",
                           f"{where} 第 {no} 行：cx cy w h 必须归一化到 0-1（除以图片的宽和高），且 w、h 大于 0")
        cx, cy, w, h = values[:4]
        score = values[4] if len(values) == 5 and math.isfinite(values[4]) else 1.0
        boxes.append((cls, score, ((cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H)))
    return boxes, None


def average_precision(preds, gold) -> float:
    """preds [(score, picture, box)], gold {picture: [box]}: all-point interpolated AP at IoU 0.5."""
    total = sum(len(v) for v in gold.values())
    if total == 0:
        return 0.0
    used = {k: [False] * len(v) for k, v in gold.items()}
    hits = []
    for score, pic, box in sorted(preds, key=lambda p: -p[0]):
        ious = [rubric.iou(box, g) for g in gold.get(pic, [])]
        best = max(range(len(ious)), key=ious.__getitem__, default=None)
        ok = best is not None and ious[best] >= IOU_MATCH and not used[pic][best]
        if ok:
            used[pic][best] = True
        hits.append(ok)
    ap, tp, best_p = 0.0, 0, [0.0] * (len(hits) + 1)
    precisions, recalls = [], []
    for i, ok in enumerate(hits, 1):
        tp += ok
        precisions.append(tp / i)
        recalls.append(tp / total)
    for i in range(len(precisions) - 1, -1, -1):
        best_p[i] = max(precisions[i], best_p[i + 1])
    prev = 0.0
    for i, r in enumerate(recalls):
        ap += (r - prev) * best_p[i]
        prev = r
    return ap


@pytest.fixture
def judged(answers_dir, candidate_outputs):
    truth = json.loads((answers_dir / "truth.json").read_text(encoding="utf-8"))
    classes, pictures = truth["classes"], truth["pictures"]
    mine, problems, missing = {}, [], 0
    for name in pictures:
        rel = f"output/labels/{Path(name).stem}.txt"
        try:
            text = rubric.read_text(candidate_outputs, rel, max_bytes=32 * 1024)
        except rubric.Unreadable as exc:
            missing += exc.reason == "is missing"
            if exc.reason != "is missing":
                problems.append((exc.texts["en"], exc.texts["zh"]))
            continue
        boxes, problem = parse(text, rel.removeprefix("output/"), len(classes))
        if problem:
            problems.append(problem)
        else:
            mine[name] = boxes
    return {"classes": classes, "pictures": pictures, "mine": mine, "problems": problems, "missing": missing}


@pytest.mark.points(3)
def test_format(judged):
    """output/labels/: a well-formed YOLO file for every grading picture
    zh: output/labels/：每张评分图片都有格式正确的 YOLO 标注文件
    """
    d = judged
    n = len(d["pictures"])
    if len(d["mine"]) == n:
        return
    en, zh = [f"{n - len(d['mine'])} of {n} pictures lack a well-formed label file"], \
        [f"{n} 张图片中有 {n - len(d['mine'])} 张缺少格式正确的标注文件"]
    if d["missing"]:
        en.append(f"{d['missing']} missing")
        zh.append(f"缺失 {d['missing']} 个")
    if d["problems"]:
        en.append(f"the first problem: {d['problems'][0][0]}")
        zh.append(f"第一处问题：{d['problems'][0][1]}")
    fraction = len(d["mine"]) / n
    if fraction <= 0:
        rubric.fail("; ".join(en), "；".join(zh))
    rubric.partial(fraction, "; ".join(en), "；".join(zh))


@pytest.mark.points(10)
def test_map(judged):
    """detection quality: mAP@0.5 over the three classes (>= 0.90 full marks, >= 0.75 half)
    zh: 检测质量：三个类别的 mAP@0.5（≥ 0.90 满分，≥ 0.75 得一半）
    """
    d = judged
    rubric.check(d["mine"], "no well-formed label file to judge", zh="没有格式正确的标注文件可供评判")
    aps = []
    for cls, name in enumerate(d["classes"]):
        gold = {p: [tuple(b[1:]) for b in boxes if b[0] == cls] for p, boxes in d["pictures"].items()}
        preds = [(s, p, box) for p, boxes in d["mine"].items() for c, s, box in boxes if c == cls]
        aps.append((name, average_precision(preds, gold)))
    m = sum(ap for _, ap in aps) / len(aps)
    per = ", ".join(f"{n} {ap:.2f}" for n, ap in aps)
    rubric.band(m, {0.9: 1.0, 0.75: 0.5}, what="mAP@0.5", what_zh="mAP@0.5",
                detail=f"; AP per class: {per}", detail_zh=f"；各类别 AP：{per}")


@pytest.mark.points(5)
def test_box_fit(judged):
    """the boxes fit the parts: mean IoU of the boxes matched with the right class (>= 0.85 full marks, >= 0.70 half)
    zh: 框贴合目标：类别正确且匹配上的框的平均 IoU（≥ 0.85 满分，≥ 0.70 得一半）
    """
    d = judged
    ious = []
    for pic, boxes in d["mine"].items():
        for cls in range(len(d["classes"])):
            gold = [tuple(b[1:]) for b in d["pictures"][pic] if b[0] == cls]
            pred = [box for c, _, box in boxes if c == cls]
            pairs = sorted(((rubric.iou(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gold)),
                           reverse=True)
            used_p, used_g = set(), set()
            for score, i, j in pairs:
                if score >= IOU_MATCH and i not in used_p and j not in used_g:
                    used_p.add(i)
                    used_g.add(j)
                    ious.append(score)
    rubric.check(ious, "no box matches a part of its class (IoU >= 0.5), so the fit cannot be measured",
                 zh="没有框以 IoU ≥ 0.5 对上同类别的目标，无法衡量贴合程度")
    rubric.band(sum(ious) / len(ious), {0.85: 1.0, 0.7: 0.5}, what="mean IoU", what_zh="平均 IoU")
