"""The one-question notebook exam of the side-by-side bench, written for each tool, and its
20 submissions (12 correct, 4 wrong, 2 raising, an infinite loop, a 3 GiB memory hog).

The question: define `sum_squares(n)`, the sum of i*i for i in 0..n. Three checks, 5 points
(`CASES`), written once here and rendered as nbgrader test cells, Otter OK-format test files
and a Practicum rubric file, so every tool grades exactly the same asserts.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

CASES = [("small", 2, "sum_squares(3) == 14"), ("zero", 1, "sum_squares(0) == 0"),
         ("large", 2, "sum_squares(100) == 338350")]
POINTS = sum(p for _, p, _ in CASES)
RIGHT = ["def sum_squares(n):\n    return sum(i * i for i in range(n + 1))",
         "def sum_squares(n):\n    return n * (n + 1) * (2 * n + 1) // 6",
         "def sum_squares(n):\n    total = 0\n    for i in range(n + 1):\n        total += i ** 2\n    return total",
         "def sum_squares(n):\n    return sum(map(lambda i: i * i, range(n + 1)))"]
WRONG = ["def sum_squares(n):\n    return n * n",
         "def sum_squares(n):\n    return sum(i * i for i in range(n))",
         "def sum_squares(n):\n    return sum(range(n + 1))",
         "def sum_squares(n):\n    return n * (n + 1) // 2 + 1"]


def submissions() -> list[tuple[str, str, list[str]]]:
    """(candidate, kind, code cells) for the 20 submissions."""
    subs = []
    for i in range(12):   # 12 correct, four ways of writing it, each with its own comment
        subs.append((f"correct{i + 1:02d}", "correct", [f"# candidate {i + 1}\n" + RIGHT[i % len(RIGHT)]]))
    for i, code in enumerate(WRONG):
        subs.append((f"wrong{i + 1}", "wrong", [code]))
    subs.append(("raising1", "raising", ["def sum_squares(n):\n    return sum(i * i for i in range(n + 1)) / 0"]))
    subs.append(("raising2", "raising", ["import numpyy as np\n" + RIGHT[0]]))
    subs.append(("loop", "loop", [RIGHT[0], "while True:\n    pass"]))
    subs.append(("hog", "hog", [RIGHT[0], "hog = b'x' * (3 * 1024 ** 3)   # 3 GiB, every page written\nlen(hog)"]))
    return subs


def _notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = cells
    return nb


def plain_notebook(code_cells: list[str]) -> str:
    """What a candidate hands in to Practicum and to Otter: a title and their code cells."""
    cells = [nbformat.v4.new_markdown_cell("# Q1: sum of squares")]
    cells += [nbformat.v4.new_code_cell(c) for c in code_cells]
    return nbformat.writes(_notebook(cells))


# --------------------------------------------------------------------------- Practicum


def write_practicum(root: Path) -> Path:
    tests = root / "tasks" / "q1" / "tests" / "hidden"
    tests.mkdir(parents=True, exist_ok=True)
    (root / "exam.toml").write_text(f"""\
id = "sidebyside"
title = {{ zh = "平方和", en = "Sum of squares" }}
visibility = "visible"

[limits]
wall_s = 30
cell_s = 10
test_s = 5
memory_mb = 512
cpus = 1.0
pids = 64
output_mb = 8
stdout_kb = 64

[[tasks]]
id = "q1"
title = {{ zh = "平方和", en = "Sum of squares" }}
points = {POINTS}
accepts = ["notebook"]
name = "q1"
""", encoding="utf-8")
    for lang in ("zh", "en"):
        (root / "tasks" / "q1" / f"statement.{lang}.md").write_text("# sum_squares(n)\n", encoding="utf-8")
    body = ["import pytest", "", "from practicum import rubric", ""]
    for name, points, expr in CASES:
        body += ["", f"@pytest.mark.points({points})", f"def test_{name}(candidate):",
                 f'    """{expr}"""', '    rubric.require(candidate, "sum_squares")',
                 f"    rubric.check(candidate.{expr}, {expr!r})", ""]
    (tests / "test_q1.py").write_text("\n".join(body), encoding="utf-8")
    return root


# --------------------------------------------------------------------------- Otter


def write_otter_tests(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, points, expr in CASES:
        test = {"name": f"q1_{name}", "points": points,
                "suites": [{"cases": [{"code": f">>> {expr}\nTrue", "hidden": False, "locked": False}],
                            "scored": True, "setup": "", "teardown": "", "type": "doctest"}]}
        (folder / f"q1_{name}.py").write_text(f"OK_FORMAT = True\n\ntest = {test!r}\n", encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- nbgrader


def _graded(source: str, **nbg) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, **nbg}
    return cell


def write_nbgrader_course(root: Path) -> Path:
    """A course folder with the instructor's notebook in source/ps1 and its config."""
    (root / "source" / "ps1").mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        "import os\nc = get_config()\nc.CourseDirectory.course_id = 'sidebyside'\n"
        "c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))\n", encoding="utf-8")
    cells = [nbformat.v4.new_markdown_cell("# Q1: sum of squares"),
             _graded("def sum_squares(n):\n    ### BEGIN SOLUTION\n    return sum(i * i for i in range(n + 1))\n"
                     "    ### END SOLUTION", grade=False, solution=True, locked=False, grade_id="answer")]
    cells += [_graded(f"assert {expr}", grade=True, solution=False, locked=True, grade_id=f"test_{name}",
                      points=points) for name, points, expr in CASES]
    nbformat.write(_notebook(cells), str(root / "source" / "ps1" / "ps1.ipynb"))
    return root


def nbgrader_submission(released: Path, code_cells: list[str]) -> str:
    """The released notebook with the candidate's code in the answer cell and any further
    cells of theirs after it (as a student edits the released copy)."""
    nb = nbformat.read(str(released), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "answer")
    nb.cells[at].source = code_cells[0]
    for j, extra in enumerate(code_cells[1:], start=1):
        nb.cells.insert(at + j, nbformat.v4.new_code_cell(extra))
    return nbformat.writes(nb)


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
