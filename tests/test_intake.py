"""grader.intake: accept or refuse a submission, and never lose it.

Every refusal test checks three things: the exact catalogue code, that the
upload's bytes are kept in the store, and that log.jsonl says "rejected" with
that code. Every refusal's message is also rendered in zh and en.
"""
from __future__ import annotations

import hashlib
import os
import stat
import traceback
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import messages
from grader.errors import SubmissionRejected
from grader.intake import Intake, IntakeLimits, TaskFiles, accept
from grader.models import SubmissionKind
from grader.store import Store

MIB = 1024 * 1024


# --------------------------------------------------------------------------
# helpers


def notebook_bytes(source: str = "x = 1") -> bytes:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nbformat.writes(nb).encode("utf-8")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_zip(path: Path, entries: dict[str, bytes | str], *, after=None) -> Path:
    """Write a zip; `after(zf)` may tamper with the ZipInfos before the central directory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        if after:
            after(zf)
    return path


def reject(source: Path, code: str, exam, store: Store, workdir: Path, **kw) -> SubmissionRejected:
    with pytest.raises(SubmissionRejected) as ei:
        accept(source, exam, store, workdir=workdir, **kw)
    exc = ei.value
    assert exc.code == code, exc.show("en")
    for lang in messages.LANGS:                  # renders without KeyError
        assert exc.show(lang)
    # the upload is kept ...
    last = store.entries()[-1]
    assert last["status"] == "rejected" and last["reason"] == code
    assert last["filename"] == source.name
    blob = store.path_of(last["sha256"])
    assert blob.is_file()
    if source.is_file() and not store.meta(last["sha256"])["truncated"]:
        assert blob.read_bytes() == source.read_bytes()
    # ... and nothing half-unpacked is left behind
    assert not (workdir / "unpacked").exists()
    return exc


def accepted(store: Store, intake: Intake) -> None:
    last = store.entries()[-1]
    assert last == {**last, "sha256": intake.ref.sha256, "status": "accepted", "reason": None}
    assert store.path_of(intake.ref.sha256).is_file()


def assert_modes(root: Path) -> None:
    for p in root.rglob("*"):
        assert not p.is_symlink()
        assert stat.S_IMODE(p.stat().st_mode) == (0o755 if p.is_dir() else 0o644), p


# --------------------------------------------------------------------------
# hostile corpus


@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory) -> Path:
    """200 MB of zeros in one entry: about 200 KB compressed."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    zero = bytes(MIB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("zhangsan/blur.ipynb", "w", force_zip64=True) as fh:
            for _ in range(200):
                fh.write(zero)
    assert path.stat().st_size < 2 * MIB
    return path


def test_zip_bomb(zip_bomb, mini_exam, store, workdir):
    reject(zip_bomb, "zip_bomb", mini_exam, store, workdir)


def test_zip_compression_ratio(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "ratio.zip", {"blur.py": "x = 1\n", "data.bin": bytes(10 * MIB)})
    reject(z, "zip_bomb", mini_exam, store, workdir)


def test_zip_ratio_is_not_checked_for_tiny_files(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "ok.zip", {"blur.py": "x = 1\n", "zeros.txt": bytes(100_000)})
    assert "blur" in accept(z, mini_exam, store, workdir=workdir).tasks


def test_zip_lying_header_sizes(tmp_path, mini_exam, store, workdir):
    """Central directory claims 100 bytes; the entry inflates to 3 MB."""
    def lie(zf):
        zf.getinfo("data.bin").file_size = 100
    z = make_zip(tmp_path / "liar.zip", {"blur.py": "x = 1\n", "data.bin": os.urandom(3 * MIB)},
                 after=lie)
    with zipfile.ZipFile(z) as zf:
        assert zf.getinfo("data.bin").file_size == 100
    exc = reject(z, "zip_bomb", mini_exam, store, workdir)
    # refused while extracting (declared sizes and ratio looked harmless)
    assert any(f.f_code.co_name == "_extract" for f, _ in traceback.walk_tb(exc.__traceback__))


def test_zip_declared_total_over_limit(tmp_path, mini_exam, store, workdir):
    """Declared 1.8 MB > 1 MiB: refused before a byte is written; 0.6 MB passes."""
    z = make_zip(tmp_path / "big.zip",
                 {"blur.py": "x = 1\n", **{f"d{i}.bin": os.urandom(600_000) for i in range(3)}})
    reject(z, "zip_bomb", mini_exam, store, workdir, limits=IntakeLimits(max_unpacked_bytes=MIB))
    z2 = make_zip(tmp_path / "ok.zip", {"blur.py": "x = 1\n", "d.bin": os.urandom(600_000)})
    assert accept(z2, mini_exam, store, workdir=tmp_path / "w2",
                  limits=IntakeLimits(max_unpacked_bytes=MIB)).tasks


@pytest.mark.parametrize("entry", ["../evil.py", "zhangsan/../../evil.py", "..\\evil.py",
                                   "zhangsan\\..\\..\\evil.py"])
def test_zip_path_traversal(entry, tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "trav.zip", {"blur.py": "x = 1\n", entry: "pwned = 1\n"})
    exc = reject(z, "zip_unsafe_path", mini_exam, store, workdir)
    assert exc.params["entry"] == entry
    assert not (tmp_path / "evil.py").exists() and not (workdir / "evil.py").exists()


@pytest.mark.parametrize("entry", ["/etc/evil.py", "C:/evil.py", "C:\\evil.py", "\\\\server\\evil.py"])
def test_zip_absolute_path(entry, tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "abs.zip", {"blur.py": "x = 1\n", entry: "pwned = 1\n"})
    reject(z, "zip_unsafe_path", mini_exam, store, workdir)


def test_zip_symlink_entry(tmp_path, mini_exam, store, workdir):
    def link(zf):
        info = zipfile.ZipInfo("zhangsan/data.csv")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    z = make_zip(tmp_path / "link.zip", {"zhangsan/blur.py": "x = 1\n"}, after=link)
    exc = reject(z, "zip_link", mini_exam, store, workdir)
    assert exc.params["entry"] == "zhangsan/data.csv"


def test_zip_encrypted_entry(tmp_path, mini_exam, store, workdir):
    def encrypt(zf):
        zf.getinfo("blur.py").flag_bits |= 0x1   # the "encrypted" bit, in the central directory
    z = make_zip(tmp_path / "enc.zip", {"blur.py": "x = 1\n"}, after=encrypt)
    reject(z, "zip_encrypted", mini_exam, store, workdir)


def test_zip_too_many_files(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "many.zip", {"blur.py": "x = 1\n", **{f"f/{i}.txt": "." for i in range(2000)}})
    exc = reject(z, "zip_bomb", mini_exam, store, workdir)
    assert exc.params["limit_files"] == 2000


def test_zip_too_deep(tmp_path, mini_exam, store, workdir):
    deep = "/".join(f"d{i}" for i in range(12)) + "/x.txt"
    z = make_zip(tmp_path / "deep.zip", {"blur.py": "x = 1\n", deep: "x"})
    reject(z, "zip_too_deep", mini_exam, store, workdir)


def test_zip_unsupported_compression(tmp_path, mini_exam, store, workdir):
    z = tmp_path / "bz.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("blur.py", "x = 1\n")
    reject(z, "bad_zip", mini_exam, store, workdir)


def test_not_a_zip(tmp_path, mini_exam, store, workdir):
    z = tmp_path / "fake.zip"
    z.write_bytes(b"this is not a zip at all\n")
    reject(z, "bad_zip", mini_exam, store, workdir)


def test_zip_file_and_folder_with_one_name(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "clash.zip", {"blur.py": "x = 1\n", "a": "file", "a/b.txt": "x"})
    reject(z, "bad_zip", mini_exam, store, workdir)


def test_oversized_upload_is_kept_whole(tmp_path, mini_exam, store, workdir):
    big = tmp_path / "blur.py"
    big.write_bytes(b"# padding\n" * 300)
    exc = reject(big, "too_large", mini_exam, store, workdir,
                 limits=IntakeLimits(max_upload_bytes=1000))
    assert exc.params["size_mb"] > exc.params["limit_mb"]
    assert store.path_of(sha(big.read_bytes())).read_bytes() == big.read_bytes()


def test_huge_upload_keeps_a_truncated_prefix(tmp_path, mini_exam, store, workdir):
    huge = tmp_path / "blur.py"
    huge.write_bytes(b"#" * 20_001)
    reject(huge, "too_large", mini_exam, store, workdir, limits=IntakeLimits(max_upload_bytes=2000))
    sha256 = store.entries()[-1]["sha256"]
    assert sha256 == sha(b"#" * 2000)
    assert store.meta(sha256)["truncated"] is True
    assert store.meta(sha256)["original_size"] == 20_001


@pytest.mark.parametrize("name", ["blur.docx", "blur.txt", "blur.rar", "blur"])
def test_wrong_type(name, tmp_path, mini_exam, store, workdir):
    f = tmp_path / name
    f.write_bytes(b"PK\x03\x04 something")
    exc = reject(f, "wrong_type", mini_exam, store, workdir)
    assert exc.params["accepted"] == ".ipynb, .py, .zip"


@pytest.mark.parametrize("name", ["blur.ipynb", "blur.py", "sub.zip"])
def test_empty_file(name, tmp_path, mini_exam, store, workdir):
    f = tmp_path / name
    f.write_bytes(b"")
    reject(f, "empty_file", mini_exam, store, workdir)


def test_malformed_notebook_bad_json(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "blur.ipynb"
    f.write_text('{"cells": [\n  {"cell_type": "code",\n', encoding="utf-8")
    exc = reject(f, "bad_notebook", mini_exam, store, workdir)
    assert exc.params["detail"].startswith("invalid JSON at line")


@pytest.mark.parametrize("text", ['{"hello": "world"}', "[1, 2, 3]",
                                  '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
                                  '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "x"}'])
def test_malformed_notebook_json_not_a_notebook(text, tmp_path, mini_exam, store, workdir):
    f = tmp_path / "blur.ipynb"
    f.write_text(text, encoding="utf-8")
    exc = reject(f, "bad_notebook", mini_exam, store, workdir)
    detail = exc.params["detail"]
    assert detail and "\n" not in detail and len(detail) <= 120
    assert str(tmp_path) not in exc.show("en") and "/" not in detail


def test_malformed_notebook_inside_zip(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"zhangsan/blur.ipynb": "not json", "zhangsan/count.py": "n = 1\n"})
    exc = reject(z, "bad_notebook", mini_exam, store, workdir)
    assert exc.params["name"] == "zhangsan/blur.ipynb"


def test_a_gbk_script_is_converted_to_utf8(tmp_path, mini_exam, store, workdir):
    # what Notepad or an older IDE on Chinese Windows saves
    f = tmp_path / "count.py"
    f.write_bytes("# 统计\nprint('你好')\n".encode("gbk"))
    got = accept(f, mini_exam, store, workdir=workdir).tasks["count"]
    assert (got.root / got.entry).read_text(encoding="utf-8") == "# 统计\nprint('你好')\n"
    assert got.converted == ("count.py",)


def test_a_gb18030_script_beyond_gbk_is_converted(tmp_path, mini_exam, store, workdir):
    # four-byte GB18030 sequences: a CJK Extension B character and an emoji, which GBK lacks
    text = "# 𠀀 名字\nprint('😀')\n"
    f = tmp_path / "count.py"
    f.write_bytes(text.encode("gb18030"))
    got = accept(f, mini_exam, store, workdir=workdir).tasks["count"]
    assert (got.root / got.entry).read_text(encoding="utf-8") == text
    assert got.converted == ("count.py",)


def test_a_utf8_script_is_not_marked_converted(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "count.py"
    f.write_text("print('你好')\n", encoding="utf-8")
    assert accept(f, mini_exam, store, workdir=workdir).tasks["count"].converted == ()


@pytest.mark.parametrize("data", [b"\x00\x01binary\x02\x03", b"\xff\xfe\xfd\x81\x30"])
def test_bytes_that_are_neither_utf8_nor_gbk_are_refused(tmp_path, mini_exam, store, workdir, data):
    f = tmp_path / "count.py"
    f.write_bytes(data + b"\x80\x80")
    reject(f, "not_utf8", mini_exam, store, workdir)


def test_a_gbk_notebook_is_refused(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "blur.ipynb"
    f.write_bytes('{"nbformat": 4, "cells": ["你好"]}'.encode("gbk"))
    reject(f, "not_utf8", mini_exam, store, workdir)


def test_a_projects_gbk_modules_are_converted(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"qt/main.py": "import util\n", "qt/util.py": "X = '张三'\n".encode("gbk"),
                                      "qt/ok.py": "Y = '李四'\n"})
    got = accept(z, mini_exam, store, workdir=workdir).tasks["qt"]
    assert got.converted == ("util.py",)
    assert (got.root / "util.py").read_text(encoding="utf-8") == "X = '张三'\n"


def test_syntax_errors_are_not_refused(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "count.py"
    f.write_bytes(b"\xef\xbb\xbfdef broken(:\n")   # BOM is fine too
    assert "count" in accept(f, mini_exam, store, workdir=workdir).tasks


def test_zip_with_nothing_expected(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"zhangsan/notes.txt": "hi", "zhangsan/other.py": "x = 1\n",
                                      "__MACOSX/zhangsan/._blur.ipynb": "junk"})
    exc = reject(z, "missing_files", mini_exam, store, workdir)
    assert "blur.ipynb" in exc.params["expected"] and "qt/main.py" in exc.params["expected"]


def test_files_two_folders_down_are_not_found(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"a/b/blur.py": "x = 1\n"})
    reject(z, "missing_files", mini_exam, store, workdir)


def test_empty_folder(tmp_path, mini_exam, store, workdir):
    d = tmp_path / "empty"
    d.mkdir()
    reject(d, "missing_files", mini_exam, store, workdir)


def test_unknown_task(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "blur.py"
    f.write_text("x = 1\n")
    exc = reject(f, "unknown_task", mini_exam, store, workdir, task="nope")
    assert exc.params["tasks"] == "blur, count, qt"


@pytest.mark.parametrize("name", ["solution.ipynb", "main.py", "answer (1).py"])
def test_ambiguous_single_file(name, tmp_path, mini_exam, store, workdir):
    f = tmp_path / name
    f.write_bytes(notebook_bytes() if name.endswith(".ipynb") else b"x = 1\n")
    reject(f, "task_needs_choice", mini_exam, store, workdir)


@pytest.mark.parametrize("name,task", [("count.ipynb", None), ("blur.ipynb", "count"),
                                       ("qt.py", None), ("main.py", "qt")])
def test_kind_not_accepted(name, task, tmp_path, mini_exam, store, workdir):
    f = tmp_path / name
    f.write_bytes(notebook_bytes() if name.endswith(".ipynb") else b"x = 1\n")
    reject(f, "kind_not_accepted", mini_exam, store, workdir, task=task)


def test_folder_with_symlink(tmp_path, mini_exam, store, workdir):
    d = tmp_path / "zhangsan"
    d.mkdir()
    (d / "blur.py").write_text("x = 1\n")
    (d / "data.csv").symlink_to("/etc/passwd")
    reject(d, "zip_link", mini_exam, store, workdir)


def test_folder_too_big(tmp_path, mini_exam, store, workdir):
    d = tmp_path / "zhangsan"
    d.mkdir()
    (d / "blur.py").write_text("x = 1\n")
    (d / "data.bin").write_bytes(os.urandom(5000))
    reject(d, "zip_bomb", mini_exam, store, workdir, limits=IntakeLimits(max_unpacked_bytes=2000))


def test_not_found(tmp_path, mini_exam, store, workdir):
    with pytest.raises(SubmissionRejected) as ei:
        accept(tmp_path / "nope.ipynb", mini_exam, store, workdir=workdir)
    assert ei.value.code == "not_found"
    assert ei.value.show("zh") and ei.value.show("en")
    assert store.entries() == []     # nothing to keep


# --------------------------------------------------------------------------
# accepted submissions


def test_single_notebook(tmp_path, mini_exam, store, workdir):
    data = notebook_bytes("import numpy as np")
    f = tmp_path / "blur.ipynb"
    f.write_bytes(data)
    intake = accept(f, mini_exam, store, workdir=workdir)
    assert intake.ref.sha256 == sha(data) and intake.ref.kind == "file"
    assert intake.ref.filename == "blur.ipynb"
    tf = intake.tasks["blur"]
    assert tf == TaskFiles("blur", SubmissionKind.NOTEBOOK, workdir / "tasks" / "blur", "blur.ipynb")
    assert (tf.root / tf.entry).read_bytes() == data
    assert intake.missing == ("count", "qt")
    assert_modes(workdir / "tasks")
    accepted(store, intake)


def test_single_script_with_task(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "my_answer.py"
    f.write_text("def count(xs):\n    return len(xs)\n")
    intake = accept(f, mini_exam, store, task="count", workdir=workdir)
    tf = intake.tasks["count"]
    assert tf.kind is SubmissionKind.SCRIPT and tf.entry == "count.py"   # renamed
    assert (tf.root / "count.py").read_text().startswith("def count")
    assert intake.missing == ("blur", "qt")
    accepted(store, intake)


@pytest.mark.parametrize("name", ["blur (1).ipynb", "blur(2).ipynb", "blur-2.ipynb", "Blur.ipynb",
                                  "blur - Copy.ipynb", "blur - 副本.ipynb"])
def test_browser_copy_names_are_inferred(name, tmp_path, mini_exam, store, workdir):
    f = tmp_path / name
    f.write_bytes(notebook_bytes())
    intake = accept(f, mini_exam, store, workdir=workdir)
    assert list(intake.tasks) == ["blur"]
    assert intake.tasks["blur"].entry == "blur.ipynb"
    assert (intake.tasks["blur"].root / "blur.ipynb").is_file()


def test_notebook_with_bom_is_handed_on_without_it(tmp_path, mini_exam, store, workdir):
    data = notebook_bytes()
    f = tmp_path / "blur.ipynb"
    f.write_bytes(b"\xef\xbb\xbf" + data)
    intake = accept(f, mini_exam, store, workdir=workdir)
    assert (intake.tasks["blur"].root / "blur.ipynb").read_bytes() == data
    assert intake.ref.sha256 == sha(b"\xef\xbb\xbf" + data)    # the store keeps what was sent


def test_zip_with_top_folder_two_tasks_and_one_missing(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "zhangsan.zip", {
        "zhangsan/": b"",
        "zhangsan/blur.ipynb": notebook_bytes(),
        "zhangsan/count.py": "def count(xs):\n    return len(xs)\n",
        "zhangsan/helpers.py": "K = 3\n",
        "zhangsan/data/img.txt": "pixels",
        "zhangsan/.ipynb_checkpoints/blur-checkpoint.ipynb": "{}",
        "zhangsan/__pycache__/helpers.cpython-311.pyc": b"\0",
        "zhangsan/.DS_Store": b"\0",
        "__MACOSX/zhangsan/._blur.ipynb": b"\0",
    })
    intake = accept(z, mini_exam, store, workdir=workdir)
    assert intake.ref.kind == "zip" and intake.ref.filename == "zhangsan.zip"
    assert set(intake.tasks) == {"blur", "count"} and intake.missing == ("qt",)
    blur, count = intake.tasks["blur"], intake.tasks["count"]
    assert blur.kind is SubmissionKind.NOTEBOOK and blur.entry == "blur.ipynb"
    assert count.kind is SubmissionKind.SCRIPT and count.entry == "count.py"
    assert blur.root != count.root                      # each task has its own copy
    for tf in (blur, count):
        assert (tf.root / "helpers.py").read_text() == "K = 3\n"
        assert (tf.root / "data" / "img.txt").read_text() == "pixels"
        assert not (tf.root / ".ipynb_checkpoints").exists()
        assert not (tf.root / "__pycache__").exists() and not (tf.root / ".DS_Store").exists()
    assert not (workdir / "unpacked").exists()
    assert_modes(workdir / "tasks")
    accepted(store, intake)


def test_zip_prefers_the_first_accepted_kind(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"blur.py": "x = 1\n", "blur.ipynb": notebook_bytes()})
    assert accept(z, mini_exam, store, workdir=workdir).tasks["blur"].entry == "blur.ipynb"


def test_zip_with_task_looks_only_for_that_task(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"blur.py": "x = 1\n", "count.py": "n = 1\n"})
    intake = accept(z, mini_exam, store, task="count", workdir=workdir)
    assert set(intake.tasks) == {"count"} and intake.missing == ("blur", "qt")


def test_gbk_named_zip(tmp_path, mini_exam, store, workdir):
    path = tmp_path / "zhangsan.zip"
    placeholder, gbk = b"XXXX", "张三".encode("gbk")
    make_zip(path, {"XXXX/blur.ipynb": notebook_bytes(), "XXXX/notes.txt": "x"})
    path.write_bytes(path.read_bytes().replace(placeholder, gbk))
    with zipfile.ZipFile(path) as zf:
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
        assert "张三" not in zf.namelist()[0]                 # zipfile alone reads it as CP437
    intake = accept(path, mini_exam, store, workdir=workdir)
    tf = intake.tasks["blur"]
    assert tf.entry == "blur.ipynb" and (tf.root / "notes.txt").is_file()
    accepted(store, intake)


def test_utf8_named_zip(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"李四/blur.py": "x = 1\n", "李四/数据.csv": "a\n"})
    tf = accept(z, mini_exam, store, workdir=workdir).tasks["blur"]
    assert (tf.root / "数据.csv").read_text() == "a\n"


def test_project_zip(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "qt.zip", {"zhangsan/qt/main.py": "import ui\n", "zhangsan/qt/ui.py": "W = 1\n",
                                       "zhangsan/blur.py": "x = 1\n"})
    intake = accept(z, mini_exam, store, workdir=workdir)
    qt = intake.tasks["qt"]
    assert qt.kind is SubmissionKind.PROJECT and qt.entry == "main.py" and qt.root.name == "qt"
    assert sorted(p.name for p in qt.root.iterdir()) == ["main.py", "ui.py"]
    assert set(intake.tasks) == {"qt", "blur"} and intake.missing == ("count",)
    accepted(store, intake)


@pytest.mark.parametrize("task", ["qt", None])
def test_project_files_at_zip_root(task, tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "app.zip", {"main.py": "import ui\n", "ui.py": "W = 1\n", "res/icon.txt": "i"})
    intake = accept(z, mini_exam, store, task=task, workdir=workdir)
    qt = intake.tasks["qt"]
    assert qt.entry == "main.py" and (qt.root / "ui.py").is_file() and (qt.root / "res" / "icon.txt").is_file()
    assert list(intake.tasks) == ["qt"]


def test_folder_source(tmp_path, mini_exam, store, workdir):
    d = tmp_path / "zhangsan"
    (d / "qt").mkdir(parents=True)
    (d / "blur.ipynb").write_bytes(notebook_bytes())
    (d / "qt" / "main.py").write_text("print('hi')\n")
    (d / "__pycache__").mkdir()
    (d / "__pycache__" / "x.pyc").write_bytes(b"\0")
    intake = accept(d, mini_exam, store, workdir=workdir)
    assert intake.ref.kind == "folder" and intake.ref.filename == "zhangsan"
    assert set(intake.tasks) == {"blur", "qt"} and intake.missing == ("count",)
    with zipfile.ZipFile(store.path_of(intake.ref.sha256)) as zf:   # the folder, kept as a zip
        assert "qt/main.py" in zf.namelist()
    assert_modes(workdir / "tasks")
    accepted(store, intake)


def test_storing_the_same_upload_twice(tmp_path, mini_exam, store):
    f = tmp_path / "blur.py"
    f.write_text("x = 1\n")
    one = accept(f, mini_exam, store, workdir=tmp_path / "w1")
    two = accept(f, mini_exam, store, workdir=tmp_path / "w2")
    assert one.stored == two.stored
    assert [e["status"] for e in store.entries()] == ["accepted", "accepted"]
    assert len(list((store.root / "blobs").rglob("*.json"))) == 1


def test_stored_blob_is_read_only(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "blur.py"
    f.write_text("x = 1\n")
    intake = accept(f, mini_exam, store, workdir=workdir)
    assert stat.S_IMODE(intake.stored.path.stat().st_mode) == 0o444


def test_workdir_must_be_fresh(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "blur.py"
    f.write_text("x = 1\n")
    accept(f, mini_exam, store, workdir=workdir)
    with pytest.raises(ValueError):
        accept(f, mini_exam, store, workdir=workdir)


def test_every_intake_code_renders_in_both_languages():
    params = dict(name="a.zip", size_mb=21.0, limit_mb=20.0, accepted=".py", detail="d", limit_files=2000,
                  entry="../x", expected="blur.ipynb", task="t", tasks="a, b", kind="notebook", limit=12)
    for code in ("empty_file", "too_large", "wrong_type", "not_utf8", "bad_notebook", "bad_zip", "zip_bomb",
                 "zip_unsafe_path", "zip_link", "zip_encrypted", "zip_too_deep", "missing_files",
                 "unknown_task", "task_needs_choice", "kind_not_accepted", "not_found"):
        for lang in messages.LANGS:
            assert messages.text(code, lang, **params)
