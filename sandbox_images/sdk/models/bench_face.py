"""Latency of edgeai.face and edgeai.mask calls on this machine (median of N warm calls).

    PYTHONPATH=sandbox_images/sdk python sandbox_images/sdk/models/bench_face.py [-n 20]

Prints one line per call; the numbers in docs/sdk/face.md and docs/sdk/mask.md come from it.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

import cv2

SDK = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SDK))

from edgeai import face, mask  # noqa: E402

DATA = SDK / "tests" / "data"


def timed(fn, n):
    fn()  # warm
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1000, min(ts) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    n = ap.parse_args().n
    print(f"cores: {os.cpu_count()}, warm calls, median (min) over {n}")

    t = time.perf_counter()
    img = cv2.imread(str(DATA / "astronaut.jpg"))
    f = face.detect(img)[0]
    print(f"first detect incl. model load: {(time.perf_counter() - t) * 1000:.0f} ms")
    crop = face.align(img, f)
    t = time.perf_counter()
    face.embed(crop)
    print(f"first embed incl. model load: {(time.perf_counter() - t) * 1000:.0f} ms")
    t = time.perf_counter()
    mask.classify(crop)
    print(f"first classify incl. model load: {(time.perf_counter() - t) * 1000:.0f} ms")

    vec = face.embed(crop)
    big = cv2.imread(str(DATA / "obama.jpg"))
    hd = cv2.resize(big, (1280, 1600))
    rows = [
        ("detect 512×512 (astronaut)", lambda: face.detect(img)),
        ("detect 640×512 (obama.jpg)", lambda: face.detect(big)),
        ("detect 1600×1280", lambda: face.detect(hd)),
        ("detect 1600×1280 min_size=80", lambda: face.detect(hd, min_size=80)),
        ("align 150×150", lambda: face.align(img, f)),
        ("embed", lambda: face.embed(crop)),
        ("compare", lambda: face.compare(vec, vec)),
        ("mask.classify", lambda: mask.classify(crop)),
        ("mask.paint_mask (512×512)", lambda: mask.paint_mask(img, f, rng=0)),
    ]
    for name, fn in rows:
        med, lo = timed(fn, n)
        print(f"{name:32s} {med:8.2f} ms  ({lo:.2f})")


if __name__ == "__main__":
    main()
