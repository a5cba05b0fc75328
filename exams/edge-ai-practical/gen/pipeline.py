"""Unit 4, integrated application: a face access gate and a plate gate.

out/{public,hidden}/pairs/NN_a.jpg, NN_b.jpg + pairs.csv   verification pairs
out/{public,hidden}/gallery/<staff id>.jpg                 one enrolment photo per person
out/{public,hidden}/probes/probe_NN.jpg                    people at the gate (some not enrolled)
out/{public,hidden}/mask/mask_NN.jpg                       faces with or without a mask
out/{public,hidden}/plates/plate_NN.jpg                    640x480 street scenes, one plate each
out/public/sample_answers.json                             the samples' answers
out/answers/truth.json                                     the hidden answers (+ reference figures)

Faces are the licensed photos of gen/photos (obama x3, biden, astronaut) and
gen/pipeline/hopper.jpg, cut into 320x400 portraits with random scale,
rotation, shift, flip, light, blur, noise and JPEG quality. Four people only,
so a gallery enrols three and the fourth is the stranger; obama's probes and
same-person pairs come from other photos than his enrolment, which puts his
distances (0.35-0.5) where a too strict threshold fails.

Every picture is checked, as decoded from its saved bytes, with the SDK's
reference pipeline (largest face -> align -> embed -> L2 at 0.6; mask.classify;
plate.read) and redrawn until the reference decides it right *with a margin*
(distances at most 0.54 or at least 0.66 around the 0.6 threshold), so the
truth is what a correct pipeline computes, not a coin toss.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
PHOTOS = HERE / "photos"
EXTRA = HERE / "pipeline"

SOURCES = {                     # person -> photos
    "obama": ("obama.jpg", "obama2.jpg", "obama3.jpg"),
    "biden": ("biden.jpg",),
    "collins": ("astronaut.jpg",),
    "hopper": ("hopper.jpg",),
}
W, H = 320, 400                 # portrait size
THRESHOLD = 0.6
SAME_MAX, DIFF_MIN = 0.54, 0.66  # the margin every decision must keep from the threshold
TRIES = 40

# the samples and the grading set: who is enrolled (with which photo), who is the stranger
PUBLIC = dict(enrol={"obama": "obama3.jpg", "collins": "astronaut.jpg", "biden": "biden.jpg"},
              stranger="hopper", same=3, diff=3, probes_per_person=(2, 1, 1), strangers=2,
              masks=4, plates=5, first_number=3000)
HIDDEN = dict(enrol={"obama": "obama.jpg", "biden": "biden.jpg", "hopper": "hopper.jpg"},
              stranger="collins", same=6, diff=6, probes_per_person=(3, 3, 3), strangers=3,
              masks=8, plates=15, first_number=6000)


# -- reading the sources --------------------------------------------------------
_SOURCE_CACHE: dict = {}


def source(name: str):
    """(picture at most 800 px, its main face box) for one photo file."""
    if name not in _SOURCE_CACHE:
        from edgeai import face
        path = EXTRA / name if (EXTRA / name).is_file() else PHOTOS / name
        img = cv2.imread(str(path))
        s = 800 / max(img.shape[:2])
        if s < 1:
            img = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
        _SOURCE_CACHE[name] = (img, largest(face.detect(img)).box)
    return _SOURCE_CACHE[name]


def largest(faces):
    return max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))


# -- making pictures ------------------------------------------------------------
def portrait(name: str, rng, mild=False) -> np.ndarray:
    """A 320x400 BGR portrait cut from one photo, randomly transformed."""
    img, (x1, y1, x2, y2) = source(name)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    width = rng.uniform(110, 140) if mild else rng.uniform(85, 150)
    angle = rng.uniform(-3, 3) if mild else rng.uniform(-9, 9)
    m = cv2.getRotationMatrix2D((cx, cy), angle, width / (x2 - x1))
    shift = (rng.uniform(-10, 10), rng.uniform(-8, 8)) if mild else (rng.uniform(-45, 45), rng.uniform(-40, 30))
    m[0, 2] += W / 2 + shift[0] - cx
    m[1, 2] += H * 0.45 + shift[1] - cy
    out = cv2.warpAffine(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    out = out.astype(np.float32)
    if not mild and rng.random() < 0.5:
        out = out[:, ::-1]
    gain = rng.uniform(0.9, 1.1) if mild else rng.uniform(0.65, 1.3)
    bias = rng.uniform(-10, 10) if mild else rng.uniform(-30, 30)
    tint = rng.uniform(-6, 6, 3) if mild else rng.uniform(-15, 15, 3)
    out = out * gain + bias + tint
    if not mild:
        sigma = rng.uniform(0.0, 1.3)
        if sigma > 0.3:
            out = cv2.GaussianBlur(out, (0, 0), sigma)
        out = out + rng.normal(0, rng.uniform(0, 5), out.shape)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def jpeg(img, quality) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    assert ok
    return buf.tobytes()


def decode(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


# -- the reference pipeline -------------------------------------------------------
def one_face(img):
    """The only face the detector finds, or None (no face, or more than one)."""
    from edgeai import face
    faces = face.detect(img)
    return faces[0] if len(faces) == 1 else None


def vector(img):
    from edgeai import face
    f = one_face(img)
    return None if f is None else face.embed(face.align(img, f))


def dist(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


def face_picture(name, rng, check, mild=False):
    """(jpeg bytes, embedding) of a portrait of `name` that `check(vector)` accepts."""
    for _ in range(TRIES):
        data = jpeg(portrait(name, rng, mild), rng.integers(85, 95) if mild else rng.integers(55, 92))
        v = vector(decode(data))
        if v is not None and check(v):
            return data, v
    raise RuntimeError(f"no usable portrait of {name} in {TRIES} tries")


def photos_of(person, but=None):
    return [p for p in SOURCES[person] if p != but] or list(SOURCES[person])


# -- the parts of one set -------------------------------------------------------
def make_pairs(rng, spec, root: Path):
    people = list(SOURCES)
    kinds = [True] * spec["same"] + [False] * spec["diff"]
    rng.shuffle(kinds)
    # same-person pairs: obama across two different photos most of the time
    same_people = ["obama" if i % 3 != 2 else people[1 + (i // 3) % 3] for i in range(spec["same"])]
    diff_pairs = [tuple(rng.choice(people, 2, replace=False)) for _ in range(spec["diff"])]
    diff_pairs[0] = ("collins", "hopper")            # the closest two strangers (about 0.70)
    truth, figures, rows = {}, {}, []
    si = di = 0
    (root / "pairs").mkdir(parents=True, exist_ok=True)
    for n, same in enumerate(kinds, 1):
        if same:
            who = same_people[si]
            si += 1
            pa = rng.choice(SOURCES[who])
            pb = rng.choice(photos_of(who, but=pa))
            a, va = face_picture(pa, rng, lambda v: True)
            b, vb = face_picture(pb, rng, lambda v: dist(v, va) <= SAME_MAX)
        else:
            wa, wb = diff_pairs[di]
            di += 1
            a, va = face_picture(rng.choice(SOURCES[wa]), rng, lambda v: True)
            b, vb = face_picture(rng.choice(SOURCES[wb]), rng, lambda v: dist(v, va) >= DIFF_MIN)
        pid = f"{n:02d}"
        (root / "pairs" / f"{pid}_a.jpg").write_bytes(a)
        (root / "pairs" / f"{pid}_b.jpg").write_bytes(b)
        rows.append((pid, f"pairs/{pid}_a.jpg", f"pairs/{pid}_b.jpg"))
        truth[pid] = bool(same)
        figures[pid] = round(dist(va, vb), 3)
    with open(root / "pairs.csv", "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["pair", "image_a", "image_b"])
        out.writerows(rows)
    return truth, figures


def make_gate(rng, spec, root: Path):
    """The gallery (enrolment photos named by staff id) and the probes."""
    enrolled = list(spec["enrol"])
    numbers = rng.choice(np.arange(spec["first_number"], spec["first_number"] + 1000), len(enrolled), replace=False)
    ids = {p: f"E{int(n)}" for p, n in zip(enrolled, numbers)}
    (root / "gallery").mkdir(parents=True, exist_ok=True)
    (root / "probes").mkdir(parents=True, exist_ok=True)
    gallery = {}
    for person in enrolled:
        data, v = face_picture(spec["enrol"][person], rng,
                               lambda v: all(dist(v, g) >= DIFF_MIN for g in gallery.values()), mild=True)
        gallery[person] = v
        (root / "gallery" / f"{ids[person]}.jpg").write_bytes(data)

    def decided_as(person):
        def check(v):
            d = {p: dist(v, g) for p, g in gallery.items()}
            return all((x <= SAME_MAX) if p == person else (x >= DIFF_MIN) for p, x in d.items())
        return check

    plan = [p for p, k in zip(enrolled, spec["probes_per_person"]) for _ in range(k)]
    plan += [spec["stranger"]] * spec["strangers"]
    rng.shuffle(plan)
    truth, figures = {}, {}
    for n, person in enumerate(plan, 1):
        photo = rng.choice(photos_of(person, but=spec["enrol"].get(person)))
        data, v = face_picture(photo, rng, decided_as(person))
        name = f"probe_{n:02d}.jpg"
        (root / "probes" / name).write_bytes(data)
        truth[name] = ids.get(person, "unknown")
        figures[name] = round(min(dist(v, g) for g in gallery.values()), 3)
    return truth, figures


def make_masks(rng, spec, root: Path):
    from edgeai import face, mask
    (root / "mask").mkdir(parents=True, exist_ok=True)
    wears = [True, False] * (spec["masks"] // 2)
    rng.shuffle(wears)
    people = list(SOURCES)
    truth = {}
    for n, on in enumerate(wears, 1):
        photo = rng.choice(SOURCES[people[n % len(people)]])
        for _ in range(TRIES):
            img = portrait(photo, rng)
            f = one_face(img)
            if f is None:
                continue
            if on:
                img = mask.paint_mask(img, f, rng=int(rng.integers(1 << 30)))
            data = jpeg(img, rng.integers(60, 92))
            seen = decode(data)
            g = one_face(seen)
            if g is None:
                continue
            label, prob = mask.classify(face.align(seen, g))
            if label == ("mask" if on else "no_mask") and prob >= 0.9:
                break
        else:
            raise RuntimeError("no usable mask picture")
        name = f"mask_{n:02d}.jpg"
        (root / "mask" / name).write_bytes(data)
        truth[name] = on
    return truth


def make_plates(rng, spec, root: Path):
    from edgeai import plate, synth
    (root / "plates").mkdir(parents=True, exist_ok=True)
    truth = {}
    for n in range(1, spec["plates"] + 1):
        for _ in range(TRIES):
            text = synth.random_plate_text(rng)
            img, _ = synth.render_scene(rng, [text], size=(640, 480))
            img = synth.degrade(img, rng, int(rng.integers(0, 2)))
            data = jpeg(img, rng.integers(80, 93))
            found = plate.read(decode(data))
            if len(found) == 1 and found[0][1] == text:
                break
        else:
            raise RuntimeError("no plate scene the reference reads")
        name = f"plate_{n:02d}.jpg"
        (root / "plates" / name).write_bytes(data)
        truth[name] = text
    return truth


def make_set(rng, spec, root: Path) -> dict:
    pairs, pair_d = make_pairs(rng, spec, root)
    probes, probe_d = make_gate(rng, spec, root)
    return {"pairs": pairs, "probes": probes, "mask": make_masks(rng, spec, root),
            "plates": make_plates(rng, spec, root),
            "reference_distances": {"pairs": pair_d, "probes_nearest": probe_d}}


def generate(out: Path, rng) -> None:
    seeds = rng.integers(0, 2**63 - 1, size=2)
    public = make_set(np.random.default_rng(int(seeds[0])), PUBLIC, out / "public")
    hidden = make_set(np.random.default_rng(int(seeds[1])), HIDDEN, out / "hidden")
    sample = {k: public[k] for k in ("pairs", "probes", "mask", "plates")}
    (out / "public" / "sample_answers.json").write_text(
        json.dumps(sample, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (out / "answers" / "truth.json").write_text(
        json.dumps(hidden, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":      # quick look: python3 gen/pipeline.py /tmp/pl
    import hashlib
    import sys
    target = Path(sys.argv[1])
    for part in ("public", "hidden", "answers"):
        (target / part).mkdir(parents=True, exist_ok=True)
    seed = int.from_bytes(hashlib.sha256(b"edge-ai-practical/pipeline").digest()[:4], "big")
    generate(target, np.random.default_rng(seed))   # the seed generate.py uses
