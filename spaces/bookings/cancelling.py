"""Cancelling one booking, the following ones of its series, or the whole series."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.availability.services import availability_changed
from spaces.bookings import notifications
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking
from spaces.bookings.queries import can_handle
from spaces.bookings.rules import require_status
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid
from spaces.extensions import db


def cancel_booking(
    actor: User, booking: Booking, scope: str = "one", reason: str = "", now: datetime | None = None
) -> list[Booking]:
    """Cancel one booking, this and the following ones of its series, or the whole series.

    The booker may cancel until the unit's limit before each start; the host at any time, with a
    reason. Occurrences already cancelled, declined, expired or past are left as they are, and
    cancelled ones are never recreated. Returns the bookings cancelled now.
    """
    now = now or utcnow()
    is_host = can_handle(actor, booking)
    if not is_host and booking.user_id != actor.id:
        raise Forbidden()
    if is_host and booking.user_id != actor.id and not (reason or "").strip():
        message = _l("Give the booker a reason.")
        raise Invalid(message, fields={"reason": [message]})
    lock_unit(booking.unit_id)
    db.session.refresh(booking)
    if scope == "one" or booking.series_id is None:
        require_status(booking, now, "requested", "confirmed")
        targets = [booking]
    else:
        siblings = db.session.scalars(
            sa.select(Booking)
            .where(Booking.series_id == booking.series_id)
            .order_by(Booking.start_at)
        )
        targets = [b for b in siblings if scope == "series" or b.start_at >= booking.start_at]
        targets = [
            b
            for b in targets
            if b.effective_status(now) in ("requested", "confirmed") and b.end_at > now
        ]
    if not targets:
        raise Conflict(_l("Nothing is left to cancel."), code="invalid_state")
    limit = timedelta(minutes=booking.unit.cancel_until_minutes or 0)
    if not is_host:
        late = [b for b in targets if b.start_at - limit < now]
        if late and scope == "one":
            raise Conflict(
                _l("It is too late to cancel this booking: contact the host."), code="invalid_state"
            )
        targets = [b for b in targets if b not in late]
        if not targets:
            raise Conflict(
                _l("It is too late to cancel these bookings: contact the host."),
                code="invalid_state",
            )
    for target in targets:
        target.status = "cancelled"
        target.cancelled_at = now
        target.cancelled_by_id = actor.id
        target.reason = (reason or "")[:500]
        target.sequence += 1
    availability_changed([booking.unit])
    db.session.flush()
    notifications.bookings_cancelled(targets, by_host=is_host and booking.user_id != actor.id)
    return targets
