"""Bookings over the API: request (one or a series), read, move, cancel, approve, decline."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import jsonify
from flask_babel import lazy_gettext as _l

from spaces.api.core import body, bp, page_args, paginate, query_id, require_user
from spaces.api.serializers import iso
from spaces.api.spec import PAGINATION, json_body, page_of, path_id, query, responses
from spaces.bookings import cancelling, deciding, moving, queries, requesting, terms
from spaces.bookings.forms import BookingForm, CancelForm, DecisionForm, MoveForm
from spaces.db import transaction, utcnow
from spaces.errors import Invalid, NotFound
from spaces.extensions import db
from spaces.forms import form_from_json
from spaces.inputs import parse_window
from spaces.listings.models import Space, Unit


def booking_json(booking, now=None, *, host_view: bool = False, sponsor_view: bool = False) -> dict:
    now = now or utcnow()
    tz = ZoneInfo(booking.unit.space.timezone)
    data = {
        "id": booking.id,
        "reference": booking.reference,
        "status": booking.effective_status(now),
        "unit_id": booking.unit_id,
        "space_id": booking.unit.space_id,
        "kind": booking.kind,
        "start": iso(booking.start_at, tz),
        "end": iso(booking.end_at, tz),
        "seats": booking.seats,
        "price": {
            "amount": booking.price_amount,
            "currency": booking.currency,
            "breakdown": booking.breakdown,
        },
        "note": booking.note,
        "series_id": booking.series_id,
        "sponsor_organisation_id": booking.sponsor_organisation_id,
        "sponsor": (
            {"id": booking.sponsor.id, "name": booking.sponsor.name}
            if booking.sponsor_organisation_id is not None and booking.sponsor is not None
            else None
        ),
        "created_at": iso(booking.created_at, tz),
        "expires_at": iso(booking.expires_at, tz),
        "reason": booking.reason,
        "sequence": booking.sequence,
    }
    if booking.kind == "term":
        first, last = booking.term_dates(tz)
        data["start_date"], data["end_date"] = first.isoformat(), last.isoformat()
    else:
        data["start_date"] = data["end_date"] = None
    if host_view:
        data["booker"] = {"id": booking.user.id, "name": booking.user.name}
    if sponsor_view:  # the employer paying for it: who, to reach them
        data["booker"] = {
            "id": booking.user.id,
            "name": booking.user.name,
            "email": booking.user.email,
        }
    return data


@functools.cache
def _zone_query():
    """Built once: the statement is compiled once and its cache key computed once."""
    return (
        sa.select(Space.timezone)
        .join(Unit, Unit.space_id == Space.id)
        .where(Unit.id == sa.bindparam("unit_id"))
    )


def _timezone_or_404(unit_id: int) -> ZoneInfo:
    """The zone of the unit's space (to read the times given without an offset): one light
    row — the booking reads the unit itself under its lock."""
    name = (
        db.session.connection().execute(_zone_query(), {"unit_id": unit_id}).scalar()
        if 0 < unit_id < 2**31
        else None
    )
    if name is None:
        raise NotFound(fields={"unit_id": ["Unknown unit."]})
    return ZoneInfo(name)


@bp.post("/bookings")
def create_booking():
    actor = require_user()
    payload = body()
    form = form_from_json(BookingForm, payload)
    requested_repeat = isinstance(payload, dict) and payload.get("repeat") is not None
    repeat_errors = form.validate_repeat_presence(requested_repeat)
    if repeat_errors:
        raise Invalid(fields=repeat_errors)
    unit_id = form.unit_id.data
    if form.is_term():
        return _create_term(actor, form, requested_repeat)
    # The times are local to the space: the service reads them in its zone once the unit is
    # locked (no statement to look the zone up first); their order is the booking rules'.
    # What was written stays loaded after the commit: the answer and the e-mails (rendered
    # after the commit) read it without loading the booking, its unit and space once more; the
    # signed-in user is not read again either (the unit is, under its lock).
    with transaction(expire_on_commit=False, keep_loaded=True):
        result = requesting.request_booking(
            actor,
            unit_id,
            form.start.data or "",
            form.end.data or "",
            form.seats.data or 1,
            note=form.note.data or "",
            sponsor_organisation_id=form.sponsor_organisation_id.data,
            repeat=form.repeat_data(requested_repeat),
            skip_conflicts=form.skip_conflicts.data,
        )
    data = booking_json(result.first)
    if result.series is not None:
        data["series_id"] = result.series.id
        data["occurrences"] = [
            {
                "id": b.id,
                "start": booking_json(b)["start"],
                "end": booking_json(b)["end"],
                "status": b.status,
            }
            for b in result.bookings
        ]
        data["skipped"] = [{"date": s["date"], "reason": s["reason"]} for s in result.skipped]
        data["total"] = {
            "amount": sum(b.price_amount for b in result.bookings),
            "currency": result.first.currency,
        }
    return jsonify(data), 201


def _create_term(actor, form: BookingForm, requested_repeat: bool):
    """A term booking: whole local days from ``start_date`` to ``end_date``."""
    if requested_repeat:
        message = _l("A booking for a period does not repeat.")
        raise Invalid(message, fields={"repeat": [message]})
    _timezone_or_404(form.unit_id.data)
    with transaction(expire_on_commit=False):
        result = terms.request_term(
            actor,
            form.unit_id.data,
            form.start_date.data,
            form.end_date.data,
            form.seats.data or 1,
            note=form.note.data or "",
            sponsor_organisation_id=form.sponsor_organisation_id.data,
        )
    return jsonify(booking_json(result.first)), 201


@bp.get("/bookings")
def list_bookings():
    actor = require_user()
    page, per_page = page_args()
    unit_id = query_id("unit_id")
    space_id = query_id("space_id")
    sponsor_id = query_id("sponsor_organisation_id")
    now = utcnow()
    if sponsor_id is not None:
        items = queries.sponsored_bookings(actor, sponsor_id)
        if unit_id is not None:
            items = [b for b in items if b.unit_id == unit_id]
        if space_id is not None:
            items = [b for b in items if b.unit.space_id == space_id]
        return jsonify(
            paginate(items, page, per_page, lambda b: booking_json(b, now, sponsor_view=True))
        )
    items = queries.list_bookings(actor, unit_id=unit_id, space_id=space_id)
    host_view = unit_id is not None or space_id is not None
    return jsonify(
        paginate(items, page, per_page, lambda b: booking_json(b, now, host_view=host_view))
    )


@bp.get("/bookings/<int:booking_id>")
def get_booking(booking_id: int):
    actor = require_user()
    booking = queries.get_booking(actor, booking_id)
    return jsonify(
        booking_json(
            booking,
            host_view=queries.can_handle(actor, booking),
            sponsor_view=queries.sponsors_it(actor, booking),
        )
    )


@bp.patch("/bookings/<int:booking_id>")
def move_booking(booking_id: int):
    actor = require_user()
    booking = queries.get_booking(actor, booking_id)
    form = form_from_json(MoveForm, body())
    tz = ZoneInfo(booking.unit.space.timezone)
    if booking.kind == "term" or form.start_date.data or form.end_date.data:
        return _move_term(actor, booking, form, tz)
    start, end = parse_window(
        form.start.data or booking.start_at.isoformat(),
        form.end.data or booking.end_at.isoformat(),
        tz,
        ordered=False,
    )
    with transaction():
        booking = queries.get_booking(actor, booking_id)
        moving.move_booking(actor, booking, start, end, form.seats.data)
    return jsonify(booking_json(booking))


def _move_term(actor, booking, form: MoveForm, tz: ZoneInfo):
    """A term's new first or last day (or seats), re-checked like a new term."""
    errors = {}
    if booking.kind != "term":
        message = _l("Only a booking for a period has a first and a last day.")
        errors["start_date"] = [message]
    for field in (form.start, form.end):
        if field.data:
            errors[field.name] = [_l("A booking for a period moves by its first and last day.")]
    if errors:
        raise Invalid(fields=errors)
    first, last = booking.term_dates(tz)
    with transaction():
        booking = queries.get_booking(actor, booking.id)
        moving.move_term(
            actor,
            booking,
            form.start_date.data or first,
            form.end_date.data or last,
            form.seats.data,
        )
    return jsonify(booking_json(booking))


@bp.post("/bookings/<int:booking_id>/cancel")
def cancel_booking(booking_id: int):
    actor = require_user()
    form = form_from_json(CancelForm, body())
    with transaction():
        booking = queries.get_booking(actor, booking_id)
        cancelling.cancel_booking(actor, booking, form.scope.data or "one", form.reason.data or "")
    return jsonify(booking_json(booking))


@bp.post("/bookings/<int:booking_id>/approve")
def approve_booking(booking_id: int):
    actor = require_user()
    with transaction():
        booking = queries.get_booking(actor, booking_id)
        deciding.approve_booking(actor, booking)
    return jsonify(booking_json(booking, host_view=True))


@bp.post("/bookings/<int:booking_id>/decline")
def decline_booking(booking_id: int):
    actor = require_user()
    form = form_from_json(DecisionForm, body())
    with transaction():
        booking = queries.get_booking(actor, booking_id)
        deciding.decline_booking(actor, booking, form.reason.data or "")
    return jsonify(booking_json(booking, host_view=True))


PRICE = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {
        "amount": {"type": "integer"},
        "currency": {"type": "string"},
        "breakdown": {"type": "array"},
    },
}
BOOKING = {
    "type": "object",
    "required": ["id", "reference", "status", "start", "end", "seats", "price"],
    "properties": {
        "id": {"type": "integer"},
        "reference": {"type": "string"},
        "status": {
            "type": "string",
            "enum": ["requested", "confirmed", "declined", "cancelled", "expired"],
        },
        "kind": {
            "type": "string",
            "enum": ["slot", "term"],
            "description": "term: whole local days from start_date to end_date",
        },
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "start_date": {
            "type": ["string", "null"],
            "format": "date",
            "description": "a term's first local day (null for a slot)",
        },
        "end_date": {
            "type": ["string", "null"],
            "format": "date",
            "description": "a term's last local day, inclusive (null for a slot)",
        },
        "seats": {"type": "integer"},
        "price": PRICE,
        "series_id": {"type": ["integer", "null"]},
        "sponsor_organisation_id": {"type": ["integer", "null"]},
        "sponsor": {
            "type": ["object", "null"],
            "description": "the employer paying for it",
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "booker": {
            "type": "object",
            "description": "for the host (id, name) and the paying employer (id, name, email)",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "email": {"type": "string"},
            },
        },
    },
}
BOOKING_INPUT = {
    "type": "object",
    "required": ["unit_id"],
    "description": "a slot (start and end) or a term (start_date and end_date), never both",
    "properties": {
        "unit_id": {"type": "integer", "minimum": 1},
        "start": {
            "type": "string",
            "format": "date-time",
            "description": "without an offset: the space's local time",
        },
        "end": {"type": "string", "format": "date-time"},
        "start_date": {
            "type": "string",
            "format": "date",
            "description": "a term's first day (local, in the space's zone)",
        },
        "end_date": {
            "type": "string",
            "format": "date",
            "description": "a term's last day, inclusive; units with a month price only",
        },
        "seats": {"type": "integer", "minimum": 1, "maximum": 10000},
        "note": {"type": "string", "maxLength": 1000},
        "sponsor_organisation_id": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "an employer the caller belongs to pays (404 otherwise); checked in"
            " the same transaction: 409 over_budget (the message and `remaining` say what is"
            " left of that month's budget) or sponsor_policy (kind of place or commune not paid"
            " for); in a series each date counts in its own month",
        },
        "repeat": {
            "type": "object",
            "required": ["weekdays", "until"],
            "properties": {
                "weekdays": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 7,
                    "items": {"type": "integer", "minimum": 0, "maximum": 6},
                },
                "until": {"type": "string", "format": "date", "description": "inclusive"},
            },
        },
        "skip_conflicts": {"type": "boolean"},
    },
}
ID = [path_id("booking_id")]

PATHS = {
    "/api/v1/bookings": {
        "post": {
            "summary": "Book a unit, once, as a series (every listed weekday until a date) or"
            " for a term (whole days from start_date to end_date)",
            "requestBody": json_body(BOOKING_INPUT),
            "responses": responses({201: BOOKING}, 400, 401, 404, 409, 422),
        },
        "get": {
            "summary": "The caller's bookings, or a unit's or space's (members of its"
            " organisation), or those an employer pays for (its owners and managers)",
            "parameters": [
                query("mine", {"type": "integer", "enum": [0, 1]}),
                query("unit_id", {"type": "integer", "minimum": 1}),
                query("space_id", {"type": "integer", "minimum": 1}),
                query(
                    "sponsor_organisation_id",
                    {"type": "integer", "minimum": 1},
                    "the bookings that employer pays for (its owners and managers), with the"
                    " booker's name and e-mail",
                ),
                *PAGINATION,
            ],
            "responses": responses({200: page_of(BOOKING)}, 401, 404, 422),
        },
    },
    "/api/v1/bookings/{booking_id}": {
        "get": {
            "summary": "A booking",
            "parameters": ID,
            "responses": responses({200: BOOKING}, 401, 404),
        },
        "patch": {
            "summary": "Move or resize a booking, or extend or shorten a term by its"
            " start_date or end_date (checked like a new one)",
            "parameters": ID,
            "requestBody": json_body(
                {
                    "type": "object",
                    "properties": {
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                        "start_date": {
                            "type": "string",
                            "format": "date",
                            "description": "a term's new first day",
                        },
                        "end_date": {
                            "type": "string",
                            "format": "date",
                            "description": "a term's new last day (inclusive)",
                        },
                        "seats": {"type": "integer", "minimum": 1, "maximum": 10000},
                    },
                }
            ),
            "responses": responses({200: BOOKING}, 400, 401, 403, 404, 409, 422),
        },
    },
    "/api/v1/bookings/{booking_id}/cancel": {
        "post": {
            "summary": "Cancel one booking, this and the following ones, or the whole series",
            "parameters": ID,
            "requestBody": json_body(
                {
                    "type": "object",
                    "properties": {
                        "scope": {"type": "string", "enum": ["one", "following", "series"]},
                        "reason": {"type": "string", "maxLength": 500},
                    },
                },
                required=False,
            ),
            "responses": responses({200: BOOKING}, 400, 401, 403, 404, 409, 422),
        }
    },
    "/api/v1/bookings/{booking_id}/approve": {
        "post": {
            "summary": "Accept a request (host)",
            "parameters": ID,
            "responses": responses({200: BOOKING}, 401, 403, 404, 409),
        }
    },
    "/api/v1/bookings/{booking_id}/decline": {
        "post": {
            "summary": "Decline a request (host)",
            "parameters": ID,
            "requestBody": json_body(
                {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 500}}},
                required=False,
            ),
            "responses": responses({200: BOOKING}, 400, 401, 403, 404, 409, 422),
        }
    },
}
