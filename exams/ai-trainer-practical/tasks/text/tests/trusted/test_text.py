"""Text labeling, judged beside the answers: classes by macro-F1, entity spans by exact-span F1.

output/labels.jsonl is the candidate's: read through rubric.read_text (no links, capped),
every line checked before use; format problems are named by line number. Messages give
figures, never a sentence's label."""
import json

import pytest

from practicum import rubric

CLASSES = ("fault", "shortage", "safety", "quality")
TYPES = ("DEVICE", "LOC")
OUTPUT = "output/labels.jsonl"
MAX_BYTES = 1024 * 1024


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def line_problem(row, text: str | None):
    """Why one parsed line breaks the format, as (en, zh), or None."""
    if not isinstance(row, dict):
        return "is not a JSON object", "不是 JSON 对象"
    if text is None:
        return f"id {str(row.get('id'))[:20]!r} is not a sentence of data/sentences.jsonl", \
            f"id {str(row.get('id'))[:20]!r} 不是 data/sentences.jsonl 中的句子"
    if row.get("label") not in CLASSES:
        return f"label must be one of {', '.join(CLASSES)}", f"label 必须是 {', '.join(CLASSES)} 之一"
    ents = row.get("entities")
    if not isinstance(ents, list):
        return "entities must be a list", "entities 必须是列表"
    for e in ents:
        if not (isinstance(e, dict) and _int(e.get("start")) and _int(e.get("end")) and e.get("type") in TYPES):
            return 'each entity needs integer "start", "end" and a "type" DEVICE or LOC', \
                '每个实体都需要整数 "start"、"end" 和取值为 DEVICE 或 LOC 的 "type"'
        if not 0 <= e["start"] < e["end"] <= len(text):
            return f"span {e['start']}-{e['end']} lies outside the sentence ({len(text)} characters)", \
                f"区间 {e['start']}-{e['end']} 超出了句子范围（共 {len(text)} 个字符）"
    return None


@pytest.fixture
def judged(answers_dir, candidate_outputs):
    truth = {}
    for line in (answers_dir / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        truth[row["id"]] = row
    text = rubric.read_text(candidate_outputs, OUTPUT, max_bytes=MAX_BYTES)
    mine, problems, lines = {}, [], 0
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        lines += 1
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            problems.append((no, ("is not valid JSON", "不是有效的 JSON")))
            continue
        ident = row.get("id") if isinstance(row, dict) else None
        problem = line_problem(row, truth[ident]["text"] if isinstance(ident, str) and ident in truth else None)
        if problem:
            problems.append((no, problem))
        elif ident not in mine:
            mine[ident] = row
    return truth, mine, problems, lines


@pytest.mark.points(3)
def test_format(judged):
    """output/labels.jsonl: one well-formed line for every sentence
    zh: output/labels.jsonl：每个句子一行且格式正确
    """
    truth, mine, problems, _ = judged
    missing = len(truth) - len(mine)
    if not problems and not missing:
        return
    en, zh = [], []
    if problems:
        no, (pe, pz) = problems[0]
        en.append(f"{len(problems)} malformed line(s), the first: line {no} {pe}")
        zh.append(f"有 {len(problems)} 行格式错误，第一处：第 {no} 行{pz}")
    if missing:
        en.append(f"{missing} of {len(truth)} sentences have no well-formed line")
        zh.append(f"{len(truth)} 个句子中有 {missing} 个没有格式正确的行")
    fraction = max(0.0, len(mine) / len(truth) - len(problems) / len(truth))
    if fraction <= 0:
        rubric.fail("; ".join(en), "；".join(zh))
    rubric.partial(fraction, "; ".join(en), "；".join(zh))


def macro_f1(truth, mine) -> tuple[float, list[str]]:
    scores, weak = [], []
    for c in CLASSES:
        tp = sum(1 for k, t in truth.items() if t["label"] == c and mine.get(k, {}).get("label") == c)
        fp = sum(1 for k, m in mine.items() if m["label"] == c and truth[k]["label"] != c)
        fn = sum(1 for k, t in truth.items() if t["label"] == c and mine.get(k, {}).get("label") != c)
        p, r = rubric.precision_recall(tp, fp, fn)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        scores.append(f1)
        if f1 < 0.9:
            weak.append(f"{c} {f1:.2f}")
    return sum(scores) / len(scores), weak


@pytest.mark.points(8)
def test_classification(judged):
    """classes of the grading sentences: macro-F1 (>= 0.90 full marks, >= 0.75 half)
    zh: 评分句子的类别：宏平均 F1（≥ 0.90 满分，≥ 0.75 得一半）
    """
    truth, mine, _, _ = judged
    rubric.check(mine, f"{OUTPUT} has no usable line", zh=f"{OUTPUT} 中没有可用的行")
    f1, weak = macro_f1(truth, mine)
    rubric.band(f1, {0.9: 1.0, 0.75: 0.5}, what="macro-F1", what_zh="宏平均 F1",
                detail=f"; F1 per class below 0.90: {', '.join(weak)}",
                detail_zh=f"；F1 低于 0.90 的类别：{'、'.join(weak)}")


@pytest.mark.points(7)
def test_entities(judged):
    """entity spans: exact-span F1 over DEVICE and LOC (>= 0.90 full marks, >= 0.75 half)
    zh: 实体区间：DEVICE 与 LOC 的精确区间 F1（≥ 0.90 满分，≥ 0.75 得一半）
    """
    truth, mine, _, _ = judged
    rubric.check(mine, f"{OUTPUT} has no usable line", zh=f"{OUTPUT} 中没有可用的行")
    tp = fp = fn = 0
    for k, t in truth.items():
        gold = {(e["start"], e["end"], e["type"]) for e in t["entities"]}
        got = {(e["start"], e["end"], e["type"]) for e in mine.get(k, {}).get("entities", [])}
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    p, r = rubric.precision_recall(tp, fp, fn)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    rubric.band(f1, {0.9: 1.0, 0.75: 0.5}, what="exact-span F1", what_zh="精确区间 F1",
                detail=f"; precision {p:.2f}, recall {r:.2f} (a span counts when its start, end and type are all right)",
                detail_zh=f"；精确率 {p:.2f}，召回率 {r:.2f}（起点、终点和类型全部正确才算对）")
