"""Task "speech": find the spoken digits in recordings, with their start and end.

out/public/seed/*.wav + seed_labels.csv    labeled recordings, every digit several times (also in hidden/)
out/public/audio/*.wav                     sample recordings to label
out/public/sample_answer.csv               their segments
out/hidden/audio/*.wav                     the grading recordings (drawn after the samples)
out/answers/segments.csv                   their segments: file,start,end,digit
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from gen.voice import recording, wav_bytes


def _csv(rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file", "start", "end", "digit"])
    w.writerows(rows)
    return buf.getvalue()


def draw(rng, folder: Path, prefix: str, n: int, digits_for=None):
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        digits = digits_for(i) if digits_for else [int(d) for d in rng.integers(0, 10, int(rng.integers(1, 4)))]
        audio, segments = recording(rng, float(rng.uniform(3.0, 4.5)), digits)
        name = f"{prefix}{i:03d}.wav"
        (folder / name).write_bytes(wav_bytes(audio))
        rows += [(name, f"{s:.3f}", f"{e:.3f}", d) for s, e, d in segments]
    return rows


def generate(out: Path, rng) -> None:
    seed = draw(rng, out / "public" / "seed", "seed_", 15, digits_for=lambda i: [(2 * i) % 10, (2 * i + 1) % 10])
    sample = draw(rng, out / "public" / "audio", "rec_", 5)
    hidden = draw(rng, out / "hidden" / "audio", "rec_", 40)
    (out / "public" / "seed_labels.csv").write_text(_csv(seed))
    (out / "public" / "sample_answer.csv").write_text(_csv(sample))
    (out / "answers" / "segments.csv").write_text(_csv(hidden))
    hidden_seed = out / "hidden" / "seed"
    hidden_seed.mkdir(parents=True, exist_ok=True)
    for p in sorted((out / "public" / "seed").glob("*.wav")):
        (hidden_seed / p.name).write_bytes(p.read_bytes())
    (out / "hidden" / "seed_labels.csv").write_text(_csv(seed))
