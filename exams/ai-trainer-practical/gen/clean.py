"""Task "clean": a raw multimodal collection to clean to the specification of the statement.

out/{public,hidden}/texts.txt          work orders, one a line, some lines faulty
out/{public,hidden}/images/*.png       conveyor pictures, some faulty
out/{public,hidden}/audio/*.wav        digit recordings, some faulty
out/public/sample_answer/              the samples' rejected.csv and cleaning_log.json
out/answers/truth.json                 the hidden set: every item, and the fault of each faulty one
out/answers/log.json                   its right cleaning log

Faults, at most one per item, planted so that the statement's rules find them with room:
text   empty (blank or spaces), duplicate (an earlier line again, maybe with spaces around it),
       advert (a URL, 微信 or a mobile number), garbled (UTF-8 read as Windows-1252, or
       characters lost to U+FFFD);
images corrupt (does not decode), duplicate (the same pixels as an earlier picture),
       near_duplicate (an earlier picture saved again: mean grey difference at most 4 of 255,
       while distinct pictures differ by 16 or more);
audio  wrong_rate (not 16000 Hz), too_short (under 0.5 s), silent (peak under 0.05 of full
       scale), clipped (3% or more of the samples at full scale).
No planted line is line 1 or next to another planted line.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import cv2
import numpy as np

from gen.lexicon import CLASSES, sentence
from gen.scenes import scene
from gen.voice import RATE, recording, syllable, wav_bytes

TEXT_KINDS = ("empty", "duplicate", "advert", "garbled")
IMAGE_KINDS = ("corrupt", "duplicate", "near_duplicate")
AUDIO_KINDS = ("wrong_rate", "too_short", "silent", "clipped")
ADVERTS = ("加微信{p}领取设备维修优惠券，名额有限！", "低价回收二手冲压机，电话{p}，上门看货。",
           "点击 http://kuai-fix.example/{n} 免费领取配件大礼包", "代开各类发票，微信同号{p}。",
           "工厂直销润滑油，买十送一，详询 https://oil.example/{n}")


def _mobile(rng) -> str:
    return "1" + str(int(rng.integers(3, 10))) + "".join(str(int(d)) for d in rng.integers(0, 10, 9))


def _garble(rng, text: str) -> str:
    if rng.random() < 0.5:   # UTF-8 bytes read as Windows-1252: "å·¥" where "工" was
        return text.encode("utf-8").decode("cp1252", errors="replace")
    chars = list(text)
    for i in rng.choice(len(chars), size=max(2, len(chars) // 3), replace=False):
        chars[int(i)] = "\ufffd"
    return "".join(chars)


def _positions(rng, n: int, k: int) -> list[int]:
    """k line indices in 2..n-1 (0-based 1..), none next to another."""
    while True:
        picked = sorted(int(i) for i in rng.choice(np.arange(2, n), size=k, replace=False))
        if all(b - a > 1 for a, b in zip(picked, picked[1:])):
            return picked


def texts(rng, n: int, per_kind: int) -> tuple[str, dict[int, str]]:
    """(the file's text, {line number from 1: fault})."""
    clean, seen = [], set()
    while len(clean) < n:
        s = sentence(rng, CLASSES[int(rng.integers(len(CLASSES)))])["text"]
        if s not in seen:
            seen.add(s)
            clean.append(s)
    kinds = [k for k in TEXT_KINDS for _ in range(per_kind)]
    rng.shuffle(kinds)
    lines, faults = list(clean), {}
    for index, kind in zip(_positions(rng, n, len(kinds)), kinds):
        if kind == "empty":
            lines[index] = " " * int(rng.integers(0, 4))
        elif kind == "duplicate":
            earlier = [i for i in range(index - 1) if i not in faults]
            lines[index] = " " * int(rng.integers(0, 2)) + lines[int(rng.choice(earlier))] + " " * int(rng.integers(0, 2))
        elif kind == "advert":
            lines[index] = ADVERTS[int(rng.integers(len(ADVERTS)))].format(p=_mobile(rng), n=int(rng.integers(100, 999)))
        else:
            lines[index] = _garble(rng, lines[index])
        faults[index] = kind
    return "".join(line + "\n" for line in lines), {i + 1: k for i, k in faults.items()}


def _gray(img) -> np.ndarray:
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)


def images(rng, folder: Path, n: int, per_kind: int) -> dict[str, str]:
    """Writes folder/img_XXX.png; returns {name: fault}."""
    folder.mkdir(parents=True, exist_ok=True)
    distinct = n - per_kind * len(IMAGE_KINDS)
    scenes: list[np.ndarray] = []
    while len(scenes) < distinct:
        img, _ = scene(rng)
        if all(np.abs(_gray(img) - _gray(other)).mean() >= 16 for other in scenes):
            scenes.append(img)
    names = [f"img_{i:03d}.png" for i in range(n)]
    order = rng.permutation(n)
    slots = [names[int(i)] for i in order]           # the pictures in drawing order get shuffled names
    pngs = {slots[i]: cv2.imencode(".png", img)[1].tobytes() for i, img in enumerate(scenes)}
    faults = {}
    extra = slots[distinct:]
    pairs = []
    for j, kind in enumerate(k for k in IMAGE_KINDS for _ in range(per_kind)):
        name = extra[j]
        if kind == "corrupt":
            data = pngs[slots[j]][: int(rng.integers(60, 400))] + rng.bytes(64)
            assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR) is None
            pngs[name] = data
            faults[name] = kind
            continue
        source = slots[per_kind + j]                  # a distinct picture of its own for every copy
        if kind == "duplicate":
            pngs[name] = pngs[source]
        else:
            base = cv2.imdecode(np.frombuffer(pngs[source], np.uint8), cv2.IMREAD_COLOR).astype(np.float32)
            copy = np.clip(base + rng.uniform(-2, 2) + rng.normal(0, 1.5, base.shape), 0, 255).astype(np.uint8)
            assert 0 < np.abs(_gray(copy) - _gray(base)).mean() <= 4
            pngs[name] = cv2.imencode(".png", copy)[1].tobytes()
        pairs.append((source, name, kind))
    for source, name, kind in pairs:                   # the later name of a pair is the copy
        faults[max(source, name)] = kind
    for name, data in pngs.items():
        (folder / name).write_bytes(data)
    return faults


def audio(rng, folder: Path, n: int, per_kind: int) -> dict[str, str]:
    """Writes folder/clip_XXX.wav; returns {name: fault}."""
    folder.mkdir(parents=True, exist_ok=True)
    kinds = [k for k in AUDIO_KINDS for _ in range(per_kind)] + [None] * (n - per_kind * len(AUDIO_KINDS))
    rng.shuffle(kinds)
    faults = {}
    for i, kind in enumerate(kinds):
        name, rate = f"clip_{i:03d}.wav", RATE
        digits = [int(d) for d in rng.integers(0, 10, int(rng.integers(1, 3)))]
        seconds = float(rng.uniform(1.5, 2.5))
        if kind == "wrong_rate":
            rate = int(rng.choice([8000, 22050, 44100]))
            samples, _ = recording(rng, seconds, digits, rate=rate)
        elif kind == "too_short":
            samples = syllable(rng, digits[0], float(rng.uniform(0.2, 0.4))) * rng.uniform(0.3, 0.6)
            samples = samples + rng.normal(0, 0.004, len(samples))
        elif kind == "silent":
            samples = rng.normal(0, 0.004, int(seconds * RATE))
        elif kind == "clipped":
            samples, _ = recording(rng, seconds, digits, level=(2.5, 4.0))
            assert np.mean(np.abs(samples) >= 1.0) >= 0.03
        else:
            samples, _ = recording(rng, seconds, digits)
        (folder / name).write_bytes(wav_bytes(samples, rate))
        if kind:
            faults[name] = kind
    return faults


def draw(rng, folder: Path, n_text: int, n_images: int, n_audio: int, per_kind: int) -> dict:
    text, text_faults = texts(rng, n_text, per_kind)
    (folder / "texts.txt").write_text(text, encoding="utf-8")
    image_faults = images(rng, folder / "images", n_images, per_kind)
    audio_faults = audio(rng, folder / "audio", n_audio, per_kind)
    return {
        "items": {"text": [f"texts.txt:{i}" for i in range(1, n_text + 1)],
                  "images": sorted(f"images/{p.name}" for p in (folder / "images").glob("*.png")),
                  "audio": sorted(f"audio/{p.name}" for p in (folder / "audio").glob("*.wav"))},
        "faults": {"text": {f"texts.txt:{i}": k for i, k in sorted(text_faults.items())},
                   "images": {f"images/{k}": v for k, v in sorted(image_faults.items())},
                   "audio": {f"audio/{k}": v for k, v in sorted(audio_faults.items())}},
    }


KINDS = {"text": TEXT_KINDS, "images": IMAGE_KINDS, "audio": AUDIO_KINDS}


def log_of(truth: dict) -> dict:
    """The cleaning log the statement asks for, for a truth as draw() returns it."""
    log = {}
    for modality, kinds in KINDS.items():
        faults = truth["faults"][modality]
        total = len(truth["items"][modality])
        log[modality] = {"total": total, "kept": total - len(faults),
                         "removed": {k: sum(1 for v in faults.values() if v == k) for k in kinds}}
    return log


def generate(out: Path, rng) -> None:
    sample = draw(rng, out / "public", 24, 12, 12, 1)
    hidden = draw(rng, out / "hidden", 64, 36, 32, 3)
    (out / "answers" / "truth.json").write_text(json.dumps(hidden, ensure_ascii=False, indent=0), encoding="utf-8")
    (out / "answers" / "log.json").write_text(json.dumps(log_of(hidden), indent=1) + "\n")
    answer = out / "public" / "sample_answer"
    answer.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["item", "kind"])
    for modality in KINDS:
        w.writerows(sample["faults"][modality].items())
    (answer / "rejected.csv").write_text(buf.getvalue(), encoding="utf-8")
    (answer / "cleaning_log.json").write_text(json.dumps(log_of(sample), indent=1) + "\n")
