"""停车场道闸：车牌类型批量识别服务。

读取一个目录中的车牌图片（.jpg / .jpeg / .png），用 ONNX 模型识别车牌类型，
把结果写成 CSV 文件（表头 file,type,score）。

    python app.py --input data/images --output results.csv
"""
import argparse
import csv
import logging
import os
import sys
import time

import cv2

from classifier import PlateClassifier

IMAGE_EXTS = (".jpg", ".jpeg", ".png")
log = logging.getLogger("plate_service")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="车牌类型批量识别 / batch plate-type recognition")
    p.add_argument("--input", required=True, help="图片目录 / folder of plate pictures")
    p.add_argument("--output", required=True, help="结果 CSV 文件 / result CSV file")
    p.add_argument("--model", default="data/model.onnx", help="ONNX 模型 / the ONNX model")
    p.add_argument("--labels", default="data/labels.txt", help="类别文件 / class names, one a line")
    return p.parse_args(argv)


def list_images(folder):
    return sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTS))


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not os.path.isdir(args.input):
        print("输入目录不存在:", args.input)
        return
    clf = PlateClassifier(args.model, args.labels)
    names = list_images(args.input)
    t0 = time.time()
    rows = []
    for name in names:
        img = cv2.imread(os.path.join(args.input, name))
        plate_type, score = clf.predict(img)
        rows.append((name, plate_type, f"{score:.4f}"))
    with open(args.output, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "type", "score"])
        writer.writerows(rows)
    log.info("%d 张图片，识别 %d 张，用时 %.2f s", len(names), len(rows), time.time() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
