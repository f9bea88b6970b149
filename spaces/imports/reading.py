"""Reading an uploaded spreadsheet into a header and rows of cells, within bounds (no Flask).

``read_table`` takes the file's bytes and gives a ``Table``, or raises ``Unreadable`` with a
``code`` (the page words it): a file over ``MAX_BYTES``, more than ``MAX_ROWS`` rows, a cell over
``MAX_CELL_CHARS`` characters, an old binary Excel file, anything that is neither CSV nor XLSX.

CSV as exported by Excel or LibreOffice: UTF-8 with or without a byte order mark, else Windows-1252
(Excel's "CSV (point-virgule)"), the separator ``;``, ``,`` or a tab, told by the header line. XLSX:
the first sheet, values (not formulas), read through openpyxl once the archive's unpacked size is
known to be small (no zip bomb). Empty rows are skipped; every row keeps its line number.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
MAX_COLUMNS = 40
MAX_CELL_CHARS = 10_000
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # an XLSX's XML, unzipped
MAX_SCANNED_ROWS = 20 * MAX_ROWS  # XLSX rows looked at, empty ones included

Cell = str | int | float | date | datetime | time | bool | None


class Unreadable(ValueError):
    """The file cannot be read as a spreadsheet; ``code`` says why, ``detail`` gives numbers."""

    def __init__(self, code: str, **detail) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class Table:
    """The header cells (as written) and the non-empty rows, each with its line number."""

    header: list[str]
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)


def read_table(data: bytes) -> Table:
    """The spreadsheet in ``data`` (CSV or XLSX, told by its content); raises Unreadable."""
    if len(data) > MAX_BYTES:
        raise Unreadable("too_large", megabytes=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise Unreadable("empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable("old_excel")
    return _read_csv(data)


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise Unreadable("not_spreadsheet")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise Unreadable("not_spreadsheet") from error
    return text


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Table:
    text = _decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(first_line))
    table: Table | None = None
    try:
        for row in reader:
            table = _add_row(table, reader.line_num, row)
    except csv.Error as error:  # e.g. a field over csv's own size limit
        raise Unreadable("huge_cell", row=reader.line_num, limit=MAX_CELL_CHARS) from error
    return _finished(table)


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if "xl/workbook.xml" not in archive.namelist():
                raise Unreadable("not_spreadsheet")
        if unpacked > MAX_UNPACKED_BYTES:
            raise Unreadable("too_large", megabytes=MAX_BYTES // (1024 * 1024))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Unreadable:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged or foreign file
        raise Unreadable("not_spreadsheet") from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise Unreadable("empty")
        table: Table | None = None
        for number, values in enumerate(
            sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1
        ):
            if number > MAX_SCANNED_ROWS:
                break
            table = _add_row(table, number, list(values))
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable("not_spreadsheet") from error
    finally:
        workbook.close()
    return _finished(table)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _add_row(table: Table | None, number: int, row: list[Cell]) -> Table | None:
    """Add one row (the first non-empty one is the header); raises Unreadable past the bounds."""
    if all(_blank(cell) for cell in row):
        return table
    for cell in row:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise Unreadable("huge_cell", row=number, limit=MAX_CELL_CHARS)
    while row and _blank(row[-1]):
        row.pop()
    if len(row) > MAX_COLUMNS:
        raise Unreadable("too_many_columns", limit=MAX_COLUMNS)
    if table is None:
        return Table(header=[("" if cell is None else str(cell)).strip() for cell in row])
    if len(table.rows) >= MAX_ROWS:
        raise Unreadable("too_many_rows", limit=MAX_ROWS)
    table.rows.append((number, row))
    return table


def _finished(table: Table | None) -> Table:
    if table is None:
        raise Unreadable("empty")
    if not table.rows:
        raise Unreadable("no_rows")
    return table
