"""Text labeling: label every line of data/sentences.jsonl into output/labels.jsonl."""
import json
from pathlib import Path

DATA, OUT = Path("data"), Path("output")


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


seed = read_jsonl(DATA / "seed.jsonl")
sentences = read_jsonl(DATA / "sentences.jsonl")
lexicon = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))

OUT.mkdir(exist_ok=True)
with open(OUT / "labels.jsonl", "w", encoding="utf-8") as f:
    for s in sentences:
        row = {"id": s["id"], "label": "fault", "entities": []}   # TODO
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
