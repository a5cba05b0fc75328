"""Which submissions a folder (or an LMS download zip) holds, and whose each one is.

Layouts, tried in this order:

* **nbgrader**: a course folder with `submitted/`, or `submitted/` itself:
  `submitted/<student>/<assignment>/...`. Each student's assignment folder is one
  submission (a folder submission: the notebooks inside are found by their names, or
  the exam's only task takes the lone notebook). With several assignments per student,
  `assignment=` picks one.
* **LMS download zip** (`class.zip`): unpacked, with the intake's screening (bombs,
  traversal, links), into a work folder, then read like a folder. Moodle's folders
  (`Wang Fang_12345_assignsubmission_file_/`) and Canvas's file names
  (`wangfang_12345_67890_blur.ipynb`, `..._LATE_...`) name the candidate; Canvas files
  of one candidate are put together under their original names.
* **one entry per candidate** (also Otter's: a folder of notebooks or of the zips
  `Notebook.export()` writes): each file (`.ipynb`, `.py`, `.zip`) or folder directly in
  the folder is one candidate's submission, named by its stem. Other files (a roster, a
  README) are listed as not submissions, never silently dropped.

Hidden entries (`.DS_Store`, `.ipynb_checkpoints`) and OS junk are skipped.
"""
from __future__ import annotations

import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import SubmissionRejected
from ..intake import IntakeLimits, unpack_zip

SUBMISSION_SUFFIXES = (".ipynb", ".py", ".zip")
JUNK = {"__MACOSX", "Thumbs.db", "desktop.ini", "__pycache__"}
# Moodle: "<full name>_<id>_assignsubmission_file_" (also _onlinetext_)
_MOODLE = re.compile(r"^(?P<who>.+?_\d+)_assignsubmission_\w+?_?$")
# Canvas: "<name>[_LATE]_<user id>_<submission id>_<original file name>"
_CANVAS = re.compile(r"^(?P<name>[^_]+)(?:_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<orig>.+)$")


@dataclass(frozen=True)
class Submission:
    candidate: str     # unique in the batch, safe as a file name
    path: Path         # the file or folder to grade
    layout: str        # "plain", "nbgrader", "moodle", "canvas"


@dataclass(frozen=True)
class Unusable:
    """Something in the folder that is not a submission, shown in the table with why."""
    candidate: str
    path: Path
    reason: str


@dataclass(frozen=True)
class Found:
    submissions: tuple[Submission, ...]
    unusable: tuple[Unusable, ...]
    layout: str


def find(source: Path, workdir: Path, *, assignment: str | None = None,
         limits: IntakeLimits = IntakeLimits(max_unpacked_bytes=2048 * 1024 * 1024, max_files=20000,
                                             max_upload_bytes=2048 * 1024 * 1024)) -> Found:
    """The submissions in `source` (a folder or an LMS zip); `workdir` receives an
    unpacked zip (and Canvas's regrouped files) and must outlive the grading."""
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".zip":
        unpacked = workdir / "download"
        if unpacked.exists():                # a re-run unpacks the same zip again
            shutil.rmtree(unpacked)
        unpacked.mkdir(parents=True)
        unpack_zip(source, unpacked, source.name, limits)
        source = _single_top(unpacked)
    if not source.is_dir():
        raise SubmissionRejected("not_found", name=source.name)
    submitted = source / "submitted" if (source / "submitted").is_dir() else (
        source if source.name == "submitted" else None)
    if submitted is not None:
        return _nbgrader(submitted, assignment)
    return _plain(source, workdir)


def _single_top(folder: Path) -> Path:
    """An LMS zip that wraps everything in one folder: that folder."""
    entries = [p for p in folder.iterdir() if not _junk(p.name)]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else folder


def _junk(name: str) -> bool:
    return name.startswith(".") or name in JUNK


def _nbgrader(submitted: Path, assignment: str | None) -> Found:
    subs, bad = [], []
    names = _Names()
    for student in sorted(p for p in submitted.iterdir() if p.is_dir() and not _junk(p.name)):
        folders = sorted(p for p in student.iterdir() if p.is_dir() and not _junk(p.name))
        if assignment is not None:
            folders = [p for p in folders if p.name == assignment]
        who = names.unique(student.name)
        if len(folders) == 1:
            subs.append(Submission(who, folders[0], "nbgrader"))
        elif not folders:
            bad.append(Unusable(who, student, f"no assignment folder{f' {assignment!r}' if assignment else ''}"))
        else:
            bad.append(Unusable(who, student, "several assignments: choose one with --assignment "
                                              f"({', '.join(p.name for p in folders)})"))
    return Found(tuple(subs), tuple(bad), "nbgrader")


def _plain(folder: Path, workdir: Path) -> Found:
    entries = sorted(p for p in folder.iterdir() if not _junk(p.name))
    canvas = [p for p in entries if p.is_file() and _CANVAS.match(p.name)]
    if entries and len(canvas) == len(entries):
        return _canvas(canvas, workdir)
    subs, bad = [], []
    names = _Names()
    for p in entries:
        moodle = _MOODLE.match(p.name) if p.is_dir() else None
        if moodle:
            subs.append(Submission(names.unique(moodle["who"]), p, "moodle"))
        elif p.is_dir():
            subs.append(Submission(names.unique(p.name), p, "plain"))
        elif p.is_file() and p.suffix.lower() in SUBMISSION_SUFFIXES:
            subs.append(Submission(names.unique(p.stem), p, "plain"))
        else:
            bad.append(Unusable(names.unique(p.name), p, "not a notebook, script, zip or folder"))
    layout = "moodle" if subs and all(s.layout == "moodle" for s in subs) else "plain"
    return Found(tuple(subs), tuple(bad), layout)


def _canvas(files: list[Path], workdir: Path) -> Found:
    """Canvas names every file `<name>_<uid>_<sid>_<original>`: one candidate may have
    several (a notebook and a script); each candidate's files go into one folder under
    their original names, so the intake finds each task by name."""
    groups: dict[str, list[tuple[Path, str]]] = {}
    for p in files:
        m = _CANVAS.match(p.name)
        groups.setdefault(f"{m['name']}_{m['uid']}", []).append((p, _canvas_original(m["orig"])))
    staged = workdir / "canvas"
    if staged.exists():
        shutil.rmtree(staged)
    subs = []
    names = _Names()
    for who, items in sorted(groups.items()):
        who = names.unique(who)
        if len(items) == 1 and items[0][1].lower().endswith(SUBMISSION_SUFFIXES):
            dest = staged / who / items[0][1]
            dest.parent.mkdir(parents=True)
            shutil.copyfile(items[0][0], dest)
            subs.append(Submission(who, dest, "canvas"))
            continue
        dest = staged / who / "files"
        dest.mkdir(parents=True)
        for src, orig in items:
            shutil.copyfile(src, dest / orig)
        subs.append(Submission(who, dest, "canvas"))
    return Found(tuple(subs), (), "canvas")


def _canvas_original(orig: str) -> str:
    """Canvas appends `-1`, `-2` to a re-uploaded file's name: the intake tolerates those;
    only a name that would leave the folder is made safe."""
    return safe_name(orig) or "upload"


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_name(text: str) -> str:
    """A file-name-safe form of a candidate's name (letters of any script kept)."""
    text = unicodedata.normalize("NFC", text).strip()
    text = _UNSAFE.sub("_", text).strip(". ")
    return text[:80]


class _Names:
    """Unique, safe candidate names within one batch (`li`, `li-2`, ...)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def unique(self, raw: str) -> str:
        base = safe_name(raw) or "candidate"
        name, n = base, 1
        while name.casefold() in self.seen:
            n += 1
            name = f"{base}-{n}"
        self.seen.add(name.casefold())
        return name
