"""Task "text": classify factory work orders and mark their entity spans (JSONL).

out/public/seed.jsonl        the labeled seed set (candidates have it; also in hidden/)
out/public/sentences.jsonl   sample sentences to label (20)
out/public/sample_answer.jsonl   their right labels
out/hidden/seed.jsonl        the same seed set
out/hidden/sentences.jsonl   the grading sentences (200, drawn after the samples)
out/answers/truth.jsonl      their labels and spans
"""
from __future__ import annotations

import json
from pathlib import Path

from gen.lexicon import CLASSES, DEVICES, LOCATIONS, sentence


def _lines(rows) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def draw(rng, n: int, prefix: str, weights=(0.4, 0.2, 0.2, 0.2)) -> list[dict]:
    labels = rng.choice(len(CLASSES), size=n, p=list(weights))
    return [{"id": f"{prefix}{i:04d}", **sentence(rng, CLASSES[int(k)])} for i, k in enumerate(labels)]


def generate(out: Path, rng) -> None:
    seed = draw(rng, 60, "S", weights=(0.25, 0.25, 0.25, 0.25))
    public = draw(rng, 20, "P")
    hidden = draw(rng, 200, "T")
    for part in ("public", "hidden"):
        (out / part / "seed.jsonl").write_text(_lines(seed), encoding="utf-8")
    (out / "public" / "sentences.jsonl").write_text(_lines({"id": r["id"], "text": r["text"]} for r in public),
                                                    encoding="utf-8")
    (out / "public" / "sample_answer.jsonl").write_text(
        _lines({"id": r["id"], "label": r["label"], "entities": r["entities"]} for r in public), encoding="utf-8")
    (out / "hidden" / "sentences.jsonl").write_text(_lines({"id": r["id"], "text": r["text"]} for r in hidden),
                                                    encoding="utf-8")
    (out / "answers" / "truth.jsonl").write_text(_lines(hidden), encoding="utf-8")
    lexicon = {"DEVICE": sorted(DEVICES), "LOC": sorted(LOCATIONS)}
    for part in ("public", "hidden"):
        (out / part / "lexicon.json").write_text(json.dumps(lexicon, ensure_ascii=False, indent=1) + "\n",
                                                 encoding="utf-8")
