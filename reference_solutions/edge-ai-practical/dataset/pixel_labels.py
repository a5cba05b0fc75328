"""第 5 题 数据集制作 —— 错误示例：YOLO 标注写成了像素坐标（没有除以宽、高）。

清洗和报告都正确；标注文件里是 "类别 中心x 中心y 宽 高" 的像素值，
评分程序把它判为格式错误（坐标必须归一化到 0~1）。
处理流程在 `if __name__ == "__main__":` 下，评分程序以 `python dataset.py` 运行它。
"""
import hashlib
import json
import os
import shutil

import cv2
import numpy as np

SRC = os.path.join("data", "images")
OUT = "output"
CLASSES = ["car", "sign", "person"]
BLUR_THRESHOLD = 100.0
HASH_DISTANCE = 5

HUES = {0: [((100, 100, 60), (130, 255, 255))],
        1: [((0, 100, 60), (10, 255, 255)), ((170, 100, 60), (180, 255, 255))],
        2: [((18, 100, 60), (35, 255, 255))]}


def load(path):
    data = np.fromfile(path, np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    return img, data.tobytes()


def dhash(gray):
    small = cv2.resize(gray, (9, 8), interpolation=cv2.INTER_AREA)
    return (small[:, 1:] > small[:, :-1]).flatten()


def detect(img):
    hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
    found = []
    for cls, ranges in HUES.items():
        mask = np.zeros(img.shape[:2], np.uint8)
        for lo, hi in ranges:
            mask |= cv2.inRange(hsv, np.array(lo), np.array(hi))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in contours:
            x, y, w, h = cv2.boundingRect(c)
            if w * h >= 80:
                found.append((cls, x, y, w, h))
    return found


def main():
    names = sorted(os.listdir(SRC))
    os.makedirs(os.path.join(OUT, "clean"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "labels"), exist_ok=True)
    report = {"total": len(names), "corrupt": 0, "duplicate": 0, "blurred": 0, "kept": 0}
    seen, hashes = set(), []
    for name in names:
        img, data = load(os.path.join(SRC, name))
        if img is None:
            report["corrupt"] += 1
            continue
        gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        digest, h = hashlib.md5(data).hexdigest(), dhash(gray)
        if digest in seen or any(int((h != k).sum()) <= HASH_DISTANCE for k in hashes):
            report["duplicate"] += 1
            continue
        seen.add(digest)
        hashes.append(h)
        if cv2.Laplacian(gray, cv2.CV_64F).var() < BLUR_THRESHOLD:
            report["blurred"] += 1
            continue
        shutil.copy(os.path.join(SRC, name), os.path.join(OUT, "clean", name))
        report["kept"] += 1
        with open(os.path.join(OUT, "labels", os.path.splitext(name)[0] + ".txt"), "w") as fh:
            for cls, x, y, w, h in detect(img):
                fh.write(f"{cls} {x + w / 2} {y + h / 2} {w} {h}\n")      # 像素坐标：错误
    with open(os.path.join(OUT, "classes.txt"), "w") as fh:
        fh.write("\n".join(CLASSES) + "\n")
    with open(os.path.join(OUT, "report.json"), "w") as fh:
        json.dump(report, fh, indent=2)
    print(report)


if __name__ == "__main__":
    main()
