"""The AI-trainer sample exam: its flawed solutions come from the model answers, its data
from seeded generators (public samples never the hidden set). Its proof: tests/test_prove.py."""
from __future__ import annotations

import json
import runpy

import pytest

from grader import exam_data
from grader.manifest import load_exam

from .conftest import REPO

EXAM = REPO / "exams" / "ai-trainer-practical"
SOLUTIONS = REPO / "reference_solutions" / "ai-trainer-practical"


def test_flawed_solutions_are_the_model_answers_with_one_edit():
    built = runpy.run_path(str(SOLUTIONS / "make_flawed.py"))["build"]()
    assert built
    for target, text in built.items():
        assert (SOLUTIONS / target).read_text(encoding="utf-8") == text, \
            f"{target} is stale: python3 {SOLUTIONS / 'make_flawed.py'}"


def test_every_check_has_a_chinese_title():
    exam = load_exam(EXAM)
    untitled = [f"{t.id}/{s.name}" for t in exam.tasks for s in t.tests if not s.description_zh]
    assert not untitled


@pytest.mark.docker
def test_public_samples_are_not_the_hidden_set(image_tag, tmp_path, monkeypatch):
    monkeypatch.setenv("PRACTICUM_CACHE", str(tmp_path / "cache"))
    exam = exam_data.prepare(load_exam(EXAM), image_tag)
    for task in exam.tasks:
        public = {p.relative_to(task.dir("public")): p.read_bytes()
                  for p in task.dir("public").rglob("*") if p.is_file()}
        hidden = {p.relative_to(task.dir("hidden")): p.read_bytes()
                  for p in task.dir("hidden").rglob("*") if p.is_file()}
        shared_inputs = {"seed.jsonl", "lexicon.json", "seed_labels.csv", "classes.txt"}   # given twice
        same = [str(k) for k, v in hidden.items() if public.get(k) == v
                and k.name not in shared_inputs and k.parts[0] != "seed"]
        assert not same, f"{task.id}: public files identical to hidden ones: {same[:3]}"
        assert any(task.dir("answers").rglob("*")), task.id
    text = exam.task("text")
    public = {json.loads(line)["text"] for line in (text.dir("public") / "sentences.jsonl").read_text().splitlines()}
    hidden = [json.loads(line)["text"] for line in (text.dir("hidden") / "sentences.jsonl").read_text().splitlines()]
    assert len(hidden) == 200 and len(public & set(hidden)) < 5     # templated text may repeat by chance


@pytest.mark.docker
def test_the_train_statements_promise_about_copies_holds(image_tag, tmp_path, monkeypatch):
    """Copies of one capture differ by under 4 grey levels on average, other pictures by 8 or
    more: every pair of the grading pictures, not only the pairs the generator compared."""
    import numpy as np

    monkeypatch.setenv("PRACTICUM_CACHE", str(tmp_path / "cache"))
    answers = exam_data.prepare(load_exam(EXAM), image_tag).task("train").dir("answers")
    with np.load(answers / "pictures.npz") as d:
        names, pixels = [str(n) for n in d["names"]], d["images"].reshape(len(d["names"]), -1).astype(np.float32)
    capture = json.loads((answers / "captures.json").read_text())
    groups = np.array([capture[n] for n in names])
    assert len(set(groups)) < len(names)                     # there are copies to find
    closest_other, farthest_copy = 255.0, 0.0
    for i in range(len(names) - 1):
        mad = np.abs(pixels[i + 1:] - pixels[i]).mean(axis=1)
        same = groups[i + 1:] == groups[i]
        if same.any():
            farthest_copy = max(farthest_copy, float(mad[same].max()))
        if (~same).any():
            closest_other = min(closest_other, float(mad[~same].min()))
    assert farthest_copy < 4 <= 8 <= closest_other, (farthest_copy, closest_other)
