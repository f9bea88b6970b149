"""The search's input, one reading for the search page and ``GET /api/v1/search``.

``parse_search_args`` turns the query string (``services`` comma-separated, as the API documents,
or repeated, as the page's checkboxes send it) into a ``SearchQuery`` or raises Invalid naming the
bad parameters; a place that cannot be found is Invalid(unknown_place) on ``near``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from spaces.availability.filter import validate_window
from spaces.errors import Invalid
from spaces.geo.provider import place_or_invalid
from spaces.listings.search import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, SearchQuery
from spaces.listings.vocabulary import SERVICES, SPACE_KINDS, UNIT_KINDS


def _number(args, name: str, kind, errors: dict, minimum=None, maximum=None):
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = kind(raw)
    except ValueError:
        errors[name] = [_l("Must be a number.")]
        return None
    if (
        value != value
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        errors[name] = [_l("Must be between %(min)s and %(max)s.", min=minimum, max=maximum)]
        return None
    return value


def parse_search_args(args: MultiDict) -> SearchQuery:
    """The query string as a SearchQuery; raises Invalid (422) naming the bad parameters."""
    errors: dict = {}
    lat = _number(args, "lat", float, errors, -90, 90)
    lon = _number(args, "lon", float, errors, -180, 180)
    radius = _number(args, "radius_km", float, errors, 0.1, MAX_RADIUS_KM) or DEFAULT_RADIUS_KM
    seats = _number(args, "seats", int, errors, 1, 10000) or 1
    max_price = _number(args, "max_price", int, errors, 0, 10**9)
    # Comma-separated (the API) or repeated keys (a page's checkboxes): both are read.
    codes = [code.strip() for value in args.getlist("services") for code in value.split(",")]
    services = tuple(dict.fromkeys(code for code in codes if code))
    unknown = [s for s in services if s not in SERVICES]
    if unknown:
        errors["services"] = [_l("Unknown service: %(codes)s.", codes=", ".join(unknown[:5]))]
    kind = args.get("kind") or None
    if kind and kind not in UNIT_KINDS:
        errors["kind"] = [_l("Not a valid choice.")]
    space_kind = args.get("space_kind") or None
    if space_kind and space_kind not in SPACE_KINDS:
        errors["space_kind"] = [_l("Not a valid choice.")]
    if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
        errors["lon" if lon is None else "lat"] = [_l("Give both lat and lon.")]
    near = (args.get("near") or "").strip()
    if near and lat is None and not errors:
        place = place_or_invalid(near)
        lat, lon = place.latitude, place.longitude
    instant = args.get("instant") or ""
    if instant not in ("", "0", "1", "true", "false", "on"):
        errors["instant"] = [_l("Not a valid choice.")]
    sort = args.get("sort") or "distance"
    if sort not in ("distance", "price"):
        errors["sort"] = [_l("Not a valid choice.")]
    start_text, end_text = args.get("start") or None, args.get("end") or None
    if sort == "price" and not start_text:
        errors["sort"] = [_l("Sorting by price needs a start and an end.")]
    errors.update(validate_window(start_text, end_text))
    if errors:
        raise Invalid(fields=errors)
    return SearchQuery(
        start_text=start_text,
        end_text=end_text,
        latitude=lat,
        longitude=lon,
        radius_km=radius,
        seats=seats,
        services=services,
        kind=kind,
        space_kind=space_kind,
        max_price=max_price,
        instant=instant in ("1", "true", "on"),
        sort=sort,
    )
