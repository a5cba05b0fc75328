"""Deep learning engineering, judged beside the answers: no candidate code runs here.

The candidate's output/model.onnx is data: it is read with a size cap, never
through a link, refused when it keeps weights in external files (they could
point at files of this sandbox), and run by onnxruntime on the hidden test
pictures, which never enter the candidate's sandbox. Messages give figures
(accuracy, per-class accuracy, sizes, times), never a picture's label.
"""
import math
from pathlib import Path

import numpy as np
import pytest

from practicum import rubric

CLASSES = ("stop", "yield", "warning", "no_entry", "priority")
FEATURES = 32 * 32
MAX_MODEL = 60 * 1024 * 1024          # the output folder holds 64 MB in all
MAX_SMALL = 64 * 1024
DEPLOY_ACCURACY = 0.85                # size and speed count only for a model this good
SIZE_MB = {5.0: 1.0, 8.0: 0.5}
LATENCY_PICTURES = 100
EXPECTED_INPUT = "float32 [N, 1024] (a 32x32 grey picture / 255, flattened row by row)"
EXPECTED_INPUT_ZH = "float32 [N, 1024]（32x32 的灰度图除以 255，按行展平）"


class Text(str):
    """An English text (the str itself) that carries its Chinese form in `.zh`."""

    def __new__(cls, en, zh):
        self = super().__new__(cls, en)
        self.zh = zh
        return self


class ModelError(ValueError):
    """Why the model gives no prediction, in English (the message) and Chinese (`.zh`)."""

    def __init__(self, message, zh):
        super().__init__(message)
        self.zh = zh


# the candidate's files are read through rubric.read_* (no links, capped sizes)
def unreadable(exc: rubric.Unreadable) -> Text:
    """The reader's reason, with the file's name, as a Text."""
    return Text(exc.texts["en"], exc.texts.get("zh", exc.texts["en"]))


def _quote(text, limit=30):
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[:limit] + "…")


# -- the model, loaded once per judge run --------------------------------------
def _external_tensors(graph, onnx) -> bool:
    """True when any tensor of the graph (or a subgraph) keeps its data in a file."""
    ext = onnx.TensorProto.EXTERNAL
    tensors = list(graph.initializer)
    tensors += [t for s in graph.sparse_initializer for t in (s.values, s.indices)]
    for node in graph.node:
        for a in node.attribute:
            tensors += [a.t] if a.HasField("t") else []
            tensors += list(a.tensors)
            if a.HasField("sparse_tensor"):
                tensors += [a.sparse_tensor.values, a.sparse_tensor.indices]
            subgraphs = ([a.g] if a.HasField("g") else []) + list(a.graphs)
            if any(_external_tensors(g, onnx) for g in subgraphs):
                return True
    return any(t.data_location == ext for t in tensors)


def _dims(shape):
    return ["N" if not isinstance(d, int) or d < 0 else d for d in (shape or [])]


def _shape_text(shape):
    return "[" + ", ".join(str(d) for d in _dims(shape)) + "]"


def session_of(data: bytes):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])


class Model:
    """What the judge found out about the candidate's model; `problem` when it cannot run."""

    def __init__(self, out_root: Path, out: Path):
        self.problem = None        # why no prediction can be made
        self.input_problem = None  # the input does not follow the statement
        self.output_problem = None
        self.batch_fixed = False
        self.size = None
        self.session = None
        self.classes = None
        self.classes_problem = None
        self._load_classes(out_root, out)
        self._load(out_root, out)

    def _load(self, root, out):
        try:
            data = rubric.read_bytes(root, "output/model.onnx", max_bytes=MAX_MODEL)
        except rubric.Unreadable as exc:
            self.problem = unreadable(exc)
            return
        self.size = len(data)
        try:
            import onnx
            proto = onnx.load_model_from_string(data)
        except Exception as exc:   # a damaged or foreign file
            self.problem = Text(f"output/model.onnx is not an ONNX model ({type(exc).__name__})",
                                f"output/model.onnx 不是 ONNX 模型（{type(exc).__name__}）")
            return
        if _external_tensors(proto.graph, onnx) or any(
                _external_tensors(onnx.GraphProto(node=f.node), onnx) for f in proto.functions):
            self.problem = Text("output/model.onnx keeps its weights in separate files: save the whole model "
                                "in one .onnx file (onnx.save without save_as_external_data)",
                                "output/model.onnx 把权重存放在单独的文件里：请把整个模型保存在一个 .onnx 文件中"
                                "（使用 onnx.save，不要用 save_as_external_data）")
            return
        try:
            self.session = session_of(data)
        except Exception as exc:
            reason = _quote(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 160)
            self.problem = Text(f"onnxruntime cannot load output/model.onnx: {reason}",
                                f"onnxruntime 无法加载 output/model.onnx：{reason}")
            return
        self._check_input()
        self._check_output()

    def _load_classes(self, root, out):
        try:
            value = rubric.read_json(root, "output/classes.json", max_bytes=MAX_SMALL)
        except rubric.Unreadable as exc:
            self.classes_problem = unreadable(exc)
            return
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            self.classes_problem = Text('output/classes.json must be a JSON list of class names, e.g. ["stop", ...]',
                                        'output/classes.json 必须是类别名组成的 JSON 列表，例如 ["stop", ...]')
            return
        if sorted(value) != sorted(CLASSES):
            self.classes_problem = Text("output/classes.json must list the 5 class names (the folders in train.zip), "
                                        "each once, in the order of the model's outputs",
                                        "output/classes.json 必须按模型输出的顺序列出 5 个类别名"
                                        "（即 train.zip 中的文件夹名），每个只出现一次")
            return
        self.classes = value

    def _check_input(self):
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            self.input_problem = Text(f"the model has {len(inputs)} inputs; it must have one, {EXPECTED_INPUT}",
                                      f"模型有 {len(inputs)} 个输入；必须只有一个：{EXPECTED_INPUT_ZH}")
            self.problem = self.input_problem
            return
        inp = inputs[0]
        self.input_name = inp.name
        shape = list(inp.shape or [])
        if inp.type != "tensor(float)":
            kind = inp.type.replace("tensor(", "").rstrip(")")
            self.input_problem = Text(f"the model's input is {kind} {_shape_text(shape)}; expected {EXPECTED_INPUT}",
                                      f"模型的输入是 {kind} {_shape_text(shape)}；应为 {EXPECTED_INPUT_ZH}")
            self.problem = self.input_problem
            return
        if len(shape) != 2 or shape[1] != FEATURES:
            self.input_problem = Text(f"the model's input has shape {_shape_text(shape)}; expected {EXPECTED_INPUT}",
                                      f"模型输入的形状为 {_shape_text(shape)}；应为 {EXPECTED_INPUT_ZH}")
            self.problem = self.input_problem
            return
        if isinstance(shape[0], int) and shape[0] > 0:
            self.batch_fixed = True
            if shape[0] != 1:
                self.input_problem = Text(f"the model's input has shape {_shape_text(shape)}: a fixed batch of "
                                          f"{shape[0]}; expected {EXPECTED_INPUT}",
                                          f"模型输入的形状为 {_shape_text(shape)}：批大小固定为 {shape[0]}；"
                                          f"应为 {EXPECTED_INPUT_ZH}")
                self.problem = self.input_problem
                return
            self.input_problem = Text("the model's input has shape [1, 1024]: the batch size is fixed at 1; "
                                      "declare it as None (FloatTensorType([None, 1024]))",
                                      "模型输入的形状为 [1, 1024]：批大小固定为 1；"
                                      "请把它声明为 None（FloatTensorType([None, 1024])）")

    def _check_output(self):
        self.decode = None
        for i, out in enumerate(self.session.get_outputs()):
            shape = _dims(out.shape)
            if out.type in ("tensor(int64)", "tensor(int32)", "tensor(string)") and len(shape) in (1, 2) \
                    and (len(shape) == 1 or shape[1] == 1):
                self.decode = ("label", i)
                break
            if out.type in ("tensor(float)", "tensor(double)") and len(shape) == 2 and shape[1] in (len(CLASSES), "N"):
                self.decode = ("scores", i)
                break
        if self.decode is None:
            self.output_problem = Text("no usable output: the first output should be the class index (int64 [N]) "
                                       "or the class probabilities (float [N, 5]); with skl2onnx, pass "
                                       "options={'zipmap': False}",
                                       "没有可用的输出：第一个输出应为类别索引（int64 [N]）或各类别的概率"
                                       "（float [N, 5]）；使用 skl2onnx 时请传入 options={'zipmap': False}")
            self.problem = self.problem or self.output_problem
        elif self.decode[0] == "label" and self.session.get_outputs()[self.decode[1]].type != "tensor(string)" \
                and self.classes is None:
            self.problem = self.problem or Text(f"{self.classes_problem}: the class indices cannot be named",
                                                f"{self.classes_problem.zh}：无法把类别索引对应到类别名")

    def predict(self, x: np.ndarray) -> list:
        """Class names for the rows of x; raises ValueError with a message."""
        kind, index = self.decode
        name = self.session.get_outputs()[index].name
        step = 1 if self.batch_fixed else 100
        names = []
        for start in range(0, len(x), step):
            batch = x[start:start + step]
            try:
                value = self.session.run([name], {self.input_name: batch})[0]
            except Exception as exc:
                reason = _quote(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 160)
                raise ModelError(f"onnxruntime failed running the model: {reason}",
                                 f"onnxruntime 运行模型失败：{reason}") from None
            value = np.asarray(value)
            if kind == "scores":
                if value.ndim != 2 or value.shape != (len(batch), len(CLASSES)):
                    raise ModelError(f"the model's scores have shape {list(value.shape)} for {len(batch)} "
                                     f"pictures; expected [{len(batch)}, 5]",
                                     f"对 {len(batch)} 张图片，模型输出的分数形状为 {list(value.shape)}；"
                                     f"应为 [{len(batch)}, 5]")
                value = value.argmax(axis=1)
            value = value.reshape(-1)
            if len(value) != len(batch):
                raise ModelError(f"the model gave {len(value)} labels for {len(batch)} pictures",
                                 f"对 {len(batch)} 张图片，模型给出了 {len(value)} 个标签")
            for v in value:
                if isinstance(v, (bytes, np.bytes_)):
                    v = v.decode("utf-8", "replace")
                if isinstance(v, str):
                    if v not in CLASSES:
                        raise ModelError(f"the model's label {_quote(v)} is not a class name",
                                         f"模型的标签 {_quote(v)} 不是类别名")
                    names.append(v)
                else:
                    k = int(v)
                    if self.classes is None:
                        raise ModelError(f"{self.classes_problem}: the class indices cannot be named",
                                         f"{self.classes_problem.zh}：无法把类别索引对应到类别名")
                    if not 0 <= k < len(self.classes):
                        raise ModelError(f"the model's class index {k} is outside 0-{len(self.classes) - 1}",
                                         f"模型的类别索引 {k} 超出了 0-{len(self.classes) - 1} 的范围")
                    names.append(self.classes[k])
        return names


def load_test_set(answers_dir):
    """The model input of the statement for every test picture, and the labels."""
    with np.load(answers_dir / "test.npz") as data:
        images, labels = data["images"], data["labels"]
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0
    return x, [str(v) for v in labels]


_CACHE = {}


@pytest.fixture
def judged(answers_dir, candidate_outputs):
    """(model, accuracy or None, per-class accuracy, problem), computed once."""
    key = (str(answers_dir), str(candidate_outputs))
    if key not in _CACHE:
        x, truth = load_test_set(answers_dir)
        model = Model(candidate_outputs, candidate_outputs / "output")
        acc, per_class, problem = None, {}, model.problem
        if problem is None:
            try:
                pred = model.predict(x)
            except ValueError as exc:
                problem = Text(str(exc), getattr(exc, "zh", str(exc)))
            else:
                hits = [p == t for p, t in zip(pred, truth)]
                acc = sum(hits) / len(hits)
                for cls in CLASSES:
                    mine = [h for h, t in zip(hits, truth) if t == cls]
                    per_class[cls] = sum(mine) / len(mine)
        _CACHE[key] = (model, acc, per_class, problem, x)
    return _CACHE[key]


# -- the tests -------------------------------------------------------------------
@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_input_signature(judged):
    """the model loads in onnxruntime and takes float32 [N, 1024]
    zh: 模型能由 onnxruntime 加载，输入为 float32 [N, 1024]
    """
    model = judged[0]
    if model.session is None:
        rubric.fail(model.problem, zh=model.problem.zh)
    if model.input_problem:
        if model.batch_fixed and model.problem is None:
            rubric.partial(0.5, model.input_problem, zh=model.input_problem.zh)
        rubric.fail(model.input_problem, zh=model.input_problem.zh)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_output_signature(judged):
    """the model's output gives a class, and output/classes.json names the classes
    zh: 模型的输出给出类别，且 output/classes.json 给出了各类别名
    """
    model = judged[0]
    if model.session is None:
        rubric.fail(model.problem, zh=model.problem.zh)
    notes = [p for p in (model.output_problem, model.classes_problem) if p]
    if notes:
        rubric.fail("; ".join(notes), zh="；".join(p.zh for p in notes))


@pytest.mark.points(8)
@pytest.mark.timeout(120)
def test_accuracy(judged):
    """accuracy on the hidden test pictures (>= 0.95 full marks, >= 0.90 three quarters, >= 0.85 half)
    zh: 隐藏测试图片上的准确率（≥ 0.95 得满分，≥ 0.90 得四分之三，≥ 0.85 得一半）
    """
    _, acc, per_class, problem, x = judged
    if problem:
        rubric.fail(f"the model could not be run on the {len(x)} test pictures: {problem}",
                    zh=f"模型无法在 {len(x)} 张测试图片上运行：{problem.zh}")
    weakest = min(per_class, key=per_class.get)
    detail = f"; weakest class: {weakest} ({per_class[weakest]:.2f})"
    detail_zh = f"；最弱的类别：{weakest}（{per_class[weakest]:.2f}）"
    try:
        rubric.band(acc, {0.95: 1.0, 0.90: 0.75, DEPLOY_ACCURACY: 0.5}, what="accuracy", what_zh="准确率")
    except rubric.Partial as exc:
        raise rubric.Partial(exc.fraction, exc.message + detail, exc.texts["zh"] + detail_zh) from None
    except rubric.Fail as exc:
        raise rubric.Fail(str(exc) + detail, exc.texts["zh"] + detail_zh) from None


def deployable(judged):
    model, acc, _, problem, _ = judged
    if problem:
        rubric.fail(f"the model could not be run: {problem}", zh=f"模型无法运行：{problem.zh}")
    if acc < DEPLOY_ACCURACY:
        rubric.fail(f"scored only for a model with accuracy of at least {DEPLOY_ACCURACY:.2f} (yours: {acc:.2f})",
                    zh=f"只有准确率至少为 {DEPLOY_ACCURACY:.2f} 的模型才计此项分数（你的模型：{acc:.2f}）")
    return model


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_model_size(judged):
    """the model file is small enough for the edge device (<= 5 MB full marks, <= 8 MB half)
    zh: 模型文件足够小，适合边缘设备（≤ 5 MB 得满分，≤ 8 MB 得一半）
    """
    model = deployable(judged)
    rubric.band(model.size / 1e6, SIZE_MB, what="model file size (MB)", fmt="{:.1f}", higher_is_better=False,
                what_zh="模型文件大小（MB）")


@pytest.mark.points(2)
@pytest.mark.timeout(120)
def test_latency(judged, answers_dir):
    """one picture at a time, the model is fast enough (within 10x the reference model, at most 1 ms a picture)
    zh: 逐张推理时模型足够快（不超过参考模型用时的 10 倍，每张最多 1 毫秒）
    """
    model = deployable(judged)
    x = judged[4][:LATENCY_PICTURES]
    rows = [x[i:i + 1] for i in range(len(x))]
    reference = session_of((answers_dir / "reference.onnx").read_bytes())
    ref_input = reference.get_inputs()[0].name

    def mine():
        for row in rows:
            model.session.run(None, {model.input_name: row})

    def theirs():
        for row in rows:
            reference.run(None, {ref_input: row})

    rubric.latency_limit(mine, theirs, absolute_s=0.1, relative=10.0, repeat=5, warmup=1,
                         what=f"time for {len(rows)} pictures, one at a time",
                         what_zh=f"逐张处理 {len(rows)} 张图片的用时")


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_reported_accuracy(judged, candidate_outputs):
    """output/report.json gives a validation accuracy close to the measured one (within 0.05; 0.10 half)
    zh: output/report.json 给出的验证准确率与实测值接近（相差不超过 0.05；不超过 0.10 得一半）
    """
    report = rubric.read_json(candidate_outputs, "output/report.json", max_bytes=MAX_SMALL)
    value = report.get("val_accuracy") if isinstance(report, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        rubric.fail('output/report.json needs "val_accuracy": a number from 0 to 1',
                    zh='output/report.json 需要包含 "val_accuracy"：0 到 1 之间的数')
    if not 0 <= value <= 1:
        rubric.fail(f"val_accuracy {value:g} is not between 0 and 1 (give a fraction, not a percentage)",
                    zh=f"val_accuracy {value:g} 不在 0 到 1 之间（请给出小数，而不是百分数）")
    _, acc, _, problem, _ = judged
    if problem:
        rubric.fail("the model could not be run, so the reported accuracy cannot be compared",
                    zh="模型无法运行，因此无法比较报告的准确率")
    gap = abs(value - acc)
    figures = f"reported val_accuracy {value:.3f}, measured on the hidden test set {acc:.3f} (gap {gap:.3f})"
    figures_zh = f"报告的 val_accuracy 为 {value:.3f}，在隐藏测试集上实测为 {acc:.3f}（相差 {gap:.3f}）"
    if gap <= 0.05:
        return
    if gap <= 0.10:
        rubric.partial(0.5, figures + ": at most 0.05 for full marks", figures_zh + "：相差不超过 0.05 才能得满分")
    rubric.fail(figures + ": at most 0.10 for any; measure it on pictures held out from training",
                figures_zh + "：相差不超过 0.10 才能得分；请在未参与训练的图片上测量")
