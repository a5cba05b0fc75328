"""Task `train` (unit 6): a labelled picture set of synthetic traffic signs, a
hidden test set, and a reference model trained here the way candidates would.

    public/train.zip          the training set candidates get (as data/train.zip):
                              train/<class>/NNNN.png, 300 pictures a class
    public/sample_test.zip    a small labelled set to check an exported model on:
                              sample_test/NNNN.png and sample_test/labels.csv (file,label)
    hidden/train.zip, hidden/sample_test.zip   the same for the grading run (other seeds)
    answers/test.npz          the hidden test set (judge only): images uint8 [500, 32, 32], labels
    answers/reference.onnx    the examiner's model (StandardScaler + MLP 1024-128-5, skl2onnx),
                              timed beside the candidate's model for the latency limit
    answers/reference.json    its accuracy on the test set, size and training time

The sets are zipped: a data folder is a handful of files, as exam platforms
hand datasets out (and the exam-data cache copies at most 200 files a task).

Pictures are 32x32 grey, one sign each: a shape (octagon, triangle up or down,
disc, square turned 45 degrees) with an inner mark, painted as signs are (a
dark rim, a light body and a dark mark; the stop sign dark with a light rim and
letters), on a cluttered background, then rotated, scaled, shifted, lit
unevenly, blurred and noised. On raw pixels a linear model reaches about 0.94,
an untuned MLP about 0.93-0.95, a tuned MLP or an SVM 0.96-0.98.
"""
from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import cv2
import numpy as np

CLASSES = ("stop", "yield", "warning", "no_entry", "priority")
SIZE = 32
SS = 4                      # draw at 4x, then shrink: smooth edges
N_TRAIN = 300               # per class
N_SAMPLE = 20               # per class, public sample_test
N_TEST = 100                # per class, hidden test
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def _poly(n, r, phase):
    a = phase + np.arange(n) * 2 * np.pi / n
    return np.stack([r * np.cos(a), r * np.sin(a)], 1)


def _outline(cls: str, r: float) -> np.ndarray:
    """Shape outline around (0, 0), radius r, y down."""
    if cls == "stop":
        return _poly(8, r, np.pi / 8)
    if cls == "yield":            # point down
        return _poly(3, r * 1.1, np.pi / 2)
    if cls == "warning":          # point up
        return _poly(3, r * 1.1, -np.pi / 2)
    if cls == "priority":         # a square on its corner
        return _poly(4, r * 1.05, 0.0)
    return _poly(48, r, 0.0)      # no_entry: a disc


def _mark(canvas, cls, c, r, ink):
    """The inner mark, drawn in `ink` on the sign."""
    cx, cy = c
    t = max(2, int(r * 0.16))
    if cls == "stop":                       # a text-like band of blobs
        for k in range(-2, 3):
            x = int(cx + k * r * 0.28)
            cv2.rectangle(canvas, (x - int(r * 0.1), int(cy - r * 0.18)), (x + int(r * 0.1), int(cy + r * 0.18)), ink, -1)
    elif cls == "no_entry":                 # a wide bar
        cv2.rectangle(canvas, (int(cx - r * 0.7), int(cy - r * 0.17)), (int(cx + r * 0.7), int(cy + r * 0.17)), ink, -1)
    elif cls == "warning":                  # an exclamation mark
        cv2.line(canvas, (int(cx), int(cy - r * 0.25)), (int(cx), int(cy + r * 0.3)), ink, t)
        cv2.circle(canvas, (int(cx), int(cy + r * 0.55)), t, ink, -1)
    elif cls == "yield":                    # a hollow inner triangle
        inner = (_poly(3, r * 0.62, np.pi / 2) + (cx, cy - r * 0.08)).astype(np.int32)
        cv2.polylines(canvas, [inner], True, ink, t)
    elif cls == "priority":                 # a smaller square inside
        inner = (_poly(4, r * 0.6, 0.0) + (cx, cy)).astype(np.int32)
        cv2.fillPoly(canvas, [inner], ink)


def _background(rng, n):
    g = float(rng.uniform(70, 190))
    img = np.full((n, n), g, np.float32)
    # a gradient and a few soft lines or blocks: the street behind the sign
    gx, gy = rng.uniform(-30, 30, 2)
    yy, xx = np.mgrid[0:n, 0:n] / n
    img += gx * (xx - 0.5) + gy * (yy - 0.5)
    for _ in range(int(rng.integers(0, 3))):
        v = float(np.clip(g + rng.uniform(-45, 45), 0, 255))
        if rng.random() < 0.5:
            p1 = tuple(int(v) for v in rng.integers(0, n, 2))
            p2 = tuple(int(v) for v in rng.integers(0, n, 2))
            cv2.line(img, p1, p2, v, int(rng.integers(SS, 3 * SS)))
        else:
            x, y = rng.integers(0, n, 2)
            w, h = rng.integers(4 * SS, 12 * SS, 2)
            cv2.rectangle(img, (int(x), int(y)), (int(x + w), int(y + h)), v, -1)
    return img


def sign(rng, cls: str) -> np.ndarray:
    """One 32x32 uint8 grey picture of a sign of class `cls`."""
    n = SIZE * SS
    img = _background(rng, n)
    r = rng.uniform(0.32, 0.44) * n
    c = np.array([n / 2, n / 2]) + rng.uniform(-0.07, 0.07, 2) * n
    # a dark border, a light body and a dark mark, as painted signs look in grey
    dark, light = float(rng.uniform(15, 80)), float(rng.uniform(160, 240))
    if cls == "stop":           # a red octagon with white letters: dark body, light rim and letters
        border, body, ink = light, dark, light
    else:
        border, body, ink = dark, light, float(rng.uniform(15, 80))
    pts = _outline(cls, r) + c
    cv2.fillPoly(img, [pts.astype(np.int32)], border, cv2.LINE_AA)
    inner = _outline(cls, r * rng.uniform(0.76, 0.86)) + c
    cv2.fillPoly(img, [inner.astype(np.int32)], body, cv2.LINE_AA)
    _mark(img, cls, c, r, ink)
    # geometry: rotation, a slight squash, scale, shift
    angle = rng.uniform(-12, 12)
    scale = rng.uniform(0.85, 1.08)
    m = cv2.getRotationMatrix2D((n / 2, n / 2), angle, scale)
    m[0, 0] *= rng.uniform(0.88, 1.0)
    m[:, 2] += rng.uniform(-0.05, 0.05, 2) * n
    edge = float(img[0].mean())
    img = cv2.warpAffine(img, m, (n, n), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=edge)
    img = cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
    # light, blur, noise
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    img = img * rng.uniform(0.6, 1.1) + rng.uniform(-20, 20) * (xx - 0.5) + rng.uniform(-20, 20) * (yy - 0.5)
    s = rng.uniform(0.0, 1.0)
    if s > 0.4:
        img = cv2.GaussianBlur(img, (0, 0), s)
    img += rng.normal(0, rng.uniform(2, 9), img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def make_set(rng, per_class: int):
    """[(class, picture)] in a shuffled order."""
    items = [(cls, sign(rng, cls)) for cls in CLASSES for _ in range(per_class)]
    order = rng.permutation(len(items))
    return [items[i] for i in order]


def png(img) -> bytes:
    ok, buf = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert ok
    return buf.tobytes()


def _add(zf, name: str, data: bytes):
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def write_train_zip(path: Path, items, first: int):
    """train.zip: train/<class>/NNNN.png."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for cls in CLASSES:
            _add(zf, f"train/{cls}/", b"")
        for k, (cls, img) in sorted(enumerate(items), key=lambda e: (CLASSES.index(e[1][0]), e[0])):
            _add(zf, f"train/{cls}/{first + k:04d}.png", png(img))


def write_sample_zip(path: Path, items, first: int):
    """sample_test.zip: sample_test/NNNN.png and sample_test/labels.csv (file,label)."""
    rows = [("file", "label")]
    with zipfile.ZipFile(path, "w") as zf:
        for k, (cls, img) in enumerate(items):
            name = f"{first + k:04d}.png"
            _add(zf, f"sample_test/{name}", png(img))
            rows.append((name, cls))
        _add(zf, "sample_test/labels.csv", "".join(f"{a},{b}\n" for a, b in rows).encode())


def features(items):
    """The model input of the statement: grey / 255, flattened row by row, float32 [N, 1024]."""
    x = np.stack([img.reshape(-1) for _, img in items]).astype(np.float32) / 255.0
    y = np.array([CLASSES.index(c) for c, _ in items])
    return x, y


def reference_model(train, test):
    """StandardScaler + MLP (1024-128-5), as the statement's hints suggest; exported with skl2onnx."""
    import warnings

    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y = features(train)
    t0 = time.monotonic()
    model = make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(128,), alpha=3.0, max_iter=300,
                                                         random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    seconds = time.monotonic() - t0
    xt, yt = features(test)
    acc = float((model.predict(xt) == yt).mean())
    onx = convert_sklearn(model, initial_types=[("input", FloatTensorType([None, SIZE * SIZE]))],
                          options={id(model): {"zipmap": False}}, target_opset=17)
    return onx.SerializeToString(), {"accuracy": round(acc, 4), "train_s": round(seconds, 1)}


def generate(out: Path, rng) -> None:
    seeds = rng.integers(0, 2**63 - 1, size=5)
    sets = [make_set(np.random.default_rng(int(s)), n)
            for s, n in zip(seeds, (N_TRAIN, N_SAMPLE, N_TRAIN, N_SAMPLE, N_TEST))]
    pub_train, pub_sample, hid_train, hid_sample, test = sets

    write_train_zip(out / "public" / "train.zip", pub_train, 1)
    write_sample_zip(out / "public" / "sample_test.zip", pub_sample, 1)
    # the grading run's data/ has the same layout, other pictures, numbered elsewhere
    write_train_zip(out / "hidden" / "train.zip", hid_train, 5001)
    write_sample_zip(out / "hidden" / "sample_test.zip", hid_sample, 8001)

    images = np.stack([img for _, img in test])
    labels = np.array([c for c, _ in test])
    with open(out / "answers" / "test.npz", "wb") as fh:
        np.savez_compressed(fh, images=images, labels=labels)
    model, facts = reference_model(hid_train, test)
    (out / "answers" / "reference.onnx").write_bytes(model)
    facts["size_bytes"] = len(model)
    facts["classes"] = list(CLASSES)
    facts["test_pictures"] = len(test)
    (out / "answers" / "reference.json").write_text(json.dumps(facts, indent=1) + "\n")


if __name__ == "__main__":      # quick look: python3 gen/train.py /tmp/tr
    import hashlib
    import sys
    target = Path(sys.argv[1])
    for part in ("public", "hidden", "answers"):
        (target / part).mkdir(parents=True, exist_ok=True)
    seed = int.from_bytes(hashlib.sha256(b"edge-ai-practical/train").digest()[:4], "big")
    generate(target, np.random.default_rng(seed))
