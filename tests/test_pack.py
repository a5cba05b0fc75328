"""The candidates' kit carries the SDK documentation the statements send them to."""
from __future__ import annotations

import re
import zipfile

import pytest

from grader import pack as pack_mod
from grader.errors import ExamConfigError
from grader.manifest import load_exam
from grader.pack import pack

from .conftest import REPO


@pytest.fixture(scope="module")
def edge_exam():
    return load_exam(REPO / "exams" / "edge-ai-practical")


def _kit(exam, tmp_path):
    dest = tmp_path / "kit.zip"
    names = pack(exam, dest)
    zf = zipfile.ZipFile(dest)
    assert zf.namelist() == names
    return zf


def test_kit_of_an_sdk_exam_has_every_doc_a_statement_names(edge_exam, tmp_path):
    with _kit(edge_exam, tmp_path) as zf:
        listed = set(zf.namelist())
        for doc in sorted((REPO / "docs" / "sdk").glob("*.md")):
            assert zf.read(f"docs/sdk/{doc.name}") == doc.read_bytes()
        readme = zf.read("README.md").decode()
        statements = {n: zf.read(n).decode() for n in listed if re.search(r"/statement\.(zh|en)\.md$", n)}
    assert {"docs/sdk/face.md", "docs/sdk/mask.md", "docs/sdk/plate.md"} <= listed
    assert "docs/sdk/" in readme
    # a statement may write "docs/sdk/face.md", then only "mask.md" for the next one
    named = set()
    for text in statements.values():
        if "docs/sdk/" in text:
            named |= set(re.findall(r"`(?:docs/sdk/)?(\w+\.md)`", text))
    assert named, "no statement names the SDK docs any more: is this test still needed?"
    missing = {n for n in named if f"docs/sdk/{n}" not in listed}
    assert not missing, f"statements name docs the kit lacks: {missing}"
    assert not any("answers" in n or "hidden" in n or "/tests/" in n for n in listed)


def test_kit_without_the_sdk_has_no_sdk_docs(demo_exam, tmp_path):
    assert not pack_mod.uses_sdk(demo_exam)
    with _kit(demo_exam, tmp_path) as zf:
        assert not any(n.startswith("docs/") for n in zf.namelist())
        assert "docs/sdk" not in zf.read("README.md").decode()


def test_missing_sdk_docs_stop_the_kit(edge_exam, tmp_path, monkeypatch):
    monkeypatch.setattr(pack_mod, "SDK_DOCS", tmp_path / "nowhere")
    with pytest.raises(ExamConfigError, match="docs/sdk"):
        pack(edge_exam, tmp_path / "kit.zip")
