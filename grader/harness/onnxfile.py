"""A candidate's ONNX model as an onnxruntime session, for trusted tests (`rubric.read_onnx`).

The model is data, never code: its bytes come through `files.read_bytes` (no links,
capped), and a model that keeps any tensor in an external file is refused before
onnxruntime sees it, since such a tensor names a path that onnxruntime would open
in the judge's sandbox. onnx and onnxruntime are imported only when a test calls
this (the sandbox image has them; the host need not).
"""
from __future__ import annotations

from pathlib import Path

from .files import MB, Unreadable, read_bytes


def _tensors(graph):
    """Every tensor of a graph and of its subgraphs (node attributes)."""
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield from (sparse.values, sparse.indices)
    for node in graph.node:
        for a in node.attribute:
            if a.HasField("t"):
                yield a.t
            yield from a.tensors
            if a.HasField("sparse_tensor"):
                yield from (a.sparse_tensor.values, a.sparse_tensor.indices)
            for sub in ([a.g] if a.HasField("g") else []) + list(a.graphs):
                yield from _tensors(sub)


def read_onnx(base: Path, rel: str, *, max_bytes: int = 64 * MB, threads: int = 1):
    """An `onnxruntime.InferenceSession` of base/rel (CPU, `threads` threads). Raises
    `Unreadable` (a rubric.Fail naming the file) when it is unreadable, not ONNX, keeps
    weights in separate files or does not load."""
    data = read_bytes(base, rel, max_bytes=max_bytes)
    import onnx
    import onnxruntime as ort

    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:   # a damaged or foreign file: any decoding error
        raise Unreadable(rel, f"is not an ONNX model ({type(exc).__name__})",
                         f"不是 ONNX 模型（{type(exc).__name__}）") from None
    graphs = [model.graph] + [onnx.GraphProto(node=f.node) for f in model.functions]
    if any(t.data_location == onnx.TensorProto.EXTERNAL for g in graphs for t in _tensors(g)):
        raise Unreadable(rel, "keeps its weights in separate files: save the whole model in one .onnx file",
                         "把权重存放在单独的文件里：请把整个模型保存在一个 .onnx 文件中")
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = threads
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    except Exception as exc:   # onnxruntime's own errors have no common base
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise Unreadable(rel, f"does not load in onnxruntime: {reason}", f"无法由 onnxruntime 加载：{reason}") from None
