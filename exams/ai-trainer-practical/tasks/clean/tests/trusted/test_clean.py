"""Cleaning, judged beside the answers: the faulty items found, per modality and per kind
(macro-F1 over the kinds), and the counts of the cleaning log.

The candidate's files are read through rubric.read_csv / read_json (no links, capped);
messages give figures per kind, never which item holds which fault."""
import json

import pytest

from practicum import rubric

KINDS = {"text": ("empty", "duplicate", "advert", "garbled"),
         "images": ("corrupt", "duplicate", "near_duplicate"),
         "audio": ("wrong_rate", "too_short", "silent", "clipped")}
NAMES_ZH = {"text": "文本", "images": "图片", "audio": "音频"}
BANDS = {0.9: 1.0, 0.5: 0.5}


@pytest.fixture
def truth(answers_dir):
    return json.loads((answers_dir / "truth.json").read_text(encoding="utf-8"))


def modality_of(item: str, truth) -> str | None:
    return next((m for m, items in truth["items"].items() if item in items), None)


def rejected(candidate_outputs):
    return rubric.read_csv(candidate_outputs, "output/rejected.csv", max_bytes=512 * 1024, columns=("item", "kind"))


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def log_shape_ok(log) -> bool:
    return isinstance(log, dict) and all(
        isinstance(log.get(m), dict) and _int(log[m].get("total")) and _int(log[m].get("kept"))
        and isinstance(log[m].get("removed"), dict) and all(_int(log[m]["removed"].get(k)) for k in kinds)
        for m, kinds in KINDS.items())


@pytest.mark.points(1)
def test_format(candidate_outputs, truth):
    """output/rejected.csv rows name an item once with a kind of its modality; output/cleaning_log.json has its shape
    zh: output/rejected.csv 每行给出一个条目（不重复）及其模态的问题类型；output/cleaning_log.json 结构正确
    """
    rows = rejected(candidate_outputs)
    seen, bad, twice = set(), [], []
    for line, r in enumerate(rows, 2):
        m = modality_of(r["item"], truth)
        if m is None or r["kind"] not in KINDS[m]:
            bad.append(line)
        elif r["item"] in seen:
            twice.append(line)
        seen.add(r["item"])
    problems, problems_zh = [], []
    if bad:
        problems.append(f"rejected.csv line {bad[0]}: item must be texts.txt:<line>, images/<file> or audio/<file> "
                        f"of data/, kind one of its modality's ({len(bad)} such line(s))")
        problems_zh.append(f"rejected.csv 第 {bad[0]} 行：item 必须是 data/ 中的 texts.txt:<行号>、images/<文件> 或 "
                           f"audio/<文件>，kind 必须是该模态的问题类型之一（共 {len(bad)} 行如此）")
    if twice:
        problems.append(f"rejected.csv line {twice[0]}: an item already listed ({len(twice)} such line(s))")
        problems_zh.append(f"rejected.csv 第 {twice[0]} 行：该条目已经列出过（共 {len(twice)} 行如此）")
    log = rubric.read_json(candidate_outputs, "output/cleaning_log.json", max_bytes=64 * 1024)
    if not log_shape_ok(log):
        problems.append('cleaning_log.json must hold "text", "images" and "audio", each '
                        '{"total": n, "kept": n, "removed": {kind: n}} with whole numbers for every kind')
        problems_zh.append('cleaning_log.json 必须含 "text"、"images"、"audio"，每个为 '
                           '{"total": n, "kept": n, "removed": {问题类型: n}}，每种类型的数量为整数')
    rubric.check(not problems, "; ".join(problems), zh="；".join(problems_zh))


def judge(modality, candidate_outputs, truth):
    """Macro-F1 over the modality's kinds of (item, kind) pairs, in bands, with each kind's figures."""
    found = {(r["item"], r["kind"]) for r in rejected(candidate_outputs)
             if modality_of(r["item"], truth) == modality}
    planted = set(truth["faults"][modality].items())
    scores, notes, notes_zh = [], [], []
    for kind in KINDS[modality]:
        mine = {p for p in found if p[1] == kind}
        gold = {p for p in planted if p[1] == kind}
        tp = len(mine & gold)
        p, r = rubric.precision_recall(tp, len(mine - gold), len(gold - mine))
        scores.append(2 * p * r / (p + r) if p + r else 0.0)
        if tp < len(gold) or mine - gold:
            notes.append(f"{kind}: {tp} of {len(gold)} found, {len(mine - gold)} false")
            notes_zh.append(f"{kind}：{len(gold)} 个中找出 {tp} 个，误判 {len(mine - gold)} 个")
    macro = sum(scores) / len(scores)
    rubric.band(macro, BANDS, what=f"{modality} cleaning macro-F1", what_zh=f"{NAMES_ZH[modality]}清洗的宏平均 F1",
                detail="; " + "; ".join(notes) if notes else "",
                detail_zh="；" + "；".join(notes_zh) if notes_zh else "")


@pytest.mark.points(4)
def test_text(candidate_outputs, truth):
    """text lines: empty, duplicate, advert, garbled found (macro-F1 over the kinds; >= 0.90 full marks, >= 0.50 half)
    zh: 文本行：找出空行、重复、广告、乱码（各类型的宏平均 F1；≥ 0.90 满分，≥ 0.50 得一半）
    """
    judge("text", candidate_outputs, truth)


@pytest.mark.points(4)
def test_images(candidate_outputs, truth):
    """pictures: corrupt, duplicate, near-duplicate found (macro-F1 over the kinds; >= 0.90 full marks, >= 0.50 half)
    zh: 图片：找出损坏、重复、近似重复（各类型的宏平均 F1；≥ 0.90 满分，≥ 0.50 得一半）
    """
    judge("images", candidate_outputs, truth)


@pytest.mark.points(4)
def test_audio(candidate_outputs, truth):
    """audio clips: wrong rate, too short, silent, clipped found (macro-F1 over the kinds; >= 0.90 full marks, >= 0.50 half)
    zh: 音频：找出采样率错误、过短、静音、削波（各类型的宏平均 F1；≥ 0.90 满分，≥ 0.50 得一半）
    """
    judge("audio", candidate_outputs, truth)


@pytest.mark.points(3)
def test_log_counts(candidate_outputs, answers_dir):
    """output/cleaning_log.json: total, kept and removed per kind right (a third for each modality)
    zh: output/cleaning_log.json：总数、保留数和各类型的删除数正确（每个模态占三分之一）
    """
    log = rubric.read_json(candidate_outputs, "output/cleaning_log.json", max_bytes=64 * 1024)
    right_log = json.loads((answers_dir / "log.json").read_text(encoding="utf-8"))
    right, wrong, wrong_zh = 0, [], []
    for modality in KINDS:
        want = right_log[modality]
        got = log.get(modality) if isinstance(log, dict) else None
        ok = isinstance(got, dict) and got.get("total") == want["total"] and got.get("kept") == want["kept"] \
            and isinstance(got.get("removed"), dict) and all(got["removed"].get(k) == n for k, n in want["removed"].items())
        right += ok
        if not ok:
            wrong.append(modality)
            wrong_zh.append(NAMES_ZH[modality])
    if right == len(KINDS):
        return
    message = f"the counts of {', '.join(wrong)} are wrong"
    message_zh = f"{'、'.join(wrong_zh)}的计数不对"
    if right == 0:
        rubric.fail(message, zh=message_zh)
    rubric.partial(right / len(KINDS), message, zh=message_zh)
