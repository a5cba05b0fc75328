"""Accept or refuse a submission, and never lose it.

`accept()` stores every upload in the `Store` FIRST, then validates the stored
copy (never the source again, so what is graded is what is kept). A refusal is
logged with `store.record(sha, "rejected", code)` and raised as
`SubmissionRejected(code, **params)` with a key of `grader.messages.CATALOGUE`.
Only `not_found` (nothing to keep) and a source that is neither a regular file
nor a folder (a FIFO or device cannot be read safely) are refused unstored.

Oversized uploads: an upload over `max_upload_bytes` is kept whole when it is at
most 10x the limit and otherwise only its first `max_upload_bytes` bytes are kept,
flagged `truncated` in the sidecar (see `grader.store`): storing the first bytes
alone would not be "the submission kept", storing gigabytes would let one
upload fill the disk.

What is accepted:

* a single `.ipynb` / `.py`: for `task`, or for the task whose `name` is the
  file's stem (`blur.ipynb`; browser copies like `blur (1).ipynb`, `blur-2.py`,
  `blur - Copy.py` and a different letter case are tolerated). It is saved
  under the expected name (`task.name + suffix`).
* a `.zip` or a folder (a folder is packed into a deterministic zip by the store
  and then checked exactly like an uploaded zip, minus the compression-ratio
  check, which means nothing for a zip we packed ourselves): each task's
  `expected_files()` is looked for at the root or under ONE common top-level
  folder (`zhangsan/blur.ipynb`); with several accepted kinds present the
  first in `accepts` order wins. A zip meant for a single project task (`task`
  given, or no other task found and the exam has exactly one project task) may
  hold the project's entry at that base instead of under `<name>/`.
* `missing` lists the exam tasks with no file: `tasks` and `missing` together
  always cover every task of the exam (with `task` given, only that task is
  looked for). Finding no task at all is `missing_files`.

Zip hygiene: names flagged non-UTF-8 are decoded as UTF-8, else GBK (Chinese
Windows), else kept as CP437; backslashes are read as separators and the result
checked, so `..\\evil.py` is an unsafe path; only stored/deflated entries are
read. The compression-ratio limit applies to entries declaring over 1 MiB (tiny
files compress absurdly well and harm nothing). Bytes are counted while
extracting: an entry producing more than it declared is a `zip_bomb` (the
declared sizes lied). Extraction writes only regular files (0o644) and folders
(0o755) under `workdir`; junk (`__MACOSX/`, `.DS_Store`, `.ipynb_checkpoints/`,
`__pycache__/`, `Thumbs.db`) is skipped. Each task's `root` is its own copy.
"""
from __future__ import annotations

import copy
import json
import os
import re
import shutil
import stat
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import notebook_fix
from .errors import SubmissionRejected
from .manifest import SUFFIX, Exam, Task
from .models import SubmissionKind, SubmissionRef
from .store import CHUNK, MIB, Store, StoredBlob

__all__ = ["IntakeLimits", "TaskFiles", "Intake", "accept", "open_accepted", "unpack_zip"]

KIND_OF_SUFFIX = {suffix: kind for kind, suffix in SUFFIX.items()}
JUNK_DIRS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__"}
JUNK_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
RATIO_MIN_BYTES = MIB
BOM = b"\xef\xbb\xbf"
# browser / file-manager copies: "blur (1)", "blur-2", "blur - Copy", "blur copy 2", "blur - 副本"
_COPY_SUFFIX = re.compile(r"(\s*\(\d+\)|-\d+|\s*-\s*(copy|副本)(\s*\(\d+\))?|\s+copy(\s+\d+)?)$",
                          re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class IntakeLimits:
    max_upload_bytes: int = 20 * MIB
    max_unpacked_bytes: int = 100 * MIB
    max_files: int = 2000
    max_ratio: float = 200.0
    max_depth: int = 12

    def __post_init__(self) -> None:
        for name in ("max_upload_bytes", "max_unpacked_bytes", "max_files", "max_ratio", "max_depth"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"intake limit {name} must be a positive number, got {value!r}")


@dataclass(frozen=True)
class TaskFiles:
    task_id: str
    kind: SubmissionKind
    root: Path          # folder under workdir holding the candidate's files for the task
    entry: str          # file to execute/import, relative to root
    converted: tuple[str, ...] = ()   # scripts saved in GBK / GB18030, converted to UTF-8
    repaired: tuple[str, ...] = ()    # notebooks whose changed cell types were normalised


@dataclass(frozen=True)
class Intake:
    ref: SubmissionRef
    stored: StoredBlob
    tasks: dict[str, TaskFiles] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


# --------------------------------------------------------------------------
# entry point


def accept(source: Path, exam: Exam, store: Store, *, task: str | None = None,
           limits: IntakeLimits = IntakeLimits(), workdir: Path) -> Intake:
    source = Path(source)
    workdir = Path(workdir)
    name = source.name
    if not os.path.lexists(source):
        raise SubmissionRejected("not_found", name=name)

    # 1. keep it
    if source.is_dir():
        blob = store.put_folder(source, max_bytes=limits.max_unpacked_bytes,
                                max_files=limits.max_files)
        kind = "folder"
    elif source.is_file():
        try:
            blob = store.put_file(source, max_bytes=limits.max_upload_bytes)
        except SubmissionRejected as exc:
            kept = getattr(exc, "blob", None)
            if kept is not None:
                store.record(kept.sha256, "rejected", exc.code, filename=name)
            raise
        kind = "zip" if source.suffix.lower() == ".zip" else "file"
    else:
        raise SubmissionRejected("wrong_type", name=name, accepted=_accepted_types(exam))

    # 2. judge the kept copy
    _prepare(workdir)
    try:
        tasks = _judge(blob, kind, name, exam, task, limits, workdir)
    except SubmissionRejected as exc:
        store.record(blob.sha256, "rejected", exc.code, filename=name)
        _cleanup(workdir)
        raise
    store.record(blob.sha256, "accepted", None, filename=name)
    return _intake(blob, kind, name, exam, tasks)


def open_accepted(path: Path, exam: Exam, *, name: str, sha256: str, task: str | None = None,
                  limits: IntakeLimits = IntakeLimits(), workdir: Path) -> Intake:
    """Lay out, for grading, a file that `accept()` took in before (by whichever process): the
    same unpacking and the same refusals, but nothing is stored or recorded again, so one
    submission has one intake record. `path` holds the bytes of `sha256` (the caller checked
    the hash); `name` is the file name it was accepted under."""
    path, workdir = Path(path), Path(workdir)
    kind = "zip" if Path(name).suffix.lower() == ".zip" else "file"
    blob = StoredBlob(sha256=sha256, path=path, filename=name, size=path.stat().st_size)
    _prepare(workdir)
    try:
        tasks = _judge(blob, kind, name, exam, task, limits, workdir)
    except SubmissionRejected:
        _cleanup(workdir)
        raise
    return _intake(blob, kind, name, exam, tasks)


def _intake(blob: StoredBlob, kind: str, name: str, exam: Exam, tasks: dict[str, TaskFiles]) -> Intake:
    missing = tuple(t.id for t in exam.tasks if t.id not in tasks)
    return Intake(ref=SubmissionRef(sha256=blob.sha256, filename=name, kind=kind),
                  stored=blob, tasks=tasks, missing=missing)


def _judge(blob: StoredBlob, kind: str, name: str, exam: Exam, task_id: str | None,
           limits: IntakeLimits, workdir: Path) -> dict[str, TaskFiles]:
    chosen = None
    if task_id is not None:
        try:
            chosen = exam.task(task_id)
        except KeyError:
            raise SubmissionRejected("unknown_task", task=task_id, tasks=_task_ids(exam)) from None
    if kind == "folder":
        if blob.truncated:
            _bomb(name, limits)
        return _from_zip(blob.path, name, exam, chosen, limits, workdir, check_ratio=False)
    if blob.size == 0:
        raise SubmissionRejected("empty_file", name=name)
    if kind == "zip":
        return _from_zip(blob.path, name, exam, chosen, limits, workdir, check_ratio=True)
    return _from_single(blob.path, name, exam, chosen, workdir)


# --------------------------------------------------------------------------
# a single notebook or script


def _from_single(path: Path, name: str, exam: Exam, chosen: Task | None,
                 workdir: Path) -> dict[str, TaskFiles]:
    suffix = Path(name).suffix.lower()
    kind = KIND_OF_SUFFIX.get(suffix)
    if kind is None:
        raise SubmissionRejected("wrong_type", name=name, accepted=_accepted_types(exam))
    task = chosen or _infer_task(name, kind, exam)
    if kind not in task.accepts:
        raise SubmissionRejected("kind_not_accepted", task=task.id, kind=kind.value,
                                 accepted=", ".join(task.expected_files()))
    data, change = _check_content(path.read_bytes(), kind, name)
    root = workdir / "tasks" / task.id
    _mkdir(root)
    entry = task.name + SUFFIX[kind]
    _write_file(root / entry, data)
    return {task.id: TaskFiles(task_id=task.id, kind=kind, root=root, entry=entry,
                               converted=(name,) if change == "gbk" else (),
                               repaired=(name,) if change == "cells" else ())}


def _infer_task(name: str, kind: SubmissionKind, exam: Exam) -> Task:
    """The task a lone file is for: by its name, or the exam's only task (a class's
    notebooks are often named after the candidate: `alice.ipynb`)."""
    if len(exam.tasks) == 1:
        return exam.tasks[0]
    stem = Path(name).stem.strip()
    candidates = [stem, _COPY_SUFFIX.sub("", stem).strip()]
    for exact in (True, False):
        for s in candidates:
            found = [t for t in exam.tasks
                     if (t.name == s if exact else t.name.casefold() == s.casefold())]
            if len(found) > 1:   # same stem for a file task and a project task
                found = [t for t in found if kind in t.accepts] or found
            if len(found) == 1:
                return found[0]
            if found:
                raise SubmissionRejected("task_needs_choice", name=name, tasks=_task_ids(exam))
    raise SubmissionRejected("task_needs_choice", name=name, tasks=_task_ids(exam))


def _check_content(data: bytes, kind: SubmissionKind, name: str) -> tuple[bytes, str | None]:
    """Refuse what cannot be run at all; return the bytes to hand to the runner and what was
    changed on the way: None, "gbk" (a script converted to UTF-8) or "cells" (a notebook's
    cells normalised, see `notebook_fix`)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if kind is SubmissionKind.NOTEBOOK:   # Jupyter always saves UTF-8: this is damage
            raise SubmissionRejected("not_utf8", name=name) from None
        converted = _from_gb18030(data)
        if converted is None:
            raise SubmissionRejected("not_utf8", name=name) from None
        return converted, "gbk"
    if kind is SubmissionKind.NOTEBOOK:
        repaired = _check_notebook(text, name)
        if repaired is not None:
            return repaired, "cells"
        return (data[len(BOM):] if data.startswith(BOM) else data), None   # Jupyter chokes on a BOM
    return data, None   # a script's syntax errors are graded, not refused


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _from_gb18030(data: bytes) -> bytes | None:
    """A script saved by a Chinese Windows editor (GBK / GB18030), as UTF-8; None when the
    bytes are not such text either (binary, or another encoding)."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    return text.encode("utf-8")


def _convert_scripts(root: Path, skip: str) -> list[str]:
    """Convert a project's other Python files saved in GBK / GB18030 to UTF-8, in place."""
    converted = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel == skip or path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        try:
            data.decode("utf-8-sig")
            continue
        except UnicodeDecodeError:
            pass
        utf8 = _from_gb18030(data)
        if utf8 is not None:
            _write_file(path, utf8, replace=True)
            converted.append(rel)
    return converted


def _check_notebook(text: str, name: str) -> bytes | None:
    """None when the notebook is valid as it is; the repaired bytes when only its cells'
    shapes were wrong (a cell whose type was changed); refused otherwise."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        _bad_notebook(name, f"invalid JSON at line {exc.lineno}, column {exc.colno}")
    except RecursionError:
        _bad_notebook(name, "JSON nested too deeply")
    if not isinstance(raw, dict) or "nbformat" not in raw:
        _bad_notebook(name, "JSON, but not a notebook")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
        return None
    except Exception as exc:   # noqa: BLE001 - any parser failure means "not a notebook"
        repaired = notebook_fix.repair(raw)
        if repaired is None:
            _bad_notebook(name, _short(exc))
        return repaired


def _bad_notebook(name: str, detail: str):
    raise SubmissionRejected("bad_notebook", name=name, detail=detail)


def _short(exc: BaseException) -> str:
    lines = [l.strip() for l in str(exc).splitlines() if l.strip()]
    line = lines[0] if lines else type(exc).__name__
    line = re.sub(r"(/[^\s'\"]+)+", "<path>", line)   # never show a path of ours
    return line if len(line) <= 120 else line[:117] + "..."


# --------------------------------------------------------------------------
# a zip (or a folder, packed into one by the store)


@dataclass
class _Entry:
    info: zipfile.ZipInfo
    name: str        # clean relative posix path, no trailing slash
    is_dir: bool


def _from_zip(path: Path, name: str, exam: Exam, chosen: Task | None, limits: IntakeLimits,
              workdir: Path, *, check_ratio: bool) -> dict[str, TaskFiles]:
    unpacked = workdir / "unpacked"
    _mkdir(unpacked)
    entries = _unpack(path, unpacked, name, limits, check_ratio)
    files = {e.name for e in entries if not e.is_dir}
    found = _locate(files, {e.name.split("/")[0] for e in entries}, exam, chosen)
    if not found:
        wanted = [chosen] if chosen else list(exam.tasks)
        raise SubmissionRejected("missing_files", name=name,
                                 expected=", ".join(f for t in wanted for f in t.expected_files()))
    out: dict[str, TaskFiles] = {}
    for task, kind, folder, entry in found:
        rel_entry = f"{folder}/{entry}" if folder else entry
        data = (unpacked / rel_entry).read_bytes()
        cleaned, change = _check_content(data, kind if kind is not SubmissionKind.PROJECT else SubmissionKind.SCRIPT,
                                         rel_entry)
        dest = workdir / "tasks" / task.id
        if kind is SubmissionKind.PROJECT:
            _mkdir(dest)
            dest = dest / task.name
        shutil.copytree(unpacked / folder if folder else unpacked, dest)
        if cleaned is not data:
            _write_file(dest / entry, cleaned, replace=True)
        converted = _convert_scripts(dest, skip=entry) if kind is SubmissionKind.PROJECT else []
        if change == "gbk":
            converted.insert(0, rel_entry)
        out[task.id] = TaskFiles(task_id=task.id, kind=kind, root=dest, entry=entry, converted=tuple(converted),
                                 repaired=(rel_entry,) if change == "cells" else ())
    shutil.rmtree(unpacked, ignore_errors=True)
    return out


def unpack_zip(path: Path, dest: Path, name: str, limits: IntakeLimits, *, check_ratio: bool = True) -> list[str]:
    """Screen every entry of the zip at `path` (bombs, traversal, links, encryption, depth...)
    before anything is written, then extract regular files and folders into the existing
    folder `dest`. Returns the extracted files' relative posix names. Raises SubmissionRejected
    with a catalogue code. For zips that are not submissions (an examiner's exam package)."""
    return [e.name for e in _unpack(Path(path), Path(dest), name, limits, check_ratio) if not e.is_dir]


def _unpack(path: Path, dest: Path, name: str, limits: IntakeLimits, check_ratio: bool) -> list[_Entry]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise SubmissionRejected("bad_zip", name=name, detail="not a zip archive") from None
    with zf:
        try:
            infos = zf.infolist()
        except (zipfile.BadZipFile, ValueError) as exc:
            raise SubmissionRejected("bad_zip", name=name, detail=_short(exc)) from None
        entries = _screen(infos, name, limits, check_ratio)
        _extract(zf, entries, dest, name, limits)
    return entries


def _screen(infos: list[zipfile.ZipInfo], name: str, limits: IntakeLimits,
            check_ratio: bool) -> list[_Entry]:
    """Check every entry before anything is written; return the ones to extract."""
    entries: list[_Entry] = []
    for info in infos:
        raw = _decode_name(info)
        clean, is_dir = _clean_name(raw, name)
        if clean is None or _is_junk(clean):
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise SubmissionRejected("zip_link", name=name, entry=_clip(raw))
        if info.flag_bits & 0x1:
            raise SubmissionRejected("zip_encrypted", name=name)
        if len(clean.split("/")) > limits.max_depth:
            raise SubmissionRejected("zip_too_deep", name=name, entry=_clip(raw), limit=limits.max_depth)
        is_dir = is_dir or stat.S_ISDIR(mode)
        if not is_dir and info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SubmissionRejected("bad_zip", name=name,
                                     detail=f"unsupported compression in '{_clip(raw)}'; use a standard zip")
        entries.append(_Entry(info, clean, is_dir))

    files = [e for e in entries if not e.is_dir]
    if len(files) > limits.max_files or sum(e.info.file_size for e in files) > limits.max_unpacked_bytes:
        _bomb(name, limits)
    if check_ratio:
        for e in files:
            size, packed = e.info.file_size, e.info.compress_size
            if size > RATIO_MIN_BYTES and (packed <= 0 or size / packed > limits.max_ratio):
                _bomb(name, limits)

    seen: dict[str, bool] = {}
    for e in entries:
        if e.name in seen and not (e.is_dir and seen[e.name]):
            raise SubmissionRejected("bad_zip", name=name, detail=f"'{_clip(e.name)}' appears twice")
        seen[e.name] = e.is_dir
    for e in entries:
        parts = e.name.split("/")
        for i in range(1, len(parts)):
            if seen.get("/".join(parts[:i])) is False:
                raise SubmissionRejected("bad_zip", name=name,
                                         detail=f"'{_clip('/'.join(parts[:i]))}' is both a file and a folder")
    return entries


def _extract(zf: zipfile.ZipFile, entries: list[_Entry], dest: Path, name: str,
             limits: IntakeLimits) -> None:
    """Write regular files and folders only, counting bytes as they come out."""
    base = dest.resolve()
    written = 0
    for e in sorted(entries, key=lambda e: e.name):
        target = dest.joinpath(*e.name.split("/"))
        if not target.resolve().is_relative_to(base):   # cannot happen after _clean_name
            raise SubmissionRejected("zip_unsafe_path", name=name, entry=_clip(e.info.filename))
        _mkdirs(dest, e.name.split("/") if e.is_dir else e.name.split("/")[:-1])
        if e.is_dir:
            continue
        declared = e.info.file_size
        # Let zipfile read past the declared size so a lie shows up here, as
        # extra bytes, instead of being silently cut off at `declared`.
        probe = copy.copy(e.info)
        probe.file_size = declared + 2 * CHUNK
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o644)
            try:
                src = zf.open(probe)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError, OSError) as exc:
                raise SubmissionRejected("bad_zip", name=name,
                                         detail=f"damaged entry '{_clip(e.name)}'") from exc
            with src:
                got = 0
                while True:
                    try:
                        chunk = src.read(CHUNK)
                    except Exception as exc:   # noqa: BLE001 - BadZipFile (CRC), zlib.error, EOFError...
                        raise SubmissionRejected("bad_zip", name=name,
                                                 detail=f"damaged entry '{_clip(e.name)}'") from exc
                    if not chunk:
                        break
                    got += len(chunk)
                    written += len(chunk)
                    if got > declared or written > limits.max_unpacked_bytes:
                        _bomb(name, limits)
                    out.write(chunk)


def _locate(files: set[str], tops: set[str], exam: Exam,
            chosen: Task | None) -> list[tuple[Task, SubmissionKind, str, str]]:
    """(task, kind, folder holding it, entry relative to that folder) per task found."""
    bases = [""]
    if len(tops) == 1:
        (top,) = tops
        if top not in files:
            bases.append(top)
    wanted = [chosen] if chosen else list(exam.tasks)
    found = []
    for task in wanted:
        hit = None
        for kind, expected in zip(task.accepts, task.expected_files()):
            for base in bases:
                rel = f"{base}/{expected}" if base else expected
                if rel in files:
                    folder, _, entry = rel.rpartition("/")
                    if kind is SubmissionKind.PROJECT:
                        folder = f"{base}/{task.name}" if base else task.name
                        entry = task.entry or "main.py"
                    hit = (task, kind, folder, entry)
                    break
            if hit:
                break
        if hit:
            found.append(hit)
    projects = [t for t in exam.tasks if SubmissionKind.PROJECT in t.accepts]
    lone = chosen if chosen else (projects[0] if len(projects) == 1 and not found else None)
    if lone is not None and SubmissionKind.PROJECT in lone.accepts and not found:
        entry = lone.entry or "main.py"
        for base in bases:
            if (f"{base}/{entry}" if base else entry) in files:
                found.append((lone, SubmissionKind.PROJECT, base, entry))
                break
    return found


# --------------------------------------------------------------------------
# names


def _decode_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as the candidate saw it (UTF-8, else GBK, else CP437)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gbk"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _clean_name(raw: str, name: str) -> tuple[str | None, bool]:
    """Normalise an entry name or refuse it; (None, _) for a harmless no-op entry."""
    n = raw.replace("\\", "/")
    if "\x00" in n or n.startswith("/") or _DRIVE.match(n):
        raise SubmissionRejected("zip_unsafe_path", name=name, entry=_clip(raw))
    is_dir = n.endswith("/")
    parts = [p for p in n.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or any(len(p.encode("utf-8", "surrogatepass")) > 255 for p in parts):
        raise SubmissionRejected("zip_unsafe_path", name=name, entry=_clip(raw))
    if not parts:
        return None, True
    return "/".join(parts), is_dir


def _is_junk(clean: str) -> bool:
    parts = clean.split("/")
    return any(p in JUNK_DIRS for p in parts) or parts[-1] in JUNK_FILES


def _clip(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


# --------------------------------------------------------------------------
# helpers


def _bomb(name: str, limits: IntakeLimits):
    raise SubmissionRejected("zip_bomb", name=name, limit_mb=limits.max_unpacked_bytes / MIB,
                             limit_files=limits.max_files)


def _task_ids(exam: Exam) -> str:
    return ", ".join(t.id for t in exam.tasks)


def _accepted_types(exam: Exam) -> str:
    kinds = {k for t in exam.tasks for k in t.accepts}
    out = [SUFFIX[k] for k in (SubmissionKind.NOTEBOOK, SubmissionKind.SCRIPT) if k in kinds]
    return ", ".join(out + [".zip"])


def _prepare(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    for sub in ("unpacked", "tasks"):
        if (workdir / sub).exists():
            raise ValueError(f"workdir {workdir} already holds an intake ({sub}/); use a fresh one")
    _mkdir(workdir / "tasks")


def _cleanup(workdir: Path) -> None:
    for sub in ("unpacked", "tasks"):
        shutil.rmtree(workdir / sub, ignore_errors=True)


def _mkdir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o755)


def _mkdirs(base: Path, parts: list[str]) -> None:
    cur = base
    for p in parts:
        cur = cur / p
        if not cur.is_dir():
            cur.mkdir()
            os.chmod(cur, 0o755)


def _write_file(path: Path, data: bytes, *, replace: bool = False) -> None:
    if replace:
        path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o644)
        out.write(data)
