"""Search over the API: ``GET /api/v1/search`` (shared/API.md)."""

from __future__ import annotations

from flask import jsonify, request

from spaces.api import serializers
from spaces.api.core import bp, page_args
from spaces.api.spec import PAGINATION, page_of, query, responses
from spaces.availability.filter import find, hydrate_matches
from spaces.extensions import search_limit
from spaces.listings.search import MAX_RADIUS_KM, Hit
from spaces.listings.search_input import parse_search_args
from spaces.listings.vocabulary import SPACE_KINDS, UNIT_KINDS
from spaces.mail import external_url


def hit_json(hit: Hit) -> dict:
    space = serializers.space(
        hit.space,
        include_units=False,
        url=external_url("listings.space_page", space_id=hit.space.id),
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
@search_limit()
def search_units():
    page, per_page = page_args()
    query = parse_search_args(request.args)
    start = (page - 1) * per_page
    matches = find(
        query, record=page == 1
    )  # light tuples: only the page's units become ORM objects
    total, items = len(matches), hydrate_matches(query, matches[start : start + per_page])
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

# Where: a place by name, or a point; the search and the calls read them alike.
PLACE = [
    query("near", {"type": "string"}, "commune, postal code or address"),
    query("lat", {"type": "number", "minimum": -90, "maximum": 90}),
    query("lon", {"type": "number", "minimum": -180, "maximum": 180}),
    query("radius_km", {"type": "number", "minimum": 0.1, "maximum": MAX_RADIUS_KM}, "default 10"),
]

PATHS = {
    "/api/v1/search": {
        "get": {
            "summary": "Published units near a place, nearest first (by name without a place)",
            "security": [],
            "parameters": [
                *PLACE,
                query("start", {"type": "string", "format": "date-time"}),
                query("end", {"type": "string", "format": "date-time"}),
                query(
                    "start_date",
                    {"type": "string", "format": "date"},
                    "a term's first day (instead of start and end): units that would accept"
                    " the term from start_date to end_date, with its price",
                ),
                query("end_date", {"type": "string", "format": "date"}, "a term's last day"),
                query("seats", {"type": "integer", "minimum": 1, "maximum": 10000}),
                query("services", {"type": "string"}, "comma-separated codes, all required"),
                query("kind", {"type": "string", "enum": list(UNIT_KINDS)}),
                query("space_kind", {"type": "string", "enum": list(SPACE_KINDS)}),
                query(
                    "max_price",
                    {"type": "integer", "minimum": 0, "maximum": 10**9},
                    "cents, for the interval",
                ),
                query(
                    "instant",
                    {"type": "string", "enum": ["0", "1", "true", "false"]},
                    "1: only units booked instantly",
                ),
                query(
                    "sort",
                    {"type": "string", "enum": ["distance", "price"]},
                    "price needs start and end: by price, then by distance",
                ),
                *PAGINATION,
            ],
            "responses": responses({200: page_of(HIT)}, 422),
        }
    }
}
