"""Flawed: segments right, but digits told apart by the loudest frequency alone
(the first formant; the second is ignored)."""
import csv
import wave
from pathlib import Path

import numpy as np

DATA, OUT = Path("data"), Path("output")
FRAME = 0.02          # seconds per energy frame


def read_wav(path):
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    return x, rate


def segments(x, rate):
    """(start, end) in seconds of the runs of frames well above the noise floor."""
    hop = int(FRAME * rate)
    rms = np.sqrt(np.mean(x[: len(x) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    loud = rms > max(0.02, 4 * np.median(rms))
    runs, start = [], None
    for i, on in enumerate(np.append(loud, False)):
        if on and start is None:
            start = i
        elif not on and start is not None:
            runs.append([start, i])
            start = None
    merged = []
    for s, e in runs:
        if merged and s - merged[-1][1] <= 5:          # gaps under 0.1 s are inside a syllable
            merged[-1][1] = e
        else:
            merged.append([s, e])
    return [(s * FRAME, e * FRAME) for s, e in merged if (e - s) * FRAME >= 0.15]


def envelope(x, rate):
    """Log spectrum from 0 to 4 kHz in 50 Hz bins, smoothed over 300 Hz, mean removed."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x)), n=1 << 15))
    freqs = np.fft.rfftfreq(1 << 15, 1 / rate)
    bins = np.array([spec[(freqs >= f) & (freqs < f + 50)].max() for f in range(100, 4000, 50)])
    smooth = np.convolve(np.log(bins + 1e-6), np.ones(6) / 6, mode="same")
    return smooth - smooth.mean()


def main():
    templates = {}
    with open(DATA / "seed_labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            x, rate = read_wav(DATA / "seed" / row["file"])
            piece = x[int(float(row["start"]) * rate): int(float(row["end"]) * rate)]
            templates.setdefault(int(row["digit"]), []).append(envelope(piece, rate))
    means = {d: np.mean(v, axis=0) for d, v in templates.items()}
    OUT.mkdir(exist_ok=True)
    with open(OUT / "segments.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "start", "end", "digit"])
        for path in sorted((DATA / "audio").glob("*.wav")):
            x, rate = read_wav(path)
            for s, e in segments(x, rate):
                env = envelope(x[int(s * rate): int(e * rate)], rate)
                digit = min(means, key=lambda d: abs(int(np.argmax(means[d])) - int(np.argmax(env))))
                w.writerow([path.name, f"{s:.3f}", f"{e:.3f}", digit])


if __name__ == "__main__":
    main()
