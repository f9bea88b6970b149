"""The engine's input, read from the database: units' situations as plain ``UnitState``.

The one loader: the booking check (under the lock), quotes, the dated search, the timeline and
the day strip all read units through ``load_states`` (``unit_state`` is its one-unit form). It is
set-based: one query per kind of input (opening windows, closures, live bookings, busy blocks)
for any number of units, never a query per unit.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spaces.availability.engine import Occupation, UnitState
from spaces.availability.holidays import holiday_checker
from spaces.availability.hours import Window
from spaces.availability.models import Closure, OpeningWindow
from spaces.bookings.models import Booking
from spaces.calendars.models import BusyBlock
from spaces.extensions import db
from spaces.listings.models import Space, Unit

# Ids per ``IN (…)`` list: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What the rules, the engine and the price need to know about a unit, from plain rows.

    Quacks like ``Unit`` for ``check_rules`` and ``assess`` (``is_pool``, ``effective_capacity``,
    the duration rules, ``prices``), so a search can decide without ORM objects."""

    id: int
    space_id: int
    kind: str
    capacity: int
    booking_mode: str
    min_minutes: int | None
    max_minutes: int | None
    notice_minutes: int
    own_hours: bool
    price_hour: int | None
    price_half_day: int | None
    price_day: int | None
    price_month: int | None
    currency: str
    cap_percent: int
    timezone: str
    departement: str | None
    closed_on_public_holidays: bool
    available_from: date | None
    available_until: date | None

    @property
    def is_pool(self) -> bool:
        return self.kind == "desk_pool"

    @property
    def effective_capacity(self) -> int:
        return self.capacity * self.cap_percent // 100 if self.is_pool else 1

    @property
    def prices(self) -> dict[str, int | None]:
        return {
            "hour": self.price_hour,
            "half_day": self.price_half_day,
            "day": self.price_day,
            "month": self.price_month,
        }


FACT_COLUMNS = (
    Unit.id,
    Unit.space_id,
    Unit.kind,
    Unit.capacity,
    Unit.booking_mode,
    Unit.min_minutes,
    Unit.max_minutes,
    Unit.notice_minutes,
    Unit.own_hours,
    Unit.price_hour,
    Unit.price_half_day,
    Unit.price_day,
    Unit.price_month,
    Unit.currency,
    Space.capacity_cap_percent,
    Space.timezone,
    Space.departement,
    Space.closed_on_public_holidays,
    Space.available_from,
    Space.available_until,
)


def facts_of(unit: Unit) -> UnitFacts:
    """The facts of a loaded unit (no query beyond its space)."""
    space = unit.space
    return UnitFacts(
        unit.id,
        unit.space_id,
        unit.kind,
        unit.capacity,
        unit.booking_mode,
        unit.min_minutes,
        unit.max_minutes,
        unit.notice_minutes or 0,
        bool(unit.own_hours),
        unit.price_hour,
        unit.price_half_day,
        unit.price_day,
        unit.price_month,
        unit.currency,
        space.capacity_cap_percent,
        space.timezone,
        space.departement,
        bool(space.closed_on_public_holidays),
        space.available_from,
        space.available_until,
    )


def load_facts(unit_ids: Sequence[int]) -> dict[int, UnitFacts]:
    """Facts of the given units, by id, in one query per ``CHUNK`` ids."""
    facts: dict[int, UnitFacts] = {}
    connection = db.session.connection()
    for ids in _chunks(unit_ids):
        statement = sa.select(*FACT_COLUMNS).join(Unit.space).where(Unit.id.in_(ids))
        for row in connection.execute(statement):
            facts[row[0]] = UnitFacts(*row[:7], row[7] or 0, bool(row[8]), *row[9:17], *row[17:])
    return facts


def _chunks(items: Sequence) -> Iterable[list]:
    items = list(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _live(now: datetime):
    return sa.or_(
        Booking.status == "confirmed",
        sa.and_(Booking.status == "requested", Booking.expires_at > now),
    )


def live_bookings_query(unit_id: int, start: datetime, end: datetime, now: datetime):
    """Bookings of the unit that hold seats at some instant of [start, end)."""
    return sa.select(Booking).where(
        Booking.unit_id == unit_id, Booking.start_at < end, Booking.end_at > start, _live(now)
    )


@functools.lru_cache(maxsize=32)
def _holiday_checker(departement: str | None):
    return holiday_checker(departement)


def _never(day: date) -> bool:
    return False


def load_states(
    facts: Iterable[UnitFacts],
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: Iterable[int] = (),
) -> dict[int, UnitState]:
    """Everything the engine needs about each unit over [start, end), by unit id.

    One query per kind of input and per ``CHUNK`` units, whatever their number; ``exclude``
    leaves out bookings by id (a booking being moved does not compete with itself)."""
    facts = list(facts)
    if not facts:
        return {}
    excluded = set(exclude)
    db.session.flush()  # the rows below come through the connection: no autoflush there
    connection = db.session.connection()
    # Keyed by row id: a space whose units fall in two chunks is read twice, counted once.
    windows: dict[int, tuple] = {}
    closures: dict[int, tuple] = {}
    occupations: dict[int, list[Occupation]] = defaultdict(list)
    blocks: dict[int, list] = defaultdict(list)
    for chunk in _chunks(facts):
        unit_ids = [f.id for f in chunk]
        space_ids = list({f.space_id for f in chunk})
        own = [f.id for f in chunk if f.own_hours]
        for row in connection.execute(
            sa.select(
                OpeningWindow.id,
                OpeningWindow.space_id,
                OpeningWindow.unit_id,
                OpeningWindow.weekday,
                OpeningWindow.start_minute,
                OpeningWindow.end_minute,
            ).where(sa.or_(OpeningWindow.space_id.in_(space_ids), OpeningWindow.unit_id.in_(own)))
        ):
            windows[row[0]] = row[1:]
        for row in connection.execute(
            sa.select(
                Closure.id, Closure.space_id, Closure.unit_id, Closure.start_at, Closure.end_at
            )
            .where(sa.or_(Closure.space_id.in_(space_ids), Closure.unit_id.in_(unit_ids)))
            .where(Closure.start_at < end, Closure.end_at > start)
        ):
            closures[row[0]] = row[1:]
        for booking_id, owner, a, b, seats in connection.execute(
            sa.select(
                Booking.id, Booking.unit_id, Booking.start_at, Booking.end_at, Booking.seats
            ).where(
                Booking.unit_id.in_(unit_ids),
                Booking.start_at < end,
                Booking.end_at > start,
                _live(now),
            )
        ):
            if booking_id not in excluded:
                occupations[owner].append(Occupation(a, b, seats))
        for owner, a, b in connection.execute(
            sa.select(BusyBlock.unit_id, BusyBlock.start_at, BusyBlock.end_at).where(
                BusyBlock.unit_id.in_(unit_ids), BusyBlock.start_at < end, BusyBlock.end_at > start
            )
        ):
            blocks[owner].append((a, b))

    space_windows: dict[int, list[Window]] = defaultdict(list)
    unit_windows: dict[int, list[Window]] = defaultdict(list)
    for space_id, unit_id, weekday, first, last in windows.values():
        target = space_windows[space_id] if space_id is not None else unit_windows[unit_id]
        target.append(Window(weekday, first, last))
    space_closures: dict[int, list] = defaultdict(list)
    unit_closures: dict[int, list] = defaultdict(list)
    for space_id, unit_id, a, b in closures.values():
        target = space_closures[space_id] if space_id is not None else unit_closures[unit_id]
        target.append((a, b))

    zones: dict[str, ZoneInfo] = {}
    states = {}
    for f in facts:
        tz = zones.get(f.timezone) or zones.setdefault(f.timezone, ZoneInfo(f.timezone))
        windows = unit_windows[f.id] if f.own_hours else space_windows[f.space_id]
        states[f.id] = UnitState(
            capacity=f.effective_capacity,
            tz=tz,
            windows=sorted(windows),
            closures=sorted(space_closures[f.space_id] + unit_closures[f.id]),
            blocks=sorted(blocks[f.id]),
            occupations=occupations[f.id],
            available_from=f.available_from,
            available_until=f.available_until,
            is_holiday=_holiday_checker(f.departement) if f.closed_on_public_holidays else _never,
        )
    return states


def unit_state(
    unit: Unit, start: datetime, end: datetime, now: datetime, exclude: Iterable[int] = ()
) -> UnitState:
    """Everything the engine needs about ``unit`` over [start, end) (``load_states`` of one)."""
    return load_states([facts_of(unit)], start, end, now, exclude)[unit.id]
