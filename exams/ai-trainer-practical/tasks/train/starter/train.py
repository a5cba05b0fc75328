"""Training and testing: split data/ without leakage, train, export output/model.onnx, test, report."""
import csv
import json
from pathlib import Path

import cv2
import numpy as np

DATA, OUT = Path("data"), Path("output")

OUT.mkdir(exist_ok=True)
with open(DATA / "labels.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
x = np.stack([cv2.imread(str(DATA / "pictures" / r["file"]), cv2.IMREAD_GRAYSCALE).reshape(-1)
              for r in rows]).astype(np.float32) / 255.0      # the model input: [N, 1024], grey / 255
y = [r["label"] for r in rows]
# TODO: group the copies, split by group into output/split.csv, train, export output/model.onnx,
#       then output/test_report.json and output/errors.csv from the exported model on the test split
