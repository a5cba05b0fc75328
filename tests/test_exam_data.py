"""Generated exam data (run in the sandbox image, cached) and the candidates' kit."""
from __future__ import annotations

import shutil
import zipfile

import pytest

from grader import exam_data
from grader.manifest import load_exam
from grader.pack import pack

from .conftest import CORPUS, FIXTURES

GENERATOR = '''
import json, os, sys
out = sys.argv[1]
for part, name, data in (("hidden", "numbers.json", {"a": 20, "b": 22}),
                         ("answers", "secret.json", {"sum": 42, "token": "SECRET-GEN"}),
                         ("public", "numbers.json", {"a": 1, "b": 2})):
    os.makedirs(os.path.join(out, "calc", part), exist_ok=True)
    with open(os.path.join(out, "calc", part, name), "w") as fh:
        json.dump(data, fh)
print("generated")
'''


@pytest.fixture
def generated_exam(tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICUM_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "lab"
    shutil.copytree(FIXTURES / "lab", root)
    for part in ("hidden", "answers"):
        shutil.rmtree(root / "tasks" / "calc" / part)
    text = (root / "exam.toml").read_text()
    (root / "exam.toml").write_text(text.replace('visibility = "visible"',
                                                 'visibility = "visible"\ndata = { generator = "generate.py" }'))
    (root / "generate.py").write_text(GENERATOR)
    return load_exam(root)


@pytest.mark.docker
def test_generated_data_is_cached_and_used(generated_exam, image_tag, grade, tmp_path):
    prepared = exam_data.prepare(generated_exam, image_tag)
    calc = prepared.task("calc")
    assert (calc.dir("hidden") / "numbers.json").read_text() == '{"a": 20, "b": 22}'
    stamp = (calc.data_root.parent / ".complete").read_text()   # whole-exam mode
    again = exam_data.prepare(generated_exam, image_tag)
    assert (again.task("calc").data_root.parent / ".complete").read_text() == stamp   # not regenerated
    source = tmp_path / "calc.py"
    source.write_bytes((CORPUS / "honest.py").read_bytes())
    rep = grade(generated_exam, source, task="calc")
    assert rep.tasks[0].score == 4          # the trusted test read the generated answer (42)


def test_changing_the_generator_changes_the_key(generated_exam):
    before = exam_data.data_key(generated_exam, "img:1")
    (generated_exam.root / "generate.py").write_text(GENERATOR + "\n# changed\n")
    assert exam_data.data_key(generated_exam, "img:1") != before
    assert exam_data.data_key(generated_exam, "img:2") != exam_data.data_key(generated_exam, "img:1")


def test_kit_has_statements_starters_and_public_data_only(demo_exam, tmp_path):
    dest = tmp_path / "kit.zip"
    names = pack(demo_exam, dest)
    with zipfile.ZipFile(dest) as zf:
        listed = zf.namelist()
    assert listed == names
    assert "blur/statement.zh.md" in listed and "blur/blur.py" in listed
    assert "shapes/data/sample_0.png" in listed
    assert not any("answers" in n or "hidden" in n or "/tests/" in n for n in listed)


def test_per_task_keys_follow_only_their_own_generator(tmp_path):
    from .conftest import REPO

    root = tmp_path / "edge"
    shutil.copytree(REPO / "exams" / "edge-ai-practical", root)
    exam = load_exam(root)
    assert exam_data.per_task(exam)
    tasks = [t.id for t in exam.tasks if (root / "gen" / f"{t.id}.py").is_file()]
    assert len(tasks) >= 2
    first, other = tasks[0], tasks[1]
    before = {t: exam_data.data_key(exam, "img", t) for t in tasks}
    with open(root / "gen" / f"{first}.py", "a") as fh:
        fh.write("\n# changed\n")
    assert exam_data.data_key(exam, "img", first) != before[first]
    assert exam_data.data_key(exam, "img", other) == before[other]
    (root / "gen" / "shared_helpers.py").write_text("X = 1\n")   # shared: every task's key
    assert exam_data.data_key(exam, "img", other) != before[other]


@pytest.mark.docker
def test_generated_data_keeps_every_file(generated_exam, image_tag):
    """Generator output is not an artifact: no small cap on the number of files."""
    many = GENERATOR + '''
for i in range(450):
    with open(os.path.join(out, "calc", "public", f"sample_{i:03d}.txt"), "w") as fh:
        fh.write(str(i))
'''
    (generated_exam.root / "generate.py").write_text(many)
    prepared = exam_data.prepare(generated_exam, image_tag)
    assert len(list(prepared.task("calc").dir("public").glob("sample_*.txt"))) == 450
