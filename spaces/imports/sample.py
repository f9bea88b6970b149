"""The downloadable template: the columns' names in the reader's language and one example row,
as CSV (UTF-8 with a byte order mark, ``;``: what Excel in French opens as columns) or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext as _

from spaces.i18n import current_locale
from spaces.imports.checking import COLUMN_LABELS
from spaces.imports.columns import COLUMNS
from spaces.listings.vocabulary import SPACE_KINDS, UNIT_KINDS


def example_row() -> list:
    """One filled row of the template (a vacant municipal building in Loches)."""
    values = {
        "reference": "LOCHES-001",
        "name": _("Former post office"),
        "address": "2 place de l'Hôtel de Ville",
        "postal_code": "37600",
        "commune": "Loches",
        "insee": "37132",
        "surface": 85,
        "capacity": 12,
        "space_kind": str(SPACE_KINDS["vacant_public"]),
        "unit_kind": str(UNIT_KINDS["whole_premises"]),
        "available_from": date(2027, 1, 1),
        "available_until": date(2027, 12, 31),
        "hour": None,
        "half_day": None,
        "day": 40,
        "month": 450,
        "services": "wifi, parking, accessible",
        "description": _("Ground floor, step-free access, heated, shared toilets."),
    }
    return [values[column] for column in COLUMNS]


def headers() -> list[str]:
    return [str(COLUMN_LABELS[column]) for column in COLUMNS]


def template_csv() -> bytes:
    french = str(current_locale()).startswith("fr")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    row = []
    for value in example_row():
        if isinstance(value, date):
            value = value.strftime("%d/%m/%Y") if french else value.isoformat()
        row.append("" if value is None else value)
    writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Places")[:31]
    sheet.append(headers())
    sheet.append(example_row())
    for cell in sheet[2]:
        if isinstance(cell.value, date):
            cell.number_format = "DD/MM/YYYY"
    for index, title in enumerate(headers(), start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, len(title) + 2)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
