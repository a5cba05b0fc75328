"""Label audit: report the errors of data/labels/, correct them, count."""
import csv
import json
from pathlib import Path

DATA, OUT = Path("data"), Path("output")

(OUT / "corrected").mkdir(parents=True, exist_ok=True)
rows = []   # [file, error] for every error found
for path in sorted((DATA / "images").glob("*.png")):
    labels = (DATA / "labels" / f"{path.stem}.txt").read_text()
    # TODO: check the labels against the picture
    (OUT / "corrected" / f"{path.stem}.txt").write_text(labels)
with open(OUT / "audit.csv", "w", newline="") as f:
    csv.writer(f).writerows([["file", "error"], *rows])
(OUT / "stats.json").write_text(json.dumps({"objects": {}, "errors": {}}))
