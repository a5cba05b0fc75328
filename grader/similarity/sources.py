"""The code of a hand-in as one text: a script, a notebook's code cells, a project's Python
files. Hand-ins are laid out by the engine's intake (`open_accepted`: the same unpacking
and refusals as grading), so the report reads exactly what was graded.

Headers (`# [cell 3]`, `# ==== utils.py ====`) are comments, so they never count as code;
notebook magics and shell lines (`%timeit`, `!pip`) are commented out the same way."""
from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import SubmissionRejected
from ..intake import IntakeLimits, TaskFiles, open_accepted
from ..manifest import Exam, Task
from ..models import SubmissionKind
from .model import Document

MAX_CODE_CHARS = 400_000          # a hand-in's code beyond this is not compared (generated data pasted in)


def decode(data: bytes) -> str:
    """Text of a source file: UTF-8, else GB18030 (Chinese Windows editors), else with replacements."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def notebook_code(text: str) -> str:
    """The code cells of a notebook's JSON text, each under a `# [cell N]` header."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    out = []
    for n, cell in enumerate(c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        lines = [("# " + line) if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
        out.append(f"# [cell {n + 1}]\n" + "\n".join(lines))
    return "\n\n".join(out) + "\n" if out else ""


def file_code(path: Path) -> str:
    text = decode(path.read_bytes())
    return notebook_code(text) if path.suffix.lower() == ".ipynb" else text


def task_code(files: TaskFiles) -> str:
    """The code of one task's laid-out hand-in."""
    if files.kind is SubmissionKind.PROJECT:
        return folder_code(files.root)
    return _cap(file_code(files.root / files.entry))


def folder_code(root: Path) -> str:
    """Every `.py` and `.ipynb` under `root` (sorted by path), each under a header naming it."""
    parts = []
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in (".py", ".ipynb")):
        if path.is_symlink() or not path.is_file() or "__pycache__" in path.parts:
            continue
        parts.append(f"# ==== {path.relative_to(root).as_posix()} ====\n" + file_code(path))
    return _cap("\n".join(parts))


def starter_code(task: Task) -> str:
    """The task's starter files: what every candidate was given (boilerplate)."""
    folder = task.dir("starter")
    return folder_code(folder) if folder.is_dir() else ""


def _cap(text: str) -> str:
    return text[:MAX_CODE_CHARS]


@dataclass(frozen=True)
class Refused:
    owner: str
    name: str
    code: str                     # a grader.messages key
    message: str


@dataclass(frozen=True)
class Collected:
    documents: dict[str, list[Document]]       # task id -> documents
    refused: tuple[Refused, ...]


def hand_in_code(path: Path, exam: Exam, *, name: str, sha256: str = "", task: str | None = None,
                 limits: IntakeLimits = IntakeLimits()) -> dict[str, str]:
    """{task id: code} of one hand-in file (a notebook, script or zip), laid out by the intake."""
    with tempfile.TemporaryDirectory(prefix="similarity-") as work:
        taken = open_accepted(path, exam, name=name, sha256=sha256 or "0" * 64, task=task,
                              limits=limits, workdir=Path(work) / "w")
        return {task_id: task_code(files) for task_id, files in taken.tasks.items()}


def collect(folder: Path, exam: Exam, *, reference: bool = False, lang: str = "en",
            limits: IntakeLimits = IntakeLimits()) -> Collected:
    """The hand-ins in `folder`, one entry per candidate: a file (a whole-exam zip, or one
    task's notebook or script, the task told by its name) named after the candidate, or a
    folder of such files (a project as a sub-folder). A reference folder's owners are
    prefixed with its name, so they never collide with this sitting's candidates."""
    docs: dict[str, list[Document]] = {}
    refused: list[Refused] = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        owner = entry.stem if entry.is_file() else entry.name
        if reference:
            owner = f"{Path(folder).name}/{owner}"
        hand_ins = [entry] if entry.is_file() else sorted(p for p in entry.iterdir()
                                                          if not p.name.startswith(".") and not p.is_symlink())
        for item in hand_ins:
            try:
                found = _code_of_item(item, exam, limits)
            except SubmissionRejected as exc:
                refused.append(Refused(owner, item.name, exc.code, exc.show(lang)))
                continue
            for task_id, text in found.items():
                key = f"{owner}:{task_id}:{item.name}"
                docs.setdefault(task_id, []).append(Document(key, owner, f"{owner} ({item.name})", text, reference))
    return Collected(docs, tuple(refused))


def _code_of_item(item: Path, exam: Exam, limits: IntakeLimits) -> dict[str, str]:
    if item.is_file():
        return hand_in_code(item, exam, name=item.name, limits=limits)
    with tempfile.TemporaryDirectory(prefix="similarity-") as tmp:      # a project folder: zipped as handed in
        packed = Path(tmp) / f"{item.name}.zip"
        with zipfile.ZipFile(packed, "w") as zf:
            for path in sorted(item.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    zf.write(path, f"{item.name}/{path.relative_to(item).as_posix()}")
        return hand_in_code(packed, exam, name=packed.name, limits=limits)
