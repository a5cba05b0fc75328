"""Unit 5, dataset making: a raw picture folder to clean and label.

out/public/images/           the sample raw folder (candidates get it as data/images/)
out/public/sample_answer/    what a right answer looks like for the samples
out/hidden/images/           the grading raw folder (another seed, other pictures)
out/answers/truth.json       per file: kind, scene, duplicate group, boxes

Scenes are 160x120 street-like pictures: a low-saturation background with grey
clutter, and 1-3 objects of three classes, each one solid saturated colour:
car (blue, a body with a cabin), sign (red disc on a grey pole), person (yellow
head and body). Tiny coloured specks (at most 4x4) are not objects. The truth
box of an object is the bounding rectangle of its coloured pixels, (x1, y1,
x2, y2) with x2/y2 exclusive, i.e. cv2.boundingRect's x, y, x + w, y + h.

Defects injected into the raw folder:
  corrupt    cv2.imread returns None: empty file, text or HTML saved as .jpg,
             truncated PNG, JPEG cut inside its header
  duplicate  byte-identical copies, and the same picture re-saved (other JPEG
             quality, or a slight brightness change) under another name
  blurred    a scene of its own under a strong Gaussian blur
"""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np

CLASSES = ("car", "sign", "person")
W, H = 160, 120
COLOURS = {            # BGR, saturated
    "car": (200, 70, 20),
    "sign": (30, 30, 210),
    "person": (20, 200, 230),
}

# how many of each thing a raw folder holds
PUBLIC = dict(good=18, exact=2, near=2, both=1, blurred=4, corrupt=("empty", "text", "png_cut", "jpg_head"))
HIDDEN = dict(good=50, exact=4, near=4, both=2, blurred=10,
              corrupt=("empty", "text", "html", "png_cut", "png_cut", "jpg_head", "jpg_head"))


def _i(rng, lo, hi):
    return int(rng.integers(lo, hi + 1))


def background(rng) -> np.ndarray:
    """Sky over ground, low saturation, with grey buildings and road marks."""
    base = rng.uniform(90, 200)
    tint = rng.uniform(-12, 12, 3)
    horizon = _i(rng, 35, 70)
    y = np.arange(H, dtype=np.float32)[:, None, None]
    sky = base + 30 * (1 - y / H) + tint
    ground = base - 25 + 15 * (y / H) - tint
    img = np.where(y < horizon, sky, ground) * np.ones((1, W, 3), np.float32)
    shade = cv2.resize(rng.normal(0, 12, (4, 5)).astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    img = np.clip(img + shade[..., None], 70, 235)      # uneven light: no flat regions
    for _ in range(_i(rng, 2, 6)):                       # buildings
        g = float(rng.uniform(75, 215))
        x1 = _i(rng, -10, W - 10)
        bw, bh = _i(rng, 12, 40), _i(rng, 10, 45)
        cv2.rectangle(img, (x1, horizon - bh), (x1 + bw, horizon), (g, g + rng.uniform(-5, 5), g), -1)
        for _ in range(_i(rng, 0, 4)):                   # windows
            wx, wy = x1 + _i(rng, 2, max(3, bw - 6)), horizon - _i(rng, 4, max(5, bh - 2))
            v = float(np.clip(g + rng.choice([-40, 40]), 65, 235))
            cv2.rectangle(img, (wx, wy), (wx + 3, wy + 3), (v, v, v), -1)
    for _ in range(_i(rng, 1, 4)):                       # road marks, wires
        v = float(rng.uniform(70, 235))
        p1 = (_i(rng, 0, W), _i(rng, horizon, H))
        p2 = (_i(rng, 0, W), _i(rng, horizon, H))
        cv2.line(img, p1, p2, (v, v, v), _i(rng, 1, 3))
    return img


def _mask_car(m, rng, x, y):
    w, h = _i(rng, 28, 48), _i(rng, 12, 18)
    cv2.rectangle(m, (x, y + h // 2), (x + w - 1, y + h - 1), 255, -1)
    cw = int(w * rng.uniform(0.45, 0.65))
    cx = x + _i(rng, 2, max(2, w - cw - 2))
    cv2.rectangle(m, (cx, y), (cx + cw - 1, y + h // 2), 255, -1)
    return w, h


def _mask_sign(m, rng, x, y):
    r = _i(rng, 6, 11)
    cv2.circle(m, (x + r, y + r), r, 255, -1)
    return 2 * r + 1, 2 * r + 1


def _mask_person(m, rng, x, y):
    w, h = _i(rng, 9, 14), _i(rng, 24, 38)
    r = max(3, w // 2 - 1)
    cv2.circle(m, (x + w // 2, y + r), r, 255, -1)
    cv2.rectangle(m, (x, y + 2 * r - 1), (x + w - 1, y + h - 1), 255, -1)
    return w, h


SIZES = {"car": (50, 20), "sign": (24, 24), "person": (16, 40)}   # upper bounds, for placing
MAKERS = {"car": _mask_car, "sign": _mask_sign, "person": _mask_person}


def _free(box, taken, gap=6):
    x1, y1, x2, y2 = box
    return all(x2 + gap <= a or b + gap <= x1 or y2 + gap <= c or d + gap <= y1 for a, c, b, d in taken)


def scene(rng):
    """One sharp picture (float BGR) and its boxes [(class id, x1, y1, x2, y2)]."""
    img = background(rng)
    placed, taken = [], []
    for _ in range(_i(rng, 1, 3)):
        name = CLASSES[_i(rng, 0, 2)]
        bw, bh = SIZES[name]
        for _try in range(50):
            x, y = _i(rng, 3, W - bw - 3), _i(rng, 3, H - bh - 3)
            if _free((x, y, x + bw, y + bh), taken):
                break
        else:
            continue
        mask = np.zeros((H, W), np.uint8)
        MAKERS[name](mask, rng, x, y)
        placed.append((name, mask))
        taken.append((x, y, x + bw, y + bh))
    for name, mask in placed:                              # grey poles under the signs, first
        if name == "sign":
            ys, xs = np.nonzero(mask)
            cx, cy = int(xs.mean()), int(ys.mean())
            g = float(rng.uniform(80, 150))
            cv2.rectangle(img, (cx - 1, cy), (cx + 1, min(H - 1, int(ys.max()) + _i(rng, 8, 16))), (g, g, g), -1)
    boxes = []
    for name, mask in placed:
        ys, xs = np.nonzero(mask)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        colour = np.array(COLOURS[name], np.float32) * rng.uniform(0.8, 1.05)
        img[mask > 0] = np.clip(colour + rng.uniform(-10, 10, 3), 0, 255)
        boxes.append((CLASSES.index(name), *box))
    for _ in range(_i(rng, 0, 3)):                       # specks: not objects
        s = _i(rng, 2, 4)
        x, y = _i(rng, 0, W - s), _i(rng, 0, H - s)
        if _free((x, y, x + s, y + s), taken, gap=4):
            img[y:y + s, x:x + s] = COLOURS[CLASSES[_i(rng, 0, 2)]]
    img += rng.normal(0, rng.uniform(1.5, 4.0), img.shape).astype(np.float32)
    return img, boxes


def to_u8(img):
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def encode(img_u8, ext, quality=92) -> bytes:
    if ext == ".png":
        ok, buf = cv2.imencode(".png", img_u8, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    else:
        ok, buf = cv2.imencode(".jpg", img_u8, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    assert ok
    return buf.tobytes()


def corrupt_bytes(kind, rng, sharp_u8) -> tuple[str, bytes]:
    if kind == "empty":
        return ".jpg", b""
    if kind == "text":
        return ".jpg", ("camera 3 upload failed\nretry=%d\n" % _i(rng, 1, 9)).encode()
    if kind == "html":
        return ".jpg", b"<!DOCTYPE html><html><head><title>404 Not Found</title></head>" \
                       b"<body><h1>Not Found</h1></body></html>\n"
    if kind == "png_cut":
        data = encode(sharp_u8, ".png")
        return ".png", data[: int(len(data) * rng.uniform(0.3, 0.8))]
    if kind == "jpg_head":
        data = encode(sharp_u8, ".jpg")
        return ".jpg", data[: _i(rng, 120, 400)]
    raise ValueError(kind)


def laplacian_var(data: bytes) -> float:
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    return float(cv2.Laplacian(img, cv2.CV_64F).var())


def make_folder(rng, spec):
    """Files {name: bytes} and the truth {name: {...}} of one raw folder."""
    entries = []            # (bytes, ext, info) in creation order; names are given after shuffling
    scenes = {}             # scene id -> boxes
    dup_plan = ["exact"] * spec["exact"] + ["near"] * spec["near"] + ["both"] * spec["both"]
    for s in range(spec["good"]):
        img, boxes = scene(rng)
        sid = f"s{s:03d}"
        scenes[sid] = boxes
        u8 = to_u8(img)
        ext = ".png" if rng.random() < 0.2 else ".jpg"
        quality = _i(rng, 88, 96)
        data = encode(u8, ext, quality)
        entries.append((data, ext, {"kind": "good", "scene": sid}))
        plan = dup_plan[s] if s < len(dup_plan) else None
        if plan in ("exact", "both"):
            entries.append((data, ext, {"kind": "duplicate", "scene": sid}))
        if plan in ("near", "both"):
            if rng.random() < 0.5:                         # re-saved at a lower JPEG quality
                near = encode(u8, ".jpg", _i(rng, 60, 75))
            else:                                          # brightness changed slightly, re-saved
                near = encode(to_u8(img + rng.uniform(6, 12) * rng.choice([-1, 1])), ".jpg", quality)
            entries.append((near, ".jpg", {"kind": "duplicate", "scene": sid}))
    for b in range(spec["blurred"]):
        img, _ = scene(rng)
        sigma = rng.uniform(2.5, 4.0)
        blurred = cv2.GaussianBlur(img, (0, 0), sigma) + rng.normal(0, 0.8, img.shape).astype(np.float32)
        ext = ".png" if rng.random() < 0.2 else ".jpg"
        entries.append((encode(to_u8(blurred), ext, _i(rng, 88, 96)), ext,
                        {"kind": "blurred", "sigma": round(float(sigma), 2)}))
    for kind in spec["corrupt"]:
        img, _ = scene(rng)
        ext, data = corrupt_bytes(kind, rng, to_u8(img))
        entries.append((data, ext, {"kind": "corrupt", "how": kind}))

    order = rng.permutation(len(entries))
    numbers = rng.choice(np.arange(1, 10000), size=len(entries), replace=False)
    files, truth = {}, {}
    for pos, idx in enumerate(order):
        data, ext, info = entries[idx]
        name = f"IMG_{int(numbers[pos]):04d}{ext}"
        files[name] = data
        info = dict(info)
        if info["kind"] in ("good", "duplicate"):
            info["boxes"] = [list(b) for b in scenes[info["scene"]]]
        if info["kind"] != "corrupt":
            info["lap_var"] = round(laplacian_var(data), 1)
        truth[name] = info
    # the first file of a scene (by name) is the one listed as "good"; the others are its duplicates
    first = {}
    for name in sorted(truth):
        info = truth[name]
        if "scene" in info:
            if info["scene"] not in first:
                first[info["scene"]] = name
                info["kind"] = "good"
                info.pop("how", None)
            else:
                info["kind"] = "duplicate"
                info["duplicate_of"] = first[info["scene"]]
                info["how"] = "exact copy" if files[name] == files[first[info["scene"]]] else "re-saved copy"
    return files, truth


def yolo_line(box, w=W, h=H):
    c, x1, y1, x2, y2 = box
    return f"{c} {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}"


def counts(truth):
    n = {k: sum(1 for v in truth.values() if v["kind"] == k) for k in ("good", "duplicate", "blurred", "corrupt")}
    return {"total": len(truth), "corrupt": n["corrupt"], "duplicate": n["duplicate"],
            "blurred": n["blurred"], "kept": n["good"]}


def write_folder(root: Path, files):
    root.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(files.items()):
        (root / name).write_bytes(data)


def write_sample_answer(root: Path, truth):
    root.mkdir(parents=True, exist_ok=True)
    (root / "classes.txt").write_text("\n".join(CLASSES) + "\n")
    (root / "report.json").write_text(json.dumps(counts(truth), indent=2) + "\n")
    labels = root / "labels"
    labels.mkdir(exist_ok=True)
    with open(root / "files.csv", "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["file", "verdict", "detail", "laplacian_var"])
        for name in sorted(truth):
            info = truth[name]
            kind = info["kind"]
            detail = {"good": "keep", "blurred": "", "corrupt": "cv2.imread returns None",
                      "duplicate": f"{info.get('how', '')} of {info.get('duplicate_of', '')}"}[kind]
            verdict = "keep" if kind == "good" else kind
            out.writerow([name, verdict, detail, info.get("lap_var", "")])
            if kind == "good":
                (labels / f"{Path(name).stem}.txt").write_text(
                    "".join(yolo_line(b) + "\n" for b in info["boxes"]))


def generate(out: Path, rng) -> None:
    seeds = rng.integers(0, 2**63 - 1, size=2)
    pub_files, pub_truth = make_folder(np.random.default_rng(int(seeds[0])), PUBLIC)
    hid_files, hid_truth = make_folder(np.random.default_rng(int(seeds[1])), HIDDEN)
    pictures = [{data for name, data in files.items() if truth[name]["kind"] != "corrupt"}
                for files, truth in ((pub_files, pub_truth), (hid_files, hid_truth))]
    assert not pictures[0] & pictures[1], "a hidden picture equals a public sample"
    write_folder(out / "public" / "images", pub_files)
    write_sample_answer(out / "public" / "sample_answer", pub_truth)
    write_folder(out / "hidden" / "images", hid_files)
    answers = {"classes": list(CLASSES), "width": W, "height": H,
               "counts": counts(hid_truth), "files": hid_truth}
    (out / "answers" / "truth.json").write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":      # quick look: python3 gen/dataset.py /tmp/ds
    import sys
    target = Path(sys.argv[1])
    for part in ("public", "hidden", "answers"):
        (target / part).mkdir(parents=True, exist_ok=True)
    seed = int.from_bytes(hashlib.sha256(b"edge-ai-practical/dataset").digest()[:4], "big")
    generate(target, np.random.default_rng(seed))   # the seed generate.py uses
