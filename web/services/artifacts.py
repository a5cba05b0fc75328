"""What staff open of a graded submission: its artifacts (screenshots, the executed notebook,
logs a check kept) as the viewer shows them, and the original upload's bytes.

Every artifact was written by candidate code (or by a check reading candidate output), so
the viewer decides how to show it from its name and bytes, never from what it claims to be:
a notebook is read into cells (notebook_view), a picture by its suffix is shown as an image
file, text is shown as text, anything else is only a download.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from ..storage import content
from ..storage.models import Result, Submission
from . import notebook_view

IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
MAX_TEXT = 2 * 2 ** 20      # bytes of a text artifact shown in the page (the download has all)


@dataclass(frozen=True)
class View:
    name: str
    kind: str                                   # notebook, image, text, binary
    size: int
    text: str = ""                              # a text artifact (the template escapes it)
    cut: bool = False                           # longer than MAX_TEXT
    notebook: notebook_view.Notebook | None = None


def kind_of(name: str) -> str:
    """How an artifact is shown, by its name alone (the submission page's list)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix == ".ipynb":
        return "notebook"
    return "image" if suffix in IMAGES else "file"


def blob_of(result: Result | None, name: str) -> bytes | None:
    """The bytes of the artifact `name` of `result`, from the blob the grading worker stored."""
    sha = ((result.artifact_blobs or {}) if result is not None else {}).get(name)
    return content.read(sha) if sha else None


def _as_text(data: bytes) -> str | None:
    head = data[:8192]
    if b"\x00" in head:
        return None
    try:
        return data[:MAX_TEXT].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= MAX_TEXT - 4:            # a character cut at the limit
            return data[:exc.start].decode("utf-8")
        return None


def view(name: str, data: bytes) -> View:
    kind = kind_of(name)
    if kind == "notebook":
        return View(name, kind, len(data), notebook=notebook_view.read(data))
    if kind == "image":
        return View(name, kind, len(data))
    text = _as_text(data)
    if text is None:
        return View(name, "binary", len(data))
    return View(name, "text", len(data), text=text, cut=len(data) > MAX_TEXT)


def upload_bytes(sub: Submission) -> bytes | None:
    """The bytes the candidate uploaded: the blob workers fetch, else this machine's store
    (a refused upload small enough to keep); None when nothing was kept (too large)."""
    if not sub.sha256:
        return None
    data = content.read(sub.sha256)
    if data is not None:
        return data
    store = content.get_store()
    if sub.sha256 in store:
        return store.path_of(sub.sha256).read_bytes()
    return None
