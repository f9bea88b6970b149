"""Units, opening hours and closures over the API."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from spaces.api import body, bp, require_user, serializers
from spaces.api.spec import json_body, path_id, responses
from spaces.availability import services as availability
from spaces.availability.hours import Window
from spaces.db import transaction
from spaces.errors import Invalid, NotFound
from spaces.forms import form_from_json
from spaces.i18n import time_error_message
from spaces.listings import services
from spaces.listings.forms import (
    MAX_MINUTES,
    MAX_PRICE_CENTS,
    ClosureForm,
    OpeningHoursForm,
    UnitForm,
)
from spaces.listings.vocabulary import BOOKING_MODES, UNIT_KINDS
from spaces.timeutils import TimeError, parse_hhmm, parse_instant
from spaces.web import current_actor as _actor


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
    return jsonify(serializers.unit(unit)), 201


@bp.get("/spaces/<int:space_id>/units")
def list_units(space_id: int):
    space = services.get_space(_actor(), space_id)
    return jsonify({"items": [serializers.unit(u) for u in space.units if u.active]})


@bp.get("/units/<int:unit_id>")
def get_unit(unit_id: int):
    return jsonify(serializers.unit(services.get_unit(_actor(), unit_id)))


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
    return jsonify(serializers.unit(unit))


@bp.delete("/units/<int:unit_id>")
def delete_unit(unit_id: int):
    actor = require_user()
    unit = services.get_unit(actor, unit_id, edit=True)
    with transaction():
        services.deactivate_unit(actor, unit)
    return "", 204


# --- opening hours -----------------------------------------------------------------------------


def _windows_from_body() -> list[Window]:
    payload = body()
    if not isinstance(payload, list):
        raise Invalid(
            _l("Send a list of windows: [{weekday, start, end}, …]."), code="invalid_body"
        )
    form = form_from_json(OpeningHoursForm, {"windows": payload})
    return [
        Window(entry.weekday.data, parse_hhmm(entry.start.data), parse_hhmm(entry.end.data))
        for entry in form.windows
    ]


def _hours_json(windows) -> list:
    return [serializers.window(w) for w in windows]


@bp.get("/spaces/<int:space_id>/opening-hours")
def get_space_hours(space_id: int):
    space = services.get_space(_actor(), space_id)
    return jsonify(_hours_json(availability.windows_of(space)))


def _put_hours(actor, owner):
    windows = _windows_from_body()
    with transaction():
        saved = availability.set_opening_hours(actor, owner, windows)
    return jsonify(_hours_json(saved))


@bp.put("/spaces/<int:space_id>/opening-hours")
def put_space_hours(space_id: int):
    actor = require_user()
    return _put_hours(actor, services.get_space(actor, space_id, edit=True))


@bp.get("/units/<int:unit_id>/opening-hours")
def get_unit_hours(unit_id: int):
    unit = services.get_unit(_actor(), unit_id)
    return jsonify(_hours_json(availability.effective_windows(unit)))


@bp.put("/units/<int:unit_id>/opening-hours")
def put_unit_hours(unit_id: int):
    actor = require_user()
    return _put_hours(actor, services.get_unit(actor, unit_id, edit=True))


@bp.delete("/units/<int:unit_id>/opening-hours")
def delete_unit_hours(unit_id: int):
    actor = require_user()
    unit = services.get_unit(actor, unit_id, edit=True)
    with transaction():
        availability.use_space_hours(actor, unit)
    return "", 204


# --- availability -----------------------------------------------------------------------------


@bp.get("/units/<int:unit_id>/availability")
def unit_availability(unit_id: int):
    """Free seats over [start, end) in consecutive constant pieces; closed time is 0."""
    from spaces.bookings.availability import unit_timeline

    unit = services.get_unit(_actor(), unit_id)
    tz = ZoneInfo(unit.space.timezone)
    errors, times = {}, {}
    for name in ("start", "end"):
        try:
            times[name] = parse_instant(request.args.get(name) or "", tz)
        except TimeError as error:
            errors[name] = [time_error_message(error)]
    if not errors and times["end"] <= times["start"]:
        errors["end"] = [_l("The end must be after the start.")]
    if errors:
        raise Invalid(fields=errors)
    segments = unit_timeline(unit, times["start"], times["end"])
    return jsonify(
        {
            "unit_id": unit.id,
            "capacity": unit.effective_capacity,
            "version": unit.availability_version,
            "items": [
                {
                    "start": serializers.iso(s.start, tz),
                    "end": serializers.iso(s.end, tz),
                    "free": s.free,
                }
                for s in segments
            ],
        }
    )


@bp.get("/units/<int:unit_id>/availability/stream")
def unit_availability_stream(unit_id: int):
    """Server-Sent Events: an ``availability`` event after every committed change of the unit."""
    from spaces.db import utcnow
    from spaces.streams import last_event_id, stream_response

    unit = services.get_unit(_actor(), unit_id)
    version = unit.availability_version
    seen = last_event_id()
    catch_up = []
    if seen is not None and seen < version:
        catch_up.append(
            {"unit_id": unit.id, "version": version, "changed_at": utcnow().isoformat()}
        )
    return stream_response({unit.id: version}, catch_up)


MAX_STREAM_UNITS = 100


@bp.get("/availability/stream")
def availability_stream():
    """Server-Sent Events for the units of a page (``?units=1,2,3``, 100 at most): one
    ``availability`` event per committed change, with the unit in its data."""
    from spaces.streams import stream_response

    raw = [part for part in (request.args.get("units") or "").split(",") if part.strip()]
    if not raw or len(raw) > MAX_STREAM_UNITS or not all(part.strip().isdigit() for part in raw):
        raise Invalid(fields={"units": [_l("Give 1 to 100 unit ids, separated by commas.")]})
    actor = _actor()
    versions = {}
    for part in raw:
        unit_id = int(part)
        if not 0 < unit_id < 2**31:
            raise NotFound()
        unit = services.get_unit(actor, unit_id)
        versions[unit.id] = unit.availability_version
    return stream_response(versions, [])


# --- closures ----------------------------------------------------------------------------------


def _closure_times(tz: ZoneInfo):
    form = form_from_json(ClosureForm, body())
    errors = {}
    times = {}
    for name in ("start", "end"):
        try:
            times[name] = parse_instant(getattr(form, name).data, tz)
        except TimeError as error:
            errors[name] = [time_error_message(error)]
    if errors:
        raise Invalid(fields=errors)
    if times["end"] <= times["start"]:
        raise Invalid(fields={"end": [_l("The end must be after the start.")]})
    return times["start"], times["end"], form.reason.data or ""


def _create_closure(owner, space):
    actor = require_user()
    tz = ZoneInfo(space.timezone)
    start, end, reason = _closure_times(tz)
    with transaction():
        closure = availability.add_closure(actor, owner, start, end, reason)
    return jsonify(serializers.closure(closure, tz)), 201


@bp.post("/spaces/<int:space_id>/closures")
def create_space_closure(space_id: int):
    space = services.get_space(require_user(), space_id, edit=True)
    return _create_closure(space, space)


@bp.post("/units/<int:unit_id>/closures")
def create_unit_closure(unit_id: int):
    unit = services.get_unit(require_user(), unit_id, edit=True)
    return _create_closure(unit, unit.space)


@bp.get("/spaces/<int:space_id>/closures")
def list_space_closures(space_id: int):
    space = services.get_space(_actor(), space_id)
    tz = ZoneInfo(space.timezone)
    return jsonify({"items": [serializers.closure(c, tz) for c in availability.closures_of(space)]})


@bp.get("/units/<int:unit_id>/closures")
def list_unit_closures(unit_id: int):
    unit = services.get_unit(_actor(), unit_id)
    tz = ZoneInfo(unit.space.timezone)
    items = availability.closures_of(unit.space) + availability.closures_of(unit)
    items.sort(key=lambda c: (c.start_at, c.id))
    return jsonify({"items": [serializers.closure(c, tz) for c in items]})


@bp.delete("/closures/<int:closure_id>")
def delete_closure(closure_id: int):
    actor = require_user()
    closure = availability.get_closure(actor, closure_id)
    with transaction():
        availability.delete_closure(actor, closure)
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
    "properties": {"id": {"type": "integer"}, "prices": PRICES},
}
HHMM = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
WINDOWS = {
    "type": "array",
    "maxItems": 7 * 12,
    "items": {
        "type": "object",
        "required": ["weekday", "start", "end"],
        "properties": {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday"},
            "start": {"type": "string", "pattern": HHMM},
            "end": {"type": "string", "pattern": HHMM, "description": "after start; may be 24:00"},
        },
    },
}
CLOSURE_INPUT = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "reason": {"type": "string", "maxLength": 200},
    },
}
CLOSURE = {
    "type": "object",
    "required": ["id", "start", "end"],
    "properties": {"id": {"type": "integer"}},
}
CLOSURE_LIST = {"type": "object", "properties": {"items": {"type": "array", "items": CLOSURE}}}


def _hours_ops(owner: str, param: str) -> dict:
    return {
        "get": {
            "summary": f"Weekly opening windows of a {owner}"
            + (" (its own, or its space's)" if owner == "unit" else ""),
            "security": [],
            "parameters": [path_id(param)],
            "responses": responses({200: WINDOWS}, 404),
        },
        "put": {
            "summary": f"Replace the weekly opening windows of a {owner} (an empty list means closed)",
            "parameters": [path_id(param)],
            "requestBody": json_body(WINDOWS),
            "responses": responses({200: WINDOWS}, 400, 401, 403, 404, 422),
        },
    }


def _closure_ops(owner: str, param: str) -> dict:
    return {
        "get": {
            "summary": f"Dated closures of a {owner}",
            "security": [],
            "parameters": [path_id(param)],
            "responses": responses({200: CLOSURE_LIST}, 404),
        },
        "post": {
            "summary": f"Close a {owner} over [start, end) (local time without an offset)",
            "parameters": [path_id(param)],
            "requestBody": json_body(CLOSURE_INPUT),
            "responses": responses({201: CLOSURE}, 400, 401, 403, 404, 422),
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
    "/api/v1/spaces/{space_id}/opening-hours": _hours_ops("space", "space_id"),
    "/api/v1/units/{unit_id}/opening-hours": {
        **_hours_ops("unit", "unit_id"),
        "delete": {
            "summary": "Let the unit follow its space's opening hours again",
            "parameters": [path_id("unit_id")],
            "responses": responses({204: None}, 401, 403, 404),
        },
    },
    "/api/v1/spaces/{space_id}/closures": _closure_ops("space", "space_id"),
    "/api/v1/units/{unit_id}/closures": _closure_ops("unit", "unit_id"),
    "/api/v1/units/{unit_id}/availability": {
        "get": {
            "summary": "Free seats over [start, end): consecutive pieces where the number is constant",
            "security": [],
            "parameters": [
                path_id("unit_id"),
                {
                    "name": "start",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "end",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "date-time"},
                },
            ],
            "responses": responses(
                {
                    200: {
                        "type": "object",
                        "required": ["unit_id", "capacity", "items"],
                        "properties": {
                            "unit_id": {"type": "integer"},
                            "capacity": {"type": "integer"},
                            "items": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "start": {"type": "string"},
                                        "end": {"type": "string"},
                                        "free": {"type": "integer"},
                                    },
                                },
                            },
                        },
                    }
                },
                404,
                422,
            ),
        }
    },
    "/api/v1/units/{unit_id}/availability/stream": {
        "get": {
            "summary": "Server-Sent Events: 'availability' after every committed change (id = version)",
            "security": [],
            "parameters": [
                path_id("unit_id"),
                {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "An event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "404": responses({}, 404)["404"],
                "429": responses({}, 429)["429"],
            },
            "x-streaming": True,
        }
    },
    "/api/v1/availability/stream": {
        "get": {
            "summary": "Server-Sent Events for several units (a page of results)",
            "security": [],
            "parameters": [
                {
                    "name": "units",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "comma-separated unit ids, 100 at most",
                }
            ],
            "responses": {
                "200": {
                    "description": "An event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "404": responses({}, 404)["404"],
                "422": responses({}, 422)["422"],
                "429": responses({}, 429)["429"],
            },
            "x-streaming": True,
        }
    },
    "/api/v1/closures/{closure_id}": {
        "delete": {
            "summary": "Remove a closure",
            "parameters": [path_id("closure_id")],
            "responses": responses({204: None}, 401, 403, 404),
        }
    },
}
