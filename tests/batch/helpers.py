"""Submissions for batch tests: notebooks of the one-question exam in tests/fixtures/solo."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat

SOLO = Path(__file__).resolve().parents[1] / "fixtures" / "solo"
RIGHT = "def sum_squares(n):\n    return sum(i * i for i in range(n + 1))"
WRONG = "def sum_squares(n):\n    return n * n"


def notebook(source: str, *, changed_type: bool = False) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# q1"), nbformat.v4.new_code_cell(source)]
    raw = json.loads(nbformat.writes(nb))
    if changed_type:   # a code cell turned into markdown, its outputs left behind
        raw["cells"][0].update(outputs=[], execution_count=1)
    return json.dumps(raw)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def zip_of(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
    return path
