"""Moving (or resizing) one booking, re-checked like a new one under the unit lock."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.availability.engine import term_span
from spaces.availability.loading import unit_state
from spaces.availability.services import availability_changed
from spaces.bookings import notifications
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking
from spaces.bookings.queries import can_handle
from spaces.bookings.quotes import assess
from spaces.bookings.rules import check_term_rules, require_status
from spaces.db import utcnow
from spaces.employers import budget
from spaces.errors import Conflict, Forbidden, Invalid
from spaces.extensions import db


def _recheck_budget(booking: Booking, unit, start: datetime, amount: int, now) -> None:
    """A sponsored booking's new time and price must fit its sponsor's budget, its own old
    amount left out (Conflict over_budget / sponsor_policy otherwise)."""
    if booking.sponsor_organisation_id is None or booking.sponsor is None:
        return
    budget.check(booking.sponsor, booking.user, unit, start, amount, now, exclude={booking.id})


def move_booking(
    actor: User,
    booking: Booking,
    start: datetime,
    end: datetime,
    seats: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Move (or resize) one booking, re-checked like a new one; its calendar SEQUENCE goes up."""
    now = now or utcnow()
    if booking.user_id != actor.id and not can_handle(actor, booking):
        raise Forbidden()
    if booking.kind == "term":
        message = _l("A booking for a period moves by its first and last day.")
        raise Invalid(message, fields={"start": [message]})
    seats = booking.seats if seats is None else seats
    unit = lock_unit(booking.unit_id)
    db.session.refresh(booking)
    require_status(booking, now, "requested", "confirmed")
    if unit.space.status != "published" or not unit.active:
        message = _l("This offer is no longer listed: it cannot take a new time.")
        raise Conflict(message, code="unavailable", extra={"reason": "withdrawn"})
    state = unit_state(unit, start, end, now, exclude={booking.id})
    outcome = assess(unit, state, start, end, seats, now)
    if not outcome.ok:
        raise outcome.error()
    price = outcome.price
    _recheck_budget(booking, unit, start, price.amount, now)
    booking.start_at, booking.end_at, booking.seats = start, end, seats
    booking.price_amount, booking.price_breakdown = price.amount, json.dumps(price.breakdown())
    booking.sequence += 1
    availability_changed([unit])
    db.session.flush()
    notifications.booking_moved(booking)
    return booking


def move_term(
    actor: User,
    booking: Booking,
    first: date,
    last: date,
    seats: int | None = None,
    now: datetime | None = None,
) -> Booking:
    """Extend or shorten a term (new first or last day, or seats), re-checked like a new term;
    a term under way keeps its first day. Its calendar SEQUENCE goes up."""
    now = now or utcnow()
    if booking.user_id != actor.id and not can_handle(actor, booking):
        raise Forbidden()
    seats = booking.seats if seats is None else seats
    unit = lock_unit(booking.unit_id)
    db.session.refresh(booking)
    require_status(booking, now, "requested", "confirmed")
    if unit.space.status != "published" or not unit.active:
        message = _l("This offer is no longer listed: it cannot take a new time.")
        raise Conflict(message, code="unavailable", extra={"reason": "withdrawn"})
    tz = ZoneInfo(unit.space.timezone)
    started = booking.start_at <= now
    if started and first != booking.term_dates(tz)[0]:
        message = _l("This booking has started: its first day cannot change.")
        raise Invalid(message, fields={"start_date": [message]})
    check_term_rules(unit, first, last, seats, now, tz, started=started)  # bounded first
    start, end = term_span(first, last, tz)
    state = unit_state(unit, start, end, now, exclude={booking.id})
    outcome = assess(unit, state, start, end, seats, now, term=True, started=started)
    if not outcome.ok:
        raise outcome.error()
    price = outcome.price
    _recheck_budget(booking, unit, start, price.amount, now)
    booking.start_at, booking.end_at, booking.seats = start, end, seats
    booking.price_amount, booking.price_breakdown = price.amount, json.dumps(price.breakdown())
    if booking.status == "requested" and booking.expires_at and start > now:
        booking.expires_at = min(booking.expires_at, start)  # a request expires at its start
    booking.sequence += 1
    availability_changed([unit])
    db.session.flush()
    notifications.booking_moved(booking)
    return booking
