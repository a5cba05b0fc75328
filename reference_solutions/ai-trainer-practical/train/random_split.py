"""Flawed: the pictures are split one by one at random; copies of one capture land on both sides."""
import csv
import json
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

DATA, OUT = Path("data"), Path("output")


def load():
    with open(DATA / "labels.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    x = np.stack([cv2.imread(str(DATA / "pictures" / r["file"]), cv2.IMREAD_GRAYSCALE).reshape(-1)
                  for r in rows]).astype(np.float32) / 255.0
    return [r["file"] for r in rows], x, np.array([r["label"] for r in rows])


def groups(x):
    """Union of the pictures closer than 4 grey levels (of 255) on average: one capture."""
    parent = list(range(len(x)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(x) - 1):
        for j in np.nonzero(np.abs(x[i + 1:] - x[i]).mean(axis=1) * 255 < 4)[0]:
            parent[root(i + 1 + int(j))] = root(i)
    return [root(i) for i in range(len(x))]


def split(group_of, share=0.2, seed=0):
    ids = sorted(set(group_of))
    np.random.default_rng(seed).shuffle(ids)
    test, size = set(), 0
    for g in ids:
        if size >= share * len(group_of):
            break
        test.add(g)
        size += group_of.count(g)
    return np.array([g in test for g in group_of])


def main():
    OUT.mkdir(exist_ok=True)
    names, x, y = load()
    is_test = split(list(range(len(x))))
    with open(OUT / "split.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "set"])
        w.writerows([n, "test" if t else "train"] for n, t in zip(names, is_test))
    model = make_pipeline(StandardScaler(), SVC(kernel="linear")).fit(x[~is_test], y[~is_test])
    onx = to_onnx(model, initial_types=[("pixels", FloatTensorType([None, x.shape[1]]))],
                  options={id(model.steps[-1][1]): {"zipmap": False}})
    (OUT / "model.onnx").write_bytes(onx.SerializeToString())
    session = ort.InferenceSession(str(OUT / "model.onnx"), providers=["CPUExecutionProvider"])
    pred = session.run(None, {session.get_inputs()[0].name: x[is_test]})[0]
    truth = y[is_test]
    classes = sorted(set(y))
    confusion = [[int(np.sum((truth == t) & (pred == p))) for p in classes] for t in classes]
    per_class = {}
    for i, c in enumerate(classes):
        predicted, actual = sum(row[i] for row in confusion), sum(confusion[i])
        per_class[c] = {"precision": confusion[i][i] / predicted if predicted else 0.0,
                        "recall": confusion[i][i] / actual if actual else 0.0}
    report = {"classes": classes, "confusion": confusion, "accuracy": float(np.mean(pred == truth)),
              "per_class": per_class, "model": "StandardScaler + linear SVM"}
    (OUT / "test_report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    with open(OUT / "errors.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "true", "predicted"])
        test_names = [n for n, t in zip(names, is_test) if t]
        w.writerows([n, t, p] for n, t, p in zip(test_names, truth, pred) if t != p)


if __name__ == "__main__":
    main()
