"""Deep learning engineering, judged beside the answers: no candidate code runs here.

The candidate's output/model.onnx is data: it is read with a size cap, never
through a link, refused when it keeps weights in external files (they could
point at files of this sandbox), and run by onnxruntime on the hidden test
pictures, which never enter the candidate's sandbox. Messages give figures
(accuracy, per-class accuracy, sizes, times), never a picture's label.
"""
import json
import math
import os
import stat
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


# -- reading the candidate's files safely --------------------------------------
def read_bytes(base: Path, path: Path, cap: int):
    """(bytes, problem): a regular file's content, never through a link."""
    cur = base
    for part in path.relative_to(base).parts:
        cur = cur / part
        try:
            if stat.S_ISLNK(os.lstat(cur).st_mode):
                return None, "is a link, not a file"
        except FileNotFoundError:
            return None, "is missing"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None, "cannot be read"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, "is not a regular file"
        chunks, size = [], 0
        while size <= cap:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > cap:
        return None, f"is larger than {cap // (1024 * 1024)} MB"
    return data, None


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
        data, problem = read_bytes(root, out / "model.onnx", MAX_MODEL)
        if problem:
            self.problem = f"output/model.onnx {problem}"
            return
        self.size = len(data)
        try:
            import onnx
            proto = onnx.load_model_from_string(data)
        except Exception as exc:   # a damaged or foreign file
            self.problem = f"output/model.onnx is not an ONNX model ({type(exc).__name__})"
            return
        if _external_tensors(proto.graph, onnx) or any(
                _external_tensors(onnx.GraphProto(node=f.node), onnx) for f in proto.functions):
            self.problem = ("output/model.onnx keeps its weights in separate files: save the whole model "
                            "in one .onnx file (onnx.save without save_as_external_data)")
            return
        try:
            self.session = session_of(data)
        except Exception as exc:
            self.problem = f"onnxruntime cannot load output/model.onnx: {_quote(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 160)}"
            return
        self._check_input()
        self._check_output()

    def _load_classes(self, root, out):
        data, problem = read_bytes(root, out / "classes.json", MAX_SMALL)
        if problem:
            self.classes_problem = f"output/classes.json {problem}"
            return
        try:
            value = json.loads(data.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            self.classes_problem = "output/classes.json is not valid JSON"
            return
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            self.classes_problem = 'output/classes.json must be a JSON list of class names, e.g. ["stop", ...]'
            return
        if sorted(value) != sorted(CLASSES):
            self.classes_problem = ("output/classes.json must list the 5 class names (the folders in train.zip), "
                                    "each once, in the order of the model's outputs")
            return
        self.classes = value

    def _check_input(self):
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            self.input_problem = f"the model has {len(inputs)} inputs; it must have one, {EXPECTED_INPUT}"
            self.problem = self.input_problem
            return
        inp = inputs[0]
        self.input_name = inp.name
        shape = list(inp.shape or [])
        if inp.type != "tensor(float)":
            kind = inp.type.replace("tensor(", "").rstrip(")")
            self.input_problem = f"the model's input is {kind} {_shape_text(shape)}; expected {EXPECTED_INPUT}"
            self.problem = self.input_problem
            return
        if len(shape) != 2 or shape[1] != FEATURES:
            self.input_problem = f"the model's input has shape {_shape_text(shape)}; expected {EXPECTED_INPUT}"
            self.problem = self.input_problem
            return
        if isinstance(shape[0], int) and shape[0] > 0:
            self.batch_fixed = True
            if shape[0] != 1:
                self.input_problem = (f"the model's input has shape {_shape_text(shape)}: a fixed batch of "
                                      f"{shape[0]}; expected {EXPECTED_INPUT}")
                self.problem = self.input_problem
                return
            self.input_problem = ("the model's input has shape [1, 1024]: the batch size is fixed at 1; "
                                  "declare it as None (FloatTensorType([None, 1024]))")

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
            self.output_problem = ("no usable output: the first output should be the class index (int64 [N]) "
                                   "or the class probabilities (float [N, 5]); with skl2onnx, pass "
                                   "options={'zipmap': False}")
            self.problem = self.problem or self.output_problem
        elif self.decode[0] == "label" and self.session.get_outputs()[self.decode[1]].type != "tensor(string)" \
                and self.classes is None:
            self.problem = self.problem or f"{self.classes_problem}: the class indices cannot be named"

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
                raise ValueError(f"onnxruntime failed running the model: {_quote(str(exc).splitlines()[0] if str(exc) else type(exc).__name__, 160)}") from None
            value = np.asarray(value)
            if kind == "scores":
                if value.ndim != 2 or value.shape != (len(batch), len(CLASSES)):
                    raise ValueError(f"the model's scores have shape {list(value.shape)} for {len(batch)} "
                                     f"pictures; expected [{len(batch)}, 5]")
                value = value.argmax(axis=1)
            value = value.reshape(-1)
            if len(value) != len(batch):
                raise ValueError(f"the model gave {len(value)} labels for {len(batch)} pictures")
            for v in value:
                if isinstance(v, (bytes, np.bytes_)):
                    v = v.decode("utf-8", "replace")
                if isinstance(v, str):
                    if v not in CLASSES:
                        raise ValueError(f"the model's label {_quote(v)} is not a class name")
                    names.append(v)
                else:
                    k = int(v)
                    if self.classes is None:
                        raise ValueError(f"{self.classes_problem}: the class indices cannot be named")
                    if not 0 <= k < len(self.classes):
                        raise ValueError(f"the model's class index {k} is outside 0-{len(self.classes) - 1}")
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
                problem = str(exc)
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
    """the model loads in onnxruntime and takes float32 [N, 1024]"""
    model = judged[0]
    if model.session is None:
        rubric.fail(model.problem)
    if model.input_problem:
        if model.batch_fixed and model.problem is None:
            rubric.partial(0.5, model.input_problem)
        rubric.fail(model.input_problem)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_output_signature(judged):
    """the model's output gives a class, and output/classes.json names the classes"""
    model = judged[0]
    if model.session is None:
        rubric.fail(model.problem)
    notes = [p for p in (model.output_problem, model.classes_problem) if p]
    if notes:
        rubric.fail("; ".join(notes))


@pytest.mark.points(8)
@pytest.mark.timeout(120)
def test_accuracy(judged):
    """accuracy on the hidden test pictures (>= 0.95 full marks, >= 0.90 three quarters, >= 0.85 half)"""
    _, acc, per_class, problem, x = judged
    if problem:
        rubric.fail(f"the model could not be run on the {len(x)} test pictures: {problem}")
    weakest = min(per_class, key=per_class.get)
    detail = f"; weakest class: {weakest} ({per_class[weakest]:.2f})"
    try:
        rubric.band(acc, {0.95: 1.0, 0.90: 0.75, DEPLOY_ACCURACY: 0.5}, what="accuracy")
    except rubric.Partial as exc:
        raise rubric.Partial(exc.fraction, exc.message + detail) from None
    except rubric.Fail as exc:
        raise rubric.Fail(str(exc) + detail) from None


def deployable(judged):
    model, acc, _, problem, _ = judged
    if problem:
        rubric.fail(f"the model could not be run: {problem}")
    if acc < DEPLOY_ACCURACY:
        rubric.fail(f"scored only for a model with accuracy of at least {DEPLOY_ACCURACY:.2f} (yours: {acc:.2f})")
    return model


@pytest.mark.points(2)
@pytest.mark.timeout(60)
def test_model_size(judged):
    """the model file is small enough for the edge device (<= 5 MB full marks, <= 8 MB half)"""
    model = deployable(judged)
    rubric.band(model.size / 1e6, SIZE_MB, what="model file size (MB)", fmt="{:.1f}", higher_is_better=False)


@pytest.mark.points(2)
@pytest.mark.timeout(120)
def test_latency(judged, answers_dir):
    """one picture at a time, the model is fast enough (within 10x the reference model, at most 1 ms a picture)"""
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
                         what=f"time for {len(rows)} pictures, one at a time")


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_reported_accuracy(judged, candidate_outputs):
    """output/report.json gives a validation accuracy close to the measured one (within 0.05; 0.10 half)"""
    data, problem = read_bytes(candidate_outputs, candidate_outputs / "output" / "report.json", MAX_SMALL)
    if problem:
        rubric.fail(f"output/report.json {problem}")
    try:
        report = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        rubric.fail("output/report.json is not valid JSON")
    value = report.get("val_accuracy") if isinstance(report, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        rubric.fail('output/report.json needs "val_accuracy": a number from 0 to 1')
    if not 0 <= value <= 1:
        rubric.fail(f"val_accuracy {value:g} is not between 0 and 1 (give a fraction, not a percentage)")
    _, acc, _, problem, _ = judged
    if problem:
        rubric.fail("the model could not be run, so the reported accuracy cannot be compared")
    gap = abs(value - acc)
    figures = f"reported val_accuracy {value:.3f}, measured on the hidden test set {acc:.3f} (gap {gap:.3f})"
    if gap <= 0.05:
        return
    if gap <= 0.10:
        rubric.partial(0.5, figures + ": at most 0.05 for full marks")
    rubric.fail(figures + ": at most 0.10 for any; measure it on pictures held out from training")
