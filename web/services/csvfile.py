"""Reading the CSV files staff upload (rosters, theory scores) the way Excel writes them.

UTF-8 (with or without BOM) or GBK (Excel on Chinese Windows); comma, tab or
semicolon, whichever the first non-empty line has most of; blank lines skipped;
an optional header row naming the columns in any order (matched without case or
surrounding spaces against each field's accepted names).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gbk"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("csv", data[:1], 0, 1, "neither UTF-8 nor GBK")


def header(cells: list[str], names: dict[str, set[str]], required: tuple[str, ...]) -> dict[str, int] | None:
    """{field: column} when `cells` is a header row naming every `required` field, else None."""
    norm = [c.strip().lower() for c in cells]
    found = {field: i for field, accepted in names.items() for i, c in enumerate(norm) if c in accepted}
    return found if all(f in found for f in required) else None


def records(text: str, names: dict[str, set[str]], required: tuple[str, ...],
            default: dict[str, int]) -> Iterator[tuple[int, Callable[[str], str]]]:
    """(line number, cell) for every non-empty data row: `cell(field)` is that field's stripped
    text ("" when the row is short). Columns come from the header row when the first row is
    one, else from `default`."""
    yield from rows_to_records(text_rows(text), names, required, default)


def text_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every row with any text; the delimiter is whichever of comma, tab or
    semicolon the first non-empty line has most of."""
    top = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=max(",\t;", key=top.count) if top else ",")
    for cells in reader:
        if any(c.strip() for c in cells):
            yield reader.line_num, cells


def rows_to_records(rows: Iterable[tuple[int, list[str]]], names: dict[str, set[str]],
                    required: tuple[str, ...], default: dict[str, int]
                    ) -> Iterator[tuple[int, Callable[[str], str]]]:
    """The header rule shared by CSV and xlsx: the first row is the header when it names every
    `required` field, else columns follow `default`."""
    columns, first = dict(default), True
    for line, cells in rows:
        if first:
            first = False
            found = header(cells, names, required)
            if found:
                columns = found
                continue
        yield line, column_reader(cells, columns)


def column_reader(cells: list[str], columns: dict[str, int]) -> Callable[[str], str]:
    """`cell(field)`: that field's stripped text in this row ("" when the row is short)."""
    def cell(field: str) -> str:
        i = columns.get(field)
        return cells[i].strip() if i is not None and i < len(cells) else ""
    return cell
