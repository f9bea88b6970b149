"""CSV files the site serves: one writer, safe to open in a spreadsheet.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by spreadsheets (a space named ``=HYPERLINK(...)`` would run when an open-data user opens
the file): such cells get a leading apostrophe. Numbers are data, never formulas: a negative
longitude stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value to write: text that a spreadsheet would run as a formula is neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def csv_download(text: str, filename: str) -> Response:
    """A UTF-8 CSV download of text already written (``csv_text``)."""
    response = Response(text, mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(header: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    """A UTF-8 CSV download with a header row."""
    return csv_download(csv_text(header, rows), filename)
