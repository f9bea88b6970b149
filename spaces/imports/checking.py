"""Checking a listing spreadsheet row by row, before anything is written.

``check_table`` turns a ``Table`` into a ``Preview``: for each row, what it will do ("create" or
"update", by its reference within the organisation), the values as they will be stored, and its
errors by column. Every value goes through the rules the pages and the API use (``SpaceForm`` and
``UnitForm``); the spreadsheet's own readings come first: dates as 31/12/2026 or 2026-12-31 (or
date cells), kinds and services by their code or their English or French name, the commune by
its name, postal code or INSEE code, placed by the offline index of communes (never the network).

A column absent from the file leaves that field as it is when a row updates a place.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from spaces.extensions import db
from spaces.forms import typed_euros
from spaces.geo.communes import CURRENT_KINDS, Commune, load_index, normalize
from spaces.geo.geocoding import GeocodingError, Place, UnknownPlace, resolve_place
from spaces.geo.provider import place_error_message
from spaces.imports.columns import COLUMNS, PRICE_COLUMNS, match_header
from spaces.imports.reading import Cell, Table
from spaces.listings.forms import SpaceForm, UnitForm
from spaces.listings.models import Space
from spaces.listings.vocabulary import SERVICES, SPACE_KINDS, UNIT_KINDS
from spaces.text import control_characters

MAX_REFERENCE = 60
DEFAULT_SPACE_KIND = "vacant_public"
DEFAULT_UNIT_KIND = "whole_premises"
IMPORT_BOOKING_MODE = "request"  # a municipality answers each request for its premises

COLUMN_LABELS = {
    "reference": _l("Reference"),
    "name": _l("Name"),
    "address": _l("Address"),
    "postal_code": _l("Postal code"),
    "commune": _l("Commune"),
    "insee": _l("INSEE code"),
    "surface": _l("Surface (m²)"),
    "capacity": _l("Capacity"),
    "space_kind": _l("Kind of place"),
    "unit_kind": _l("Kind of offer"),
    "available_from": _l("Available from"),
    "available_until": _l("Available until"),
    "hour": _l("Price per hour"),
    "half_day": _l("Price per half-day"),
    "day": _l("Price per day"),
    "month": _l("Price per month"),
    "services": _l("Services"),
    "description": _l("Description"),
    "prices": _l("Prices"),
}

_SPACE_KIND_WORDS = {
    "vacant_public": ("local vacant", "local public", "local communal", "batiment communal"),
    "private_premises": ("local prive",),
    "coworking": ("coworking", "tiers lieu", "third place"),
    "residence": ("residence",),
    "other": ("autre",),
}
_UNIT_KIND_WORDS = {
    "desk_pool": ("postes", "postes de travail", "bureaux partages", "desks", "open space"),
    "office": ("bureau", "office"),
    "meeting_room": ("salle", "salle de reunion"),
    "whole_premises": ("local", "local entier", "batiment entier", "whole", "entier"),
}
_SERVICE_WORDS = {
    "wifi": ("internet", "wi fi"),
    "printer": ("imprimante",),
    "kitchen": ("cuisine",),
    "parking": ("stationnement", "parking voiture"),
    "bike_parking": ("parking velo", "velos", "parking velos"),
    "accessible": ("pmr", "accessible", "accessibilite pmr"),
    "coffee": ("cafe", "the et cafe"),
    "lockers": ("casiers",),
    "showers": ("douches", "douche"),
    "childcare": ("garderie",),
    "library": ("bibliotheque", "mediatheque"),
    "quiet_zone": ("espace calme", "zone calme"),
    "phone_booth": ("cabine telephonique", "cabine"),
}
_SERVICE_SEPARATORS = re.compile(r"[,;|/\n]+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


def _squash(text: str) -> str:
    return normalize(text).replace(" ", "")


def _vocabulary(labels: dict, words: dict) -> dict[str, str]:
    """Every way of writing one of ``labels``' codes: the code, its English and French name."""
    found: dict[str, str] = {}
    for code, label in labels.items():
        found[_squash(code)] = code
        with force_locale("fr"):
            found[_squash(str(label))] = code
        with force_locale("en"):
            found[_squash(str(label))] = code
    for code, others in words.items():
        for other in others:
            found.setdefault(_squash(other), code)
    return found


@dataclass
class CheckedRow:
    """One row: its line, action, the values shown, the values stored, and errors by column."""

    number: int
    reference: str
    action: str = "create"
    shown: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def add_error(self, column: str, message) -> None:
        self.errors.setdefault(column, []).append(str(message))


@dataclass
class Preview:
    """The file as it will be imported; ``problems`` are about the whole file."""

    columns: list[tuple[str, str]] = field(default_factory=list)  # (key, header as written)
    ignored: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: list[CheckedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def bad_rows(self) -> list[CheckedRow]:
        return [row for row in self.rows if row.errors]

    def header_of(self, column: str) -> str:
        """The column's name as the file wrote it, else its label."""
        return dict(self.columns).get(column) or str(COLUMN_LABELS[column])


def check_table(table: Table, organisation_id: int) -> Preview:
    """Every row of ``table`` checked for the organisation; writes nothing."""
    preview = Preview()
    positions: dict[str, int] = {}
    for index, header in enumerate(table.header):
        column = match_header(header)
        if column is None:
            if header:
                preview.ignored.append(header[:60])
            continue
        if column in positions:
            preview.problems.append(
                str(
                    _l(
                        "Two columns are read as “%(label)s”: “%(first)s” and “%(second)s”. Keep one.",
                        label=COLUMN_LABELS[column],
                        first=table.header[positions[column]][:60],
                        second=header[:60],
                    )
                )
            )
            continue
        positions[column] = index
        preview.columns.append((column, header[:60]))
    missing = [c for c in ("reference", "name") if c not in positions]
    if not {"commune", "insee", "postal_code"} & set(positions):
        missing.append("commune")
    if missing:
        preview.problems.append(
            str(
                _l(
                    "The file has no column for: %(columns)s. Start from the template: its first line names the columns.",
                    columns=", ".join(str(COLUMN_LABELS[c]) for c in missing),
                )
            )
        )
    if preview.problems:
        return preview

    cells_of = [
        (number, {c: (row[i] if i < len(row) else None) for c, i in positions.items()})
        for number, row in table.rows
    ]
    references = {_text(cells.get("reference")) for _, cells in cells_of} - {""}
    existing = _existing_references(organisation_id, references)
    context = _Context(
        organisation_id=organisation_id,
        present=set(positions),
        existing=existing,
        space_kinds=_vocabulary(SPACE_KINDS, _SPACE_KIND_WORDS),
        unit_kinds=_vocabulary(UNIT_KINDS, _UNIT_KIND_WORDS),
        services=_vocabulary(SERVICES, _SERVICE_WORDS),
    )
    for number, cells in cells_of:
        preview.rows.append(_check_row(number, cells, context))
    return preview


def _existing_references(organisation_id: int, references: set[str]) -> dict[str, int]:
    if not references:
        return {}
    query = sa.select(Space.import_reference, Space.id).where(
        Space.organisation_id == organisation_id, Space.import_reference.in_(references)
    )
    return dict(db.session.execute(query).all())


@dataclass
class _Context:
    organisation_id: int
    present: set[str]
    existing: dict[str, int]
    space_kinds: dict[str, str]
    unit_kinds: dict[str, str]
    services: dict[str, str]
    seen: dict[str, int] = field(default_factory=dict)
    places: dict[tuple, tuple] = field(default_factory=dict)


# --- cells -------------------------------------------------------------------------------------


def _text(cell: Cell) -> str:
    """A cell as text: numbers without a useless ".0", dates in ISO form, None as ""."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            return str(cell)
        return str(int(cell)) if cell.is_integer() else f"{cell:.10g}"
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time(0) else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def _date(cell: Cell) -> date | None:
    """A date cell, or text as 2026-12-31 or 31/12/2026 (31/12/26); raises ValueError."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell)
    if match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FRENCH_DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 else 0
    else:
        raise ValueError(text)
    if not 2000 <= year <= 2200:
        raise ValueError(text)
    return date(year, month, day)


def _whole_number(cell: Cell) -> int:
    """A positive whole number from a cell ("12", 12, 12.0); raises ValueError."""
    if isinstance(cell, bool):
        raise ValueError(cell)
    if isinstance(cell, float):
        if not cell.is_integer():
            raise ValueError(cell)
        cell = int(cell)
    value = cell if isinstance(cell, int) else int(_text(cell).replace("\xa0", "").replace(" ", ""))
    if value < 1:
        raise ValueError(cell)
    return value


# --- one row -----------------------------------------------------------------------------------


def _check_row(number: int, cells: dict[str, Cell], context: _Context) -> CheckedRow:
    present = context.present
    reference = _text(cells.get("reference"))
    row = CheckedRow(number=number, reference=reference[:MAX_REFERENCE])
    row.shown = {column: _text(cells.get(column))[:200] for column in COLUMNS if column in present}
    _check_reference(row, reference, context)

    space: dict = {"organisation_id": str(context.organisation_id)}
    for column in ("name", "address", "description"):
        if column in present or column == "name":
            space[column] = _text(cells.get(column))
    space["kind"] = _kind(row, cells, "space_kind", context.space_kinds, DEFAULT_SPACE_KIND)
    unit_kind = _kind(row, cells, "unit_kind", context.unit_kinds, DEFAULT_UNIT_KIND)
    if "services" in present:
        space["services"] = _services(row, _text(cells.get("services")), context.services)
    for column in ("available_from", "available_until"):
        if column in present and _text(cells.get(column)):
            try:
                space[column] = _date(cells.get(column)).isoformat()
            except ValueError:
                row.add_error(column, _l("Give a date as 31/12/2026 or 2026-12-31."))
        elif column in present:
            space[column] = ""

    surface = None
    if "surface" in present and _text(cells.get("surface")):
        amount = typed_euros(_text(cells.get("surface")).replace("m²", "").replace("m2", ""))
        if amount is None or not amount.is_finite() or not 0 < amount <= 1_000_000:
            row.add_error("surface", _l("Give the surface in m², a positive number."))
        else:
            surface = max(1, round(amount))

    capacity = ""
    if _text(cells.get("capacity")):
        try:
            capacity = str(_whole_number(cells.get("capacity")))
        except ValueError:
            row.add_error("capacity", _l("The capacity is a whole number of people, at least 1."))
            capacity = None
    prices = {}
    for rate in PRICE_COLUMNS:
        text = _text(cells.get(rate)) if rate in present else ""
        amount = typed_euros(text) if text else None
        if text and amount is not None and amount.is_finite() and amount < 0:
            row.add_error(rate, _l("A price cannot be negative."))
            text = None
        prices[rate] = text

    place = _place(row, cells, context)
    if place is not None:
        space["commune"] = place.name
        if "postal_code" in present or place.postal_code:
            space["postal_code"] = _text(cells.get("postal_code")) or (place.postal_code or "")
    else:
        space["commune"] = _text(cells.get("commune")) or "?"

    space_form = _space_form(space)
    for name, messages in _errors_of(space_form).items():
        column = {"kind": "space_kind"}.get(name, name)
        if column in ("organisation_id",):
            continue
        for message in messages:
            if column not in row.errors:
                row.add_error(column, message)

    checking_unit = capacity is not None and not any(row.errors.get(r) for r in PRICE_COLUMNS)
    unit: dict = {}
    if checking_unit:
        unit_form = _unit_form(space.get("name", "")[:160], unit_kind, capacity or "", prices)
        for name, messages in _errors_of(unit_form).items():
            column = {"kind": "unit_kind", "name": "name"}.get(name, name)
            if column.startswith("prices-"):
                column = column.removeprefix("prices-")
            if (
                column == "prices"
                and context.existing.get(reference)
                and not (set(PRICE_COLUMNS) & present)
            ):
                continue  # an update that names no price keeps the unit's prices
            if column not in row.errors:
                for message in messages:
                    row.add_error(column, message)
        if not row.errors:
            unit = _unit_values(unit_form, present)

    if not row.errors:
        row.data = {
            "reference": reference,
            "action": row.action,
            "space_id": context.existing.get(reference),
            "space": _space_values(space_form, present, surface),
            "unit": unit,
            "place": _place_values(place),
        }
    return row


def _check_reference(row: CheckedRow, reference: str, context: _Context) -> None:
    if not reference:
        row.add_error(
            "reference",
            _l(
                "Give each row a reference (e.g. its inventory number): uploading it again updates the same place."
            ),
        )
    elif len(reference) > MAX_REFERENCE or control_characters(reference):
        row.add_error(
            "reference",
            _l("A reference is one line of at most %(count)s characters.", count=MAX_REFERENCE),
        )
    elif reference in context.seen:
        row.add_error(
            "reference",
            _l("Row %(number)s already has this reference.", number=context.seen[reference]),
        )
    else:
        context.seen[reference] = row.number
        if reference in context.existing:
            row.action = "update"


def _kind(row, cells, column, vocabulary, default) -> str:
    text = _text(cells.get(column))
    if not text:
        return default
    code = vocabulary.get(_squash(text))
    if code is None:
        row.add_error(
            column,
            _l(
                "Unknown kind “%(value)s”. Use one of: %(known)s.",
                value=text[:60],
                known=", ".join(sorted(set(vocabulary.values()))),
            ),
        )
        return default
    return code


def _services(row: CheckedRow, text: str, vocabulary: dict[str, str]) -> list[str]:
    codes, unknown = [], []
    for part in _SERVICE_SEPARATORS.split(text):
        if not part.strip():
            continue
        code = vocabulary.get(_squash(part))
        if code is None:
            unknown.append(part.strip()[:40])
        elif code not in codes:
            codes.append(code)
    if unknown:
        row.add_error(
            "services",
            _l(
                "Unknown service: %(values)s. Known services: %(known)s.",
                values=", ".join(f"“{u}”" for u in unknown[:5]),
                known=", ".join(SERVICES),
            ),
        )
    return codes


# --- where -------------------------------------------------------------------------------------


@functools.cache
def _communes_by_insee() -> dict[str, Commune]:
    return {c.insee: c for c in load_index().communes if c.kind in CURRENT_KINDS}


def _place(row: CheckedRow, cells: dict[str, Cell], context: _Context) -> Place | None:
    """Where the row's place is (offline), or None with an error on the column at fault."""
    postal_code = _text(cells.get("postal_code"))[:20]
    commune = _text(cells.get("commune"))[:120]
    insee = _text(cells.get("insee")).upper()[:20]
    key = (postal_code, commune, insee)
    if key not in context.places:
        context.places[key] = _locate(postal_code, commune, insee)
    place, column, message = context.places[key]
    if place is None:
        row.add_error(column, message)
    return place


def _locate(postal_code: str, commune: str, insee: str) -> tuple[Place | None, str, str]:
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        return None, "postal_code", str(_l("A French postal code has 5 digits."))
    if insee:
        found = _communes_by_insee().get(insee) if _INSEE.match(insee) else None
        if found is None:
            return None, "insee", str(_l("No commune has the INSEE code %(code)s.", code=insee))
        if commune and not _same_commune(found.name, commune):
            message = _l(
                "The INSEE code %(code)s is %(name)s's, not “%(commune)s”.",
                code=insee,
                name=found.name,
                commune=commune,
            )
            return None, "commune", str(message)
        if postal_code and postal_code not in found.postal_codes:
            message = _l(
                "%(code)s is not a postal code of %(name)s.", code=postal_code, name=found.name
            )
            return None, "postal_code", str(message)
        code = postal_code or (found.postal_codes[0] if len(found.postal_codes) == 1 else None)
        place = Place(
            found.name,
            code,
            found.departement,
            found.latitude,
            found.longitude,
            found.timezone,
            found.insee,
            1,
        )
        return place, "", ""
    if not commune and not postal_code:
        return None, "commune", str(_l("Enter the commune."))
    query = " ".join(p for p in (postal_code, commune) if p)
    try:
        place = resolve_place(query)  # the offline index: no network
        if commune and not _same_commune(place.name, commune):
            raise UnknownPlace(commune)
    except GeocodingError as error:
        return None, "commune", place_error_message(error)
    return place, "", ""


def _same_commune(found: str, given: str) -> bool:
    """Whether a commune written by someone names the one found (a postal code or département
    number written with it, as in "37600 Loches" or "Loches (37)", is ignored)."""
    found = normalize(found)
    given = " ".join(w for w in normalize(given).split() if not w.isdigit())
    return found == given or found.startswith(given) or found.endswith(given)


# --- the forms the pages use -------------------------------------------------------------------


def _space_form(space: dict) -> SpaceForm:
    pairs = [(k, v) for k, v in space.items() if k != "services" and v is not None]
    pairs += [("services", code) for code in space.get("services", [])]
    form = SpaceForm(formdata=MultiDict(pairs), meta={"csrf": False})
    form.validate()
    return form


def _unit_form(name: str, kind: str, capacity: str, prices: dict) -> UnitForm:
    pairs = [("name", name), ("kind", kind), ("capacity", capacity)]
    pairs += [("booking_mode", IMPORT_BOOKING_MODE)]
    pairs += [(f"prices-{rate}", text) for rate, text in prices.items() if text]
    form = UnitForm(formdata=MultiDict(pairs), meta={"csrf": False})
    form.validate()
    return form


def _errors_of(form) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, field_ in form._fields.items():
        if hasattr(field_, "form"):  # the prices, a FormField
            for sub_name, sub in field_.form._fields.items():
                if sub.errors:
                    errors[f"{name}-{sub_name}"] = [str(m) for m in sub.errors]
        elif field_.errors:
            errors[name] = [str(m) for m in field_.errors]
    for name, messages in (getattr(form, "extra_errors", None) or {}).items():
        errors.setdefault(name, []).extend(str(m) for m in messages)
    return errors


def _space_values(form: SpaceForm, present: set[str], surface: int | None) -> dict:
    """The values a row sets on its place (JSON-ready): the columns the file has, and where."""
    data = form.data
    values = {"name": data["name"], "kind": data["kind"], "commune": data["commune"]}
    if "space_kind" not in present:
        values["default_kind"] = True
    for column in ("address", "description", "services"):
        if column in present:
            values[column] = data[column] or ([] if column == "services" else "")
    if data.get("postal_code"):
        values["postal_code"] = data["postal_code"]
    for column in ("available_from", "available_until"):
        if column in present:
            values[column] = data[column].isoformat() if data[column] else None
    if "surface" in present:
        values["surface_m2"] = surface
    return values


def _unit_values(form: UnitForm, present: set[str]) -> dict:
    data = form.data
    values = {"name": data["name"], "kind": data["kind"], "capacity": data["capacity"]}
    if "unit_kind" not in present:
        values["default_kind"] = True
    if set(PRICE_COLUMNS) & present:
        values["prices"] = {rate: data["prices"][rate] for rate in PRICE_COLUMNS if rate in present}
    return values


def _place_values(place: Place | None) -> dict | None:
    if place is None:
        return None
    return {
        "name": place.name,
        "postal_code": place.postal_code,
        "departement": place.departement,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "timezone": place.timezone,
        "insee": place.insee,
    }


def place_from(values: dict) -> Place:
    """The ``Place`` a checked row stored."""
    return Place(
        values["name"],
        values["postal_code"],
        values["departement"],
        values["latitude"],
        values["longitude"],
        values["timezone"],
        values["insee"],
        1,
    )
