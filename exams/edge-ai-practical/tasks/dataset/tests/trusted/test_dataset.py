"""Dataset making, judged beside the answers from the files the candidate's run wrote.

The candidate's output/ folder is untrusted: nothing in it is followed through
a link, every file is read with a size cap, and messages quote at most a short
piece of the candidate's own text, never the answers.
"""
import json
import math
import os
import stat
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


# -- reading the candidate's files safely --------------------------------------
def _no_links(base: Path, path: Path) -> bool:
    """True when no component from base down to path is a link."""
    try:
        rel = path.relative_to(base)
    except ValueError:
        return False
    cur = base
    for part in rel.parts:
        cur = cur / part
        try:
            if stat.S_ISLNK(os.lstat(cur).st_mode):
                return False
        except OSError:
            return True       # missing: the caller finds out
    return True


def read_text(base: Path, path: Path, cap: int):
    """(text, problem): a regular file's text, or why it cannot be read."""
    if not _no_links(base, path):
        return None, "is a link, not a file"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None, "is missing"
    except OSError:
        return None, "cannot be read"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, "is not a regular file"
        data = os.read(fd, cap + 1)
    finally:
        os.close(fd)
    if len(data) > cap:
        return None, f"is larger than {cap // 1024} KB"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"


def list_files(base: Path, folder: Path) -> list[str]:
    """Names of the regular files in folder (links and sub-folders ignored)."""
    if not _no_links(base, folder) or not folder.is_dir():
        return []
    names = []
    with os.scandir(folder) as it:
        for entry in it:
            if len(names) >= MAX_LISTING:
                break
            if entry.is_file(follow_symlinks=False):
                names.append(entry.name)
    return sorted(names)


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
    return [n for n in list_files(candidate_outputs, out / "clean") if n.lower().endswith(IMAGE_EXTS)]


def resolve(name: str, truth_files: dict, stems: dict):
    """The data/images file a kept picture stands for: same name, or same stem re-saved."""
    if name in truth_files:
        return name
    return stems.get(Path(name).stem)


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


def band(value, bands, what, detail=""):
    """rubric.band, with a detail after the figures: "cleaning recall 0.83, needs 0.95 …; 8 of …"."""
    try:
        return rubric.band(value, bands, what=what)
    except rubric.Partial as exc:
        raise rubric.Partial(exc.fraction, exc.message + detail) from None
    except rubric.Fail as exc:
        raise rubric.Fail(str(exc) + detail) from None


def _kept_summary(tp, total):
    return f"{tp} of the {total} distinct good pictures are in output/clean/"


# -- cleaning ------------------------------------------------------------------------
@pytest.mark.points(3)
def test_cleaning_precision(truth, candidate_outputs, out):
    """output/clean/ holds no corrupt, duplicate or blurred pictures (cleaning precision)"""
    kept = kept_pictures(candidate_outputs, out)
    if not kept:
        rubric.fail("output/clean/ is missing or holds no pictures")
    tp, fp, fn, wrong, _, total = cleaning(truth, kept)
    if tp < 0.5 * total:
        rubric.fail(f"only {_kept_summary(tp, total)}: too few to judge what was removed")
    precision, _ = rubric.precision_recall(tp, fp, fn)
    still = ", ".join(f"{n} {what}" for what, n in sorted(wrong.items()))
    band(precision, {0.95: 1.0, 0.85: 0.5}, "cleaning precision",
         f"; output/clean/ still holds {still}" if still else "")


@pytest.mark.points(2)
def test_cleaning_recall(truth, candidate_outputs, out):
    """every good picture is kept once in output/clean/ (cleaning recall)"""
    kept = kept_pictures(candidate_outputs, out)
    if not kept:
        rubric.fail("output/clean/ is missing or holds no pictures")
    tp, fp, fn, _, _, total = cleaning(truth, kept)
    _, recall = rubric.precision_recall(tp, fp, fn)
    band(recall, {0.95: 1.0, 0.85: 0.5}, "cleaning recall", f"; {_kept_summary(tp, total)}")


# -- report --------------------------------------------------------------------------
REPORT_KEYS = ("total", "corrupt", "duplicate", "blurred", "kept")


@pytest.mark.points(2)
def test_report(truth, candidate_outputs, out):
    """output/report.json gives the right counts"""
    text, problem = read_text(candidate_outputs, out / "report.json", MAX_REPORT_BYTES)
    if problem:
        rubric.fail(f"output/report.json {problem}")
    try:
        report = json.loads(text)
    except ValueError as exc:
        rubric.fail(f"output/report.json is not valid JSON ({str(exc)[:80]})")
    if not isinstance(report, dict):
        rubric.fail("output/report.json must hold one JSON object, e.g. {\"total\": 10, ...}")
    missing = [k for k in REPORT_KEYS if k not in report]
    if missing:
        rubric.fail(f"output/report.json lacks the key(s) {', '.join(missing)}")
    bad_type = [k for k in REPORT_KEYS if not isinstance(report[k], int) or isinstance(report[k], bool)]
    if bad_type:
        rubric.fail(f"in output/report.json these values are not whole numbers: {', '.join(bad_type)}")
    counts = truth["counts"]
    n_clean = len(kept_pictures(candidate_outputs, out))
    wrong = []
    for key in ("total", "corrupt", "duplicate", "blurred"):
        if report[key] != counts[key]:
            wrong.append(f"{key} is wrong")
    if report["kept"] != n_clean:
        wrong.append(f"kept is {report['kept']} but output/clean/ holds {n_clean} pictures")
    if not wrong:
        return
    good = len(REPORT_KEYS) - len(wrong)
    message = f"report.json: {good} of {len(REPORT_KEYS)} counts right; " + "; ".join(wrong)
    if good == 0:
        rubric.fail(message)
    rubric.partial(good / len(REPORT_KEYS), message)


# -- labels --------------------------------------------------------------------------
def parse_yolo(text: str, where: str):
    """[(class, cx, cy, w, h)] or raise ValueError with a message naming the line."""
    boxes = []
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 5:
            raise ValueError(f"{where} line {no}: 5 numbers expected (class cx cy w h), found {len(parts)}")
        try:
            cls = int(parts[0])
        except ValueError:
            raise ValueError(f"{where} line {no}: the class must be a whole number, found {_quote(parts[0])}") from None
        if not 0 <= cls < len(CLASSES):
            raise ValueError(f"{where} line {no}: class {cls} is not 0-{len(CLASSES) - 1}")
        try:
            cx, cy, w, h = (float(p) for p in parts[1:])
        except ValueError:
            raise ValueError(f"{where} line {no}: cx cy w h must be numbers") from None
        if not all(math.isfinite(v) for v in (cx, cy, w, h)):
            raise ValueError(f"{where} line {no}: cx cy w h must be finite numbers")
        if any(v < 0 or v > 1 for v in (cx, cy, w, h)):
            big = max(cx, cy, w, h)
            raise ValueError(f"{where} line {no}: coordinates must be normalised to 0-1 "
                             f"(divide by the picture's width and height), found {big:g}")
        if w <= 0 or h <= 0:
            raise ValueError(f"{where} line {no}: width and height must be above 0")
        if cx - w / 2 < -0.01 or cx + w / 2 > 1.01 or cy - h / 2 < -0.01 or cy + h / 2 > 1.01:
            raise ValueError(f"{where} line {no}: the box reaches outside the picture")
        boxes.append((cls, cx, cy, w, h))
    return boxes


def parse_voc(text: str, where: str, width: int, height: int):
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"{where}: not well-formed XML ({str(exc)[:60]})") from None
    if root.tag != "annotation":
        raise ValueError(f"{where}: the root element must be <annotation>")
    boxes = []
    for no, obj in enumerate(root.findall("object"), 1):
        name = (obj.findtext("name") or "").strip()
        if name not in CLASSES:
            raise ValueError(f"{where} object {no}: <name> must be one of {', '.join(CLASSES)}, found {_quote(name)}")
        bb = obj.find("bndbox")
        if bb is None:
            raise ValueError(f"{where} object {no}: <bndbox> is missing")
        try:
            x1, y1, x2, y2 = (float(bb.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
        except (TypeError, ValueError):
            raise ValueError(f"{where} object {no}: xmin ymin xmax ymax must be numbers") from None
        if not (x1 < x2 and y1 < y2):
            raise ValueError(f"{where} object {no}: xmin < xmax and ymin < ymax expected")
        if x1 < -1 or y1 < -1 or x2 > width + 1 or y2 > height + 1:
            raise ValueError(f"{where} object {no}: the box reaches outside the {width}x{height} picture")
        boxes.append((CLASSES.index(name), (x1 + x2) / 2 / width, (y1 + y2) / 2 / height,
                      (x2 - x1) / width, (y2 - y1) / height))
    return boxes


def load_labels(candidate_outputs, out, stem: str, width: int, height: int):
    """(boxes as (class, x1, y1, x2, y2) in pixels, or None; the problem, or None)."""
    for ext in (".txt", ".xml"):
        where = f"labels/{stem}{ext}"
        text, problem = read_text(candidate_outputs, out / "labels" / f"{stem}{ext}", MAX_LABEL_BYTES)
        if problem == "is missing":
            continue
        if problem:
            return None, f"{where} {problem}"
        try:
            norm = parse_yolo(text, where) if ext == ".txt" else parse_voc(text, where, width, height)
        except ValueError as exc:
            return None, str(exc)
        return [(c, (cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height)
                for c, cx, cy, w, h in norm], None
    return None, f"labels/{stem}.txt is missing"


def check_classes(candidate_outputs, out):
    text, problem = read_text(candidate_outputs, out / "classes.txt", 4096)
    if problem:
        return f"output/classes.txt {problem}"
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if tuple(names) != CLASSES:
        return f"output/classes.txt must list {', '.join(CLASSES)}, one per line, in this order"
    return None


@pytest.mark.points(2)
def test_label_format(truth, candidate_outputs, out):
    """classes.txt is right and every kept picture has a well-formed YOLO (or VOC) label file"""
    kept = kept_pictures(candidate_outputs, out)
    if not kept:
        rubric.fail("output/clean/ is missing or holds no pictures: no label files to check")
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
    if problems:
        parts.append(f"{len(problems)} of {len(kept)} pictures in output/clean/ lack a well-formed label file, "
                     f"e.g. {problems[0]}")
    message = "; ".join(parts)
    if fraction <= 0:
        rubric.fail(message)
    rubric.partial(fraction, message)


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
        rubric.fail("output/clean/ is missing or holds no pictures: no labels to check")
    tp_c, fp_c, fn_c, _, first_of_scene, total = cleaning(truth, kept)
    if tp_c < 0.5 * total:
        rubric.fail(f"only {_kept_summary(tp_c, total)}: too few to judge the labels")
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


def _notes(d):
    notes = []
    if d["unlabelled"]:
        notes.append(f"{d['unlabelled']} of {d['pictures']} kept good pictures have no usable label file")
    if d["wrong_class"]:
        notes.append(f"{d['wrong_class']} boxes sit on an object but carry the wrong class")
    return "".join(f"; {n}" for n in notes)


@pytest.mark.points(2)
def test_label_recall(detection):
    """the labels find the objects: right class and IoU >= 0.5 (label recall)"""
    d = detection
    _, recall = rubric.precision_recall(d["tp"], d["fp"], d["fn"])
    band(recall, {0.95: 1.0, 0.85: 0.5}, "label recall",
         f"; {d['tp']} of {d['tp'] + d['fn']} objects found{_notes(d)}")


@pytest.mark.points(1)
def test_label_precision(detection):
    """the labels hold no extra boxes (label precision)"""
    d = detection
    if d["tp"] + d["fp"] == 0:
        rubric.fail(f"no usable boxes in the label files of the kept good pictures{_notes(d)}")
    precision, _ = rubric.precision_recall(d["tp"], d["fp"], d["fn"])
    band(precision, {0.95: 1.0, 0.85: 0.5}, "label precision",
         f"; {d['fp']} of {d['tp'] + d['fp']} labelled boxes match no object of their class")


@pytest.mark.points(1)
def test_label_tightness(detection):
    """the boxes fit the objects closely (mean IoU of the matched boxes)"""
    ious = detection["ious"]
    if not ious:
        rubric.fail("no labelled box matches an object, so their fit cannot be measured")
    band(sum(ious) / len(ious), {0.85: 1.0, 0.75: 0.5}, "mean IoU of the matched boxes")
