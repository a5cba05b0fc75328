"""The candidates' kit: statements, starter files and public samples, nothing hidden.

    exam-kit.zip
      README.md                      the exam's title and task list (zh, en)
      <task>/statement.zh.md, statement.en.md
      <task>/<starter files>
      <task>/<data_dir>/...          the public samples, where the code expects its data
      docs/sdk/*.md                  the edgeai SDK's documentation, when a statement uses the SDK

The SDK docs sit at the path the statements give (`docs/sdk/face.md`). They come
from this repository, not from the exam package: the SDK is built into the image
from sandbox_images/sdk, so its documentation travels with the grader.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import ExamConfigError
from .manifest import Exam
from .models import Problem

FIXED_TIME = (2026, 1, 1, 0, 0, 0)
SDK_DOCS = Path(__file__).resolve().parents[1] / "docs" / "sdk"
SDK_MODULE = "edgeai"


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


def uses_sdk(exam: Exam, tasks=None) -> bool:
    """A statement names the SDK: its candidates need the SDK's documentation.

    Read from the statements rather than the image, since every exam on the
    default image has the SDK installed but only some tasks are about it."""
    for t in exam.tasks if tasks is None else tasks:
        for lang in ("zh", "en"):
            path = t.root / f"statement.{lang}.md"
            if path.is_file() and SDK_MODULE in path.read_text(encoding="utf-8", errors="replace"):
                return True
    return False


def sdk_docs(docs: Path) -> list[Path]:
    found = sorted(p for p in docs.glob("*.md") if p.is_file()) if docs.is_dir() else []
    if not found:
        # a kit whose statements point at missing documentation is worse than no kit
        raise ExamConfigError([Problem(str(docs), "", "the statements use the edgeai SDK, "
                                                      "but its documentation (docs/sdk/*.md) is missing")])
    return found


def pack(exam: Exam, dest: Path, task: str | None = None) -> list[str]:
    """Write the kit to `dest`; with `task`, that task's kit alone (what the board offers on the
    candidate's exam page, byte for byte). KeyError for a task the exam does not have."""
    tasks = exam.tasks if task is None else (exam.task(task),)
    names: list[str] = []
    docs = sdk_docs(SDK_DOCS) if uses_sdk(exam, tasks) else []
    with zipfile.ZipFile(dest, "w") as zf:
        lines = [f"# {exam.title.zh} / {exam.title.en}", ""]
        for t in tasks:
            lines.append(f"- `{t.id}/` {t.title.zh} / {t.title.en} — {t.points:g} 分 points — "
                         f"提交 hand in: {' / '.join(t.expected_files())}")
        if docs:
            lines.append(f"- `docs/sdk/` edgeai SDK 文档 / SDK documentation: "
                         f"{', '.join(p.name for p in docs)}")
        _add(zf, "README.md", ("\n".join(lines) + "\n").encode())
        names.append("README.md")
        for t in tasks:
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
        for path in docs:
            arc = f"docs/sdk/{path.name}"
            _add(zf, arc, path.read_bytes())
            names.append(arc)
    return names
