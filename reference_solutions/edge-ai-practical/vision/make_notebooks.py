"""Build the reference submissions of task `vision`: python3 make_notebooks.py

full.ipynb is the model answer (edgeai face / mask / plate as the statement asks);
full_script.py is the same answer as a script with its demo under __main__.
The other files are full.ipynb with one realistic mistake each; see
../solutions-vision.toml for the scores they earn. Cell ids are fixed, so
running this again rewrites the files byte for byte.
"""
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))   # edit_text.py, shared by the three builders
from edit_text import swap  # noqa: E402


TITLE = ("# 第 3 题　基础视觉算法应用\n\n"
         "用 edgeai SDK 完成人脸检测、口罩识别、车牌识别，并读取模型参数。")

IMPORTS = """\
import glob
import json
import os

import cv2
import numpy as np
from edgeai import face, mask, plate

MIN_SIDE = 60      # 只报告长边 >= 60 像素的人脸 / faces whose longer box side is >= 60 px
MIN_SCORE = 0.9    # 置信度下限 / minimum detector confidence"""

FACES = """\
def detect_faces(img):
    \"\"\"[(x1, y1, x2, y2), ...]：近处的人脸（长边 >= 60 像素，置信度 >= 0.9）\"\"\"
    return [f.box for f in face.detect(img, min_size=MIN_SIDE, threshold=MIN_SCORE)]"""

FACES_DEMO = """\
os.makedirs('output', exist_ok=True)
for path in sorted(glob.glob('data/faces/*.jpg')):
    img = cv2.imread(path)
    boxes = detect_faces(img)
    for x1, y1, x2, y2 in boxes:
        cv2.rectangle(img, (x1, y1), (x2, y2), (0, 0, 255), 2)
    cv2.imwrite(os.path.join('output', os.path.basename(path)), img)
    print(os.path.basename(path), len(boxes))"""

MASKS = """\
def classify_mask(img):
    \"\"\"'mask' 或 'no_mask'：图中最大的那张人脸是否戴口罩\"\"\"
    faces = face.detect(img, min_size=MIN_SIDE) or face.detect(img)
    if not faces:
        return 'no_mask'
    f = max(faces, key=lambda f: f.width * f.height)
    label, prob = mask.classify(face.align(img, f))
    return label"""

PLATES = """\
def read_plate(img):
    \"\"\"车牌号，如 '京A12345'；没有车牌时返回 ''\"\"\"
    results = plate.read(img)          # [(Plate, text, confidence)]，置信度高的在前
    if not results:
        return ''
    p, text, conf = results[0]
    return text"""

MODEL_INFO = """\
def model_info():
    fi, mi, pi = face.info(), mask.info(), plate.info()
    return {
        'face_onet_input': fi['detector']['input_sizes']['onet'][0],
        'face_embedding_dim': int(fi['embedder']['output'].split()[0]),
        'mask_input_size': mi['input_size'][0],
        'mask_index': mi['labels'].index('mask'),
        'plate_num_classes': pi['recognizer']['num_classes'],
        'plate_input_height': pi['recognizer']['inputs'][0]['shape'][2],
    }


print(model_info())"""

CHECK = """\
# 用样例答案自查（评分时没有这个文件）/ self-check on the samples (absent when grading)
if os.path.exists('data/sample_answer.json'):
    with open('data/sample_answer.json', encoding='utf-8') as fh:
        sample = json.load(fh)
    n = sum(len(detect_faces(cv2.imread('data/faces/' + k))) == len(v) for k, v in sample['faces'].items())
    print('faces counted right:', n, '/', len(sample['faces']))
    n = sum(classify_mask(cv2.imread('data/masks/' + k)) == v for k, v in sample['masks'].items())
    print('masks right:', n, '/', len(sample['masks']))
    n = sum(read_plate(cv2.imread('data/plates/' + k)) == v for k, v in sample['plates'].items())
    print('plates right:', n, '/', len(sample['plates']))"""

# the SDK's defaults (min_size 20, threshold 0.7) also report the far-away faces
FACES_DEFAULT = swap(FACES, ("face.detect(img, min_size=MIN_SIDE, threshold=MIN_SCORE)", "face.detect(img)"))

# the mask model run by hand with onnxruntime, its two outputs taken the wrong way round
MASKS_SWAPPED = """\
import onnxruntime as ort

sess = ort.InferenceSession(mask.info()['file'], providers=['CPUExecutionProvider'])
LABELS = ['mask', 'no_mask']           # 模型输出的顺序（记错了）/ the output order, misremembered


def classify_mask(img):
    faces = face.detect(img, min_size=MIN_SIDE) or face.detect(img)
    if not faces:
        return 'no_mask'
    f = max(faces, key=lambda f: f.width * f.height)
    x = cv2.resize(face.align(img, f), (64, 64)).transpose(2, 0, 1)[None].astype(np.float32)
    probs = sess.run(None, {sess.get_inputs()[0].name: x})[0][0]
    return LABELS[int(probs.argmax())]"""
MODEL_INFO_SWAPPED = swap(MODEL_INFO, ("mi['labels'].index('mask')", "LABELS.index('mask')"))

# takes the first plate without asking whether there is one: IndexError on plate-free scenes
PLATES_CRASH = """\
def read_plate(img):
    p, text, conf = plate.read(img)[0]
    return text"""

# the model opened by the file name in the documentation's table, not mask.info()['file']:
# the cell stops at the first line, so neither LABELS nor classify_mask is ever defined,
# and model_info, which uses LABELS, fails when it is called
MASKS_CRASH = swap(MASKS_SWAPPED, (
    "sess = ort.InferenceSession(mask.info()['file'], providers=['CPUExecutionProvider'])",
    "sess = ort.InferenceSession('mask.onnx', providers=['CPUExecutionProvider'])"), (
    "LABELS = ['mask', 'no_mask']           # 模型输出的顺序（记错了）/ the output order, misremembered",
    "LABELS = list(mask.LABELS)             # ['no_mask', 'mask']"))

VARIANTS = {
    "full": [TITLE, IMPORTS, FACES, FACES_DEMO, MASKS, PLATES, MODEL_INFO, CHECK],
    "face_defaults": [TITLE, IMPORTS, FACES_DEFAULT, FACES_DEMO, MASKS, PLATES, MODEL_INFO, CHECK],
    "mask_labels_swapped": [TITLE, IMPORTS, FACES, FACES_DEMO, MASKS_SWAPPED, PLATES, MODEL_INFO_SWAPPED, CHECK],
    "plate_no_check": [TITLE, IMPORTS, FACES, FACES_DEMO, MASKS, PLATES_CRASH, MODEL_INFO],
    "crash_halfway": [TITLE, IMPORTS, FACES, FACES_DEMO, MASKS_CRASH, PLATES, MODEL_INFO_SWAPPED, CHECK],
}


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for i, src in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(src) if src is TITLE else nbformat.v4.new_code_cell(src)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


if __name__ == "__main__":
    for name, cells in VARIANTS.items():
        nbformat.write(notebook(cells), HERE / f"{name}.ipynb")
        print("wrote", name + ".ipynb")
