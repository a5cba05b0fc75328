"""`practicum exam new ID`: a new exam package that checks and proves as written.

The package is copied from grader/templates/new_exam/ — one task with a test at
every trust level (public, hidden, trusted), a statement pair, a seeded data
generator, a reference solution and a flawed one with its expected score — so an
examiner starts from something proven and changes it step by step
(docs/authoring.md). `@ID@`, `@TITLE_ZH@` and `@TITLE_EN@` in the templates are
replaced; nothing else is.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .manifest import ID_RE

TEMPLATES = Path(__file__).resolve().parent / "templates" / "new_exam"
TEXT_SUFFIXES = {".py", ".toml", ".md", ".txt", ".json"}


@dataclass(frozen=True)
class Scaffold:
    exam_dir: Path
    solutions_dir: Path
    files: tuple[Path, ...]


class ScaffoldError(ValueError):
    """The id or a title cannot make a package, or the package would overwrite files."""


def _copy(src: Path, dest: Path, values: dict[str, str]) -> list[Path]:
    written = []
    for path in sorted(src.rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8")
            for key, value in values.items():
                text = text.replace(f"@{key}@", value)
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(path, target)
        written.append(target)
    return written


def new_exam(root: Path, exam_id: str, *, title_zh: str = "", title_en: str = "") -> Scaffold:
    """Write ROOT/exams/ID and ROOT/reference_solutions/ID; refuse to overwrite anything."""
    if not ID_RE.match(exam_id):
        raise ScaffoldError("the id: use lowercase letters, digits, '-' and '_' (at most 63), e.g. 'ai-trainer'")
    root = Path(root)
    exam_dir, solutions_dir = root / "exams" / exam_id, root / "reference_solutions" / exam_id
    for folder in (exam_dir, solutions_dir):
        if folder.exists():
            raise ScaffoldError(f"{folder} already exists: choose another id or remove it")
    values = {"ID": exam_id, "TITLE_ZH": title_zh or f"{exam_id} 实操考试",
              "TITLE_EN": title_en or f"{exam_id} practical exam"}
    for key, value in values.items():
        if '"' in value or "\\" in value or "\n" in value:
            raise ScaffoldError("a title may not hold quotes, backslashes or line breaks")
    files = _copy(TEMPLATES / "exam", exam_dir, values) + _copy(TEMPLATES / "solutions", solutions_dir, values)
    return Scaffold(exam_dir, solutions_dir, tuple(files))
