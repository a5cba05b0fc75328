"""Exam packages for examiners: those in the configured folders, and uploaded zips.

`EXAM_ROOTS` lists folders whose sub-folders are packages (`exams/`). An
uploaded zip is screened and unpacked with the engine's intake checks (declared
and actual sizes, ratio, file count, depth, traversal, absolute paths, links,
encryption; regular files only) into `PACKAGES_DIR/<id>-<time>/`, laid out as a
repository is (`exams/<id>/`, and `reference_solutions/<id>/` when the zip has
it, so `prove` finds it). Either way `grader.manifest.read_exam` validates the
package and every problem is shown with its file and field; a package with
problems is never put on the board.
"""
from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from grader import intake
from grader.errors import SubmissionRejected
from grader.intake import IntakeLimits
from grader.manifest import MANIFEST, read_exam
from grader.models import Problem
from grader.store import MIB

NAME_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


@dataclass(frozen=True)
class Found:
    """A package folder under one of the roots, as `read_exam` sees it."""

    root: int             # index into roots()
    name: str             # the folder's name
    path: Path
    exam_id: str | None   # the package's id, when its exam.toml could be read
    problems: tuple[Problem, ...]


def roots(exam_roots: list[str]) -> list[Path]:
    """The configured folders of packages (`EXAM_ROOTS`) that exist."""
    return [Path(r).resolve() for r in exam_roots if Path(r).is_dir()]


def scan(listed: list[Path]) -> list[Found]:
    """Every folder with an exam.toml directly under one of the `roots()`, validated."""
    out = []
    for i, root in enumerate(listed):
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file()):
            exam, problems = read_exam(folder)
            out.append(Found(i, folder.name, folder.resolve(), exam.id if exam else None, tuple(problems)))
    return out


def resolve(listed: list[Path], root: int, name: str) -> Path | None:
    """The package folder `name` under root number `root` of `listed`; None for anything else
    (no paths from forms)."""
    if not (0 <= root < len(listed)) or not name or name.startswith(".") or not set(name) <= NAME_OK:
        return None
    path = listed[root] / name
    return path if path.is_dir() and (path / MANIFEST).is_file() else None


def limits(max_mb: int) -> IntakeLimits:
    mb = int(max_mb)
    return IntakeLimits(max_upload_bytes=mb * MIB, max_unpacked_bytes=mb * MIB, max_files=20000,
                        max_ratio=200.0, max_depth=16)


def _locate(unpacked: Path) -> tuple[Path | None, Path | None]:
    """(the package folder, the folder holding reference_solutions/) in an unpacked zip."""
    bases = [unpacked]
    tops = [p for p in unpacked.iterdir()]
    if len(tops) == 1 and tops[0].is_dir():
        bases.append(tops[0])
    for base in bases:
        if (base / MANIFEST).is_file():
            return base, None
        inner = [p for p in (base / "exams").glob(f"*/{MANIFEST}")] if (base / "exams").is_dir() else []
        if len(inner) == 1:
            return inner[0].parent, base
    return None, None


def unpack(upload: Path, name: str, packages_dir: Path, max_mb: int) -> tuple[Path | None, list[Problem]]:
    """Unpack and validate an uploaded package zip into `packages_dir` (at most `max_mb`, packed
    and unpacked). Returns (its folder, []) or (None, problems).
    Raises SubmissionRejected (a catalogue code) for an unsafe or unreadable zip."""
    lim = limits(max_mb)
    if upload.stat().st_size > lim.max_upload_bytes:
        raise SubmissionRejected("too_large", name=name, size_mb=upload.stat().st_size / MIB,
                                 limit_mb=lim.max_upload_bytes / MIB)
    base = Path(packages_dir)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
    staging = base / f".upload-{stamp}"
    (staging / "unpacked").mkdir(parents=True)
    try:
        intake.unpack_zip(upload, staging / "unpacked", name, lim)
        folder, solutions_base = _locate(staging / "unpacked")
        if folder is None:
            return None, [Problem(name, "", f"no {MANIFEST} at the top, under one folder, or in exams/<id>/")]
        exam, problems = read_exam(folder)
        if problems or exam is None:
            return None, [_relative(p, folder) for p in problems]
        final = base / f"{exam.id}-{stamp}"
        (final / "exams").mkdir(parents=True)
        folder.rename(final / "exams" / exam.id)
        solutions = solutions_base / "reference_solutions" / exam.id if solutions_base else None
        if solutions is not None and solutions.is_dir():
            (final / "reference_solutions").mkdir()
            solutions.rename(final / "reference_solutions" / exam.id)
        return final / "exams" / exam.id, []
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _relative(p: Problem, folder: Path) -> Problem:
    """Problems name files inside the package, never the board's staging folders."""
    file = p.file
    try:
        file = str(Path(file).relative_to(folder))
    except ValueError:
        pass
    return Problem(file, p.field, p.message)
