"""The tables staff upload, as rows of text cells, whether Excel (.xlsx) or CSV.

Exam offices keep their lists in Excel and save CSV from it in GBK or UTF-8; both
arrive here. Rows keep the line number the person sees in Excel (1-based, header
included) so every problem can be named where it is. Cells come back as text the
way they look in the sheet: Excel turns long numbers (ID numbers, candidate
numbers) into floats, so whole numbers are written back without ".0".
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime

from .csvfile import decode, rows_to_records, text_rows

MAX_ROWS = 100_000


class BadSheet(ValueError):
    """`reason` is a short key: encoding, xlsx, empty (pages translate it)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for every row with any text, from xlsx bytes or CSV bytes."""
    yield from (_xlsx_rows(data) if is_xlsx(data) else _csv_rows(data))


def records(data: bytes, names: dict[str, set[str]], required: tuple[str, ...],
            default: dict[str, int]) -> Iterator[tuple[int, Callable[[str], str]]]:
    """(line, cell) per data row, as `csvfile.records` but for xlsx too: the first row is
    the header when it names every `required` field, else columns follow `default`."""
    yield from rows_to_records(rows(data), names, required, default)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise BadSheet("encoding") from None
    yield from text_rows(text)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl   # only when an xlsx arrives: keeps the worker's imports small

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise BadSheet("xlsx", type(e).__name__) from None
    try:
        sheet = book.worksheets[0]
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > MAX_ROWS:
                raise BadSheet("too_many", str(MAX_ROWS))
            cells = [_text(v) for v in values]
            if any(c.strip() for c in cells):
                yield n, cells
    finally:
        book.close()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_xlsx(headers: list[str], table: list[list[object]], title: str = "Sheet1") -> bytes:
    """An xlsx of one sheet: bold header row, long digit strings kept as text."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for c in sheet[1]:
        c.font = Font(bold=True)
    for row in table:
        sheet.append(row)
    for i, name in enumerate(headers, start=1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in table[:200] if i - 1 < len(r)])
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
