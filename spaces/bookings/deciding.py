"""Answering requests: approve, decline, and recording the ones that expired."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from spaces.accounts.models import User
from spaces.availability.services import availability_changed
from spaces.bookings import notifications
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking
from spaces.bookings.queries import require_handler
from spaces.bookings.rules import require_status
from spaces.db import transaction, utcnow
from spaces.extensions import db

log = logging.getLogger(__name__)


def _decide(
    actor: User, booking: Booking, status: str, reason: str, now: datetime | None
) -> Booking:
    """Answer a pending request (the seats were held since it was made, so no re-check)."""
    now = now or utcnow()
    require_handler(actor, booking)
    lock_unit(booking.unit_id)
    db.session.refresh(booking)
    require_status(booking, now, "requested")
    booking.status, booking.decided_at, booking.decided_by_id = status, now, actor.id
    if reason:
        booking.reason = reason[:500]
    booking.sequence += 1
    availability_changed([booking.unit])
    db.session.flush()
    notifications.booking_decided(booking)
    return booking


def approve_booking(actor: User, booking: Booking, now: datetime | None = None) -> Booking:
    """Confirm a pending request; Forbidden for non-hosts, Conflict(invalid_state) otherwise."""
    return _decide(actor, booking, "confirmed", "", now)


def decline_booking(
    actor: User, booking: Booking, reason: str = "", now: datetime | None = None
) -> Booking:
    """Decline a pending request, with an optional reason told to the booker."""
    return _decide(actor, booking, "declined", reason or "", now)


def record_expired_requests(now: datetime | None = None) -> list[Booking]:
    """Write ``expired`` on requests past their expiry (the engine already ignores them)."""
    now = now or utcnow()
    expired = list(
        db.session.scalars(
            sa.select(Booking)
            .where(Booking.status == "requested", Booking.expires_at <= now)
            .with_for_update(of=Booking)
        )
    )
    for booking in expired:
        booking.status = "expired"
        booking.sequence += 1
    availability_changed({b.unit for b in expired})
    db.session.flush()
    for booking in expired:
        notifications.request_expired(booking)
    return expired


def expire_requests_job() -> None:
    """Periodic job: record as expired the requests nobody answered in time (and tell them)."""
    with transaction():
        expired = record_expired_requests(utcnow())
    if expired:
        log.info("%d request(s) expired", len(expired))
