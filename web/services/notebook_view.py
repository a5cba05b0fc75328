"""An executed notebook read for staff, safely: candidate code wrote every byte of it.

The notebook becomes plain data (cells, their outputs) that the page's template escapes;
nothing in it reaches the browser as markup. Code and text outputs are text; markdown
goes through the statements' renderer (raw HTML shown as text, links only to http(s),
mailto or relative addresses); a picture is kept only as base64 of a PNG, JPEG or GIF
that decodes, shown as a data: image (the CSP allows those and runs no script in them).
HTML, JavaScript, SVG and widget outputs are never shown, only named. Read with the json
module, not nbformat's validator: a damaged notebook still shows what it has.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from markupsafe import Markup

from . import statements

IMAGES = ("image/png", "image/jpeg", "image/gif")
MAX_TEXT = 100_000          # characters of one output or source shown; the rest is cut, with a note
MAX_CELLS = 2_000
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")     # colour codes in tracebacks


@dataclass(frozen=True)
class Output:
    kind: str                  # stdout, stderr, result, error, image, omitted
    text: str = ""             # the text shown (escaped by the template); an error's traceback
    title: str = ""            # an error's "Name: value"; an omitted output's media types
    mime: str = ""             # an image's type
    data: str = ""             # an image's base64, checked to decode
    cut: bool = False          # the text was longer than MAX_TEXT


@dataclass(frozen=True)
class Cell:
    kind: str                  # code, markdown, raw
    source: str
    count: int | None = None   # the execution count, as Jupyter shows it
    outputs: tuple[Output, ...] = ()
    html: Markup | None = None # a markdown cell, rendered safely


@dataclass(frozen=True)
class Notebook:
    cells: tuple[Cell, ...]
    language: str = ""
    problem: str = ""          # why it could not be read ("" when it could)
    more_cells: int = 0        # cells past MAX_CELLS, not shown


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def _cut(text: str) -> tuple[str, bool]:
    return (text[:MAX_TEXT], True) if len(text) > MAX_TEXT else (text, False)


def _image(mime: str, value) -> Output | None:
    raw = "".join(_text(value).split())
    try:
        data = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not data:
        return None
    return Output("image", mime=mime, data=base64.b64encode(data).decode("ascii"))


def _output(out) -> Output | None:
    if not isinstance(out, dict):
        return None
    kind = out.get("output_type")
    if kind == "stream":
        text, cut = _cut(ANSI.sub("", _text(out.get("text"))))
        return Output("stderr" if out.get("name") == "stderr" else "stdout", text, cut=cut)
    if kind == "error":
        text, cut = _cut(ANSI.sub("", "\n".join(_text(line) for line in out.get("traceback") or [])))
        return Output("error", text, title=f"{_text(out.get('ename'))}: {_text(out.get('evalue'))}", cut=cut)
    if kind in ("execute_result", "display_data"):
        data = out.get("data") if isinstance(out.get("data"), dict) else {}
        for mime in IMAGES:
            if mime in data and (image := _image(mime, data[mime])):
                return image
        if "text/plain" in data:
            text, cut = _cut(_text(data["text/plain"]))
            return Output("result", text, cut=cut)
        if data:
            return Output("omitted", title=", ".join(sorted(str(k) for k in data)[:5]))
    return None


def _cell(raw) -> Cell | None:
    if not isinstance(raw, dict):
        return None
    kind = raw.get("cell_type")
    source, _ = _cut(_text(raw.get("source")))
    if kind == "markdown":
        return Cell("markdown", source, html=statements.render(source))
    if kind == "code":
        count = raw.get("execution_count")
        outputs = tuple(o for o in map(_output, raw.get("outputs") or []) if o is not None)
        return Cell("code", source, count if isinstance(count, int) and not isinstance(count, bool) else None, outputs)
    return Cell("raw", source)


def read(data: bytes) -> Notebook:
    """The notebook in `data`, as cells to show; a Notebook with `problem` set when it is not one."""
    try:
        nb = json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return Notebook((), problem="not_json")
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return Notebook((), problem="no_cells")
    info = (nb.get("metadata") or {}).get("language_info") if isinstance(nb.get("metadata"), dict) else None
    language = _text(info.get("name")) if isinstance(info, dict) else ""
    cells = tuple(c for c in map(_cell, nb["cells"][:MAX_CELLS]) if c is not None)
    return Notebook(cells, language, more_cells=max(0, len(nb["cells"]) - MAX_CELLS))
