"""Task `integrate` (unit 7): plate crops for a plate-type service, and its model.

A car park's gate camera crops licence plates; the service classifies each crop
by plate type (blue: ordinary car, yellow: large vehicle, green: new-energy
car, white: police, black: foreign / consulate) with an ONNX model. The model
is trained here (StandardScaler + logistic regression on 48x16 RGB pixels,
scikit-learn, exported with skl2onnx) and shipped with the data, as a deployed
model would be.

    public/model.onnx, public/labels.txt      the model and its class order
    public/images/                           20 plate crops (a normal batch)
    public/incoming/                         6 crops + 2 damaged files + notes.txt
    public/expected_images.csv               file,type for public/images/
    hidden/...                               the same layout: 100 crops in images/,
                                             16 crops + 5 damaged files + notes.txt in
                                             incoming/, a model trained on another seed
    answers/truth.json                       the type of every hidden crop; the damaged files

Model input (the model card in the starter's README): the crop resized to 48x16
with cv2.INTER_AREA, converted to RGB, scaled to 0-1, flattened in (row,
column, channel) order: float32 [N, 2304]. Outputs: label int64 [N] and
probabilities float32 [N, 5], in the order of labels.txt.

Fed BGR instead of RGB, the model mistakes blue plates for yellow ones and
yellow for blue (green, white and black plates look alike either way).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import cv2
import numpy as np

TYPES = ("blue", "yellow", "green", "white", "black")
IN_W, IN_H = 48, 16
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"

BODY_RGB = {
    "blue": (15, 60, 180),
    "yellow": (240, 190, 20),
    "white": (232, 232, 226),
    "black": (22, 22, 26),
}
TEXT_RGB = {"blue": (245, 245, 245), "yellow": (15, 15, 15), "green": (15, 15, 15),
            "white": (15, 15, 15), "black": (245, 245, 245)}


def _i(rng, lo, hi):
    return int(rng.integers(lo, hi + 1))


def _chars(rng, kind):
    n = 6 if kind == "green" else 5
    tail = "".join(rng.choice(list(LETTERS + DIGITS * 2), size=n))
    return rng.choice(list(LETTERS)), tail


def _text_masks(text: str, red_last: bool):
    """Float masks (0-1) of the text in Hershey simplex, cropped to its box: the
    characters in the plate's text colour, and the last one alone when it is red."""
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 2.0, 5)
    size = (th + 8, tw + 8)
    full = np.zeros(size, np.float32)
    cv2.putText(full, text, (4, th + 4), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 1.0, 5, cv2.LINE_AA)
    if not red_last:
        return full, None
    head = np.zeros(size, np.float32)       # the same text without its last character, same place
    cv2.putText(head, text[:-1], (4, th + 4), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 1.0, 5, cv2.LINE_AA)
    return head, np.clip(full - head, 0, 1)


def plate(rng, kind: str) -> np.ndarray:
    """One plate crop, BGR uint8, about 3.2:1, with a little of the car around it."""
    w = _i(rng, 130, 200)
    h = int(round(w / (3.4 if kind == "green" else 3.15)))
    rgb = np.zeros((h, w, 3), np.float32)
    if kind == "green":                      # new-energy plates: white-green gradient
        t = np.linspace(0, 1, h)[:, None, None]
        top, bottom = np.array([232, 245, 232]), np.array([70, 190, 100])
        rgb[:] = top * (1 - t) + bottom * t
    else:
        rgb[:] = BODY_RGB[kind]
    rgb += rng.uniform(-14, 14, 3)
    text = np.array(TEXT_RGB[kind], np.float32)
    # rim
    rim = max(2, h // 14)
    cv2.rectangle(rgb, (rim, rim), (w - 1 - rim, h - 1 - rim), tuple(float(v) for v in text), max(1, rim // 2))
    # province character: no Chinese font in cv2, so a blocky glyph of strokes
    cw = w / (8.6 if kind == "green" else 7.8)
    x0, y0, y1 = int(w * 0.05), int(h * 0.2), int(h * 0.8)
    for _ in range(_i(rng, 3, 5)):
        xa = x0 + _i(rng, 0, int(cw * 0.6))
        ya = _i(rng, y0, (y0 + y1) // 2)
        if rng.random() < 0.5:
            cv2.rectangle(rgb, (xa, ya), (xa + _i(rng, 2, int(cw * 0.7)), ya + max(2, h // 18)), tuple(float(v) for v in text), -1)
        else:
            cv2.rectangle(rgb, (xa, ya), (xa + max(2, h // 18), ya + _i(rng, 3, int(h * 0.5))), tuple(float(v) for v in text), -1)
    letter, tail = _chars(rng, kind)
    # the characters: drawn wide by cv2, then squeezed into the plate's text area
    x1, x2 = int(x0 + cw), int(w * 0.95)
    ty1, ty2 = int(h * 0.2), int(h * 0.82)
    region = rgb[ty1:ty2, x1:x2]
    masks = _text_masks(letter + "." + tail, red_last=kind == "white")   # police plates: last one red
    for mask, colour in zip(masks, (text, np.array((200, 20, 20), np.float32))):
        if mask is not None:
            alpha = cv2.resize(mask, (x2 - x1, ty2 - ty1), interpolation=cv2.INTER_AREA)[..., None]
            region[:] = region * (1 - alpha) + colour * alpha
    # a margin of car body around the plate
    mx, my = _i(rng, 2, int(w * 0.08)), _i(rng, 2, int(h * 0.25))
    car = rng.uniform(20, 220, 3)
    big = np.empty((h + 2 * my, w + 2 * mx, 3), np.float32)
    big[:] = car
    big[my:my + h, mx:mx + w] = rgb
    # pose: a slight rotation and shear
    H, W = big.shape[:2]
    m = cv2.getRotationMatrix2D((W / 2, H / 2), rng.uniform(-4, 4), rng.uniform(0.97, 1.03))
    m[0, 1] += rng.uniform(-0.08, 0.08)
    big = cv2.warpAffine(big, m, (W, H), borderMode=cv2.BORDER_REPLICATE)
    # light: overall brightness, a colour cast, a glare gradient; blur, noise
    big *= rng.uniform(0.55, 1.25)
    big *= rng.uniform(0.9, 1.1, 3)
    xx = np.linspace(-0.5, 0.5, W)[None, :, None]
    big += rng.uniform(-30, 30) * xx
    if rng.random() < 0.6:
        big = cv2.GaussianBlur(big, (0, 0), rng.uniform(0.4, 1.3))
    big += rng.normal(0, rng.uniform(1, 6), big.shape)
    return cv2.cvtColor(np.clip(np.rint(big), 0, 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


def jpeg(img, rng) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, _i(rng, 60, 95)])
    assert ok
    return buf.tobytes()


def features(bgr_list, rgb=True) -> np.ndarray:
    """The model input of the model card, from decoded BGR pictures."""
    rows = []
    for img in bgr_list:
        small = cv2.resize(img, (IN_W, IN_H), interpolation=cv2.INTER_AREA)
        if rgb:
            small = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        rows.append(small.reshape(-1))
    return np.stack(rows).astype(np.float32) / 255.0


def decode(data: bytes):
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


def make_batch(rng, n: int):
    """[(type, jpeg bytes)], types balanced, in a shuffled order."""
    kinds = [TYPES[k % len(TYPES)] for k in range(n)]
    rng.shuffle(kinds)
    return [(k, jpeg(plate(rng, k), rng)) for k in kinds]


def train_model(rng):
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    items = make_batch(rng, 600)
    x = features([decode(d) for _, d in items])
    y = np.array([TYPES.index(k) for k, _ in items])
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=500))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    onx = convert_sklearn(model, initial_types=[("input", FloatTensorType([None, IN_W * IN_H * 3]))],
                          options={id(model): {"zipmap": False}}, target_opset=17)
    onx.doc_string = "plate type classifier: input RGB 48x16 / 255 flattened HWC [N, 2304]; labels.txt order"
    return onx.SerializeToString()


def damaged(rng, good: bytes) -> list[tuple[str, bytes]]:
    """Files a camera upload leaves behind: (extension, bytes)."""
    png_ok, png = cv2.imencode(".png", decode(good))
    return [
        (".jpg", b""),                                            # empty upload
        (".jpg", good[: _i(rng, 150, 400)]),                      # cut inside the header
        (".jpg", b"<html><body><h1>502 Bad Gateway</h1></body></html>\n"),
        (".png", png.tobytes()[: int(len(png) * rng.uniform(0.3, 0.6))]),
        (".jpg", b"\xff\xd8\xff\xe0" + bytes(rng.integers(0, 256, 300, dtype=np.uint8))),
    ]


def write_set(root: Path, rng, n_images: int, n_incoming: int, n_bad: int, first: int, upper: int = 0):
    """images/ and incoming/ under root; returns the truth."""
    truth = {"images": {}, "incoming": {}, "damaged": []}
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "incoming").mkdir(parents=True, exist_ok=True)
    numbers = rng.choice(np.arange(first, first + 9000), size=n_images + n_incoming + n_bad, replace=False)
    for k, (kind, data) in enumerate(make_batch(rng, n_images)):
        name = f"plate_{int(numbers[k]):05d}" + (".JPG" if k < upper else ".jpg")
        (root / "images" / name).write_bytes(data)
        truth["images"][name] = kind
    good = make_batch(rng, n_incoming)
    for k, (kind, data) in enumerate(good):
        name = f"cam2_{int(numbers[n_images + k]):05d}.jpg"
        (root / "incoming" / name).write_bytes(data)
        truth["incoming"][name] = kind
    bad = damaged(rng, good[0][1])[:n_bad]
    for k, (ext, data) in enumerate(bad):
        name = f"cam2_{int(numbers[n_images + n_incoming + k]):05d}{ext}"
        (root / "incoming" / name).write_bytes(data)
        truth["damaged"].append(name)
        assert decode(data) is None if data else True
    (root / "incoming" / "notes.txt").write_text("camera 2 upload log: 3 retries\n", encoding="utf-8")
    return truth


def generate(out: Path, rng) -> None:
    seeds = rng.integers(0, 2**63 - 1, size=4)
    for part, seed in (("public", seeds[0]), ("hidden", seeds[1])):
        (out / part / "model.onnx").write_bytes(train_model(np.random.default_rng(int(seed))))
        (out / part / "labels.txt").write_text("\n".join(TYPES) + "\n", encoding="utf-8")
    pub = write_set(out / "public", np.random.default_rng(int(seeds[2])), 20, 6, 2, 10000)
    hid = write_set(out / "hidden", np.random.default_rng(int(seeds[3])), 100, 16, 5, 20000, upper=3)
    with open(out / "public" / "expected_images.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("file,type\n")
        for name in sorted(pub["images"]):
            fh.write(f"{name},{pub['images'][name]}\n")
    (out / "answers" / "truth.json").write_text(json.dumps({"types": list(TYPES), **hid}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":      # quick look: python3 gen/integrate.py /tmp/it
    import hashlib
    import sys
    target = Path(sys.argv[1])
    for part in ("public", "hidden", "answers"):
        (target / part).mkdir(parents=True, exist_ok=True)
    seed = int.from_bytes(hashlib.sha256(b"edge-ai-practical/integrate").digest()[:4], "big")
    generate(target, np.random.default_rng(seed))
