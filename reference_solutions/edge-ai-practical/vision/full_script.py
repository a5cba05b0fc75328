"""第 3 题　基础视觉算法应用 — the same answer as full.ipynb, as a script.

The grader imports this file and calls the four functions; the demo below runs
only as `python vision.py`.
"""
import glob
import os

import cv2
from edgeai import face, mask, plate

MIN_SIDE = 60      # 只报告长边 >= 60 像素的人脸
MIN_SCORE = 0.9    # 置信度下限


def detect_faces(img):
    return [f.box for f in face.detect(img, min_size=MIN_SIDE, threshold=MIN_SCORE)]


def classify_mask(img):
    faces = face.detect(img, min_size=MIN_SIDE) or face.detect(img)
    if not faces:
        return "no_mask"
    biggest = max(faces, key=lambda f: f.width * f.height)
    label, _prob = mask.classify(face.align(img, biggest))
    return label


def read_plate(img):
    results = plate.read(img)
    return results[0][1] if results else ""


def model_info():
    fi, mi, pi = face.info(), mask.info(), plate.info()
    rec = pi["recognizer"]
    return {
        "face_onet_input": fi["detector"]["input_sizes"]["onet"][0],
        "face_embedding_dim": int(fi["embedder"]["output"].split()[0]),
        "mask_input_size": mi["input_size"][0],
        "mask_index": mi["labels"].index("mask"),
        "plate_num_classes": rec["num_classes"],
        "plate_input_height": rec["inputs"][0]["shape"][2],
    }


if __name__ == "__main__":
    print(model_info())
    for path in sorted(glob.glob("data/faces/*.jpg")):
        print(os.path.basename(path), detect_faces(cv2.imread(path)))
    for path in sorted(glob.glob("data/masks/*.jpg")):
        print(os.path.basename(path), classify_mask(cv2.imread(path)))
    for path in sorted(glob.glob("data/plates/*.jpg")):
        print(os.path.basename(path), read_plate(cv2.imread(path)))
