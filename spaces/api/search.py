"""Search over the API: ``GET /api/v1/search`` (shared/API.md)."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import lazy_gettext as _l

from spaces.api import bp, page_args, serializers
from spaces.api.spec import PAGINATION, page_of, query, responses
from spaces.bookings.availability import dated_filter, validate_window
from spaces.errors import Invalid
from spaces.geo.provider import GeocodingError, place_error_message, resolve_query
from spaces.listings.search import (
    DEFAULT_RADIUS_KM,
    MAX_RADIUS_KM,
    Hit,
    SearchQuery,
    hydrate,
    rank,
    search,
)
from spaces.listings.vocabulary import SERVICES, SPACE_KINDS, UNIT_KINDS


def _number(name: str, kind, errors: dict, minimum=None, maximum=None):
    raw = request.args.get(name)
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


def parse_search_args() -> SearchQuery:
    """The query string as a SearchQuery; raises Invalid (422) naming the bad parameters."""
    errors: dict = {}
    lat = _number("lat", float, errors, -90, 90)
    lon = _number("lon", float, errors, -180, 180)
    radius = _number("radius_km", float, errors, 0.1, MAX_RADIUS_KM) or DEFAULT_RADIUS_KM
    seats = _number("seats", int, errors, 1, 10000) or 1
    max_price = _number("max_price", int, errors, 0, 10**9)
    # Comma-separated (the API) or repeated keys (a page's checkboxes): both are read.
    codes = [
        code.strip() for value in request.args.getlist("services") for code in value.split(",")
    ]
    services = tuple(dict.fromkeys(code for code in codes if code))
    unknown = [s for s in services if s not in SERVICES]
    if unknown:
        errors["services"] = [_l("Unknown service: %(codes)s.", codes=", ".join(unknown[:5]))]
    kind = request.args.get("kind") or None
    if kind and kind not in UNIT_KINDS:
        errors["kind"] = [_l("Not a valid choice.")]
    space_kind = request.args.get("space_kind") or None
    if space_kind and space_kind not in SPACE_KINDS:
        errors["space_kind"] = [_l("Not a valid choice.")]
    if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
        errors["lon" if lon is None else "lat"] = [_l("Give both lat and lon.")]
    near = (request.args.get("near") or "").strip()
    if near and lat is None and not errors:
        try:
            place = resolve_query(near)
        except GeocodingError as error:
            raise Invalid(
                place_error_message(error),
                code="unknown_place",
                fields={"near": [place_error_message(error)]},
            ) from error
        lat, lon = place.latitude, place.longitude
    start_text, end_text = request.args.get("start") or None, request.args.get("end") or None
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
    )


def run_search(query: SearchQuery) -> list[Hit]:
    """Search, with the availability engine when a date window is given."""
    availability = dated_filter(query.start_text, query.end_text) if query.start_text else None
    return search(query, availability)


def hit_json(hit: Hit) -> dict:
    space = serializers.space(
        hit.space,
        include_units=False,
        url=url_for("listings.space_page", space_id=hit.space.id, _external=True),
    )
    return {
        "space": space,
        "unit": serializers.unit(hit.unit),
        "distance_km": round(hit.distance_km, 2) if hit.distance_km is not None else None,
        "free_seats": hit.free_seats,
        "price": {"amount": hit.price, "currency": hit.unit.currency, "breakdown": hit.breakdown}
        if hit.price is not None
        else None,
    }


@bp.get("/search")
def search_units():
    page, per_page = page_args()
    query = parse_search_args()
    start = (page - 1) * per_page
    if query.start_text:  # the availability engine needs every candidate
        hits = run_search(query)
        total, items = len(hits), hits[start : start + per_page]
    else:  # only the page's units become ORM objects
        ranked = rank(query)
        total, items = len(ranked), hydrate(query, ranked[start : start + per_page])
    return jsonify({"items": [hit_json(h) for h in items], "total": total, "page": page})


HIT = {
    "type": "object",
    "required": ["space", "unit", "distance_km", "free_seats", "price"],
    "properties": {
        "space": {"type": "object"},
        "unit": {"type": "object"},
        "distance_km": {"type": ["number", "null"]},
        "free_seats": {"type": "integer"},
        "price": {"type": ["object", "null"]},
    },
}

PATHS = {
    "/api/v1/search": {
        "get": {
            "summary": "Published units near a place, nearest first (by name without a place)",
            "security": [],
            "parameters": [
                query("near", {"type": "string"}, "commune, postal code or address"),
                query("lat", {"type": "number", "minimum": -90, "maximum": 90}),
                query("lon", {"type": "number", "minimum": -180, "maximum": 180}),
                query(
                    "radius_km",
                    {"type": "number", "minimum": 0.1, "maximum": MAX_RADIUS_KM},
                    "default 10",
                ),
                query("start", {"type": "string", "format": "date-time"}),
                query("end", {"type": "string", "format": "date-time"}),
                query("seats", {"type": "integer", "minimum": 1, "maximum": 10000}),
                query("services", {"type": "string"}, "comma-separated codes, all required"),
                query("kind", {"type": "string", "enum": list(UNIT_KINDS)}),
                query("space_kind", {"type": "string", "enum": list(SPACE_KINDS)}),
                query(
                    "max_price",
                    {"type": "integer", "minimum": 0, "maximum": 10**9},
                    "cents, for the interval",
                ),
                *PAGINATION,
            ],
            "responses": responses({200: page_of(HIT)}, 422),
        }
    }
}
