"""Data cleaning: find the faulty text lines, pictures and audio clips of data/, log the counts."""
import csv
import json
from pathlib import Path

DATA, OUT = Path("data"), Path("output")

OUT.mkdir(exist_ok=True)
rows = []   # [item, kind] for every faulty item, e.g. ["texts.txt:7", "empty"], ["images/img_003.png", "corrupt"]
lines = (DATA / "texts.txt").read_text(encoding="utf-8").split("\n")[:-1]
# TODO: check every line, picture (data/images/*.png) and clip (data/audio/*.wav) against the specification
with open(OUT / "rejected.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f).writerows([["item", "kind"], *rows])
log = {"text": {"total": len(lines), "kept": len(lines), "removed": {}}, "images": {}, "audio": {}}
(OUT / "cleaning_log.json").write_text(json.dumps(log, indent=1), encoding="utf-8")
