"""Dataset making, judged beside the answers from the files the candidate's run wrote.

The candidate's output/ folder is untrusted: nothing in it is followed through
a link, every file is read with a size cap, and messages quote at most a short
piece of the candidate's own text, never the answers.
"""
import json
import math
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from practicum import rubric

CLASSES = ("car", "sign", "person")
IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp")
MAX_LISTING = 2000
MAX_LABEL_BYTES = 64 * 1024
MAX_REPORT_BYTES = 16 * 1024
IOU_MATCH = 0.5


class Text(str):
    """An English text (the str itself) that carries its Chinese form in `.zh`."""

    def __new__(cls, en, zh):
        self = super().__new__(cls, en)
        self.zh = zh
        return self


class LabelError(ValueError):
    """A label file's problem, in English (the message) and Chinese (`.zh`)."""

    def __init__(self, message, zh):
        super().__init__(message)
        self.zh = zh


# -- reading the candidate's files: rubric.read_* (no links, capped sizes) -------------
def read_text(base: Path, rel: str, cap: int):
    """(text, problem): the file's text, or the reader's reason (`.zh` in Chinese) and None."""
    try:
        return rubric.read_text(base, rel, max_bytes=cap), None
    except rubric.Unreadable as exc:
        return None, Text(exc.reason, exc.texts["zh"].removeprefix(f"{rel} "))


def list_files(base: Path, rel: str) -> list[str]:
    """Names of the regular files in base/rel (links and sub-folders ignored; none when it is no folder)."""
    try:
        return [name.rsplit("/", 1)[-1] for name in rubric.list_files(base, rel, max_files=MAX_LISTING)]
    except rubric.Unreadable:
        return []


def _quote(text: str, limit: int = 24) -> str:
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[:limit] + "…")


# -- the answers -------------------------------------------------------------------
@pytest.fixture
def truth(answers_dir):
    return json.loads((answers_dir / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture
def out(candidate_outputs):
    return candidate_outputs / "output"


def kept_pictures(candidate_outputs, out):
    """The picture files in output/clean/."""
    return [n for n in list_files(candidate_outputs, "output/clean") if n.lower().endswith(IMAGE_EXTS)]


def resolve(name: str, truth_files: dict, stems: dict):
    """The data/images file a kept picture stands for: same name, or same stem re-saved."""
    if name in truth_files:
        return name
    return stems.get(Path(name).stem)


WRONG_ZH = {   # what cleaning() counts, in Chinese
    "files that are not from data/images/": "个不是来自 data/images/ 的文件",
    "duplicate copies": "个重复副本",
    "blurred pictures": "张模糊图片",
    "corrupt files": "个损坏文件",
}


def cleaning(truth, kept):
    files = truth["files"]
    stems = {Path(n).stem: n for n in files}
    scenes = {v["scene"] for v in files.values() if "scene" in v}
    seen_scenes, first_of_scene = set(), {}
    wrong = Counter()
    for name in kept:
        src = resolve(name, files, stems)
        if src is None:
            wrong["files that are not from data/images/"] += 1
            continue
        info = files[src]
        if "scene" in info:
            if info["scene"] in seen_scenes:
                wrong["duplicate copies"] += 1
            else:
                seen_scenes.add(info["scene"])
                first_of_scene[name] = info["scene"]
        else:
            wrong[{"blurred": "blurred pictures", "corrupt": "corrupt files"}[info["kind"]]] += 1
    tp, fp = len(seen_scenes), sum(wrong.values())
    fn = len(scenes) - tp
    return tp, fp, fn, wrong, first_of_scene, len(scenes)


def _kept_summary(tp, total):
    return f"{tp} of the {total} distinct good pictures are in output/clean/"


def _kept_summary_zh(tp, total, only=""):
    return f"{total} 张互不重复的合格图片中{only}有 {tp} 张在 output/clean/ 中"


# -- cleaning ------------------------------------------------------------------------
@pytest.mark.points(3)
def test_cleaning_precision(truth, candidate_outputs, out):
    """output/clean/ holds no corrupt, duplicate or blurred pictures (cleaning precision)
    zh: output/clean/ 中没有损坏、重复或模糊的图片（清洗精确率）
    """
    kept = kept_pictures(candidate_outputs, out)
    if not kept:
        rubric.fail("output/clean/ is missing or holds no pictures", zh="output/clean/ 不存在或其中没有图片")
    tp, fp, fn, wrong, _, total = cleaning(truth, kept)
    if tp < 0.5 * total:
        rubric.fail(f"only {_kept_summary(tp, total)}: too few to judge what was removed",
                    zh=f"{_kept_summary_zh(tp, total, '只')}：数量太少，无法判断删除得是否正确")
    precision, _ = rubric.precision_recall(tp, fp, fn)
    still = ", ".join(f"{n} {what}" for what, n in sorted(wrong.items()))
    still_zh = "、".join(f"{n} {WRONG_ZH[what]}" for what, n in sorted(wrong.items()))
    rubric.band(precision, {0.95: 1.0, 0.85: 0.5}, "cleaning precision",
         f"; output/clean/ still holds {still}" if still else "",
         what_zh="清洗精确率", detail_zh=f"；output/clean/ 中仍有 {still_zh}" if still else "")


@pytest.mark.points(2)
def test_cleaning_recall(truth, candidate_outputs, out):
    """every good picture is kept once in output/clean/ (cleaning recall)
    zh: 每张合格图片在 output/clean/ 中保留且只保留一份（清洗召回率）
    """
    kept = kept_pictures(candidate_outputs, out)
    if not kept:
        rubric.fail("output/clean/ is missing or holds no pictures", zh="output/clean/ 不存在或其中没有图片")
    tp, fp, fn, _, _, total = cleaning(truth, kept)
    _, recall = rubric.precision_recall(tp, fp, fn)
    rubric.band(recall, {0.95: 1.0, 0.85: 0.5}, "cleaning recall", f"; {_kept_summary(tp, total)}",
         what_zh="清洗召回率", detail_zh=f"；{_kept_summary_zh(tp, total)}")


# -- report --------------------------------------------------------------------------
REPORT_KEYS = ("total", "corrupt", "duplicate", "blurred", "kept")


@pytest.mark.points(2)
def test_report(truth, candidate_outputs, out):
    """output/report.json gives the right counts
    zh: output/report.json 中的计数正确
    """
    text, problem = read_text(candidate_outputs, "output/report.json", MAX_REPORT_BYTES)
    if problem:
        rubric.fail(f"output/report.json {problem}", zh=f"output/report.json {problem.zh}")
    try:
        report = json.loads(text)
    except ValueError as exc:
        rubric.fail(f"output/report.json is not valid JSON ({str(exc)[:80]})",
                    zh=f"output/report.json 不是有效的 JSON（{str(exc)[:80]}）")
    if not isinstance(report, dict):
        rubric.fail("output/report.json must hold one JSON object, e.g. {\"total\": 10, ...}",
                    zh="output/report.json 必须包含一个 JSON 对象，例如 {\"total\": 10, ...}")
    missing = [k for k in REPORT_KEYS if k not in report]
    if missing:
        rubric.fail(f"output/report.json lacks the key(s) {', '.join(missing)}",
                    zh=f"output/report.json 缺少键 {', '.join(missing)}")
    bad_type = [k for k in REPORT_KEYS if not isinstance(report[k], int) or isinstance(report[k], bool)]
    if bad_type:
        rubric.fail(f"in output/report.json these values are not whole numbers: {', '.join(bad_type)}",
                    zh=f"output/report.json 中以下值不是整数：{', '.join(bad_type)}")
    counts = truth["counts"]
    n_clean = len(kept_pictures(candidate_outputs, out))
    wrong, wrong_zh = [], []
    for key in ("total", "corrupt", "duplicate", "blurred"):
        if report[key] != counts[key]:
            wrong.append(f"{key} is wrong")
            wrong_zh.append(f"{key} 错误")
    if report["kept"] != n_clean:
        wrong.append(f"kept is {report['kept']} but output/clean/ holds {n_clean} pictures")
        wrong_zh.append(f"kept 为 {report['kept']}，但 output/clean/ 中有 {n_clean} 张图片")
    if not wrong:
        return
    good = len(REPORT_KEYS) - len(wrong)
    message = f"report.json: {good} of {len(REPORT_KEYS)} counts right; " + "; ".join(wrong)
    zh = f"report.json：{len(REPORT_KEYS)} 项计数中 {good} 项正确；" + "；".join(wrong_zh)
    if good == 0:
        rubric.fail(message, zh)
    rubric.partial(good / len(REPORT_KEYS), message, zh)


# -- labels --------------------------------------------------------------------------
def parse_yolo(text: str, where: str):
    """[(class, cx, cy, w, h)] or raise ValueError with a message naming the line."""
    boxes = []
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 5:
            raise LabelError(f"{where} line {no}: 5 numbers expected (class cx cy w h), found {len(parts)}",
                             f"{where} 第 {no} 行：应有 5 个数（class cx cy w h），实际有 {len(parts)} 个")
        try:
            cls = int(parts[0])
        except ValueError:
            raise LabelError(f"{where} line {no}: the class must be a whole number, found {_quote(parts[0])}",
                             f"{where} 第 {no} 行：类别必须是整数，实际为 {_quote(parts[0])}") from None
        if not 0 <= cls < len(CLASSES):
            raise LabelError(f"{where} line {no}: class {cls} is not 0-{len(CLASSES) - 1}",
                             f"{where} 第 {no} 行：类别 {cls} 不在 0-{len(CLASSES) - 1} 之内")
        try:
            cx, cy, w, h = (float(p) for p in parts[1:])
        except ValueError:
            raise LabelError(f"{where} line {no}: cx cy w h must be numbers",
                             f"{where} 第 {no} 行：cx cy w h 必须是数值") from None
        if not all(math.isfinite(v) for v in (cx, cy, w, h)):
            raise LabelError(f"{where} line {no}: cx cy w h must be finite numbers",
                             f"{where} 第 {no} 行：cx cy w h 必须是有限的数值")
        if any(v < 0 or v > 1 for v in (cx, cy, w, h)):
            big = max(cx, cy, w, h)
            raise LabelError(f"{where} line {no}: coordinates must be normalised to 0-1 "
                             f"(divide by the picture's width and height), found {big:g}",
                             f"{where} 第 {no} 行：坐标必须归一化到 0-1（除以图片的宽度和高度），实际出现 {big:g}")
        if w <= 0 or h <= 0:
            raise LabelError(f"{where} line {no}: width and height must be above 0",
                             f"{where} 第 {no} 行：宽度和高度必须大于 0")
        if cx - w / 2 < -0.01 or cx + w / 2 > 1.01 or cy - h / 2 < -0.01 or cy + h / 2 > 1.01:
            raise LabelError(f"{where} line {no}: the box reaches outside the picture",
                             f"{where} 第 {no} 行：框超出了图片范围")
        boxes.append((cls, cx, cy, w, h))
    return boxes


def parse_voc(text: str, where: str, width: int, height: int):
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise LabelError(f"{where}: not well-formed XML ({str(exc)[:60]})",
                         f"{where}：不是格式正确的 XML（{str(exc)[:60]}）") from None
    if root.tag != "annotation":
        raise LabelError(f"{where}: the root element must be <annotation>", f"{where}：根元素必须是 <annotation>")
    boxes = []
    for no, obj in enumerate(root.findall("object"), 1):
        name = (obj.findtext("name") or "").strip()
        if name not in CLASSES:
            raise LabelError(f"{where} object {no}: <name> must be one of {', '.join(CLASSES)}, found {_quote(name)}",
                             f"{where} 第 {no} 个 object：<name> 必须是 {', '.join(CLASSES)} 之一，实际为 {_quote(name)}")
        bb = obj.find("bndbox")
        if bb is None:
            raise LabelError(f"{where} object {no}: <bndbox> is missing", f"{where} 第 {no} 个 object：缺少 <bndbox>")
        try:
            x1, y1, x2, y2 = (float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
        except (TypeError, ValueError):
            raise LabelError(f"{where} object {no}: xmin ymin xmax ymax must be numbers",
                             f"{where} 第 {no} 个 object：xmin ymin xmax ymax 必须是数值") from None
        if not (x1 < x2 and y1 < y2):
            raise LabelError(f"{where} object {no}: xmin < xmax and ymin < ymax expected",
                             f"{where} 第 {no} 个 object：应满足 xmin < xmax 且 ymin < ymax")
        if x1 < -1 or y1 < -1 or x2 > width + 1 or y2 > height + 1:
            raise LabelError(f"{where} object {no}: the box reaches outside the {width}x{height} picture",
                             f"{where} 第 {no} 个 object：框超出了 {width}x{height} 的图片范围")
        boxes.append((CLASSES.index(name), (x1 + x2) / 2 / width, (y1 + y2) / 2 / height,
                      (x2 - x1) / width, (y2 - y1) / height))
    return boxes


def load_labels(candidate_outputs, out, stem: str, width: int, height: int):
    """(boxes as (class, x1, y1, x2, y2) in pixels, or None; the problem, or None)."""
    for ext in (".txt", ".xml"):
        where = f"labels/{stem}{ext}"
        text, problem = read_text(candidate_outputs, f"output/labels/{stem}{ext}", MAX_LABEL_BYTES)
        if problem == "is missing":
            continue
        if problem:
            return None, Text(f"{where} {problem}", f"{where} {problem.zh}")
        try:
            norm = parse_yolo(text, where) if ext == ".txt" else parse_voc(text, where, width, height)
        except ValueError as exc:
            return None, Text(str(exc), getattr(exc, "zh", str(exc)))
        return [(c, (cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height)
                for c, cx, cy, w, h in norm], None
    return None, Text(f"labels/{stem}.txt is missing", f"缺少 labels/{stem}.txt")


def check_classes(candidate_outputs, out):
    text, problem = read_text(candidate_outputs, "output/classes.txt", 4096)
    if problem:
        return Text(f"output/classes.txt {problem}", f"output/classes.txt {problem.zh}")
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if tuple(names) != CLASSES:
        return Text(f"output/classes.txt must list {', '.join(CLASSES)}, one per line, in this order",
                    f"output/classes.txt 必须按此顺序列出 {', '.join(CLASSES)}，每行一个")
    return None


@pytest.mark.points(2)
def test_label_format(truth, candidate_outputs, out):
    """classes.txt is right and every kept picture has a well-formed YOLO (or VOC) label file
    zh: classes.txt 正确，且每张保留的图片都有格式正确的 YOLO（或 VOC）标注文件
    """
    kept = kept_pictures(candidate_outputs, out)
    if not kept:
        rubric.fail("output/clean/ is missing or holds no pictures: no label files to check",
                    zh="output/clean/ 不存在或其中没有图片：没有可检查的标注文件")
    w, h = truth["width"], truth["height"]
    problems = []
    good = 0
    for name in kept:
        boxes, problem = load_labels(candidate_outputs, out, Path(name).stem, w, h)
        if problem:
            problems.append(problem)
        else:
            good += 1
    classes_problem = check_classes(candidate_outputs, out)
    fraction = 0.75 * good / len(kept) + (0.0 if classes_problem else 0.25)
    if fraction >= 1.0:
        return
    parts = [classes_problem] if classes_problem else []
    parts_zh = [classes_problem.zh] if classes_problem else []
    if problems:
        parts.append(f"{len(problems)} of {len(kept)} pictures in output/clean/ lack a well-formed label file, "
                     f"e.g. {problems[0]}")
        parts_zh.append(f"output/clean/ 中 {len(kept)} 张图片有 {len(problems)} 张缺少格式正确的标注文件，"
                        f"例如 {problems[0].zh}")
    message = "; ".join(parts)
    zh = "；".join(parts_zh)
    if fraction <= 0:
        rubric.fail(message, zh)
    rubric.partial(fraction, message, zh)


def _greedy(pred, gold, threshold):
    """Greedy one-to-one IoU matching (as rubric.match_boxes) returning the matched IoUs."""
    pairs = sorted(((rubric.iou(p, t), i, j) for i, p in enumerate(pred) for j, t in enumerate(gold)),
                   reverse=True)
    used_p, used_t, ious = set(), set(), []
    for score, i, j in pairs:
        if score < threshold:
            break
        if i not in used_p and j not in used_t:
            used_p.add(i)
            used_t.add(j)
            ious.append(score)
    return ious


@pytest.fixture
def detection(truth, candidate_outputs, out):
    """Labels against the hidden boxes, on the good pictures the candidate kept."""
    kept = kept_pictures(candidate_outputs, out)
    if not kept:
        rubric.fail("output/clean/ is missing or holds no pictures: no labels to check",
                    zh="output/clean/ 不存在或其中没有图片：没有可检查的标注")
    tp_c, fp_c, fn_c, _, first_of_scene, total = cleaning(truth, kept)
    if tp_c < 0.5 * total:
        rubric.fail(f"only {_kept_summary(tp_c, total)}: too few to judge the labels",
                    zh=f"{_kept_summary_zh(tp_c, total, '只')}：数量太少，无法评判标注")
    files = truth["files"]
    boxes_of = {v["scene"]: v["boxes"] for v in files.values() if v.get("kind") == "good"}
    w, h = truth["width"], truth["height"]
    tp = fp = fn = wrong_class = unlabelled = 0
    ious = []
    for name, scene in sorted(first_of_scene.items()):
        gold = boxes_of[scene]
        mine, _problem = load_labels(candidate_outputs, out, Path(name).stem, w, h)
        if mine is None:
            unlabelled += 1
            mine = []
        matched = 0
        for cls in range(len(CLASSES)):
            p = [b[1:] for b in mine if b[0] == cls]
            g = [b[1:] for b in gold if b[0] == cls]
            t, f, n = rubric.match_boxes(p, g, IOU_MATCH)
            tp, fp, fn, matched = tp + t, fp + f, fn + n, matched + t
            ious += _greedy(p, g, IOU_MATCH)
        # boxes that would match if the class were ignored: a hint, not a score
        wrong_class += max(0, rubric.match_boxes([b[1:] for b in mine], [b[1:] for b in gold], IOU_MATCH)[0] - matched)
    return {"tp": tp, "fp": fp, "fn": fn, "ious": ious, "wrong_class": wrong_class,
            "unlabelled": unlabelled, "pictures": len(first_of_scene)}


def _notes(d, zh=False):
    notes = []
    if d["unlabelled"]:
        notes.append(f"保留的 {d['pictures']} 张合格图片中有 {d['unlabelled']} 张没有可用的标注文件" if zh else
                     f"{d['unlabelled']} of {d['pictures']} kept good pictures have no usable label file")
    if d["wrong_class"]:
        notes.append(f"{d['wrong_class']} 个框位置对上了目标，但类别错误" if zh else
                     f"{d['wrong_class']} boxes sit on an object but carry the wrong class")
    return "".join(f"；{n}" if zh else f"; {n}" for n in notes)


@pytest.mark.points(2)
def test_label_recall(detection):
    """the labels find the objects: right class and IoU >= 0.5 (label recall)
    zh: 标注找到了目标：类别正确且 IoU ≥ 0.5（标注召回率）
    """
    d = detection
    _, recall = rubric.precision_recall(d["tp"], d["fp"], d["fn"])
    rubric.band(recall, {0.95: 1.0, 0.85: 0.5}, "label recall",
         f"; {d['tp']} of {d['tp'] + d['fn']} objects found{_notes(d)}",
         what_zh="标注召回率", detail_zh=f"；{d['tp'] + d['fn']} 个目标中找到 {d['tp']} 个{_notes(d, zh=True)}")


@pytest.mark.points(1)
def test_label_precision(detection):
    """the labels hold no extra boxes (label precision)
    zh: 标注中没有多余的框（标注精确率）
    """
    d = detection
    if d["tp"] + d["fp"] == 0:
        rubric.fail(f"no usable boxes in the label files of the kept good pictures{_notes(d)}",
                    zh=f"保留的合格图片的标注文件中没有可用的框{_notes(d, zh=True)}")
    precision, _ = rubric.precision_recall(d["tp"], d["fp"], d["fn"])
    rubric.band(precision, {0.95: 1.0, 0.85: 0.5}, "label precision",
         f"; {d['fp']} of {d['tp'] + d['fp']} labelled boxes match no object of their class",
         what_zh="标注精确率", detail_zh=f"；{d['tp'] + d['fp']} 个标注框中有 {d['fp']} 个对不上同类别的任何目标")


@pytest.mark.points(1)
def test_label_tightness(detection):
    """the boxes fit the objects closely (mean IoU of the matched boxes)
    zh: 框紧贴目标（匹配框的平均 IoU）
    """
    ious = detection["ious"]
    if not ious:
        rubric.fail("no labelled box matches an object, so their fit cannot be measured",
                    zh="没有标注框对上目标，无法衡量贴合程度")
    rubric.band(sum(ious) / len(ious), {0.85: 1.0, 0.75: 0.5}, "mean IoU of the matched boxes",
         what_zh="匹配框的平均 IoU")
