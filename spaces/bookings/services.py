"""Booking services: the one place that decides whether a booking fits, and writes it.

Every write here runs inside the caller's ``transaction()``: the unit is locked first (a row lock
on PostgreSQL; the write lock taken at BEGIN IMMEDIATE on SQLite), then the engine re-checks with
what is in the database, then the rows are written. Two requests for the last seat therefore run
one after the other, and the second sees the first's booking.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.availability.engine import Occupation
from spaces.availability.services import availability_changed
from spaces.bookings import notifications
from spaces.bookings.models import Booking, Series
from spaces.bookings.quotes import assess
from spaces.bookings.rules import check_rules
from spaces.bookings.state import unit_state
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.listings.services import get_unit
from spaces.organisations.models import Organisation
from spaces.organisations.services import role_of

MAX_OCCURRENCES = 200
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class Occurrence:
    day: date
    start: datetime
    end: datetime


@dataclass
class BookingResult:
    bookings: list[Booking]
    skipped: list[dict] = field(default_factory=list)
    series: Series | None = None

    @property
    def first(self) -> Booking:
        return self.bookings[0]


def _reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def lock_unit(unit_id: int) -> Unit:
    """Serialise bookings of one unit for the rest of the transaction; NotFound if it is gone."""
    locked = db.session.execute(
        sa.select(Unit.id).where(Unit.id == unit_id).with_for_update()
    ).first()
    if locked is None:
        raise NotFound()
    unit = db.session.get(Unit, unit_id)
    db.session.refresh(unit)  # what was read before the lock may be stale
    return unit


def role_for_unit(actor: User | None, unit: Unit) -> str | None:
    return role_of(actor, unit.space.organisation_id)


# --- series ------------------------------------------------------------------------------------


def occurrences(
    start: datetime, end: datetime, tz: ZoneInfo, weekdays: list[int], until: date
) -> list[Occurrence]:
    """The same local times on every date from the first to ``until`` whose weekday is listed."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    span_days = (local_end.date() - local_start.date()).days
    result = []
    day = local_start.date()
    while day <= until:
        if day.weekday() in weekdays:
            s = datetime.combine(day, local_start.time()).replace(tzinfo=tz)
            e = datetime.combine(day + timedelta(days=span_days), local_end.time()).replace(
                tzinfo=tz
            )
            result.append(Occurrence(day, s.astimezone(start.tzinfo), e.astimezone(start.tzinfo)))
        day += timedelta(days=1)
    return result


# --- the booking service -----------------------------------------------------------------------


def _sponsor(actor: User, organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or role_of(actor, organisation_id) is None:
        raise NotFound(
            _l("Unknown organisation."),
            fields={"sponsor_organisation_id": [_l("Unknown organisation.")]},
        )
    if organisation.kind != "employer":
        message = _l("Only an employer can pay for bookings.")
        raise Invalid(message, fields={"sponsor_organisation_id": [message]})
    return organisation


def request_booking(
    actor: User,
    unit_id: int,
    start: datetime,
    end: datetime,
    seats: int = 1,
    *,
    note: str = "",
    sponsor_organisation_id: int | None = None,
    repeat: dict | None = None,
    skip_conflicts: bool = False,
    now: datetime | None = None,
) -> BookingResult:
    """Book a unit (or a series of dates): confirmed for instant units, requested otherwise.

    Raises NotFound (unit not visible), Invalid (a rule of the unit), Conflict(unavailable) when
    it does not fit — for a series, unless ``skip_conflicts``, if any date does not fit, listing
    them in ``extra["conflicts"]``; with ``skip_conflicts`` only when no date fits at all.
    """
    now = now or utcnow()
    unit = get_unit(actor, unit_id)
    if unit.space.status != "published" or not unit.active:
        raise NotFound()
    sponsor = _sponsor(actor, sponsor_organisation_id)
    check_rules(unit, start, end, seats, now)
    tz = ZoneInfo(unit.space.timezone)
    if repeat:
        # Bound the walk before it starts: 200 dates span at most 200 weeks.
        first_day = start.astimezone(tz).date()
        if (repeat["until"] - first_day).days > 7 * MAX_OCCURRENCES:
            message = _l("A series has %(n)s dates at most.", n=MAX_OCCURRENCES)
            raise Invalid(message, fields={"repeat.until": [message]})
        planned = occurrences(start, end, tz, repeat["weekdays"], repeat["until"])
        if not planned:
            message = _l(
                "No date between the first day and the end date falls on the chosen weekdays."
            )
            raise Invalid(message, fields={"repeat.weekdays": [message]})
        if len(planned) > MAX_OCCURRENCES:
            message = _l("A series has %(n)s dates at most.", n=MAX_OCCURRENCES)
            raise Invalid(message, fields={"repeat.until": [message]})
    else:
        planned = [Occurrence(start.astimezone(tz).date(), start, end)]

    unit = lock_unit(unit.id)
    state = unit_state(unit, planned[0].start, planned[-1].end, now)
    fitting, conflicts = [], []
    for occurrence in planned:
        outcome = assess(unit, state, occurrence.start, occurrence.end, seats, now)
        if outcome.ok:
            fitting.append((occurrence, outcome.price))
            # Later dates of the same series must see this one (overlapping multi-day dates).
            state.occupations.append(Occupation(occurrence.start, occurrence.end, seats))
        elif outcome.status == 422 or not repeat:
            raise outcome.error()
        else:
            conflicts.append(
                {
                    "date": occurrence.day.isoformat(),
                    "reason": outcome.reason,
                    "message": str(outcome.message),
                }
            )
    if conflicts and (not skip_conflicts or not fitting):
        message = lazy_ngettext(
            "%(num)s of the %(total)s dates does not fit.",
            "%(num)s of the %(total)s dates do not fit.",
            len(conflicts),
            total=len(planned),
        )
        raise Conflict(message, code="unavailable", extra={"conflicts": conflicts})

    status = "confirmed" if unit.booking_mode == "instant" else "requested"
    ttl = timedelta(hours=current_app.config.get("BOOKING_REQUEST_TTL_HOURS", 48))
    series = None
    if repeat:
        series = Series(
            unit_id=unit.id,
            user_id=actor.id,
            weekdays=",".join(str(d) for d in sorted(set(repeat["weekdays"]))),
            first_date=planned[0].day,
            until=repeat["until"],
        )
        db.session.add(series)
    bookings = []
    for occurrence, price in fitting:
        booking = Booking(
            reference=_reference(),
            unit_id=unit.id,
            user_id=actor.id,
            series=series,
            sponsor_organisation_id=sponsor.id if sponsor else None,
            start_at=occurrence.start,
            end_at=occurrence.end,
            seats=seats,
            status=status,
            price_amount=price.amount,
            currency=unit.currency,
            price_breakdown=json.dumps(price.breakdown()),
            note=(note or "")[:1000],
            expires_at=min(now + ttl, occurrence.start) if status == "requested" else None,
        )
        db.session.add(booking)
        bookings.append(booking)
    availability_changed([unit])
    db.session.flush()
    result = BookingResult(bookings, conflicts, series)
    notifications.booking_created(result)
    return result


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


# --- reading -----------------------------------------------------------------------------------


def can_handle(actor: User | None, booking: Booking) -> bool:
    """Owners and managers of the unit's organisation handle its bookings."""
    return can_manage(role_for_unit(actor, booking.unit))


def get_booking(actor: User, booking_id: int) -> Booking:
    """A booking the actor made, or handles, or reads as a member of the host; NotFound otherwise."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound()
    if (
        booking.user_id != actor.id
        and role_for_unit(actor, booking.unit) is None
        and not actor.is_admin
    ):
        raise NotFound()
    return booking


def list_bookings(
    actor: User, *, unit_id: int | None = None, space_id: int | None = None
) -> list[Booking]:
    """The actor's own bookings, or a unit's / space's bookings for its organisation's members."""
    query = sa.select(Booking).order_by(Booking.start_at, Booking.id)
    if unit_id is not None or space_id is not None:
        if unit_id is not None:
            unit = db.session.get(Unit, unit_id)
            if unit is None or role_of(actor, unit.space.organisation_id) is None:
                raise NotFound()
            query = query.where(Booking.unit_id == unit_id)
        if space_id is not None:
            space = db.session.get(Space, space_id)
            if space is None or role_of(actor, space.organisation_id) is None:
                raise NotFound()
            query = query.join(Booking.unit).where(Unit.space_id == space_id)
    else:
        query = query.where(Booking.user_id == actor.id)
    return list(db.session.scalars(query))


# --- decisions ---------------------------------------------------------------------------------


def _require_handler(actor: User, booking: Booking) -> None:
    if not can_handle(actor, booking):
        raise Forbidden(_l("Only the host's owners and managers can do this."))


STATUS_LABELS = {
    "requested": _l("awaiting the host"),
    "confirmed": _l("confirmed"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
    "expired": _l("expired"),
}


def _require_status(booking: Booking, now: datetime, *allowed: str) -> None:
    status = booking.effective_status(now)
    if status not in allowed:
        raise Conflict(
            _l(
                "This booking is %(status)s: that cannot be done now.", status=STATUS_LABELS[status]
            ),
            code="invalid_state",
        )


def _decide(
    actor: User, booking: Booking, status: str, reason: str, now: datetime | None
) -> Booking:
    """Answer a pending request (the seats were held since it was made, so no re-check)."""
    now = now or utcnow()
    _require_handler(actor, booking)
    lock_unit(booking.unit_id)
    db.session.refresh(booking)
    _require_status(booking, now, "requested")
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
        _require_status(booking, now, "requested", "confirmed")
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
    _require_status(booking, now, "requested", "confirmed")
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
