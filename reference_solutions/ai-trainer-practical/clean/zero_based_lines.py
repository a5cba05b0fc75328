"""Flawed: text lines numbered from 0 (Python's enumerate default), not from 1 as the statement says."""
import csv
import json
import re
import wave
from pathlib import Path

import cv2
import numpy as np

DATA, OUT = Path("data"), Path("output")
KINDS = {"text": ("empty", "duplicate", "advert", "garbled"),
         "images": ("corrupt", "duplicate", "near_duplicate"),
         "audio": ("wrong_rate", "too_short", "silent", "clipped")}
ADVERT = re.compile(r"https?://|微信|(?<!\d)1\d{10}(?!\d)")


def text_faults():
    faults, seen = {}, set()
    lines = (DATA / "texts.txt").read_text(encoding="utf-8").split("\n")[:-1]
    for number, line in enumerate(lines):
        body = line.strip()
        if not body:
            kind = "empty"
        elif "\ufffd" in body or any("\u00c0" <= ch <= "\u00ff" for ch in body):
            kind = "garbled"
        elif ADVERT.search(body):
            kind = "advert"
        elif body in seen:
            kind = "duplicate"
        else:
            kind = None
            seen.add(body)
        if kind:
            faults[f"texts.txt:{number}"] = kind
    return faults, len(lines)


def image_faults():
    faults, kept = {}, []
    paths = sorted((DATA / "images").glob("*.png"))
    for path in paths:
        img = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_GRAYSCALE)
        name = f"images/{path.name}"
        if img is None:
            faults[name] = "corrupt"
            continue
        img = img.astype(np.float32)
        diffs = [np.abs(img - k).mean() for k in kept if k.shape == img.shape]
        if diffs and min(diffs) == 0:
            faults[name] = "duplicate"
        elif diffs and min(diffs) < 8:
            faults[name] = "near_duplicate"
        else:
            kept.append(img)
    return faults, len(paths)


def audio_faults():
    faults = {}
    paths = sorted((DATA / "audio").glob("*.wav"))
    for path in paths:
        with wave.open(str(path)) as w:
            rate, n = w.getframerate(), w.getnframes()
            samples = np.frombuffer(w.readframes(n), "<i2").astype(np.int32)
        peak = int(np.abs(samples).max()) if len(samples) else 0
        if rate != 16000:
            kind = "wrong_rate"
        elif n / rate < 0.5:
            kind = "too_short"
        elif peak < 0.05 * 32768:
            kind = "silent"
        elif np.mean(np.abs(samples) >= 32767) >= 0.01:
            kind = "clipped"
        else:
            kind = None
        if kind:
            faults[f"audio/{path.name}"] = kind
    return faults, len(paths)


def main():
    OUT.mkdir(exist_ok=True)
    found = {"text": text_faults(), "images": image_faults(), "audio": audio_faults()}
    with open(OUT / "rejected.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["item", "kind"])
        for faults, _ in found.values():
            w.writerows(faults.items())
    log = {m: {"total": total, "kept": total - len(faults),
               "removed": {k: sum(1 for v in faults.values() if v == k) for k in KINDS[m]}}
           for m, (faults, total) in found.items()}
    (OUT / "cleaning_log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
