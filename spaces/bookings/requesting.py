"""Requesting a booking, or a series of dates: lock the unit, re-check, write, in one transaction.

Runs inside the caller's ``transaction()``. The decision is ``quotes.assess`` — the same one the
quote endpoint, search and the day strip use — applied under the unit lock.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from spaces.accounts.models import User
from spaces.availability.engine import Occupation
from spaces.availability.loading import unit_state
from spaces.availability.services import availability_changed
from spaces.bookings import notifications
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking, Series
from spaces.bookings.quotes import assess
from spaces.bookings.rules import check_rules
from spaces.db import utcnow
from spaces.employers import budget
from spaces.errors import Conflict, Invalid, NotFound
from spaces.extensions import db
from spaces.inputs import parse_window
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


def request_ttl(unit) -> timedelta:
    """How long a request for the unit holds its seats: the unit's ``request_expiry_hours``."""
    return timedelta(hours=unit.request_expiry_hours or 48)


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


def _within_budget(sponsor, booker, unit, fitting, conflicts, series: bool, now) -> list:
    """The dates the sponsor pays for, in order (each counted in its own local month, later
    dates seeing earlier ones); the others join ``conflicts`` with reason ``over_budget``. A
    single booking over budget, or a place outside the policy, raises the sponsor's 409."""
    sponsored = budget.open_budget(sponsor, booker, unit, now)  # raises sponsor_policy
    kept = []
    for occurrence, price in fitting:
        refusal = sponsored.admit(occurrence.start, price.amount)
        if refusal is None:
            kept.append((occurrence, price))
        elif not series:
            raise refusal
        else:
            conflicts.append(
                {
                    "date": occurrence.day.isoformat(),
                    "reason": "over_budget",
                    "message": str(refusal.message),
                }
            )
    conflicts.sort(key=lambda c: c["date"])
    return kept


def _write(rows: list[dict]) -> list[Booking]:
    """Insert the bookings in one statement and return them as the session's persistent
    objects, holding exactly what was written.

    Through Core, not the unit of work (which cost four times the INSERT for one booking): the
    ids come back from RETURNING, and each object is built from its row and attached as if it
    had just been loaded. A column a row leaves out is written by its default and left expired
    on the object (read on first access), never wrong.
    """
    table = Booking.__table__
    ids = db.session.scalars(
        sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    ).all()
    bookings = []
    for booking_id, row in zip(ids, rows, strict=True):
        booking = Booking(id=booking_id, **row)
        make_transient_to_detached(booking)
        db.session.add(booking)
        bookings.append(booking)
    return bookings


def request_booking(
    actor: User,
    unit_id: int,
    start: datetime | str,
    end: datetime | str,
    seats: int = 1,
    *,
    note: str = "",
    sponsor_organisation_id: int | None = None,
    repeat: dict | None = None,
    skip_conflicts: bool = False,
    now: datetime | None = None,
) -> BookingResult:
    """Book a unit (or a series of dates): confirmed for instant units, requested otherwise.

    ``start`` and ``end``: aware instants, or local date-times as text (``2027-03-01T09:00``)
    read in the unit's time zone once it is locked (Invalid naming each one that cannot be read).

    Raises NotFound (unit not visible), Invalid (a rule of the unit), Conflict(unavailable) when
    it does not fit — for a series, unless ``skip_conflicts``, if any date does not fit, listing
    them in ``extra["conflicts"]``; with ``skip_conflicts`` only when no date fits at all.
    """
    now = now or utcnow()
    # Locked first, and read once with its space: what the checks below read is what the write
    # relies on. Only an active unit of a published space can be booked (by anyone who sees it).
    unit = lock_unit(unit_id)
    if unit.space.status != "published" or not unit.active:
        raise NotFound()
    tz = ZoneInfo(unit.space.timezone)
    if isinstance(start, str) or isinstance(end, str):
        # The order is the rules' (check_rules), after who may book.
        start, end = parse_window(start, end, tz, ordered=False)
    sponsor = _sponsor(actor, sponsor_organisation_id)
    check_rules(unit, start, end, seats, now)
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
    if sponsor is not None:
        fitting = _within_budget(sponsor, actor, unit, fitting, conflicts, bool(repeat), now)
    if conflicts and (not skip_conflicts or not fitting):
        message = lazy_ngettext(
            "%(num)s of the %(total)s dates does not fit.",
            "%(num)s of the %(total)s dates do not fit.",
            len(conflicts),
            total=len(planned),
        )
        reasons = {c["reason"] for c in conflicts}
        # Only the sponsor said no: its word (over_budget, sponsor_policy), else unavailable.
        code = reasons.pop() if reasons <= {"over_budget"} and reasons else "unavailable"
        raise Conflict(message, code=code, extra={"conflicts": conflicts})

    status = "confirmed" if unit.booking_mode == "instant" else "requested"
    ttl = request_ttl(unit)
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
    availability_changed([unit])
    if series is not None:
        db.session.flush()  # its id, for the bookings
    bookings = _write(
        [
            {
                "reference": _reference(),
                "unit_id": unit.id,
                "user_id": actor.id,
                "series_id": series.id if series is not None else None,
                "sponsor_organisation_id": sponsor.id if sponsor else None,
                "start_at": occurrence.start,
                "end_at": occurrence.end,
                "seats": seats,
                "kind": "slot",
                "status": status,
                "price_amount": price.amount,
                "currency": unit.currency,
                "price_breakdown": json.dumps(price.breakdown()),
                "note": (note or "")[:1000],
                "expires_at": min(now + ttl, occurrence.start) if status == "requested" else None,
                "decided_at": None,
                "decided_by_id": None,
                "cancelled_at": None,
                "cancelled_by_id": None,
                "reason": "",
                "sequence": 0,
                "created_at": now,
                "updated_at": now,
            }
            for occurrence, price in fitting
        ]
    )
    for booking in bookings:
        # As loaded: no statement reads them again, and the booking keeps them (the session
        # holds objects weakly) for the answer and the e-mails after the commit.
        set_committed_value(booking, "unit", unit)
        set_committed_value(booking, "user", actor)
        set_committed_value(booking, "series", series)
        set_committed_value(booking, "sponsor", sponsor)
    result = BookingResult(bookings, conflicts, series)
    notifications.booking_created(result)
    return result
