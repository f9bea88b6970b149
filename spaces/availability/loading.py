"""The engine's input, read from the database: a unit's situation as a plain ``UnitState``.

The one loader: the booking check (under the lock), quotes, search, the timeline and the day strip
all read a unit through ``unit_state``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spaces.availability.engine import Occupation, UnitState
from spaces.availability.holidays import holiday_checker
from spaces.availability.models import Closure
from spaces.availability.services import effective_windows
from spaces.bookings.models import Booking
from spaces.calendars.models import BusyBlock
from spaces.extensions import db
from spaces.listings.models import Unit


def live_bookings_query(unit_id: int, start: datetime, end: datetime, now: datetime):
    """Bookings of the unit that hold seats at some instant of [start, end)."""
    return sa.select(Booking).where(
        Booking.unit_id == unit_id,
        Booking.start_at < end,
        Booking.end_at > start,
        sa.or_(
            Booking.status == "confirmed",
            sa.and_(Booking.status == "requested", Booking.expires_at > now),
        ),
    )


def unit_state(
    unit: Unit, start: datetime, end: datetime, now: datetime, exclude: set[int] = frozenset()
) -> UnitState:
    """Everything the engine needs about ``unit`` over [start, end)."""
    space = unit.space
    closures = db.session.scalars(
        sa.select(Closure).where(
            sa.or_(Closure.space_id == space.id, Closure.unit_id == unit.id),
            Closure.start_at < end,
            Closure.end_at > start,
        )
    )
    bookings = db.session.scalars(live_bookings_query(unit.id, start, end, now))
    return UnitState(
        capacity=unit.effective_capacity,
        tz=ZoneInfo(space.timezone),
        windows=effective_windows(unit),
        closures=[(c.start_at, c.end_at) for c in closures],
        blocks=busy_blocks(unit, start, end),
        occupations=[
            Occupation(b.start_at, b.end_at, b.seats) for b in bookings if b.id not in exclude
        ],
        available_from=space.available_from,
        available_until=space.available_until,
        is_holiday=holiday_checker(space.departement)
        if space.closed_on_public_holidays
        else (lambda day: False),
    )


def busy_blocks(unit: Unit, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Busy blocks imported from the host's calendars that overlap [start, end)."""
    rows = db.session.execute(
        sa.select(BusyBlock.start_at, BusyBlock.end_at).where(
            BusyBlock.unit_id == unit.id, BusyBlock.start_at < end, BusyBlock.end_at > start
        )
    )
    return [(row.start_at, row.end_at) for row in rows]
