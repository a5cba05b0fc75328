"""Audit, judged beside the answers: the planted labeling errors found (F1), the corrected
labels (share of pictures right) and the audit statistics.

The candidate's files are read through rubric.read_csv / read_json / read_text (no links,
capped); messages give counts, never which picture holds which error."""
import json
from collections import Counter
from pathlib import Path

import pytest

from practicum import rubric

W, H = 192, 144
CLASSES = ("bottle", "can", "box")
KINDS = ("wrong_class", "loose_box", "missed_object")
FIT = 0.8          # a corrected box must fit its part this well


@pytest.fixture
def truth(answers_dir):
    return json.loads((answers_dir / "truth.json").read_text(encoding="utf-8"))


def reported(candidate_outputs, truth):
    rows = rubric.read_csv(candidate_outputs, "output/audit.csv", max_bytes=256 * 1024, columns=("file", "error"))
    good = {(r["file"], r["error"]) for r in rows if r["file"] in truth and r["error"] in KINDS}
    return rows, good


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


@pytest.mark.points(2)
def test_report_format(candidate_outputs, truth):
    """output/audit.csv rows name a picture and an error kind; output/stats.json has objects and errors
    zh: output/audit.csv 每行给出图片与错误类型；output/stats.json 含 objects 与 errors
    """
    rows, good = reported(candidate_outputs, truth)
    bad = [i for i, r in enumerate(rows, 2) if (r["file"], r["error"]) not in good]
    stats = rubric.read_json(candidate_outputs, "output/stats.json", max_bytes=64 * 1024)
    problems, problems_zh = [], []
    if bad:
        problems.append(f"audit.csv line {bad[0]}: file must be a picture of data/images/ and error one of "
                        f"{', '.join(KINDS)} ({len(bad)} such line(s))")
        problems_zh.append(f"audit.csv 第 {bad[0]} 行：file 必须是 data/images/ 中的图片，error 必须是 "
                           f"{', '.join(KINDS)} 之一（共 {len(bad)} 行如此）")
    shape_ok = (isinstance(stats, dict) and isinstance(stats.get("objects"), dict)
                and isinstance(stats.get("errors"), dict)
                and all(_int(stats["objects"].get(c)) for c in CLASSES)
                and all(_int(stats["errors"].get(k)) for k in KINDS))
    if not shape_ok:
        problems.append('stats.json must be {"objects": {class: count}, "errors": {kind: count}} with whole numbers')
        problems_zh.append('stats.json 必须是 {"objects": {类别: 数量}, "errors": {错误类型: 数量}}，数量为整数')
    rubric.check(not problems, "; ".join(problems), zh="；".join(problems_zh))


@pytest.mark.points(6)
def test_errors_found(candidate_outputs, truth):
    """planted errors found with their kind: F1 (>= 0.90 full marks, >= 0.60 half)
    zh: 找出埋设的错误及其类型：F1（≥ 0.90 满分，≥ 0.60 得一半）
    """
    _, good = reported(candidate_outputs, truth)
    planted = {(name, t["error"]) for name, t in truth.items() if t["error"]}
    tp = len(good & planted)
    p, r = rubric.precision_recall(tp, len(good - planted), len(planted - good))
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    missed = Counter(kind for _, kind in planted - good)
    detail = "; not found: " + ", ".join(f"{n} {k}" for k, n in sorted(missed.items())) if missed else ""
    detail_zh = "；未找出：" + "、".join(f"{n} 个 {k}" for k, n in sorted(missed.items())) if missed else ""
    rubric.band(f1, {0.9: 1.0, 0.6: 0.5}, what="error detection F1", what_zh="错误检出 F1",
                detail=f"; {tp} of {len(planted)} errors found, {len(good - planted)} false alarms{detail}",
                detail_zh=f"；{len(planted)} 个错误中找出 {tp} 个，误报 {len(good - planted)} 个{detail_zh}")


def corrected_right(candidate_outputs, name, gold) -> bool:
    try:
        text = rubric.read_text(candidate_outputs, f"output/corrected/{Path(name).stem}.txt", max_bytes=16 * 1024)
    except rubric.Unreadable:
        return False
    mine = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        try:
            c, cx, cy, w, h = int(parts[0]), *(float(v) for v in parts[1:5])
        except (ValueError, TypeError):
            return False
        mine.append((c, ((cx - w / 2) * W, (cy - h / 2) * H, (cx + w / 2) * W, (cy + h / 2) * H)))
    if len(mine) != len(gold):
        return False
    for cls in range(len(CLASSES)):
        p = [b for c, b in mine if c == cls]
        g = [tuple(b[1:]) for b in gold if b[0] == cls]
        if len(p) != len(g) or rubric.match_boxes(p, g, FIT)[0] != len(g):
            return False
    return True


@pytest.mark.points(6)
def test_corrections(candidate_outputs, truth):
    """output/corrected/: share of pictures whose corrected labels are right (>= 0.95 full marks, >= 0.80 half)
    zh: output/corrected/：修正后标注完全正确的图片比例（≥ 0.95 满分，≥ 0.80 得一半）
    """
    right = sum(corrected_right(candidate_outputs, name, t["boxes"]) for name, t in truth.items())
    rubric.band(right / len(truth), {0.95: 1.0, 0.8: 0.5}, what="share of pictures labeled right after correction",
                what_zh="修正后标注正确的图片比例",
                detail=f" ({right} of {len(truth)}; every part boxed once, right class, IoU >= {FIT:g})",
                detail_zh=f"（{len(truth)} 张中 {right} 张；每个零件一个框、类别正确、IoU ≥ {FIT:g}）")


@pytest.mark.points(2)
def test_statistics(candidate_outputs, truth):
    """output/stats.json: objects per class in the corrected set, errors per kind (half each)
    zh: output/stats.json：修正后每个类别的目标数、每种错误的数量（各占一半）
    """
    stats = rubric.read_json(candidate_outputs, "output/stats.json", max_bytes=64 * 1024)
    objects = Counter(CLASSES[b[0]] for t in truth.values() for b in t["boxes"])
    errors = Counter(t["error"] for t in truth.values() if t["error"])
    got_o = stats.get("objects") if isinstance(stats, dict) else None
    got_e = stats.get("errors") if isinstance(stats, dict) else None
    ok_o = isinstance(got_o, dict) and all(got_o.get(c) == objects[c] for c in CLASSES)
    ok_e = isinstance(got_e, dict) and all(got_e.get(k) == errors[k] for k in KINDS)
    notes = [n for n, ok in (("the object counts per class are wrong", ok_o), ("the error counts per kind are wrong", ok_e))
             if not ok]
    notes_zh = [n for n, ok in (("各类别的目标数不对", ok_o), ("各类错误的数量不对", ok_e)) if not ok]
    fraction = (ok_o + ok_e) / 2
    if fraction == 0:
        rubric.fail("; ".join(notes), "；".join(notes_zh))
    rubric.partial(fraction, "; ".join(notes), "；".join(notes_zh))
