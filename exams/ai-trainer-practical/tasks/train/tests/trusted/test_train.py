"""Training and testing, judged beside the answers; no candidate code runs here.

The split is checked against the captures (copies of one picture must stay on one side);
the exported model is loaded as data (rubric.read_onnx) and run on the hidden test set and
on the candidate's own test split, whose pictures the judge keeps, so the test report's
confusion matrix, per-class figures and error cases are recomputed, not believed.
Messages give counts and figures, never a picture's class."""
import json

import numpy as np
import pytest

from practicum import rubric

CLASSES = ("bottle", "can", "box", "ring")
FEATURES = 32 * 32
SMALL = 256 * 1024
INPUT = "one float32 input [N, 1024] (grey / 255, row by row)"
INPUT_ZH = "一个 float32 输入 [N, 1024]（灰度 / 255，按行展平）"


class Judged:
    """What the judge found, computed once per judge run: the split, the model's predictions."""

    def __init__(self, answers_dir, outputs):
        with np.load(answers_dir / "pictures.npz") as d:
            self.names = [str(n) for n in d["names"]]
            self.pixels = dict(zip(self.names, d["images"]))
            self.labels = dict(zip(self.names, (str(v) for v in d["labels"])))
        with np.load(answers_dir / "test.npz") as d:
            self.test_x, self.test_y = _inputs(d["images"]), [str(v) for v in d["labels"]]
        self.captures = json.loads((answers_dir / "captures.json").read_text(encoding="utf-8"))
        self.outputs = outputs
        self.split, self.split_problem = self._split()
        self.predict, self.model_problem = self._model()

    def _split(self):
        try:
            rows = rubric.read_csv(self.outputs, "output/split.csv", max_bytes=SMALL, columns=("file", "set"))
        except rubric.Unreadable as exc:
            return None, exc.texts
        split = {}
        for line, r in enumerate(rows, 2):
            if r["file"] not in self.labels or r["set"] not in ("train", "test") or r["file"] in split:
                return None, {"en": f"split.csv line {line}: file must be a picture of data/labels.csv, listed once, "
                                    "and set train or test",
                              "zh": f"split.csv 第 {line} 行：file 必须是 data/labels.csv 中的图片且只列一次，"
                                    "set 必须是 train 或 test"}
            split[r["file"]] = r["set"]
        if len(split) != len(self.labels):
            return None, {"en": f"split.csv lists {len(split)} of the {len(self.labels)} pictures; every one belongs "
                                "to train or test",
                          "zh": f"split.csv 列出了 {len(self.labels)} 张图片中的 {len(split)} 张；每张都应属于 train 或 test"}
        return split, None

    def _model(self):
        try:
            session = rubric.read_onnx(self.outputs, "output/model.onnx", max_bytes=32 * 1024 * 1024)
        except rubric.Unreadable as exc:
            return None, exc.texts
        inputs = session.get_inputs()
        shape = list(inputs[0].shape or []) if len(inputs) == 1 else []
        if len(inputs) != 1 or inputs[0].type != "tensor(float)" or len(shape) != 2 or shape[1] != FEATURES \
                or (isinstance(shape[0], int) and shape[0] > 0):
            got = ", ".join(f"{i.type} {i.shape}" for i in inputs)
            return None, {"en": f"the model's input is {got}; it must be {INPUT}, the batch size N left open",
                          "zh": f"模型的输入为 {got}；必须是{INPUT_ZH}，批大小 N 不固定"}
        out = session.get_outputs()[0]
        classes = None
        if out.type != "tensor(string)":
            try:
                classes = rubric.read_json(self.outputs, "output/classes.json", max_bytes=SMALL)
            except rubric.Unreadable as exc:
                return None, {"en": f"the model's first output is {out.type}, so its classes need naming: {exc.texts['en']}",
                              "zh": f"模型的第一个输出为 {out.type}，需要给出类别名：{exc.texts['zh']}"}
            if not isinstance(classes, list) or sorted(map(str, classes)) != sorted(CLASSES):
                return None, {"en": "output/classes.json must list the 4 class names in the order of the model's outputs",
                              "zh": "output/classes.json 必须按模型输出的顺序列出 4 个类别名"}

        def predict(x):
            value = np.asarray(session.run([out.name], {inputs[0].name: x})[0])
            if value.ndim == 2 and value.shape[1] == len(CLASSES) and value.dtype.kind == "f":
                value = value.argmax(axis=1)
            value = value.reshape(-1)
            if len(value) != len(x):
                raise ValueError(f"{len(value)} predictions for {len(x)} pictures")
            if classes is None:
                return [v.decode() if isinstance(v, bytes) else str(v) for v in value]
            return [str(classes[int(v)]) if 0 <= int(v) < len(classes) else "?" for v in value]

        def checked(x):
            try:
                return predict(x)
            except Exception as exc:   # onnxruntime's errors, a bad output
                reason = " ".join(str(exc).split())[:160] or type(exc).__name__
                rubric.fail(f"the model does not run on {len(x)} pictures: {reason}",
                            zh=f"模型无法在 {len(x)} 张图片上运行：{reason}")

        try:
            checked(self.test_x[:2])
        except rubric.Fail as exc:
            return None, exc.texts
        return checked, None

    def test_side(self):
        """(names, true classes, predicted classes) of the candidate's test split."""
        names = [n for n in self.names if self.split[n] == "test"]
        pred = self.predict(_inputs(np.stack([self.pixels[n] for n in names]))) if names else []
        return names, [self.labels[n] for n in names], pred


def _inputs(images) -> np.ndarray:
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


_CACHE = {}


@pytest.fixture
def judged(answers_dir, candidate_outputs) -> Judged:
    key = (str(answers_dir), str(candidate_outputs))
    if key not in _CACHE:
        _CACHE[key] = Judged(answers_dir, candidate_outputs)
    return _CACHE[key]


def fail_with(problem):
    rubric.fail(problem["en"], zh=problem["zh"])


def report_and_side(judged):
    """The candidate's report and the judge's own figures of its test split."""
    for problem in (judged.split_problem, judged.model_problem):
        if problem:
            fail_with({"en": "cannot be recomputed: " + problem["en"], "zh": "无法重新计算：" + problem["zh"]})
    report = rubric.read_json(judged.outputs, "output/test_report.json", max_bytes=SMALL)
    order = report.get("classes") if isinstance(report, dict) else None
    if not isinstance(order, list) or sorted(map(str, order)) != sorted(CLASSES):
        rubric.fail('test_report.json needs "classes": the 4 class names, the order of the confusion matrix',
                    zh='test_report.json 需要 "classes"：4 个类别名，即混淆矩阵的顺序')
    names, truth, pred = judged.test_side()
    index = {c: i for i, c in enumerate(order)}
    confusion = [[0] * len(order) for _ in order]
    for t, p in zip(truth, pred):
        if p in index:
            confusion[index[t]][index[p]] += 1
    return report, order, confusion, names, truth, pred


@pytest.mark.points(3)
def test_split(judged):
    """output/split.csv: every picture in train or test, 15-40% test (1); no capture's copies on both sides (2)
    zh: output/split.csv：每张图片属于 train 或 test，测试集占 15–40%（1 分）；同一拍摄的副本不跨两侧（2 分）
    """
    if judged.split_problem:
        fail_with(judged.split_problem)
    split = judged.split
    share = sum(1 for s in split.values() if s == "test") / len(split)
    sides = {}
    for name, side in split.items():
        sides.setdefault(judged.captures[name], set()).add(side)
    straddling = sum(1 for s in sides.values() if len(s) == 2)
    share_ok = 0.15 <= share <= 0.40
    notes, notes_zh = [], []
    if not share_ok:
        notes.append(f"the test set is {share:.0%} of the pictures, not 15-40%")
        notes_zh.append(f"测试集占全部图片的 {share:.0%}，不在 15–40% 之间")
    if straddling:
        notes.append(f"{straddling} captures have copies (near-duplicates) on both sides: the test set holds "
                     "pictures the model was trained on")
        notes_zh.append(f"{straddling} 个拍摄的副本（近似重复）分在了两侧：测试集里有模型训练过的图片")
    fraction = (share_ok + 2 * (not straddling)) / 3
    if fraction == 1:
        return
    if fraction == 0:
        rubric.fail("; ".join(notes), zh="；".join(notes_zh))
    rubric.partial(fraction, "; ".join(notes), zh="；".join(notes_zh))


@pytest.mark.points(2)
def test_model_signature(judged):
    """output/model.onnx loads in onnxruntime, takes float32 [N, 1024] and gives a class per picture
    zh: output/model.onnx 能由 onnxruntime 加载，输入 float32 [N, 1024]，每张图片给出一个类别
    """
    if judged.model_problem:
        fail_with(judged.model_problem)


@pytest.mark.points(6)
@pytest.mark.timeout(60)
def test_hidden_accuracy(judged):
    """accuracy on the hidden test pictures, in onnxruntime (>= 0.85 full marks, >= 0.70 half)
    zh: 在 onnxruntime 中、隐藏测试图片上的准确率（≥ 0.85 满分，≥ 0.70 得一半）
    """
    if judged.model_problem:
        fail_with(judged.model_problem)
    pred = judged.predict(judged.test_x)
    acc = sum(p == t for p, t in zip(pred, judged.test_y)) / len(pred)
    rubric.band(acc, {0.85: 1.0, 0.70: 0.5}, what="hidden test accuracy", what_zh="隐藏测试集准确率",
                detail=f" ({len(pred)} pictures)", detail_zh=f"（{len(pred)} 张图片）")


@pytest.mark.points(3)
def test_confusion_matrix(judged):
    """output/test_report.json: the confusion matrix and accuracy of the model on the test split, as recomputed
    zh: output/test_report.json：模型在测试集上的混淆矩阵与准确率，与重新计算的一致
    """
    report, _, confusion, names, truth, pred = report_and_side(judged)
    acc = sum(p == t for p, t in zip(pred, truth)) / len(names) if names else 0.0
    theirs = report.get("confusion")
    rubric.check(theirs == confusion, f"the confusion matrix differs from the model's on the {len(names)} pictures "
                 "of the test split (rows: true class, columns: predicted, in the order of \"classes\")",
                 zh=f"混淆矩阵与模型在测试集 {len(names)} 张图片上的结果不一致（行为真实类别，列为预测类别，"
                    "顺序同 \"classes\"）")
    value = report.get("accuracy")
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value - acc) <= 0.005
    rubric.check(ok, f"accuracy {value!r} is not the model's on the test split (recomputed: {acc:.3f})",
                 zh=f"accuracy {value!r} 不是模型在测试集上的准确率（重新计算为 {acc:.3f}）")


@pytest.mark.points(1)
def test_per_class(judged):
    """output/test_report.json: precision and recall of every class, within 0.01 of the recomputed ones
    zh: output/test_report.json：每个类别的精确率与召回率，与重新计算的相差不超过 0.01
    """
    report, order, confusion, *_ = report_and_side(judged)
    given = report.get("per_class")
    wrong = []
    for i, cls in enumerate(order):
        predicted = sum(row[i] for row in confusion)
        actual = sum(confusion[i])
        want = {"precision": confusion[i][i] / predicted if predicted else 0.0,
                "recall": confusion[i][i] / actual if actual else 0.0}
        got = given.get(cls) if isinstance(given, dict) else None
        for key, value in want.items():
            v = got.get(key) if isinstance(got, dict) else None
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v - value) <= 0.01):
                wrong.append(f"{cls} {key}")
    rubric.check(not wrong, f"not the model's figures on the test split: {', '.join(wrong)}",
                 zh=f"与模型在测试集上的结果不一致：{'、'.join(wrong)}")


@pytest.mark.points(1)
def test_error_cases(judged):
    """output/errors.csv: exactly the test pictures the model gets wrong, with true and predicted class
    zh: output/errors.csv：恰好是模型判错的测试图片，并给出真实类别与预测类别
    """
    _, _, _, names, truth, pred = report_and_side(judged)
    wrong = {(n, t, p) for n, t, p in zip(names, truth, pred) if t != p}
    rows = rubric.read_csv(judged.outputs, "output/errors.csv", max_bytes=SMALL, columns=("file", "true", "predicted"))
    listed = {(r["file"], r["true"], r["predicted"]) for r in rows}
    rubric.check(listed == wrong, f"errors.csv lists {len(listed & wrong)} of the {len(wrong)} error cases of the "
                 f"test split, and {len(listed - wrong)} rows that are not",
                 zh=f"errors.csv 列出了测试集 {len(wrong)} 个错误样例中的 {len(listed & wrong)} 个，"
                    f"另有 {len(listed - wrong)} 行不是错误样例")
