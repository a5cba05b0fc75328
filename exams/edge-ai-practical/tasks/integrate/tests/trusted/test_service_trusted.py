"""System integration, judged beside the answers: no candidate code runs here.

The CSV files the candidate's runs wrote are read from a read-only copy of their
folder, with size caps and never through a link; the run records (exit codes,
stderr) come from the candidate's sandbox and are treated as untrusted data.
Messages give counts and rates, never a picture's type. The examiner's model
(hidden/model.onnx) is run here on the grading pictures only to recognise a
colour-order mistake and say so.
"""
import csv
import io
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from practicum import rubric

HEADER = ["file", "type", "score"]
MAX_CSV = 1024 * 1024
MAX_LOG = 256 * 1024
MISSING_FOLDER = "camera3_batch"


class Text(str):
    """An English text (the str itself) that carries its Chinese form in `.zh`."""

    def __new__(cls, en, zh):
        self = super().__new__(cls, en)
        self.zh = zh
        return self


# the candidate's files are read through rubric.read_* (no links, capped sizes)
def _quote(text, limit=40):
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[:limit] + "…")


def record_of(observations, key):
    """A run record, type-checked: {returncode, stderr, stdout, timed_out}."""
    value = observations.get(f"run_{key}")
    if not isinstance(value, dict):
        return None
    code = value.get("returncode")
    return {"returncode": code if isinstance(code, int) and not isinstance(code, bool) else None,
            "timed_out": value.get("timed_out") is True,
            "stderr": value.get("stderr") if isinstance(value.get("stderr"), str) else "",
            "stdout": value.get("stdout") if isinstance(value.get("stdout"), str) else ""}


def last_line(text, empty="(nothing on stderr)"):
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return _quote(lines[-1], 160) if lines else empty


def last_line_zh(text):
    return last_line(text, "（stderr 中没有输出）")


def why_no_csv(run, what):
    if run is None:
        return Text(f"the run on {what} was not recorded (see the first check)",
                    f"没有记录到在 {what} 上的运行（见第一个检查项）")
    if run["timed_out"]:
        return Text(f"the run on {what} did not finish in time", f"在 {what} 上的运行未能按时结束")
    if run["returncode"] not in (0, None):
        return Text(f"the run on {what} exited with code {run['returncode']}: {last_line(run['stderr'])}",
                    f"在 {what} 上的运行以退出码 {run['returncode']} 结束：{last_line_zh(run['stderr'])}")
    return Text(f"the run on {what} wrote no CSV file", f"在 {what} 上的运行没有写出 CSV 文件")


class Table:
    """A result CSV as the billing system reads it; `problem` when it cannot be read."""

    def __init__(self, outputs: Path, name: str):
        self.problem, self.header, self.rows = None, None, []
        try:
            data = rubric.read_bytes(outputs, name, max_bytes=MAX_CSV)
        except rubric.Unreadable as exc:
            self.problem = Text(exc.texts["en"], exc.texts["zh"])
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                data.decode("gbk")
                self.problem = Text(f"{name} is not UTF-8 (it looks like GBK): write it with encoding='utf-8'",
                                    f"{name} 不是 UTF-8 编码（看起来是 GBK）：请用 encoding='utf-8' 写入")
            except UnicodeDecodeError:
                self.problem = Text(f"{name} is not UTF-8 text", f"{name} 不是 UTF-8 文本")
            return
        lines = list(csv.reader(io.StringIO(text)))
        lines = [row for row in lines if any(cell.strip() for cell in row)]
        if not lines:
            self.problem = Text(f"{name} is empty", f"{name} 是空的")
            return
        self.header = [cell.strip() for cell in lines[0]]
        self.rows = lines[1:] if self.header == HEADER else lines

    def types(self) -> dict:
        """file -> type for the rows that have at least two cells (the last row of a file wins)."""
        out = {}
        for row in self.rows:
            if len(row) >= 2:
                out[os.path.basename(row[0].strip())] = row[1].strip()
        return out


@pytest.fixture
def truth(answers_dir):
    return json.loads((answers_dir / "truth.json").read_text(encoding="utf-8"))


def normal_table(candidate_outputs, observations):
    table = Table(candidate_outputs, "result_images.csv")
    if table.problem:
        if table.problem.endswith("is missing"):
            why = why_no_csv(record_of(observations, "images"), "data/images")
            rubric.fail(why, zh=why.zh)
        rubric.fail(table.problem, zh=table.problem.zh)
    return table


# -- the normal batch --------------------------------------------------------------
@pytest.mark.points(2)
@pytest.mark.timeout(30)
def test_csv_format(truth, candidate_outputs, observations):
    """result_images.csv: UTF-8, header file,type,score, one row per picture, known types, scores 0-1
    zh: result_images.csv：UTF-8 编码，表头为 file,type,score，每张图片一行，类型是已知类型，分数在 0-1 之间
    """
    table = normal_table(candidate_outputs, observations)
    pictures = set(truth["images"])
    score, notes = 0.0, []
    if table.header == HEADER:
        score += 0.25
    else:
        notes.append((f"the first line must be the header file,type,score (found {_quote(','.join(table.header))})",
                      f"第一行必须是表头 file,type,score（实际为 {_quote(','.join(table.header))}）"))
    names = [os.path.basename(r[0].strip()) for r in table.rows if r]
    counts = Counter(names)
    missing = len(pictures - set(names))
    extra = len(set(names) - pictures)
    twice = sum(1 for n, c in counts.items() if c > 1)
    if not (missing or extra or twice):
        score += 0.25
    else:
        parts = [(f"{missing} of the {len(pictures)} pictures have no row",
                  f"{len(pictures)} 张图片中有 {missing} 张没有对应的行") if missing else "",
                 (f"{extra} rows name no picture of the folder", f"有 {extra} 行对应的不是该文件夹中的图片") if extra else "",
                 (f"{twice} pictures have more than one row", f"有 {twice} 张图片不止一行") if twice else ""]
        notes.append(("; ".join(p[0] for p in parts if p), "；".join(p[1] for p in parts if p)))
    types = set(truth["types"])
    bad_type = [r for r in table.rows if len(r) < 2 or r[1].strip() not in types]
    if table.rows and not bad_type:
        score += 0.25
    elif table.rows:
        example = bad_type[0][1] if len(bad_type[0]) >= 2 else ""
        notes.append((f"{len(bad_type)} rows have a type that is not a name from labels.txt (e.g. {_quote(example)})",
                      f"有 {len(bad_type)} 行的类型不是 labels.txt 中的名称（例如 {_quote(example)}）"))
    bad_score = 0
    for r in table.rows:
        try:
            value = float(r[2])
            ok = 0.0 <= value <= 1.0
        except (IndexError, ValueError):
            ok = False
        bad_score += not ok
    if table.rows and not bad_score:
        score += 0.25
    elif table.rows:
        notes.append((f"{bad_score} rows have no score between 0 and 1 in the third column",
                      f"有 {bad_score} 行的第三列不是 0 到 1 之间的分数"))
    if not table.rows:
        notes.append(("result_images.csv has no result rows", "result_images.csv 中没有结果行"))
    if score >= 1.0:
        return
    message = "; ".join(en for en, _ in notes)
    zh = "；".join(z for _, z in notes)
    if score <= 0:
        rubric.fail(message, zh)
    rubric.partial(score, message, zh)


def model_says(hidden_dir, names, rgb: bool):
    """The examiner's model on the grading pictures, fed RGB (right) or BGR (the mistake)."""
    import cv2
    import numpy as np
    import onnxruntime as ort

    rows = []
    for name in names:
        img = cv2.imread(str(hidden_dir / "images" / name), cv2.IMREAD_COLOR)
        small = cv2.resize(img, (48, 16), interpolation=cv2.INTER_AREA)
        if rgb:
            small = cv2.cvtColor(small, cv2.COLOR_BGR2RGB)
        rows.append(small.reshape(-1))
    x = np.stack(rows).astype(np.float32) / 255.0
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    session = ort.InferenceSession(str(hidden_dir / "model.onnx"), so, providers=["CPUExecutionProvider"])
    labels = [ln.strip() for ln in (hidden_dir / "labels.txt").read_text(encoding="utf-8").splitlines() if ln.strip()]
    return [labels[int(k)] for k in session.run(["label"], {session.get_inputs()[0].name: x})[0]]


@pytest.mark.points(5)
@pytest.mark.timeout(60)
def test_accuracy(truth, candidate_outputs, observations, hidden_dir):
    """the plate types in result_images.csv are right (>= 0.95 full marks, >= 0.85 half)
    zh: result_images.csv 中的车牌类型正确（≥ 0.95 得满分，≥ 0.85 得一半）
    """
    table = normal_table(candidate_outputs, observations)
    mine = table.types()
    names = sorted(truth["images"])
    hits = sum(1 for n in names if mine.get(n) == truth["images"][n])
    acc = hits / len(names)
    hints = []
    given = [mine[n] for n in names if n in mine]
    if given:
        common, count = Counter(given).most_common(1)[0]
        if count >= 0.8 * len(names):
            hints.append((f"{count} of {len(names)} pictures got the same type {_quote(common)}: "
                          "check how the model's output is decoded",
                          f"{len(names)} 张图片中有 {count} 张得到了同一个类型 {_quote(common)}："
                          "请检查模型输出的解码方式"))
    if acc < 0.95 and not hints:
        bgr = model_says(hidden_dir, names, rgb=False)
        same = sum(1 for n, b in zip(names, bgr) if mine.get(n) == b) / len(names)
        if same >= 0.9:
            hints.append(("your types are what the model gives for pictures with red and blue swapped: "
                          "check the colour order of the preprocessing against the model card",
                          "你给出的类型正是模型对红蓝通道互换后的图片给出的结果："
                          "请对照模型说明检查预处理中的颜色通道顺序"))
    detail = f" ({hits} of {len(names)} pictures right)" + "".join(f"; {en}" for en, _ in hints)
    detail_zh = f"（{len(names)} 张图片中 {hits} 张正确）" + "".join(f"；{zh}" for _, zh in hints)
    try:
        rubric.band(acc, {0.95: 1.0, 0.85: 0.5}, what="accuracy", what_zh="准确率")
    except rubric.Partial as exc:
        raise rubric.Partial(exc.fraction, exc.message + detail, exc.texts["zh"] + detail_zh) from None
    except rubric.Fail as exc:
        raise rubric.Fail(str(exc) + detail, exc.texts["zh"] + detail_zh) from None


# -- bad input ---------------------------------------------------------------------
def log_text(candidate_outputs) -> str:
    """What the candidate's logs/ folder holds, if anything (*.log files, capped)."""
    try:
        names = rubric.list_files(candidate_outputs, "logs", pattern="*.log")[:20]
    except rubric.Unreadable:
        return ""
    text = []
    for name in names:
        try:
            text.append(rubric.read_bytes(candidate_outputs, name, max_bytes=MAX_LOG).decode("utf-8", "replace"))
        except rubric.Unreadable:
            continue
    return "\n".join(text)


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_damaged_files(truth, candidate_outputs, observations):
    """damaged files are skipped and logged: exit code 0, every good picture in the CSV, each damaged file named
    zh: 跳过损坏文件并记录：退出码为 0，每张完好的图片都在 CSV 中，每个损坏文件都有提及
    """
    run = record_of(observations, "incoming")
    if run is None:
        rubric.fail("the run on data/incoming was not recorded", zh="没有记录到在 data/incoming 上的运行")
    if run["timed_out"]:
        rubric.fail("the run on data/incoming (pictures mixed with damaged files) did not finish in time",
                    zh="在 data/incoming（图片中混有损坏文件）上的运行未能按时结束")
    damaged = truth["damaged"]
    good = truth["incoming"]
    score, notes = 0.0, []
    finished = run["returncode"] == 0
    if finished:
        score += 1
    else:
        notes.append((f"the run on data/incoming (pictures mixed with {len(damaged)} damaged files) exited with "
                      f"code {run['returncode']}: {last_line(run['stderr'])}",
                      f"在 data/incoming（图片中混有 {len(damaged)} 个损坏文件）上的运行以退出码 "
                      f"{run['returncode']} 结束：{last_line_zh(run['stderr'])}"))
    table = Table(candidate_outputs, "result_incoming.csv")
    if table.problem:
        notes.append((table.problem, table.problem.zh) if not table.problem.endswith("is missing")
                     else ("no result_incoming.csv was written", "没有写出 result_incoming.csv"))
    else:
        names = set(table.types())
        listed = sum(1 for n in good if n in names)
        wrong = sum(1 for n in damaged if n in names) + (1 if "notes.txt" in names else 0)
        if listed == len(good) and not wrong:
            score += 1
        else:
            parts = [(f"{len(good) - listed} of the {len(good)} readable pictures have no row",
                      f"{len(good)} 张可读的图片中有 {len(good) - listed} 张没有对应的行") if listed < len(good) else "",
                     (f"{wrong} rows are for damaged or non-picture files",
                      f"有 {wrong} 行对应的是损坏文件或非图片文件") if wrong else ""]
            notes.append(("result_incoming.csv: " + "; ".join(p[0] for p in parts if p),
                          "result_incoming.csv：" + "；".join(p[1] for p in parts if p)))
    if finished:
        said = run["stderr"] + "\n" + log_text(candidate_outputs)
        named = sum(1 for n in damaged if n in said)
        score += named / len(damaged)
        if named < len(damaged):
            notes.append((f"{len(damaged) - named} of the {len(damaged)} damaged files are not named in a warning "
                          "on stderr (or in logs/*.log)",
                          f"{len(damaged)} 个损坏文件中有 {len(damaged) - named} 个没有在 stderr（或 logs/*.log）"
                          "的警告中提及"))
    else:
        notes.append(("skipping and logging the damaged files counts only for a run that finishes",
                      "只有运行正常结束时，跳过并记录损坏文件才计分"))
    if score >= 3:
        return
    message = "; ".join(en for en, _ in notes)
    zh = "；".join(z for _, z in notes)
    if score <= 0:
        rubric.fail(message, zh)
    rubric.partial(score / 3, message, zh)


@pytest.mark.points(3)
@pytest.mark.timeout(30)
def test_missing_folder(observations):
    """a missing input folder: a non-zero exit code and a one-line error on stderr, no traceback
    zh: 输入文件夹不存在时：退出码非 0，在 stderr 上输出一行错误信息，没有 traceback
    """
    run = record_of(observations, "missing")
    if run is None:
        rubric.fail("the run on a missing folder was not recorded", zh="没有记录到在不存在的文件夹上的运行")
    if run["timed_out"]:
        rubric.fail("the run on a missing input folder did not finish in time",
                    zh="在不存在的输入文件夹上的运行未能按时结束")
    err = run["stderr"]
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    score, notes = 0.0, []
    if run["returncode"] not in (0, None):
        score += 1.5
    else:
        notes.append(("the run on a missing input folder exited with code 0: the scheduler cannot see that it failed",
                      "在不存在的输入文件夹上的运行以退出码 0 结束：调度程序无法察觉运行失败"))
    if not lines:
        where = " (a message went to stdout)" if run["stdout"].strip() else ""
        where_zh = "（有信息输出到了 stdout）" if run["stdout"].strip() else ""
        notes.append((f"nothing was written to stderr{where}", f"stderr 上没有任何输出{where_zh}"))
    elif re.search(r"Traceback \(most recent call last\)", err):
        notes.append(("stderr shows a Python traceback: catch the case and print one line saying what is wrong",
                      "stderr 上出现了 Python traceback：请处理这种情况，并用一行信息说明出了什么问题"))
    elif len(lines) > 2:
        score += 0.5
        notes.append((f"stderr holds {len(lines)} lines: say what is wrong in one line",
                      f"stderr 上有 {len(lines)} 行：请用一行说明出了什么问题"))
    else:
        score += 1.0
    if lines and MISSING_FOLDER in err:
        score += 0.5
    elif lines:
        notes.append(("the error message does not name the missing folder", "错误信息中没有指明缺少的文件夹"))
    if score >= 3:
        return
    message = "; ".join(en for en, _ in notes)
    zh = "；".join(z for _, z in notes)
    if score <= 0:
        rubric.fail(message, zh)
    rubric.partial(score / 3, message, zh)
