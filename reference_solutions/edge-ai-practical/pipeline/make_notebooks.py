"""Build the reference submissions of task `pipeline`: python3 make_notebooks.py

full.ipynb is the model answer (the SDK chained as the statement says).
gate.py is another right answer, a script with its own gallery matrix and a
detect + recognize plate reader, its demo under __main__ (written by hand).
The other notebooks are full.ipynb with one realistic mistake each; see
../solutions-pipeline.toml for the scores they earn. Cell ids are fixed, so
running this again rewrites the files byte for byte.
"""
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # edit_text.py, shared by the three builders
from edit_text import swap  # noqa: E402


TITLE = ("# 第 4 题　边缘计算综合应用\n\n"
         "人脸门禁（比对、识别、口罩）与车牌道闸：用 `edgeai` SDK 串联各个模型。")

IMPORTS = """\
import csv
import json
import os
from pathlib import Path

import cv2
import numpy as np
from edgeai import face, mask, plate

DATA = Path('data')
THRESHOLD = face.THRESHOLD      # 0.6: L2 距离小于阈值判为同一人 / below it = same person"""

FEATURE = """\
def main_face(img):
    \"\"\"图中面积最大的人脸；没有人脸时返回 None / the largest face, or None\"\"\"
    faces = face.detect(img)
    if not faces:
        return None
    return max(faces, key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))


def face_feature(img):
    \"\"\"检测 → 对齐 → 128 维特征 / detect -> align -> 128-d embedding\"\"\"
    f = main_face(img)
    if f is None:
        return None
    return face.embed(face.align(img, f))"""

VERIFY = """\
def verify(img_a, img_b):
    \"\"\"两张照片是否同一人 / same person?\"\"\"
    a, b = face_feature(img_a), face_feature(img_b)
    if a is None or b is None:
        return False
    return face.compare(a, b) < THRESHOLD"""

IDENTIFY = """\
def build_gallery(folder):
    \"\"\"底库：{人员编号: 特征} / the gallery: {staff id: embedding}\"\"\"
    gallery = {}
    for path in sorted(Path(folder).glob('*.jpg')):
        vec = face_feature(cv2.imread(str(path)))
        if vec is not None:
            gallery[path.stem] = vec
    return gallery


def identify(img, gallery):
    \"\"\"最近的底库人员；距离不小于阈值时为 'unknown' / nearest staff id, or 'unknown'\"\"\"
    vec = face_feature(img)
    if vec is None or not gallery:
        return 'unknown'
    name, dist = min(((n, face.compare(vec, g)) for n, g in gallery.items()), key=lambda t: t[1])
    return name if dist < THRESHOLD else 'unknown'"""

MASK = """\
def wears_mask(img):
    \"\"\"是否戴口罩 / mask or not\"\"\"
    f = main_face(img)
    if f is None:
        return False
    label, prob = mask.classify(face.align(img, f))
    return label == 'mask'"""

PLATE = """\
def read_plate(img):
    \"\"\"检测 + 识别，返回置信度最高的车牌号 / the best plate's number\"\"\"
    found = plate.read(img)
    return found[0][1] if found else ''"""

CHECK = """\
# 自查：在样例上各跑一两个 / a quick self-check on a few samples
truth = {}
if (DATA / 'sample_answers.json').is_file():
    truth = json.loads((DATA / 'sample_answers.json').read_text(encoding='utf-8'))
with open(DATA / 'pairs.csv', newline='', encoding='utf-8') as fh:
    rows = list(csv.DictReader(fh))[:2]
for r in rows:
    same = verify(cv2.imread(str(DATA / r['image_a'])), cv2.imread(str(DATA / r['image_b'])))
    print('pair', r['pair'], same, truth.get('pairs', {}).get(r['pair']))
gallery = build_gallery(DATA / 'gallery')
for p in sorted((DATA / 'probes').glob('*.jpg'))[:2]:
    print(p.name, identify(cv2.imread(str(p)), gallery), truth.get('probes', {}).get(p.name))
for p in sorted((DATA / 'mask').glob('*.jpg'))[:1]:
    print(p.name, wears_mask(cv2.imread(str(p))), truth.get('mask', {}).get(p.name))
for p in sorted((DATA / 'plates').glob('*.jpg'))[:1]:
    print(p.name, read_plate(cv2.imread(str(p))), truth.get('plates', {}).get(p.name))"""

# "为了安全把阈值调严": 0.3 rejects the same person photographed twice (0.35-0.5)
IMPORTS_STRICT = swap(IMPORTS, (
    "THRESHOLD = face.THRESHOLD      # 0.6: L2 距离小于阈值判为同一人 / below it = same person",
    "THRESHOLD = 0.3                 # 门禁要安全，阈值设严一些 / strict, for safety"))

# the nearest staff id, always: strangers are let in under someone's name
IDENTIFY_NEAREST = swap(IDENTIFY, (
    "    return name if dist < THRESHOLD else 'unknown'", "    return name"))

# "more robust": every scene read at four scales, keeping the most confident plate (about 10x the time)
PLATE_SLOW = """\
def read_plate(img):
    \"\"\"多尺度检测识别，取置信度最高的结果 / read at several scales, keep the most confident\"\"\"
    best, best_conf = '', 0.0
    for scale in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5):
        big = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        for p, text, conf in plate.read(big):
            if conf > best_conf:
                best, best_conf = text, conf
    return best"""

# the recogniser on the whole scene: no detection, no rectification
PLATE_NO_DETECT = """\
def read_plate(img):
    \"\"\"直接识别整张图 / recognise the whole picture\"\"\"
    text, conf = plate.recognize(img)
    return text"""


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for i, src in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(src) if src is TITLE else nbformat.v4.new_code_cell(src)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


VARIANTS = {
    "full": [TITLE, IMPORTS, FEATURE, VERIFY, IDENTIFY, MASK, PLATE, CHECK],
    "strict_threshold": [TITLE, IMPORTS_STRICT, FEATURE, VERIFY, IDENTIFY, MASK, PLATE, CHECK],
    "no_unknown": [TITLE, IMPORTS, FEATURE, VERIFY, IDENTIFY_NEAREST, MASK, PLATE, CHECK],
    "multiscale_slow": [TITLE, IMPORTS, FEATURE, VERIFY, IDENTIFY, MASK, PLATE_SLOW, CHECK],
    "plate_no_detect": [TITLE, IMPORTS, FEATURE, VERIFY, IDENTIFY, MASK, PLATE_NO_DETECT, CHECK],
}

if __name__ == "__main__":
    for name, cells in VARIANTS.items():
        nbformat.write(notebook(cells), HERE / f"{name}.ipynb")
        print("wrote", name + ".ipynb")
