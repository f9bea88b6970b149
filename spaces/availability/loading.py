"""The engine's input, read from the database: units' situations as plain ``UnitState``.

The one loader: the booking check (under the lock), quotes, the dated search, the timeline and
the day strip all read units through ``load_states`` (``unit_state`` is its one-unit form). It is
set-based: one query per kind of input (opening windows, closures, live bookings, busy blocks)
for any number of units, never a query per unit.

Linked units (``Unit.part_of``) are decided here, once: a unit's state also holds, as ``taken``,
the live bookings and busy blocks of its family — of its parent for a part, of every part for a
parent (parts do not constrain each other) — and a part has its parent's closures.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from spaces.availability.engine import Occupation, UnitState
from spaces.availability.holidays import holiday_checker
from spaces.availability.hours import Window
from spaces.availability.models import Closure, OpeningWindow
from spaces.bookings.models import Booking
from spaces.calendars.models import BusyBlock
from spaces.extensions import db
from spaces.listings.models import Space, Unit, rate_card, seats_at_once


@dataclass(slots=True)
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
    part_of: int | None = None  # the unit it is part of (linked units)
    is_pool: bool = field(init=False)
    effective_capacity: int = field(init=False)  # seats at once (1 for units booked whole)

    def __post_init__(self) -> None:
        self.is_pool = self.kind == "desk_pool"
        self.effective_capacity = seats_at_once(self.kind, self.capacity, self.cap_percent)

    @property
    def prices(self) -> dict[str, int | None]:
        return rate_card(self)


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
    Unit.part_of,
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
        unit.part_of,
    )


def facts_from_row(row) -> UnitFacts:
    """A unit's facts from a row of ``FACT_COLUMNS``."""
    return UnitFacts(*row[:7], row[7] or 0, bool(row[8]), *row[9:17], *row[17:])


def id_in(column, ids: Sequence[int]):
    """``column IN ids`` with the ids as one bound value: an array on PostgreSQL, a JSON array
    on SQLite. The SQL text is the same for 1 or 20,000 ids, so it is compiled once and cached,
    and no bound-parameter limit applies."""
    ids = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, ids, type_=ARRAY(sa.Integer)))
    each = sa.func.json_each(sa.bindparam(None, json.dumps(ids), type_=sa.String)).table_valued(
        "value"
    )
    return column.in_(sa.select(each.c.value))


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


def load(
    facts: Iterable[UnitFacts],
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: Iterable[int] = (),
) -> Loaded:
    """Everything the engine needs about these units over [start, end), grouped by owner.

    Four queries whatever the number of units (opening windows, closures, live bookings, busy
    blocks), each reading the units' families too; ``exclude`` leaves out bookings by id (a
    booking being moved does not compete with itself)."""
    facts = list(facts)
    excluded = set(exclude)
    unit_ids = [f.id for f in facts]
    # Parents of the candidate parts: their bookings, blocks and closures take the part whole.
    children: dict[int, list[int]] = defaultdict(list)
    for f in facts:
        if f.part_of is not None:
            children[f.part_of].append(f.id)
    candidates = set(unit_ids)
    with_parents = unit_ids + [p for p in children if p not in candidates]
    space_ids = list({f.space_id for f in facts})
    own = [f.id for f in facts if f.own_hours]
    zones = {f.timezone: ZoneInfo(f.timezone) for f in facts}
    weekdays = _weekdays(start, end, zones.values())
    db.session.flush()  # the rows below come through the connection: no autoflush there
    connection = db.session.connection()

    space_windows: dict[int, list[Window]] = defaultdict(list)
    unit_windows: dict[int, list[Window]] = defaultdict(list)
    for space_id, unit_id, weekday, first, last in connection.execute(
        sa.select(
            OpeningWindow.space_id,
            OpeningWindow.unit_id,
            OpeningWindow.weekday,
            OpeningWindow.start_minute,
            OpeningWindow.end_minute,
        )
        .where(sa.or_(id_in(OpeningWindow.space_id, space_ids), id_in(OpeningWindow.unit_id, own)))
        .where(OpeningWindow.weekday.in_(weekdays) if weekdays else sa.true())
    ):
        target = space_windows[space_id] if space_id is not None else unit_windows[unit_id]
        target.append(Window(weekday, first, last))
    space_closures: dict[int, list] = defaultdict(list)
    unit_closures: dict[int, list] = defaultdict(list)
    for space_id, unit_id, a, b in connection.execute(
        sa.select(Closure.space_id, Closure.unit_id, Closure.start_at, Closure.end_at).where(
            sa.or_(id_in(Closure.space_id, space_ids), id_in(Closure.unit_id, with_parents)),
            Closure.start_at < end,
            Closure.end_at > start,
        )
    ):
        target = space_closures[space_id] if space_id is not None else unit_closures[unit_id]
        target.append((a, b))
    occupations: dict[int, list[Occupation]] = defaultdict(list)
    taken: dict[int, list] = defaultdict(list)  # spans a linked unit takes the whole unit
    booked = sa.and_(Booking.start_at < end, Booking.end_at > start, _live(now))
    for owner, parent, booking_id, a, b, seats in connection.execute(
        _with_parts(
            Booking.unit_id,
            with_parents,
            unit_ids,
            (Booking.id, Booking.start_at, Booking.end_at, Booking.seats),
            booked,
        )
    ):
        if booking_id in excluded:
            continue
        if parent is not None:  # a part's booking, read for its parent
            taken[parent].append((a, b))
            continue
        if owner in candidates:
            occupations[owner].append(Occupation(a, b, seats))
        for part in children.get(owner, ()):
            taken[part].append((a, b))
    blocks: dict[int, list] = defaultdict(list)
    busy = sa.and_(BusyBlock.start_at < end, BusyBlock.end_at > start)
    for owner, parent, a, b in connection.execute(
        _with_parts(
            BusyBlock.unit_id, with_parents, unit_ids, (BusyBlock.start_at, BusyBlock.end_at), busy
        )
    ):
        if parent is not None:
            taken[parent].append((a, b))
            continue
        if owner in candidates:
            blocks[owner].append((a, b))
        for part in children.get(owner, ()):
            taken[part].append((a, b))

    # Sorted once per owner; the engine reads windows and never changes them (shared lists).
    for grouped in (space_windows, unit_windows):
        for windows in grouped.values():
            windows.sort()
    return Loaded(
        zones,
        space_windows,
        unit_windows,
        space_closures,
        unit_closures,
        occupations,
        blocks,
        taken,
    )


def _with_parts(owner_column, owners: Sequence[int], parents: Sequence[int], columns, when):
    """Rows ``(owner, parent, *columns)`` of a table of unit rows (bookings, busy blocks) under
    ``when``: those owned by ``owners`` (``parent`` null), then those owned by the parts of
    ``parents`` (``parent`` names the unit they were read for). One statement, set-based; the
    first half is the plain read of the units' own rows, with the same plan as before."""
    own = sa.select(owner_column, sa.cast(sa.null(), sa.Integer).label("parent"), *columns).where(
        id_in(owner_column, owners), when
    )
    parts = (
        sa.select(owner_column, Unit.part_of, *columns)
        .join(Unit, Unit.id == owner_column)
        .where(id_in(Unit.part_of, parents), when)
    )
    return sa.union_all(own, parts)


def load_states(
    facts: Iterable[UnitFacts],
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: Iterable[int] = (),
) -> dict[int, UnitState]:
    """Each unit's ``UnitState`` over [start, end), by unit id (``load`` then ``state``)."""
    facts = list(facts)
    if not facts:
        return {}
    loaded = load(facts, start, end, now, exclude)
    return {f.id: loaded.state(f) for f in facts}


@dataclass(slots=True)
class Loaded:
    """The engine's inputs for a set of units, grouped by owner; ``state`` builds one unit's."""

    zones: dict[str, ZoneInfo]
    space_windows: dict[int, list[Window]]
    unit_windows: dict[int, list[Window]]
    space_closures: dict[int, list]
    unit_closures: dict[int, list]
    occupations: dict[int, list[Occupation]]
    blocks: dict[int, list]
    taken: dict[int, list]  # by unit: spans its family takes it whole

    def windows(self, f: UnitFacts) -> list[Window]:
        if f.own_hours:
            return self.unit_windows.get(f.id, [])
        return self.space_windows.get(f.space_id, [])

    def quiet(self, f: UnitFacts) -> bool:
        """Nothing in the window but opening hours: no booking, closure or busy block (its
        family's included)."""
        return not (
            f.id in self.occupations
            or f.id in self.blocks
            or f.id in self.taken
            or f.id in self.unit_closures
            or f.part_of in self.unit_closures
            or f.space_id in self.space_closures
        )

    def holidays(self, f: UnitFacts):
        return _holiday_checker(f.departement) if f.closed_on_public_holidays else _never

    def state(self, f: UnitFacts) -> UnitState:
        closed = self.space_closures.get(f.space_id, []) + self.unit_closures.get(f.id, [])
        if f.part_of is not None:
            closed += self.unit_closures.get(f.part_of, [])  # a closure of the parent closes it
        busy = self.blocks.get(f.id)
        taken = self.taken.get(f.id)
        return UnitState(
            capacity=f.effective_capacity,
            tz=self.zones[f.timezone],
            windows=self.windows(f),
            closures=sorted(closed) if closed else closed,
            blocks=sorted(busy) if busy else [],
            occupations=self.occupations.get(f.id) or [],
            available_from=f.available_from,
            available_until=f.available_until,
            is_holiday=self.holidays(f),
            taken=sorted(taken) if taken else [],
        )


def _weekdays(start: datetime, end: datetime, zones) -> list[int] | None:
    """The weekdays whose windows the engine can use over [start, end) in these zones (it looks
    from the local day before the start to the local day of the end); None for all of them."""
    seen: set[int] = set()
    for tz in zones:
        first, last = start.astimezone(tz).date() - timedelta(days=1), end.astimezone(tz).date()
        if (last - first).days >= 6:
            return None
        seen.update((first + timedelta(days=n)).weekday() for n in range((last - first).days + 1))
    return sorted(seen)


def unit_state(
    unit: Unit, start: datetime, end: datetime, now: datetime, exclude: Iterable[int] = ()
) -> UnitState:
    """Everything the engine needs about ``unit`` over [start, end) (``load_states`` of one)."""
    return load_states([facts_of(unit)], start, end, now, exclude)[unit.id]
