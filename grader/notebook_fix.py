"""Repair the one kind of notebook damage Jupyter shrugs off: a cell whose type was changed.

Changing a cell from code to markdown in some editors (and in older Jupyter versions) leaves
`outputs` and `execution_count` on the markdown cell; the other way round leaves a code cell
without them. The nbformat schema refuses both, yet Jupyter opens and runs such notebooks,
and candidates cannot see anything wrong. nbformat's own `validator.normalize` does not fix
these fields, so each cell is rebuilt with nbformat's v4 constructors (`new_code_cell`,
`new_markdown_cell`, `new_raw_cell`), keeping its source, metadata, id, attachments and, for
code, its outputs; then the whole notebook must validate. Anything else wrong stays a refusal.
"""
from __future__ import annotations

import warnings

import nbformat
from nbformat import v4

_BUILD = {"code": v4.new_code_cell, "markdown": v4.new_markdown_cell, "raw": v4.new_raw_cell}


def repair(raw: dict) -> bytes | None:
    """The notebook `raw` (parsed JSON) with its cells normalised, as UTF-8 bytes; None when
    that does not make it a valid v4 notebook (then it is refused as it was)."""
    cells = raw.get("cells")
    if raw.get("nbformat") != 4 or not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        return None
    try:
        with_ids = int(raw.get("nbformat_minor", 0)) >= 5   # cell ids arrived in format 4.5
        fixed = dict(raw, cells=[_cell(c, with_ids) for c in cells])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.from_dict(fixed)
            nbformat.validate(nb)
            return nbformat.writes(nb).encode("utf-8")
    except Exception:   # noqa: BLE001 - still not a notebook: the caller refuses it
        return None


def _cell(cell: dict, with_ids: bool) -> dict:
    build = _BUILD.get(cell.get("cell_type"))
    if build is None:
        raise ValueError("unknown cell type")
    kept = {"source": cell.get("source", ""), "metadata": cell.get("metadata") or {}}
    if cell["cell_type"] == "code":
        kept["outputs"] = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        kept["execution_count"] = cell.get("execution_count")
    elif "attachments" in cell:
        kept["attachments"] = cell["attachments"]
    out = build(**kept)
    if not with_ids:
        out.pop("id", None)
    elif cell.get("id"):
        out["id"] = cell["id"]
    return out
