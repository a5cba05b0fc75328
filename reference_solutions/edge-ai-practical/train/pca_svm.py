"""第 6 题 深度学习工程应用 — 另一种解法：标准化 + PCA 降到 60 维 + RBF 支持向量机。

Another right answer, as a script: StandardScaler + PCA(60) + SVC. PCA keeps the
model small and fast (the SVM's cost grows with its support vectors times the
input size). The work sits under __main__, so the grader runs `python train.py`.
"""
import json
import os
import zipfile

import cv2
import numpy as np
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC


def load(root):
    classes = sorted(os.listdir(root))
    xs, ys = [], []
    for k, name in enumerate(classes):
        for file in sorted(os.listdir(os.path.join(root, name))):
            img = cv2.imread(os.path.join(root, name, file), cv2.IMREAD_GRAYSCALE)
            xs.append(img.reshape(-1))
            ys.append(k)
    return classes, np.array(xs, dtype=np.float32) / 255.0, np.array(ys)


def main():
    with zipfile.ZipFile("data/train.zip") as zf:
        zf.extractall("dataset")              # dataset/train/<class>/NNNN.png
    classes, x, y = load("dataset/train")
    x_tr, x_val, y_tr, y_val = train_test_split(x, y, test_size=0.2, stratify=y, random_state=1)
    model = make_pipeline(StandardScaler(), PCA(n_components=60, random_state=0), SVC(C=10, gamma="scale"))
    model.fit(x_tr, y_tr)
    val_acc = float((model.predict(x_val) == y_val).mean())
    print(f"validation accuracy {val_acc:.3f}")
    os.makedirs("output", exist_ok=True)
    onx = convert_sklearn(model, initial_types=[("input", FloatTensorType([None, 1024]))], target_opset=17)
    with open("output/model.onnx", "wb") as fh:
        fh.write(onx.SerializeToString())
    with open("output/classes.json", "w", encoding="utf-8") as fh:
        json.dump(classes, fh)
    with open("output/report.json", "w", encoding="utf-8") as fh:
        json.dump({"val_accuracy": round(val_acc, 4), "model": "StandardScaler + PCA(60) + SVC(C=10)",
                   "support_vectors": int(model[-1].support_vectors_.shape[0])}, fh)


if __name__ == "__main__":
    main()
