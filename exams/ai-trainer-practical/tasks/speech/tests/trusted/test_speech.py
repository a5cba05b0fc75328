"""Speech labeling, judged beside the answers: segments by time-IoU matching, digits by accuracy.

output/segments.csv is the candidate's: read through rubric.read_csv (no links, capped),
each row checked against the recording it names. A segment matches a true one when their
time-IoU (overlap / union of the two intervals) is at least 0.5, one to one, best first.
Messages give figures, never a recording's digits."""
import csv
import math
import wave

import pytest

from practicum import rubric

OUTPUT = "output/segments.csv"
IOU_MATCH = 0.5


def _number(text):
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def time_iou(a, b) -> float:
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


@pytest.fixture
def judged(answers_dir, hidden_dir, candidate_outputs):
    truth = {}
    with open(answers_dir / "segments.csv", newline="") as f:
        for r in csv.DictReader(f):
            truth.setdefault(r["file"], []).append((float(r["start"]), float(r["end"]), int(r["digit"])))
    durations = {}
    for path in sorted((hidden_dir / "audio").glob("*.wav")):
        with wave.open(str(path)) as w:
            durations[path.name] = w.getnframes() / w.getframerate()
    rows = rubric.read_csv(candidate_outputs, OUTPUT, max_bytes=512 * 1024, columns=("file", "start", "end", "digit"))
    mine, problems = {}, []
    for no, r in enumerate(rows, 2):            # line 1 is the header
        start, end = _number(r["start"]), _number(r["end"])
        if r["file"] not in durations:
            problems.append((no, f"file {r['file'][:30]!r} is not a recording of data/audio/",
                             f"file {r['file'][:30]!r} 不是 data/audio/ 中的录音"))
        elif start is None or end is None or not 0 <= start < end:
            problems.append((no, "start and end must be numbers with 0 <= start < end",
                             "start 和 end 必须是数值，且 0 ≤ start < end"))
        elif end > durations[r["file"]] + 0.05:
            problems.append((no, f"end {end:g} is past the end of the {durations[r['file']]:.1f} s recording "
                                 "(times are in seconds)",
                             f"end {end:g} 超出了 {durations[r['file']]:.1f} 秒长的录音（时间以秒为单位）"))
        elif r["digit"] not in tuple("0123456789"):
            problems.append((no, "digit must be one of 0-9", "digit 必须是 0-9 之一"))
        else:
            mine.setdefault(r["file"], []).append((start, end, int(r["digit"])))
    tp = fp = fn = right = 0
    ious = []
    for name in durations:
        gold, pred = truth.get(name, []), mine.get(name, [])
        pairs = sorted(((time_iou(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gold)), reverse=True)
        used_p, used_g = set(), set()
        for score, i, j in pairs:
            if score < IOU_MATCH:
                break
            if i not in used_p and j not in used_g:
                used_p.add(i)
                used_g.add(j)
                ious.append(score)
                right += pred[i][2] == gold[j][2]
        tp, fp, fn = tp + len(used_p), fp + len(pred) - len(used_p), fn + len(gold) - len(used_p)
    return {"rows": len(rows), "problems": problems, "tp": tp, "fp": fp, "fn": fn, "right": right, "ious": ious}


@pytest.mark.points(2)
def test_format(judged):
    """output/segments.csv: file,start,end,digit rows, times in seconds inside their recording
    zh: output/segments.csv：file,start,end,digit 各行，时间以秒为单位且在录音范围内
    """
    d = judged
    rubric.check(d["rows"], f"{OUTPUT} has no rows", zh=f"{OUTPUT} 中没有数据行")
    if not d["problems"]:
        return
    no, en, zh = d["problems"][0]
    good = d["rows"] - len(d["problems"])
    message = f"{len(d['problems'])} of {d['rows']} rows are malformed, the first: line {no}: {en}"
    message_zh = f"{d['rows']} 行中有 {len(d['problems'])} 行格式错误，第一处：第 {no} 行：{zh}"
    if good <= 0:
        rubric.fail(message, message_zh)
    rubric.partial(good / d["rows"], message, message_zh)


@pytest.mark.points(7)
def test_segments(judged):
    """speech segments: F1 of the segments matched at time-IoU >= 0.5 (>= 0.90 full marks, >= 0.75 half)
    zh: 语音段：按时间 IoU ≥ 0.5 匹配的语音段 F1（≥ 0.90 满分，≥ 0.75 得一半）
    """
    d = judged
    p, r = rubric.precision_recall(d["tp"], d["fp"], d["fn"])
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    rubric.band(f1, {0.9: 1.0, 0.75: 0.5}, what="segment F1", what_zh="语音段 F1",
                detail=f"; {d['tp']} of {d['tp'] + d['fn']} segments found, {d['fp']} extra",
                detail_zh=f"；{d['tp'] + d['fn']} 个语音段中找到 {d['tp']} 个，多出 {d['fp']} 个")


@pytest.mark.points(5)
def test_digits(judged):
    """spoken digits: accuracy on the matched segments (>= 0.90 full marks, >= 0.70 half)
    zh: 所说数字：匹配上的语音段中的准确率（≥ 0.90 满分，≥ 0.70 得一半）
    """
    d = judged
    rubric.check(d["tp"], "no segment matches a spoken digit, so the digits cannot be judged",
                 zh="没有语音段对上所说的数字，无法评判数字")
    rubric.band(d["right"] / d["tp"], {0.9: 1.0, 0.7: 0.5}, what="digit accuracy", what_zh="数字准确率",
                detail=f" (on {d['tp']} matched segments)", detail_zh=f"（基于 {d['tp']} 个匹配上的语音段）")


@pytest.mark.points(2)
def test_boundaries(judged):
    """segment boundaries fit: mean time-IoU of the matched segments (>= 0.85 full marks, >= 0.70 half)
    zh: 语音段边界贴合：匹配语音段的平均时间 IoU（≥ 0.85 满分，≥ 0.70 得一半）
    """
    ious = judged["ious"]
    rubric.check(ious, "no segment matches a spoken digit, so their fit cannot be measured",
                 zh="没有语音段对上所说的数字，无法衡量边界贴合程度")
    rubric.band(sum(ious) / len(ious), {0.85: 1.0, 0.7: 0.5}, what="mean time-IoU", what_zh="平均时间 IoU")
