"""Unit 3, basic vision algorithms: face, mask and plate pictures made with the edgeai SDK.

out/public/{faces,masks,plates}/   sample pictures (candidates get them as data/...)
out/public/sample_answer.json      the right answers for the samples
out/hidden/{faces,masks,plates}/   the grading pictures (other seeds, other pictures)
out/answers/truth.json             answers for the grading pictures, and the models' parameters

faces   640x480 rooms and streets with 0-3 near faces (box side 80-170 px) and, in some
        pictures, far-away faces (26-40 px) that the statement says not to report.
        Every face is one of gen/photos, cropped with a soft oval, scaled, flipped,
        relit and pasted on a generated background. A true box is the photo's own
        MTCNN box carried through the same scale and shift.
masks   360x360 pictures with one near face, half of them with a mask painted by
        edgeai.mask.paint_mask on the face MTCNN finds.
plates  640x480 street scenes from edgeai.synth (one plate, or none), lightly degraded.

A picture is drawn again (next draws of the same generator) whenever the SDK's face
detector, used as the statement tells candidates to use it, would not find exactly
its near faces: MTCNN misses some painted masks and now and then a relit face, and
the truth must be what a right solution can see. Plates are never redrawn: the
recogniser's own mistakes stay in the data (plate.read gets 29 of the 30 grading
scenes right; levels 0-1 of synth.degrade, where the SDK measured 90-96 %).
"""
from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

PHOTOS = Path(__file__).resolve().parent / "photos"
W, H = 640, 480
MASK_SIDE = 360
MIN_SIDE, SCORE = 60, 0.9          # the statement's rule: report faces with box side >= 60 and score >= 0.9
NEAR = (80, 170)                   # box height of faces to report
FAR = (26, 40)                     # box height of far-away faces, never reported

PUBLIC = dict(faces=6, no_face=1, masks=8, plates=10, no_plate=1)
HIDDEN = dict(faces=18, no_face=3, masks=20, plates=30, no_plate=3)
PLATE_LEVELS = (0, 0, 1)           # degradation levels drawn for plate scenes


def _i(rng, lo, hi):
    return int(rng.integers(lo, hi + 1))


def load_photos():
    """[(name, image, face box)] with the box MTCNN finds on the untouched photo."""
    from edgeai import face
    out = []
    for path in sorted(PHOTOS.glob("*.jpg")):
        img = cv2.imread(str(path))
        faces = face.detect(img)
        assert len(faces) == 1, f"{path.name}: expected one face"
        out.append((path.stem, img, faces[0].box))
    return out


def background(rng, w, h) -> np.ndarray:
    """A wall or street: a lit gradient, panels, window frames and posters, fabric noise."""
    base = rng.uniform(70, 210, 3)
    tilt = rng.uniform(-40, 40, 3)
    y = np.linspace(0, 1, h)[:, None, None]
    x = np.linspace(0, 1, w)[None, :, None]
    img = base + tilt * y + rng.uniform(-25, 25) * x + np.zeros((h, w, 3))
    for _ in range(_i(rng, 3, 8)):
        x1, y1 = _i(rng, -40, w - 20), _i(rng, -40, h - 20)
        bw, bh = _i(rng, 40, w // 2), _i(rng, 30, h // 2)
        col = rng.uniform(30, 230, 3).tolist()
        if rng.random() < 0.5:
            cv2.rectangle(img, (x1, y1), (x1 + bw, y1 + bh), col, -1)
        else:
            cv2.rectangle(img, (x1, y1), (x1 + bw, y1 + bh), col, _i(rng, 2, 8))
    for _ in range(_i(rng, 0, 4)):
        p1 = (_i(rng, 0, w), _i(rng, 0, h))
        p2 = (_i(rng, 0, w), _i(rng, 0, h))
        cv2.line(img, p1, p2, rng.uniform(30, 230, 3).tolist(), _i(rng, 1, 4))
    shade = cv2.resize(rng.normal(0, 10, (3, 4)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img = img + shade[..., None] + rng.normal(0, 3, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.float32)


def paste_face(canvas, photo, box, rng, height, centre):
    """Paste one face (scaled so its box is `height` tall) centred at `centre`.

    Returns the pasted face's box (x1, y1, x2, y2) in canvas pixels, floats."""
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    # a head-and-shoulders cut around the face, larger than the oval that is kept
    hw, hh = 1.05 * bw, 1.05 * bh
    cx0, cy0 = int(max(0, cx - hw)), int(max(0, cy - hh))
    cx1, cy1 = int(min(photo.shape[1], cx + hw)), int(min(photo.shape[0], cy + hh))
    crop = photo[cy0:cy1, cx0:cx1].astype(np.float32)
    fx1, fy1, fx2, fy2 = x1 - cx0, y1 - cy0, x2 - cx0, y2 - cy0
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
        fx1, fx2 = crop.shape[1] - fx2, crop.shape[1] - fx1
    # relight: overall gain, a colour cast, a gamma
    gain = rng.uniform(0.7, 1.2) * rng.uniform(0.92, 1.08, 3)
    gamma = rng.uniform(0.8, 1.25)
    crop = 255.0 * np.clip(crop * gain / 255.0, 0, 1) ** gamma
    s = height / bh
    size = (max(2, int(round(crop.shape[1] * s))), max(2, int(round(crop.shape[0] * s))))
    crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    fx1, fy1, fx2, fy2 = fx1 * s, fy1 * s, fx2 * s, fy2 * s
    ch, cw = crop.shape[:2]
    # soft oval around the face box: hair and chin stay, the photo's background goes
    alpha = np.zeros((ch, cw), np.float32)
    fcx, fcy = (fx1 + fx2) / 2, (fy1 + fy2) / 2
    axes = (max(1, int(0.78 * (fx2 - fx1))), max(1, int(0.8 * (fy2 - fy1))))
    cv2.ellipse(alpha, (int(fcx), int(fcy - 0.08 * (fy2 - fy1))), axes, 0, 0, 360, 1.0, -1, cv2.LINE_AA)
    alpha = cv2.GaussianBlur(alpha, (0, 0), max(1.0, 0.06 * (fx2 - fx1)))[..., None]
    ox, oy = int(round(centre[0] - fcx)), int(round(centre[1] - fcy))
    Hc, Wc = canvas.shape[:2]
    ax0, ay0 = max(0, ox), max(0, oy)
    ax1, ay1 = min(Wc, ox + cw), min(Hc, oy + ch)
    if ax1 <= ax0 or ay1 <= ay0:
        return None
    sub = crop[ay0 - oy:ay1 - oy, ax0 - ox:ax1 - ox]
    a = alpha[ay0 - oy:ay1 - oy, ax0 - ox:ax1 - ox]
    canvas[ay0:ay1, ax0:ax1] = canvas[ay0:ay1, ax0:ax1] * (1 - a) + sub * a
    return (fx1 + ox, fy1 + oy, fx2 + ox, fy2 + oy)


def _free(box, taken, gap):
    x1, y1, x2, y2 = box
    return all(x2 + gap <= a or c + gap <= x1 or y2 + gap <= b or d + gap <= y1 for a, b, c, d in taken)


def finish(canvas, rng) -> np.ndarray:
    """Sensor noise and JPEG, as the candidates will read it back."""
    img = np.clip(canvas + rng.normal(0, rng.uniform(1.5, 4), canvas.shape), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, _i(rng, 80, 93)])
    assert ok
    return buf.tobytes()


def decode(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def matches(found, truth, threshold=0.6) -> bool:
    """Every true box found once with IoU >= threshold, and nothing else."""
    if len(found) != len(truth):
        return False
    left = list(found)
    for t in truth:
        best = max(left, key=lambda f: iou(f, t), default=None)
        if best is None or iou(best, t) < threshold:
            return False
        left.remove(best)
    return True


def face_picture(rng, photos, n_near):
    """(jpeg bytes, near boxes, far boxes) or None when the detector disagrees."""
    from edgeai import face
    canvas = background(rng, W, H)
    near, far, taken = [], [], []
    plan = [("far", FAR) for _ in range(_i(rng, 0, 2) if rng.random() < 0.6 else 0)]
    plan += [("near", NEAR) for _ in range(n_near)]
    for kind, (lo, hi) in plan:           # far faces first: near ones may sit in front
        name, photo, box = photos[_i(rng, 0, len(photos) - 1)]
        height = float(rng.uniform(lo, hi))
        width = height * (box[2] - box[0]) / (box[3] - box[1])
        for _try in range(40):
            cx = float(rng.uniform(width * 0.7, W - width * 0.7))
            cy = float(rng.uniform(height * 0.75, H - height * 0.7))
            want = (cx - width, cy - height, cx + width, cy + height)
            if _free(want, taken, 4):
                break
        else:
            continue
        got = paste_face(canvas, photo, box, rng, height, (cx, cy))
        if got is None:
            continue
        taken.append(want)
        (near if kind == "near" else far).append(got)
    data = finish(canvas, rng)
    found = [f.box for f in face.detect(decode(data), min_size=MIN_SIDE, threshold=SCORE)]
    if not matches(found, near):
        return None
    return data, [[round(v, 1) for v in b] for b in near], [[round(v, 1) for v in b] for b in far]


def mask_picture(rng, photos, masked):
    """(jpeg bytes, near box) or None when the detector does not find the one face."""
    from edgeai import face, mask
    canvas = background(rng, MASK_SIDE, MASK_SIDE)
    name, photo, box = photos[_i(rng, 0, len(photos) - 1)]
    height = float(rng.uniform(110, 170))
    centre = (float(rng.uniform(140, 220)), float(rng.uniform(150, 210)))
    got = paste_face(canvas, photo, box, rng, height, centre)
    img = np.clip(canvas, 0, 255).astype(np.uint8)
    if masked:
        faces = face.detect(img, min_size=MIN_SIDE, threshold=SCORE)
        if len(faces) != 1:
            return None
        img = mask.paint_mask(img, faces[0], rng=rng)
    data = finish(img.astype(np.float32), rng)
    found = [f.box for f in face.detect(decode(data), min_size=MIN_SIDE, threshold=SCORE)]
    if not matches(found, [got], 0.5):
        return None
    return data, [round(v, 1) for v in got]


def plate_picture(rng, with_plate):
    from edgeai import synth
    texts = [synth.random_plate_text(rng)] if with_plate else []
    img, truth = synth.render_scene(rng, texts, size=(W, H))
    level = int(rng.choice(PLATE_LEVELS))
    img = synth.degrade(img, rng, level)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return buf.tobytes(), (truth[0]["text"] if truth else ""), level


def _draws(rng, make, *args, tries=50):
    for _ in range(tries):
        got = make(rng, *args)
        if got is not None:
            return got
    raise RuntimeError(f"{make.__name__}: no consistent picture in {tries} draws")


def make_set(rng, spec, photos, first_number):
    """{folder: {file: bytes}} and the answers of one set."""
    files = {"faces": {}, "masks": {}, "plates": {}}
    truth = {"faces": {}, "far_faces": {}, "masks": {}, "plates": {}, "plate_levels": {}}
    numbers = iter(rng.permutation(np.arange(first_number, first_number + 900)))
    counts = [0] * spec["no_face"] + [1 + int(k % 3 == 0) + int(k % 5 == 0) for k in range(spec["faces"] - spec["no_face"])]
    for n in rng.permutation(counts):
        data, near, far = _draws(rng, face_picture, photos, int(n))
        name = f"face_{next(numbers):04d}.jpg"
        files["faces"][name] = data
        truth["faces"][name] = near
        truth["far_faces"][name] = far
    labels = ["mask"] * (spec["masks"] // 2) + ["no_mask"] * (spec["masks"] - spec["masks"] // 2)
    for label in rng.permutation(labels):
        data, _box = _draws(rng, mask_picture, photos, label == "mask")
        name = f"person_{next(numbers):04d}.jpg"
        files["masks"][name] = data
        truth["masks"][name] = str(label)
    has_plate = [False] * spec["no_plate"] + [True] * (spec["plates"] - spec["no_plate"])
    for flag in rng.permutation(has_plate):
        data, text, level = plate_picture(rng, bool(flag))
        name = f"car_{next(numbers):04d}.jpg"
        files["plates"][name] = data
        truth["plates"][name] = text
        truth["plate_levels"][name] = level
    return files, truth


def model_facts() -> dict:
    """The parameters the statement asks for, read from the SDK installed in the image."""
    from edgeai import face, mask, plate
    fi, mi, pi = face.info(), mask.info(), plate.info()
    return {
        "face_onet_input": int(fi["detector"]["input_sizes"]["onet"][0]),
        "face_embedding_dim": int(str(fi["embedder"]["output"]).split()[0]),
        "mask_input_size": int(mi["input_size"][0]),
        "mask_index": int(mi["labels"].index("mask")),
        "plate_num_classes": int(pi["recognizer"]["num_classes"]),
        "plate_input_height": int(pi["recognizer"]["inputs"][0]["shape"][2]),
    }


def write_set(root: Path, files):
    for folder, named in files.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for name, data in sorted(named.items()):
            (root / folder / name).write_bytes(data)


def generate(out: Path, rng) -> None:
    photos = load_photos()
    seeds = rng.integers(0, 2**63 - 1, size=2)
    pub_files, pub_truth = make_set(np.random.default_rng(int(seeds[0])), PUBLIC, photos, 1000)
    hid_files, hid_truth = make_set(np.random.default_rng(int(seeds[1])), HIDDEN, photos, 5000)
    for folder in pub_files:
        assert not set(pub_files[folder].values()) & set(hid_files[folder].values()), \
            f"a hidden {folder} picture equals a public sample"
    facts = model_facts()
    write_set(out / "public", pub_files)
    sample = {"faces": pub_truth["faces"], "masks": pub_truth["masks"], "plates": pub_truth["plates"]}
    (out / "public" / "sample_answer.json").write_text(
        json.dumps(sample, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    write_set(out / "hidden", hid_files)
    answers = dict(hid_truth, model_info=facts, min_side=MIN_SIDE, score=SCORE)
    (out / "answers" / "truth.json").write_text(
        json.dumps(answers, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":      # quick look: python3 gen/vision.py /tmp/vis
    import hashlib
    import sys
    target = Path(sys.argv[1])
    for part in ("public", "hidden", "answers"):
        (target / part).mkdir(parents=True, exist_ok=True)
    seed = int.from_bytes(hashlib.sha256(b"edge-ai-practical/vision").digest()[:4], "big")
    generate(target, np.random.default_rng(seed))   # the seed generate.py uses
