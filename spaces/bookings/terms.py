"""Term bookings: seats held for whole local days (a month, a season, years), in one transaction.

Runs inside the caller's ``transaction()``: lock the unit, re-check with ``quotes.assess``
(``term=True``: the term rules, the engine's ``fit_term``, the month/day price), write, announce.
Opening windows, closures and holidays do not refuse a term; seats, busy blocks and the space's
availability window do.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from spaces.accounts.models import User
from spaces.availability.engine import term_span
from spaces.availability.loading import unit_state
from spaces.availability.services import availability_changed
from spaces.bookings import notifications
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking
from spaces.bookings.quotes import assess
from spaces.bookings.requesting import BookingResult, _reference, _sponsor, request_ttl
from spaces.bookings.rules import check_term_rules
from spaces.db import utcnow
from spaces.employers import budget
from spaces.errors import NotFound
from spaces.extensions import db


def _expiry(unit, first: date, tz: ZoneInfo, now: datetime) -> datetime:
    """When a term request stops holding seats: the unit's expiry after now, or its start —
    or, for a term starting today (its midnight is past), the end of that first day."""
    start, end_of_first_day = term_span(first, first, tz)
    return min(now + request_ttl(unit), start if start > now else end_of_first_day)


def request_term(
    actor: User,
    unit_id: int,
    start_date: date,
    end_date: date,
    seats: int = 1,
    *,
    note: str = "",
    sponsor_organisation_id: int | None = None,
    booker: User | None = None,
    force_confirmed: bool = False,
    notify: bool = True,
    now: datetime | None = None,
) -> BookingResult:
    """Book ``seats`` of a unit for every local day from ``start_date`` to ``end_date``.

    The booking is ``booker``'s (default: ``actor``); confirmed on instant units or with
    ``force_confirmed`` (a host accepting an application), requested otherwise (expiring after
    the unit's ``request_expiry_hours`` or at its start). Raises NotFound (unit not bookable),
    Invalid (a rule: ``term_not_offered``, order, min/max days, past, notice, seats) or
    Conflict(unavailable); nothing is written on refusal. ``notify=False`` leaves the booking's
    e-mails to the caller (an accepted application says it all in one message).
    """
    now = now or utcnow()
    booker = booker or actor
    unit = lock_unit(unit_id)
    if unit.space.status != "published" or not unit.active:
        raise NotFound()
    sponsor = _sponsor(booker, sponsor_organisation_id)
    tz = ZoneInfo(unit.space.timezone)
    # The rules first, on the dates as given: bounded before any day is walked or loaded.
    check_term_rules(unit, start_date, end_date, seats, now, tz)
    start, end = term_span(start_date, end_date, tz)
    outcome = assess(unit, unit_state(unit, start, end, now), start, end, seats, now, term=True)
    if not outcome.ok:
        raise outcome.error()
    if sponsor is not None:  # the whole term counts in the month it starts
        budget.check(sponsor, booker, unit, start, outcome.price.amount, now)
    status = "confirmed" if force_confirmed or unit.booking_mode == "instant" else "requested"
    booking = Booking(
        reference=_reference(),
        unit=unit,
        user=booker,
        kind="term",
        sponsor_organisation_id=sponsor.id if sponsor else None,
        start_at=start,
        end_at=end,
        seats=seats,
        status=status,
        price_amount=outcome.price.amount,
        currency=unit.currency,
        price_breakdown=json.dumps(outcome.price.breakdown()),
        note=(note or "")[:1000],
        expires_at=_expiry(unit, start_date, tz, now) if status == "requested" else None,
    )
    db.session.add(booking)
    availability_changed([unit])
    db.session.flush()
    result = BookingResult([booking])
    if notify:
        notifications.booking_created(result)
    return result
