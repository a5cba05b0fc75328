"""A small numpy speech synthesiser: 'spoken digits' as voiced syllables.

Shared by gen/speech.py and gen/clean.py. A syllable is a glottal-like harmonic
series (fundamental 100-200 Hz, falling slightly, with jitter) whose harmonics
are shaped by two formant resonances that are the digit's own (like the vowels
of spoken digits), under an attack / sustain / release envelope. Recordings are
16 kHz mono with a low noise floor; nothing is downloaded or recorded.
"""
from __future__ import annotations

import io
import wave

import numpy as np

RATE = 16000
# (F1, F2) in Hz per digit: far enough apart that the spectral envelope tells them apart
FORMANTS = {0: (300, 870), 1: (270, 2290), 2: (660, 1720), 3: (530, 1840), 4: (730, 1090),
            5: (570, 840), 6: (440, 1020), 7: (390, 1990), 8: (620, 1250), 9: (350, 1450)}


def _resonance(f, centre, width):
    return 1.0 / (1.0 + ((f - centre) / width) ** 2)


def syllable(rng, digit: int, seconds: float, rate: int = RATE) -> np.ndarray:
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = rng.uniform(100, 200) * (1 - 0.15 * t / max(seconds, 1e-3)) * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    f1, f2 = (c * rng.uniform(0.97, 1.03) for c in FORMANTS[digit])
    out = np.zeros(n)
    mean_f0 = float(f0.mean())
    for k in range(1, int(3800 / mean_f0)):
        freq = k * mean_f0
        amp = _resonance(freq, f1, 90) + 0.8 * _resonance(freq, f2, 120) + 0.02
        out += amp / k ** 0.3 * np.sin(k * phase + rng.uniform(0, 2 * np.pi))
    attack, release = int(0.04 * rate), int(0.08 * rate)
    env = np.ones(n)
    env[:attack] = np.linspace(0, 1, attack)
    env[-release:] = np.linspace(1, 0, release)
    out *= env
    return out / (np.abs(out).max() + 1e-9)


def recording(rng, seconds: float, digits: list[int], rate: int = RATE, level=(0.25, 0.6)):
    """(samples in [-1, 1], [(start_s, end_s, digit), ...]): syllables apart, over a noise floor."""
    n = int(seconds * rate)
    audio = rng.normal(0, 0.004, n)
    segments, cursor = [], rng.uniform(0.2, 0.5)
    room = seconds - cursor - 0.2
    lengths = [rng.uniform(0.35, 0.65) for _ in digits]
    gap = max(0.3, (room - sum(lengths)) / max(1, len(digits)))
    for digit, length in zip(digits, lengths):
        start = cursor + rng.uniform(0, max(0.0, gap - 0.3))
        if start + length > seconds - 0.1:
            break
        i = int(start * rate)
        piece = syllable(rng, digit, length, rate) * rng.uniform(*level)
        audio[i:i + len(piece)] += piece
        segments.append((round(start, 3), round(start + len(piece) / rate, 3), digit))
        cursor = start + length + 0.3
    return np.clip(audio, -1, 1), segments


def wav_bytes(samples, rate: int = RATE) -> bytes:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
