"""grader.intake, the fixes found while grading whole classes (issue 17): a one-task exam
takes any file name without `--task`, the "which task" refusal names the flag, and a
notebook whose cell type was changed is repaired (with a note) instead of refused."""
from __future__ import annotations

import json

import nbformat
import pytest

from grader import messages
from grader.intake import accept
from grader.manifest import load_exam

from .test_intake import make_zip, notebook_bytes, reject

ONE_TASK = """\
id = "solo"
title = { zh = "单题", en = "One task" }

[[tasks]]
id = "q1"
title = { zh = "第一题", en = "Question 1" }
points = 2
accepts = ["notebook", "script"]
name = "q1"
"""


@pytest.fixture
def solo_exam(tmp_path):
    root = tmp_path / "solo"
    tests = root / "tasks" / "q1" / "tests" / "hidden"
    tests.mkdir(parents=True)
    (root / "exam.toml").write_text(ONE_TASK, encoding="utf-8")
    for lang in ("zh", "en"):
        (root / "tasks" / "q1" / f"statement.{lang}.md").write_text("# q1\n", encoding="utf-8")
    (tests / "test_q1.py").write_text("import pytest\n@pytest.mark.points(2)\ndef test_x(): pass\n")
    return load_exam(root)


@pytest.mark.parametrize("name", ["alice.ipynb", "Wang Fang (2).py", "submission.ipynb"])
def test_a_one_task_exam_takes_any_file_name(name, tmp_path, solo_exam, store, workdir):
    f = tmp_path / name
    f.write_bytes(notebook_bytes() if name.endswith(".ipynb") else b"x = 1\n")
    got = accept(f, solo_exam, store, workdir=workdir)
    assert list(got.tasks) == ["q1"] and got.missing == ()
    files = got.tasks["q1"]
    assert files.entry == "q1" + f.suffix   # saved under the name the task expects


def test_the_which_task_refusal_names_the_flag(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "solution.py"
    f.write_text("x = 1\n")
    exc = reject(f, "task_needs_choice", mini_exam, store, workdir)
    assert "--task" in exc.show("en") and "--task" in exc.show("zh")
    assert "blur, count, qt" in exc.show("en")


def _changed_types() -> dict:
    """What Jupyter leaves when a code cell is turned into markdown and a markdown one into code."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 41"), nbformat.v4.new_markdown_cell("# Title"),
                nbformat.v4.new_code_cell("y = x + 1")]
    raw = json.loads(nbformat.writes(nb))
    raw["cells"][1].update(outputs=[], execution_count=3)           # markdown with code fields
    del raw["cells"][2]["outputs"], raw["cells"][2]["execution_count"]   # code without them
    return raw


def test_a_notebook_whose_cell_types_were_changed_is_repaired(tmp_path, mini_exam, store, workdir):
    raw = _changed_types()
    with pytest.raises(nbformat.ValidationError):     # the schema does refuse it
        nbformat.validate(nbformat.from_dict(raw))
    f = tmp_path / "blur.ipynb"
    f.write_text(json.dumps(raw), encoding="utf-8")
    files = accept(f, mini_exam, store, workdir=workdir).tasks["blur"]
    assert files.repaired == ("blur.ipynb",) and files.converted == ()
    fixed = nbformat.reads((files.root / files.entry).read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(fixed)
    assert [c.cell_type for c in fixed.cells] == ["code", "markdown", "code"]
    assert [c.source for c in fixed.cells] == ["x = 41", "# Title", "y = x + 1"]
    assert [c.id for c in fixed.cells] == [c["id"] for c in raw["cells"]]
    assert "outputs" not in fixed.cells[1] and fixed.cells[2].outputs == []
    # what is kept in the store is the candidate's own bytes, not the repair
    assert store.entries()[-1]["status"] == "accepted"


def test_a_repaired_notebook_inside_a_zip(tmp_path, mini_exam, store, workdir):
    z = make_zip(tmp_path / "z.zip", {"li/blur.ipynb": json.dumps(_changed_types()), "li/count.py": "n = 1\n"})
    got = accept(z, mini_exam, store, workdir=workdir)
    assert got.tasks["blur"].repaired == ("li/blur.ipynb",) and got.tasks["count"].repaired == ()


def test_a_valid_notebook_is_not_marked_repaired(tmp_path, mini_exam, store, workdir):
    f = tmp_path / "blur.ipynb"
    f.write_bytes(notebook_bytes())
    assert accept(f, mini_exam, store, workdir=workdir).tasks["blur"].repaired == ()


@pytest.mark.parametrize("damage", [
    lambda raw: raw["cells"][0].update(cell_type="spreadsheet"),
    lambda raw: raw["cells"][0].update(source=7),
    lambda raw: raw.update(nbformat=3),
])
def test_other_damage_is_still_refused(damage, tmp_path, mini_exam, store, workdir):
    raw = _changed_types()
    damage(raw)
    f = tmp_path / "blur.ipynb"
    f.write_text(json.dumps(raw), encoding="utf-8")
    reject(f, "bad_notebook", mini_exam, store, workdir)


def test_the_repair_note_reads_in_both_languages():
    for lang in messages.LANGS:
        assert "x.ipynb" in messages.text("repaired_notebook", lang, files="x.ipynb")
