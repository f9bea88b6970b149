"""The territory observatory over the API (shared/API.md, "Territory observatory"): a
municipality's territory and figures, the public open data, host statistics per space, the
administrators' platform-wide figures and a person's home commune."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from spaces.accounts.permissions import can_read
from spaces.api import serializers
from spaces.api.core import body, bp, require_user
from spaces.api.spec import json_body, path_id, query, responses
from spaces.db import transaction
from spaces.errors import Forbidden, Invalid, NotFound
from spaces.exports import csv_response
from spaces.extensions import search_limit
from spaces.forms import form_from_json
from spaces.geo.nearby import communes_within
from spaces.geo.provider import place_or_invalid
from spaces.listings.services import get_space
from spaces.observatory import services, territory
from spaces.observatory.forms import MAX_COMMUNES, HomeForm, TerritoryForm, parse_period
from spaces.organisations.services import get_organisation, require_manager, role_of


def _period():
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")
    return parse_period(request.args, datetime.now(zone).date())


def _territory_json(codes: list[str]) -> dict:
    return {"communes": [{"insee_code": c, "name": territory.commune_name(c)} for c in codes]}


def _municipality(organisation_id: int, manage: bool = False):
    actor = require_user()
    organisation = get_organisation(actor, organisation_id)  # 404 for non-members
    territory.require_municipality(organisation)
    if manage:
        require_manager(actor, organisation)
    return organisation


@bp.get("/organisations/<int:organisation_id>/territory")
def get_territory(organisation_id: int):
    # As the contract says: owners and managers (members read the communes in the observatory).
    organisation = _municipality(organisation_id, manage=True)
    return jsonify(_territory_json(territory.territory_codes(organisation)))


@bp.put("/organisations/<int:organisation_id>/territory")
def put_territory(organisation_id: int):
    organisation = _municipality(organisation_id, manage=True)
    payload = body()
    if isinstance(payload, dict) and isinstance(payload.get("communes"), list):
        if len(payload["communes"]) > MAX_COMMUNES:
            raise Invalid(  # before any work
                fields={"communes": [_l("At most %(n)s communes.", n=MAX_COMMUNES)]}
            )
        if not all(isinstance(c, str) for c in payload["communes"]):
            raise Invalid(fields={"communes": [_l("Give INSEE codes as text.")]})
    form = form_from_json(TerritoryForm, payload)
    if form.near.data:
        place = place_or_invalid(form.near.data)
        radius = form.radius_km.data if form.radius_km.data is not None else 10.0
        codes = [c.insee for c in communes_within(place.latitude, place.longitude, radius)]
    elif "communes" in payload:
        codes = [c.strip() for c in form.communes.data]
    else:
        raise Invalid(
            fields={"communes": [_l("Give communes (INSEE codes), or a place and a radius.")]}
        )
    codes = territory.check_codes(codes[:MAX_COMMUNES])  # reads the commune index: not in the lock
    with transaction():
        codes = territory.set_territory(organisation, codes)
    return jsonify(_territory_json(codes))


@bp.get("/organisations/<int:organisation_id>/observatory")
def get_observatory(organisation_id: int):
    organisation = _municipality(organisation_id)
    first, last = _period()
    return jsonify(services.observatory(territory.territory_codes(organisation), first, last))


@bp.get("/observatory")
def platform_observatory():
    if not require_user().is_admin:
        raise Forbidden()
    first, last = _period()
    return jsonify(services.observatory(None, first, last))


def _csv(rows: list[dict], columns: tuple[str, ...], filename: str) -> Response:
    """One row per dict, these columns, through the site's one spreadsheet-safe CSV writer."""
    return csv_response(columns, ([row.get(k) for k in columns] for row in rows), filename)


@bp.get("/observatory/communes.csv")
@search_limit()  # public, and it walks every published unit: the search's limit for visitors
def communes_csv():
    first, last = _period()
    rows = services.open_data(first, last)
    return _csv(rows, services.PUBLIC_FIELDS, f"communes-{first}-{last}.csv")


def _stats_space(space_id: int):
    actor = require_user()
    space = get_space(actor, space_id)  # 404 if unseen
    if not (can_read(role_of(actor, space.organisation_id)) or actor.is_admin):
        raise NotFound()  # host figures: its organisation's members only
    return space


@bp.get("/spaces/<int:space_id>/stats")
def space_stats(space_id: int):
    space = _stats_space(space_id)
    first, last = _period()
    return jsonify(services.space_stats(space, first, last))


@bp.get("/spaces/<int:space_id>/stats.csv")
def space_stats_csv(space_id: int):
    space = _stats_space(space_id)
    first, last = _period()
    stats = services.space_stats(space, first, last)
    return _csv(stats["units"], services.UNIT_FIELDS, f"space-{space.id}-{first}-{last}.csv")


@bp.patch("/me")
def patch_me():
    user = require_user()
    payload = body()
    form = form_from_json(HomeForm, payload)
    if "home_commune" in payload:  # absent: left as it is
        code = (form.home_commune.data or "").strip() or None
        if code:
            territory.check_codes([code], "home_commune")  # before the write lock
        with transaction(expire_on_commit=False):
            territory.set_home_commune(user, code)
    return jsonify(serializers.me(user))


# --- OpenAPI ---------------------------------------------------------------------------------

PERIOD = [
    query("from", {"type": "string", "format": "date"}, "first local day (default: 30 days ago)"),
    query("to", {"type": "string", "format": "date"}, "last local day, included (≤ 366 days)"),
]
NUMBER = {"type": "number"}
NULLABLE_NUMBER = {"type": ["number", "null"]}
INTEGER = {"type": "integer"}
FIGURES = {
    "spaces": INTEGER,
    "units": INTEGER,
    "seats": INTEGER,
    "seat_hours_offered": NUMBER,
    "seat_hours_booked": NUMBER,
    "occupancy": NULLABLE_NUMBER,
    "bookings": INTEGER,
    "bookers": INTEGER,
    "revenue": {"type": "integer", "description": "cents"},
    "searches": INTEGER,
    "searches_without_result": INTEGER,
    "vacant_premises": INTEGER,
    "vacant_premises_occupied": INTEGER,
    "windows_ending_soon": INTEGER,
    "residents_booking": {
        "type": ["integer", "null"],
        "description": "null below 3; in the totals, also null when the communes' withheld "
        "figures together are below 3 or come from one commune (they could be read back)",
    },
    "median_home_distance_km": NULLABLE_NUMBER,
}
COMMUNE = {
    "type": "object",
    "properties": {"insee_code": {"type": "string"}, "name": {"type": "string"}, **FIGURES},
}
OBSERVATORY = {
    "type": "object",
    "required": ["from", "to", "currency", "communes", "totals", "months"],
    "properties": {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "currency": {"type": "string"},
        "communes": {"type": "array", "items": COMMUNE},
        "totals": {"type": "object", "properties": FIGURES},
        "months": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "month": {"type": "string", "description": "YYYY-MM"},
                    "seat_hours_offered": NUMBER,
                    "seat_hours_booked": NUMBER,
                    "bookings": INTEGER,
                    "revenue": INTEGER,
                },
            },
        },
    },
}
TERRITORY = {
    "type": "object",
    "required": ["communes"],
    "properties": {
        "communes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"insee_code": {"type": "string"}, "name": {"type": "string"}},
            },
        }
    },
}
UNIT_STATS = {
    "type": "object",
    "properties": {
        "unit_id": INTEGER,
        "name": {"type": "string"},
        "seat_hours_offered": NUMBER,
        "seat_hours_booked": NUMBER,
        "occupancy": NULLABLE_NUMBER,
        "bookings": INTEGER,
        "cancellations": INTEGER,
        "revenue": INTEGER,
        "weeks": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "week_start": {"type": "string", "format": "date", "description": "a Monday"},
                    "seat_hours_offered": NUMBER,
                    "seat_hours_booked": NUMBER,
                    "occupancy": NULLABLE_NUMBER,
                    "revenue": INTEGER,
                },
            },
        },
    },
}
STATS = {
    "type": "object",
    "required": ["from", "to", "currency", "units"],
    "properties": {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "currency": {"type": "string"},
        "units": {"type": "array", "items": UNIT_STATS},
        "busiest_hours": {
            "type": "array",
            "description": "booked seat-hours by local weekday (Monday first) and hour (0-23)",
            "items": {"type": "array", "items": NUMBER, "minItems": 24, "maxItems": 24},
            "minItems": 7,
            "maxItems": 7,
        },
    },
}
CSV = {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}

PATHS = {
    "/api/v1/organisations/{organisation_id}/territory": {
        "get": {
            "summary": "A municipality's territory: its communes (members)",
            "parameters": [path_id("organisation_id")],
            "responses": responses({200: TERRITORY}, 401, 404, 422),
        },
        "put": {
            "summary": "Set a municipality's territory (owners and managers): INSEE codes, or"
            " every commune within radius_km of a place",
            "parameters": [path_id("organisation_id")],
            "requestBody": json_body(
                {
                    "type": "object",
                    "properties": {
                        "communes": {
                            "type": "array",
                            "items": {"type": "string"},
                            "maxItems": MAX_COMMUNES,
                        },
                        "near": {"type": "string"},
                        "radius_km": {"type": "number", "minimum": 0, "maximum": 50},
                    },
                }
            ),
            "responses": responses({200: TERRITORY}, 400, 401, 403, 404, 422),
        },
    },
    "/api/v1/organisations/{organisation_id}/observatory": {
        "get": {
            "summary": "Supply and use by commune of a municipality's territory (members)",
            "parameters": [path_id("organisation_id"), *PERIOD],
            "responses": responses({200: OBSERVATORY}, 401, 404, 422),
        }
    },
    "/api/v1/observatory": {
        "get": {
            "summary": "The observatory for the whole platform (administrators)",
            "parameters": PERIOD,
            "responses": responses({200: OBSERVATORY}, 401, 403, 422),
        }
    },
    "/api/v1/observatory/communes.csv": {
        "get": {
            "summary": "Open data: supply and searches by commune with published spaces (CSV)",
            "security": [],
            "parameters": PERIOD,
            "responses": {**CSV, **responses({}, 422, 429)},
        }
    },
    "/api/v1/spaces/{space_id}/stats": {
        "get": {
            "summary": "Host statistics of a space by unit and week (its organisation's members)",
            "parameters": [path_id("space_id"), *PERIOD],
            "responses": responses({200: STATS}, 401, 404, 422),
        }
    },
    "/api/v1/spaces/{space_id}/stats.csv": {
        "get": {
            "summary": "Host statistics of a space, one row per unit (CSV)",
            "parameters": [path_id("space_id"), *PERIOD],
            "responses": {**CSV, **responses({}, 401, 404, 422)},
        }
    },
    "/api/v1/me": {
        "patch": {
            "summary": "Set or remove (null) your home commune (an INSEE code), counted only in"
            " aggregate by the observatory",
            "requestBody": json_body(
                {"type": "object", "properties": {"home_commune": {"type": ["string", "null"]}}}
            ),
            "responses": responses({200: {"type": "object"}}, 400, 401, 422),
        }
    },
}
