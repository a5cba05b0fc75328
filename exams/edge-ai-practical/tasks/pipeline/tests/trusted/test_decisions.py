"""Integrated application, judged beside the answers: no candidate code runs here.

The observations are what the candidate's functions answered on the grading
pictures (recorded by tests/hidden): untrusted data, so every value is
type-checked and anything else counts as a wrong answer. Messages give counts
per kind (same / different pairs, enrolled people / strangers), never which
picture is which person.
"""
import json

import pytest

from practicum import rubric

UNKNOWN = "unknown"


@pytest.fixture
def truth(answers_dir):
    return json.loads((answers_dir / "truth.json").read_text(encoding="utf-8"))


def answers_of(observations, key, what):
    """The recorded {picture: answer} of one function, and a note on errors in English and Chinese;
    fails when nothing usable was recorded."""
    seen = observations.get(key)
    if not isinstance(seen, dict) or not isinstance(seen.get("answers"), dict):
        rubric.fail(f"no answers from {what}: the function is missing or the run stopped before it",
                    zh=f"没有 {what} 的结果：该函数不存在，或程序在调用它之前就停止了")
    answers = seen["answers"]
    errors = seen.get("errors") if isinstance(seen.get("errors"), int) else 0
    note = note_zh = ""
    if errors:
        first = seen.get("first_error")
        note = f"; {errors} call(s) raised an error" + (f" (first: {str(first)[:200]})" if first else "")
        note_zh = f"；有 {errors} 次调用出错" + (f"（第一个：{str(first)[:200]}）" if first else "")
    return answers, note, note_zh


def judged(fraction_bands, hits, total, what, detail, note, what_zh, detail_zh, note_zh):
    acc = hits / total if total else 0.0
    try:
        rubric.band(acc, fraction_bands, what=what, what_zh=what_zh)
    except rubric.Partial as exc:
        raise rubric.Partial(exc.fraction, f"{exc.message} ({detail}){note}",
                             f"{exc.texts['zh']}（{detail_zh}）{note_zh}") from None
    except rubric.Fail as exc:
        raise rubric.Fail(f"{exc} ({detail}){note}", f"{exc.texts['zh']}（{detail_zh}）{note_zh}") from None


def plate_text(value):
    """A plate number as compared: spaces and the middle dot (京A·12345) do not count."""
    return value.replace(" ", "").replace("·", "").replace("•", "").strip().upper() if isinstance(value, str) else None


KINDS = {"verify": ("verify", bool), "identify": ("identify", str), "mask": ("wears_mask", bool),
         "plates": ("read_plate", str)}


@pytest.mark.points(1)
@pytest.mark.timeout(30)
def test_answers_well_formed(observations, truth):
    """every function answered every grading picture with the type the statement asks for
    zh: 每个函数对每张评分图片都给出了题目要求类型的结果
    """
    wanted = {"verify": truth["pairs"], "identify": truth["probes"], "mask": truth["mask"], "plates": truth["plates"]}
    problems = []
    for key, (name, kind) in KINDS.items():
        seen = observations.get(key)
        answers = seen.get("answers") if isinstance(seen, dict) else None
        if not isinstance(answers, dict):
            problems.append((f"{name}: no answers", f"{name}：没有结果"))
            continue
        bad = sum(1 for k in wanted[key] if not isinstance(answers.get(k), kind))
        if bad:
            problems.append((f"{name}: {bad} of {len(wanted[key])} answers missing or not {kind.__name__}",
                             f"{name}：{len(wanted[key])} 个结果中有 {bad} 个缺失或不是 {kind.__name__}"))
    if problems:
        rubric.fail("; ".join(en for en, _ in problems), zh="；".join(zh for _, zh in problems))


@pytest.mark.points(4)
@pytest.mark.timeout(30)
def test_face_verification(observations, truth):
    """face verification on the grading pairs (accuracy >= 0.90 full marks, >= 0.80 60 %, >= 0.70 30 %)
    zh: 评分图片对上的人脸验证（准确率 ≥ 0.90 得满分，≥ 0.80 得 60%，≥ 0.70 得 30%）
    """
    answers, note, note_zh = answers_of(observations, "verify", "verify")
    pairs = truth["pairs"]
    same = [k for k, v in pairs.items() if v]
    diff = [k for k, v in pairs.items() if not v]
    ok_same = sum(1 for k in same if answers.get(k) is True)
    ok_diff = sum(1 for k in diff if answers.get(k) is False)
    detail = f"same-person pairs {ok_same}/{len(same)} right, different-person pairs {ok_diff}/{len(diff)} right"
    detail_zh = f"同一人的图片对 {ok_same}/{len(same)} 正确，不同人的图片对 {ok_diff}/{len(diff)} 正确"
    judged({0.9: 1.0, 0.8: 0.6, 0.7: 0.3}, ok_same + ok_diff, len(pairs), "verification accuracy", detail, note,
           "人脸验证准确率", detail_zh, note_zh)


@pytest.mark.points(4)
@pytest.mark.timeout(30)
def test_face_identification(observations, truth):
    """identification against the gallery, strangers as "unknown" (accuracy >= 0.90 full, >= 0.75 60 %, >= 0.60 30 %)
    zh: 对照人脸库识别身份，陌生人答 "unknown"（准确率 ≥ 0.90 得满分，≥ 0.75 得 60%，≥ 0.60 得 30%）
    """
    answers, note, note_zh = answers_of(observations, "identify", "build_gallery / identify")
    probes = truth["probes"]
    enrolled = [k for k, v in probes.items() if v != UNKNOWN]
    strangers = [k for k, v in probes.items() if v == UNKNOWN]

    def right(k):
        value = answers.get(k)
        return isinstance(value, str) and value.strip() == probes[k]

    ok_in = sum(1 for k in enrolled if right(k))
    ok_out = sum(1 for k in strangers if right(k))
    detail = (f"enrolled people {ok_in}/{len(enrolled)} named right, "
              f"people not in the gallery {ok_out}/{len(strangers)} answered \"{UNKNOWN}\"")
    detail_zh = (f"已登记人员 {ok_in}/{len(enrolled)} 识别正确，"
                 f"不在人脸库中的人员 {ok_out}/{len(strangers)} 答为 \"{UNKNOWN}\"")
    judged({0.9: 1.0, 0.75: 0.6, 0.6: 0.3}, ok_in + ok_out, len(probes), "identification accuracy", detail, note,
           "身份识别准确率", detail_zh, note_zh)


@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_mask(observations, truth):
    """mask / no mask on the grading faces (accuracy >= 0.85 full marks, >= 0.70 half)
    zh: 评分人脸上的戴口罩 / 未戴口罩判断（准确率 ≥ 0.85 得满分，≥ 0.70 得一半）
    """
    answers, note, note_zh = answers_of(observations, "mask", "wears_mask")
    pictures = truth["mask"]
    masked = [k for k, v in pictures.items() if v]
    bare = [k for k, v in pictures.items() if not v]
    ok_m = sum(1 for k in masked if answers.get(k) is True)
    ok_b = sum(1 for k in bare if answers.get(k) is False)
    detail = f"masked faces {ok_m}/{len(masked)} right, faces without a mask {ok_b}/{len(bare)} right"
    detail_zh = f"戴口罩的人脸 {ok_m}/{len(masked)} 正确，未戴口罩的人脸 {ok_b}/{len(bare)} 正确"
    judged({0.85: 1.0, 0.7: 0.5}, ok_m + ok_b, len(pictures), "mask accuracy", detail, note,
           "口罩识别准确率", detail_zh, note_zh)


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_plate_accuracy(observations, truth):
    """plate numbers read exactly (accuracy >= 0.90 full marks, >= 0.75 60 %, >= 0.60 30 %)
    zh: 车牌号完全读对（准确率 ≥ 0.90 得满分，≥ 0.75 得 60%，≥ 0.60 得 30%）
    """
    answers, note, note_zh = answers_of(observations, "plates", "read_plate")
    plates = truth["plates"]
    hits = sum(1 for k, v in plates.items() if plate_text(answers.get(k)) == v)
    empty = sum(1 for k in plates if not plate_text(answers.get(k)))
    lengths = [len(plate_text(answers.get(k)) or "") for k in plates]
    detail = f"{hits}/{len(plates)} exactly right"
    detail_zh = f"{hits}/{len(plates)} 完全正确"
    if empty:
        detail += f", {empty} empty or not a string"
        detail_zh += f"，{empty} 个为空或不是字符串"
    elif hits < len(plates) and sum(1 for n in lengths if n != 7) > len(plates) // 2:
        detail += "; most answers are not 7 characters long"
        detail_zh += "；多数结果不是 7 个字符"
    judged({0.9: 1.0, 0.75: 0.6, 0.6: 0.3}, hits, len(plates), "plate accuracy", detail, note,
           "车牌识别准确率", detail_zh, note_zh)
