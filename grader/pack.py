"""The candidates' kit: statements, starter files and public samples, nothing hidden.

    exam-kit.zip
      README.md                      the exam's title and task list (zh, en)
      <task>/statement.zh.md, statement.en.md
      <task>/<starter files>
      <task>/<data_dir>/...          the public samples, where the code expects its data
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from .manifest import Exam

FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes) -> None:
    info = zipfile.ZipInfo(arcname, FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def _files(folder: Path):
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                yield path


def pack(exam: Exam, dest: Path) -> list[str]:
    names: list[str] = []
    with zipfile.ZipFile(dest, "w") as zf:
        lines = [f"# {exam.title.zh} / {exam.title.en}", ""]
        for t in exam.tasks:
            lines.append(f"- `{t.id}/` {t.title.zh} / {t.title.en} — {t.points:g} 分 points — "
                         f"提交 hand in: {' / '.join(t.expected_files())}")
        _add(zf, "README.md", ("\n".join(lines) + "\n").encode())
        names.append("README.md")
        for t in exam.tasks:
            for lang in ("zh", "en"):
                path = t.root / f"statement.{lang}.md"
                if path.is_file():
                    _add(zf, f"{t.id}/statement.{lang}.md", path.read_bytes())
                    names.append(f"{t.id}/statement.{lang}.md")
            for part, prefix in (("starter", ""), ("public", f"{t.data_dir}/")):
                base = t.dir(part)
                for path in _files(base):
                    arc = f"{t.id}/{prefix}{path.relative_to(base).as_posix()}"
                    _add(zf, arc, path.read_bytes())
                    names.append(arc)
    return names
