"""grader.batch.records, exports and progress: what resuming reads, the class table, the progress line."""
from __future__ import annotations

import csv
import io
import json
import shutil

from openpyxl import load_workbook

from grader.batch import exports, records
from grader.batch.progress import Progress, clock
from grader.batch.records import Record
from grader.store import Store

from .helpers import RIGHT, SOLO, write


def rec(candidate="alice", sha="a" * 64, exam="e" * 64, **kw) -> Record:
    base = dict(candidate=candidate, source=f"{candidate}.ipynb", sha256=sha, exam_sha256=exam,
                outcome="graded", status="ok", score=4.0, max_score=4.0, tasks={"q1": 4.0},
                gradescope={"score": 4.0, "tests": []})
    base.update(kw)
    return Record(**base)


def test_a_record_is_kept_only_for_the_same_bytes_and_package(tmp_path):
    records.write(tmp_path, rec())
    assert records.done_before(tmp_path, "alice", "a" * 64, "e" * 64) == rec()
    assert records.done_before(tmp_path, "alice", "b" * 64, "e" * 64) is None     # new bytes
    assert records.done_before(tmp_path, "alice", "a" * 64, "f" * 64) is None     # package changed
    assert records.done_before(tmp_path, "bob", "a" * 64, "e" * 64) is None       # never graded


def test_a_sandbox_error_is_graded_again_a_refusal_is_not(tmp_path):
    records.write(tmp_path, rec("bob", status="sandbox_error"))
    records.write(tmp_path, rec("carol", outcome="rejected", status="rejected", score=None, code="bad_notebook"))
    records.write(tmp_path, rec("dan", outcome="error", status="error", score=None))
    assert records.done_before(tmp_path, "bob", "a" * 64, "e" * 64) is None
    assert records.done_before(tmp_path, "carol", "a" * 64, "e" * 64) is not None
    assert records.done_before(tmp_path, "dan", "a" * 64, "e" * 64) is None


def test_a_damaged_record_means_grade_again(tmp_path):
    path = records.write(tmp_path, rec())
    path.write_text('{"version": 1, "candid', encoding="utf-8")
    assert records.done_before(tmp_path, "alice", "a" * 64, "e" * 64) is None
    assert not list(path.parent.glob(".tmp-*"))


def test_the_exam_hash_follows_every_file_of_the_package(tmp_path):
    pkg = tmp_path / "solo"
    shutil.copytree(SOLO, pkg)
    before = records.exam_sha256(pkg)
    (pkg / "tasks" / "q1" / "__pycache__").mkdir()
    (pkg / "tasks" / "q1" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert records.exam_sha256(pkg) == before          # caches do not count
    test = pkg / "tasks" / "q1" / "tests" / "hidden" / "test_q1.py"
    test.write_text(test.read_text() + "\n", encoding="utf-8")
    assert records.exam_sha256(pkg) != before


def test_a_folders_hash_is_the_one_intake_gives_it(tmp_path):
    from grader.intake import accept
    from grader.manifest import load_exam
    folder = write(tmp_path / "alice", "q1.py", RIGHT).parent
    store = Store(tmp_path / "store")
    sha = records.submission_sha256(folder, store)
    got = accept(folder, load_exam(SOLO), store, workdir=tmp_path / "work")
    assert got.ref.sha256 == sha


def test_class_table_exports(tmp_path):
    rows = [rec("alice"), rec("王芳", sha="b" * 64, status="wrong", score=2.0, tasks={"q1": 2.0}, reason="1 of 2"),
            rec("carol", outcome="rejected", status="rejected", score=None, max_score=None, tasks={},
                reason="carol.ipynb is not a valid Jupyter notebook", gradescope=None)]
    files = exports.write_all(tmp_path, rows, ["q1"], "solo")
    text = files["csv"].read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][:5] == ["candidate", "status", "score", "max_score", "q1"]
    assert table[2][:5] == ["王芳", "wrong", "2", "4", "2"]
    assert table[3][1] == "rejected" and table[3][2] == "" and "not a valid" in table[3][-1]
    ws = load_workbook(files["xlsx"]).active
    assert ws.title == "solo" and ws["A3"].value == "王芳" and ws["C3"].value == 2.0 and ws.max_row == 4
    gs = json.loads(files["gradescope"].read_text(encoding="utf-8"))
    assert [g["candidate"] for g in gs] == ["alice", "王芳"] and gs[0]["results"]["score"] == 4.0
    summary = exports.summary(rows, ["q1"])
    assert "carol" in summary and "not a valid" in summary and "1 ok, 1 rejected, 1 wrong" in summary


def test_the_progress_line_has_rate_and_eta():
    t = [100.0]
    out = io.StringIO()
    p = Progress(10, skipped=2, stream=out, jobs=2, now=lambda: t[0])
    p.start()
    assert "8 to grade, 2 at a time (2 already graded)" in out.getvalue()
    t[0] += 30
    p.finished("alice: 4/4 ok")
    t[0] += 30
    p.finished("bob: 0/4 wrong")
    last = out.getvalue().splitlines()[-1]
    # 2 graded in 60 s: 2.0/min; 6 left: 3 minutes
    assert last.startswith("[" + "#" * 9) and "4/10" in last and "2.0/min" in last and "ETA 3:00" in last
    assert last.endswith("bob: 0/4 wrong")
    assert clock(3725) == "1:02:05"
