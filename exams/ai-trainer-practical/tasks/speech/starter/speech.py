"""Speech labeling: every spoken digit of data/audio/*.wav into output/segments.csv."""
import csv
import wave
from pathlib import Path

import numpy as np

DATA, OUT = Path("data"), Path("output")


def read_wav(path):
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    return x, rate


OUT.mkdir(exist_ok=True)
with open(OUT / "segments.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "start", "end", "digit"])
    for path in sorted((DATA / "audio").glob("*.wav")):
        x, rate = read_wav(path)
        # TODO: find the segments and their digits
