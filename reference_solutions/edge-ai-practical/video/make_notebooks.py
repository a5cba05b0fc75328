"""Build the reference notebooks of task `video`: python3 make_notebooks.py

full.ipynb is the model answer; the others are the same notebook with one
realistic mistake each (see solutions-video.toml for the scores they earn).
Cell ids are fixed, so running this again rewrites the files byte for byte.
"""
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent

TITLE = "# 第 1 题　图像与视频数据处理\n\n读取 `data/clip.mp4`，抽帧、统计亮度、找出闪光帧、输出灰度视频。"

IMPORTS = """\
import csv
import json
import os

import cv2
import numpy as np

os.makedirs('output/frames', exist_ok=True)"""

FUNCTIONS = """\
def mean_brightness(frame):
    \"\"\"BGR 帧转灰度后的平均亮度\"\"\"
    gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return float(gray.mean())


def find_flash(values):
    \"\"\"亮度比前一帧升高最多的帧号\"\"\"
    jumps = [values[i] - values[i - 1] for i in range(1, len(values))]
    return int(np.argmax(jumps)) + 1"""

READ = """\
cap = cv2.VideoCapture('data/clip.mp4')
fps = cap.get(cv2.CAP_PROP_FPS)
frames = []
while True:
    ok, frame = cap.read()
    if not ok:
        break
    frames.append(frame)
cap.release()
height, width = frames[0].shape[:2]
print(len(frames), 'frames,', fps, 'fps,', width, 'x', height)"""

READ_RGB = READ.replace("    frames.append(frame)",
                        "    frame = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)   # 转成 RGB 方便显示\n"
                        "    frames.append(frame)")

SAMPLE = """\
for i in range(0, len(frames), 5):
    small = cv2.resize(frames[i], (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    cv2.imwrite(f'output/frames/frame_{i:04d}.png', small)
print(len(os.listdir('output/frames')), 'frames saved')"""

SAMPLE_OFF_BY_ONE = SAMPLE.replace("range(0, len(frames), 5)", "range(1, len(frames) + 1, 5)") \
                          .replace("frames[i]", "frames[i - 1]")

BRIGHTNESS = """\
values = [mean_brightness(f) for f in frames]
with open('output/brightness.csv', 'w', newline='') as fh:
    writer = csv.writer(fh)
    writer.writerow(['frame', 'brightness'])
    for i, v in enumerate(values):
        writer.writerow([i, f'{v:.2f}'])
flash = find_flash(values)
print('flash at frame', flash)"""

# reads the video again without checking `ok`: cvtColor gets None after the last frame
BRIGHTNESS_CRASH = """\
cap = cv2.VideoCapture('data/clip.mp4')
values = []
while True:
    ok, frame = cap.read()
    values.append(mean_brightness(frame))
with open('output/brightness.csv', 'w', newline='') as fh:
    writer = csv.writer(fh)
    writer.writerow(['frame', 'brightness'])
    for i, v in enumerate(values):
        writer.writerow([i, f'{v:.2f}'])
flash = find_flash(values)
print('flash at frame', flash)"""

SUMMARY = """\
summary = {'frame_count': len(frames), 'fps': fps, 'width': width, 'height': height,
           'flash_frame': flash}
with open('output/summary.json', 'w') as fh:
    json.dump(summary, fh, indent=1)
summary"""

GRAY = """\
writer = cv2.VideoWriter('output/gray.mp4', cv2.VideoWriter_fourcc(*'mp4v'), fps, (width, height))
for f in frames:
    gray = cv2.cvtColor(f, cv2.COLOR_BGR2GRAY)
    writer.write(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
writer.release()
print('gray video written')"""


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for i, src in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(src) if src.startswith("#") else nbformat.v4.new_code_cell(src)
        cell["id"] = f"cell-{i:02d}"
        nb.cells.append(cell)
    return nb


VARIANTS = {
    "full": [TITLE, IMPORTS, FUNCTIONS, READ, SAMPLE, BRIGHTNESS, SUMMARY, GRAY],
    "off_by_one": [TITLE, IMPORTS, FUNCTIONS, READ, SAMPLE_OFF_BY_ONE, BRIGHTNESS, SUMMARY, GRAY],
    "rgb_swap": [TITLE, IMPORTS, FUNCTIONS, READ_RGB, SAMPLE, BRIGHTNESS, SUMMARY, GRAY],
    "crash_halfway": [TITLE, IMPORTS, FUNCTIONS, READ, SAMPLE, BRIGHTNESS_CRASH, SUMMARY, GRAY],
}

if __name__ == "__main__":
    for name, cells in VARIANTS.items():
        nbformat.write(notebook(cells), HERE / f"{name}.ipynb")
        print("wrote", name + ".ipynb")
