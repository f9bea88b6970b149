"""Quotes: ``GET /api/v1/units/{id}/quote`` answers what ``POST /bookings`` would, without booking.

It calls the same decision as the booking (``bookings.quotes.assess`` on the engine's state), so a
page built on it never promises what the booking would refuse.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from spaces.api.core import bp
from spaces.api.spec import path_id, query, responses
from spaces.bookings.quotes import Assessment, quote
from spaces.errors import Invalid, NotFound
from spaces.extensions import db
from spaces.i18n import time_error_message
from spaces.listings.models import Unit
from spaces.timeutils import TimeError, parse_instant

MAX_SEATS = 10000


def _refused(error: Invalid) -> Assessment:
    return Assessment(
        False, 0, status=422, code=error.code, message=error.message, fields=error.fields
    )


def _assessment(unit: Unit) -> Assessment:
    """Parse the query as the booking parses its body; a bad input is the booking's 422."""
    if request.args.get("start_date") or request.args.get("end_date"):
        message = _l("This offer does not take bookings by whole days.")
        return _refused(Invalid(message, code="term_not_offered", fields={"start_date": [message]}))
    tz = ZoneInfo(unit.space.timezone)
    errors, times = {}, {}
    for name in ("start", "end"):
        try:
            times[name] = parse_instant(request.args.get(name) or "", tz)
        except TimeError as error:
            errors[name] = [time_error_message(error)]
    raw_seats = request.args.get("seats") or "1"
    try:
        seats = int(raw_seats)
        if not 1 <= seats <= MAX_SEATS:
            raise ValueError
    except ValueError:
        errors["seats"] = [_l("Book at least one seat.")]
    if errors:
        return _refused(Invalid(fields=errors))
    return quote(unit, times["start"], times["end"], seats)


@bp.get("/units/<int:unit_id>/quote")
def unit_quote(unit_id: int):
    """200 for every published unit: ``available`` and the booking's code, seats and price."""
    unit = db.session.get(Unit, unit_id) if 0 < unit_id < 2**31 else None
    if unit is None or not unit.active or unit.space.status != "published":
        raise NotFound()
    outcome = _assessment(unit)
    price = outcome.price
    answer = {
        "unit_id": unit.id,
        "available": outcome.ok,
        "code": outcome.code,
        "message": str(outcome.message) if outcome.message else None,
        "free_seats": outcome.free,
        "price": {
            "amount": price.amount,
            "currency": unit.currency,
            "breakdown": price.breakdown(),
        }
        if price
        else None,
    }
    if outcome.reason:
        answer["reason"] = outcome.reason
    if outcome.fields:
        answer["fields"] = {k: [str(m) for m in v] for k, v in outcome.fields.items()}
    return jsonify(answer)


_TIME = {"type": "string", "format": "date-time"}
QUOTE = {
    "type": "object",
    "required": ["available", "code", "message", "free_seats", "price"],
    "properties": {
        "unit_id": {"type": "integer"},
        "available": {"type": "boolean"},
        "code": {"type": ["string", "null"], "description": "the booking's 409/422 error code"},
        "message": {"type": ["string", "null"]},
        "reason": {"type": "string", "description": "why not, as a machine word"},
        "free_seats": {"type": "integer", "minimum": 0},
        "price": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "amount": {"type": "integer"},
                        "currency": {"type": "string"},
                        "breakdown": {"type": "array"},
                    },
                },
            ]
        },
        "fields": {"type": "object"},
    },
}

PATHS = {
    "/api/v1/units/{unit_id}/quote": {
        "get": {
            "summary": "What booking this slot would answer now, without booking",
            "security": [],
            "parameters": [
                path_id("unit_id"),
                query("start", _TIME, "local time of the space without an offset"),
                query("end", _TIME),
                query("seats", {"type": "integer", "minimum": 1, "maximum": MAX_SEATS}),
                query("start_date", {"type": "string", "format": "date"}, "term bookings"),
                query("end_date", {"type": "string", "format": "date"}),
            ],
            "responses": responses({200: QUOTE}, 404),
        }
    }
}
