"""rubric.read_*: a trusted test reads what hostile code left behind without following it anywhere."""
from __future__ import annotations

import json
import os

import pytest

from grader.harness import rubric
from grader.harness.rubric import Fail, Unreadable


@pytest.fixture
def out(tmp_path):
    base = tmp_path / "out"
    (base / "output").mkdir(parents=True)
    (base / "output" / "report.json").write_text(json.dumps({"accuracy": 0.9}), encoding="utf-8")
    (base / "output" / "labels.csv").write_text("file,label\na.png,cat\nb.png,dog\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("answers", encoding="utf-8")
    return base


def test_reads_regular_files(out):
    assert rubric.read_json(out, "output/report.json") == {"accuracy": 0.9}
    assert rubric.read_csv(out, "output/labels.csv", columns=("file", "label"))[1] == {"file": "b.png", "label": "dog"}
    assert rubric.read_bytes(out, "output/report.json", max_bytes=100).startswith(b"{")
    assert rubric.list_files(out, "output", pattern="*.csv") == ["output/labels.csv"]
    assert rubric.exists(out, "output/report.json") and not rubric.exists(out, "output/none.json")


@pytest.mark.parametrize("plant", ["file", "folder"])
def test_a_link_is_refused_wherever_it_is(out, plant):
    if plant == "file":
        os.symlink(out.parent / "secret.txt", out / "output" / "model.onnx")
        rel = "output/model.onnx"
    else:
        os.symlink(out.parent, out / "up")
        rel = "up/secret.txt"
    with pytest.raises(Unreadable) as exc:
        rubric.read_bytes(out, rel, max_bytes=1000)
    assert exc.value.texts == {"en": f"{rel} is a link, not a file", "zh": f"{rel} 是链接，不是文件"}
    assert not rubric.exists(out, rel)


@pytest.mark.parametrize("rel", ["../secret.txt", "/etc/passwd", "output/../../secret.txt", ""])
def test_paths_outside_the_folder_are_refused(out, rel):
    with pytest.raises(Unreadable, match="not a path inside the output folder"):
        rubric.read_text(out, rel)


def test_what_is_missing_too_large_or_malformed_is_named(out):
    with pytest.raises(Unreadable, match="output/model.onnx is missing"):
        rubric.read_bytes(out, "output/model.onnx", max_bytes=10)
    with pytest.raises(Unreadable, match="is larger than 1 KB") as big:
        (out / "output" / "big.bin").write_bytes(b"x" * 5000)
        rubric.read_bytes(out, "output/big.bin", max_bytes=1024)
    assert big.value.texts["zh"] == "output/big.bin 大于 1 KB"
    (out / "output" / "bad.json").write_text('{"a": 1,,}', encoding="utf-8")
    with pytest.raises(Unreadable, match=r"not valid JSON \(line 1, column 9\)"):
        rubric.read_json(out, "output/bad.json")
    with pytest.raises(Unreadable, match="has no column score") as cols:
        rubric.read_csv(out, "output/labels.csv", columns=("file", "score"))
    assert "缺少列 score" in cols.value.texts["zh"]
    os.mkfifo(out / "output" / "pipe")
    with pytest.raises(Unreadable, match="not a regular file"):
        rubric.read_bytes(out, "output/pipe", max_bytes=10)
    (out / "output" / "gbk.txt").write_bytes("你好".encode("gbk"))
    with pytest.raises(Unreadable, match="is not UTF-8 text"):
        rubric.read_text(out, "output/gbk.txt")


def test_an_uncaught_unreadable_fails_the_check_like_any_failure(out):
    assert issubclass(Unreadable, Fail)
