"""Moving (or resizing) one booking, re-checked like a new one under the unit lock."""

from __future__ import annotations

import json
from datetime import datetime

from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.availability.loading import unit_state
from spaces.availability.services import availability_changed
from spaces.bookings import notifications
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking
from spaces.bookings.queries import can_handle
from spaces.bookings.quotes import assess
from spaces.bookings.rules import require_status
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden
from spaces.extensions import db


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
    booking.start_at, booking.end_at, booking.seats = start, end, seats
    booking.price_amount, booking.price_breakdown = price.amount, json.dumps(price.breakdown())
    booking.sequence += 1
    availability_changed([unit])
    db.session.flush()
    notifications.booking_moved(booking)
    return booking
