"""Units over the API: create, read, change, withdraw (their availability is ``availability``)."""

from __future__ import annotations

from flask import jsonify
from flask_babel import lazy_gettext as _l

from spaces.api import serializers
from spaces.api.core import body, bp, require_user
from spaces.api.spec import json_body, path_id, responses
from spaces.db import transaction
from spaces.errors import Invalid
from spaces.forms import form_from_json
from spaces.listings import services
from spaces.listings.forms import (
    MAX_MINUTES,
    MAX_PRICE_CENTS,
    MAX_REQUEST_EXPIRY_HOURS,
    MAX_TERM_DAYS,
    UnitForm,
)
from spaces.listings.vocabulary import BOOKING_MODES, UNIT_KINDS
from spaces.web import current_actor as _actor


def _unit(unit) -> dict:
    """A unit with the ids of its parts."""
    return serializers.unit(unit, [part.id for part in unit.parts])


def unit_values(unit) -> dict:
    data = {field: getattr(unit, field) for field in services.UNIT_FIELDS}
    data["prices"] = unit.prices
    return data


@bp.post("/spaces/<int:space_id>/units")
def create_unit(space_id: int):
    actor = require_user()
    space = services.get_space(actor, space_id, edit=True)
    form = form_from_json(UnitForm, body())
    with transaction():
        unit = services.create_unit(actor, space, form.data)
    return jsonify(_unit(unit)), 201


@bp.get("/spaces/<int:space_id>/units")
def list_units(space_id: int):
    space = services.get_space(_actor(), space_id)
    parts: dict[int, list[int]] = {}
    for u in space.units:  # loaded once: no query per unit
        if u.part_of is not None:
            parts.setdefault(u.part_of, []).append(u.id)
    items = [serializers.unit(u, parts.get(u.id, [])) for u in space.units if u.active]
    return jsonify({"items": items})


@bp.get("/units/<int:unit_id>")
def get_unit(unit_id: int):
    return jsonify(_unit(services.get_unit(_actor(), unit_id)))


@bp.patch("/units/<int:unit_id>")
def update_unit(unit_id: int):
    actor = require_user()
    unit = services.get_unit(actor, unit_id, edit=True)
    patch = body()
    if not isinstance(patch, dict):
        raise Invalid(_l("The body must be a JSON object."), code="invalid_body")
    merged = {**unit_values(unit), **patch}
    if isinstance(patch.get("prices"), dict):
        merged["prices"] = {**unit.prices, **patch["prices"]}
    form = form_from_json(UnitForm, merged)
    data = {key: value for key, value in form.data.items() if key in patch}
    if "prices" in patch:
        data["prices"] = form.prices.data
    with transaction():
        services.update_unit(actor, unit, data)
    return jsonify(_unit(unit))


@bp.delete("/units/<int:unit_id>")
def delete_unit(unit_id: int):
    actor = require_user()
    unit = services.get_unit(actor, unit_id, edit=True)
    with transaction():
        services.deactivate_unit(actor, unit)
    return "", 204


# --- OpenAPI -----------------------------------------------------------------------------------

PRICES = {
    "type": "object",
    "description": "cents per rate; a missing rate is not offered, 0 is free",
    "properties": {
        r: {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_PRICE_CENTS}
        for r in ("hour", "half_day", "day", "month")
    },
}
UNIT_INPUT = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 160},
        "kind": {"type": "string", "enum": list(UNIT_KINDS)},
        "description": {"type": "string", "maxLength": 5000},
        "capacity": {"type": "integer", "minimum": 1, "maximum": 10000},
        "prices": PRICES,
        "booking_mode": {"type": "string", "enum": list(BOOKING_MODES)},
        "min_minutes": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_MINUTES},
        "max_minutes": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_MINUTES},
        "notice_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_MINUTES},
        "cancel_until_minutes": {
            "type": ["integer", "null"],
            "minimum": 0,
            "maximum": MAX_MINUTES,
        },
        "min_term_days": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": MAX_TERM_DAYS,
            "description": "shortest term booking in days (default 1)",
        },
        "max_term_days": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": MAX_TERM_DAYS,
            "description": "longest term booking in days (default 1461)",
        },
        "request_expiry_hours": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": MAX_REQUEST_EXPIRY_HOURS,
            "description": "a request holds its seats this long, or until its start (default 48)",
        },
        "part_of": {
            "type": ["integer", "null"],
            "description": "the unit of the same place this one is part of (booked whole: "
            "office, meeting_room or whole_premises; itself no part); null for none. A part "
            "and its parent never hold the same instant",
        },
    },
}
UNIT = {
    "type": "object",
    "required": [
        "id",
        "space_id",
        "name",
        "kind",
        "capacity",
        "prices",
        "currency",
        "booking_mode",
    ],
    "properties": {
        "id": {"type": "integer"},
        "prices": PRICES,
        "part_of": {"type": ["integer", "null"]},
        "parts": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "the units that are part of this one (not in search results)",
        },
    },
}
PATHS = {
    "/api/v1/spaces/{space_id}/units": {
        "post": {
            "summary": "Add a bookable unit to a place",
            "parameters": [path_id("space_id")],
            "requestBody": json_body(
                {**UNIT_INPUT, "required": ["name", "kind", "capacity", "prices"]}
            ),
            "responses": responses({201: UNIT}, 400, 401, 403, 404, 422),
        },
        "get": {
            "summary": "The active units of a place",
            "security": [],
            "parameters": [path_id("space_id")],
            "responses": responses(
                {
                    200: {
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": UNIT}},
                    }
                },
                404,
            ),
        },
    },
    "/api/v1/units/{unit_id}": {
        "get": {
            "summary": "A unit",
            "security": [],
            "parameters": [path_id("unit_id")],
            "responses": responses({200: UNIT}, 404),
        },
        "patch": {
            "summary": "Change some fields of a unit",
            "parameters": [path_id("unit_id")],
            "requestBody": json_body(UNIT_INPUT),
            "responses": responses({200: UNIT}, 400, 401, 403, 404, 422),
        },
        "delete": {
            "summary": "Stop offering a unit (kept for its bookings)",
            "parameters": [path_id("unit_id")],
            "responses": responses({204: None}, 401, 403, 404),
        },
    },
}
