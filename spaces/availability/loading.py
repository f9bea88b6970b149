"""The engine's input, read from the database: units' situations as plain ``UnitState``.

The one loader: the booking check (under the lock), quotes, the dated search, the timeline and
the day strip all read units through ``load_states`` (``unit_state`` is its one-unit form). It is
set-based: one statement reads every kind of input (opening windows, closures, live bookings,
busy blocks) for any number of units, never a query per unit.

Linked units (``Unit.part_of``) are decided here, once: a unit's state also holds, as ``taken``,
the live bookings and busy blocks of its family — of its parent for a part, of every part for a
parent (parts do not constrain each other) — and a part has its parent's closures.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from spaces.availability.engine import Occupation, UnitState
from spaces.availability.holidays import holiday_checker
from spaces.availability.hours import Window
from spaces.availability.models import Closure, OpeningWindow
from spaces.bookings.models import Booking
from spaces.bookings.rules import MAX_SLOT_DAYS
from spaces.calendars.models import BusyBlock
from spaces.db import UTCDateTime
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
    min_term_days: int = 1
    max_term_days: int = 1461
    part_of: int | None = None  # the unit it is part of (linked units)
    has_parts: bool | None = None  # whether units are parts of it; None: not known
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
    Unit.min_term_days,
    Unit.max_term_days,
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
        unit.min_term_days,
        unit.max_term_days,
        unit.part_of,
        unit.has_parts,
    )


def facts_from_row(row) -> UnitFacts:
    """A unit's facts from a row of ``FACT_COLUMNS``."""
    return UnitFacts(*row[:7], row[7] or 0, bool(row[8]), *row[9:17], *row[17:])


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


# The kinds of rows of the input query, in its first column; the last two are the bookings and
# busy blocks of the parts of candidate units (linked units), with the unit they were read for.
_WINDOW, _CLOSURE, _BOOKING, _BLOCK, _PART_BOOKING, _PART_BLOCK = range(6)
_ALL_WEEKDAYS = list(range(7))


# One unit's statement on PostgreSQL binds each list as this many values (the last one
# repeated to fill, a NULL for none), not as an array: see ``_input_query``.
_ONE_UNIT_SLOTS = {"space_ids": 1, "own_ids": 1, "unit_ids": 1, "family_ids": 2, "weekdays": 7}


def _ids_param(column, name: str, dialect: str, one_unit: bool = False):
    """``column IN <the bound list name>``: an array on PostgreSQL, a JSON array on SQLite; for
    one unit on PostgreSQL, ``_ONE_UNIT_SLOTS[name]`` values."""
    if one_unit:
        slots = range(_ONE_UNIT_SLOTS[name])
        return column.in_([sa.bindparam(f"{name}_{i}", type_=sa.Integer) for i in slots])
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=ARRAY(sa.Integer)))
    each = sa.func.json_each(sa.bindparam(name, type_=sa.String)).table_valued("value")
    return column.in_(sa.select(each.c.value))


def _overlaps(table, start, end, dialect: str) -> tuple:
    """On PostgreSQL, the overlap again as ranges (``&&``), which the GiST index of the table's
    ``tstzrange(start_at, end_at)`` answers and estimates: with the two comparisons alone the
    planner guesses thousands of rows for a window of a few hundred and scans the table."""
    if dialect != "postgresql":
        return ()
    span = sa.func.tstzrange(table.start_at, table.end_at, "[)")
    return (span.op("&&")(sa.func.tstzrange(start, end, "[)")),)


@functools.cache
def _input_query(
    dialect: str, hours_only: bool = False, one_unit: bool = False, taken_only: bool = False
):
    """The engine's whole input for a set of units in ONE statement: opening windows, closures,
    live bookings and busy blocks over [start, end) — of the units, of the parents of the parts
    among them (``family_ids``) and of the parts of the parents among them — as rows of one
    shape tagged by kind.

    Built once per dialect and reused (its compiled form is cached too); the unit ids, space
    ids, weekdays and instants are bound values, so 1 unit or 20,000 read the same SQL.
    ``hours_only``: opening windows and closures alone (what is offered, not what is taken);
    ``taken_only``: bookings and busy blocks alone (what a term looks at: whole days, whatever
    the hours and closures — see ``engine.fit_term``).

    ``one_unit`` (PostgreSQL): a unit known to have no parts (a booking's check, under the lock),
    without the parts' branches, each list bound as a few values and the bookings read through
    the per-unit index alone. PostgreSQL then plans it once per connection (a generic plan) and
    not at every run: with arrays of unknown length, the ranges' index or the parts' branches
    (estimated at a whole family of parts), the generic plan looked dearer than a fresh one and
    was never chosen — 0.4 ms of planning for 0.2 ms of work."""
    start, end, now = (sa.bindparam(n, type_=UTCDateTime()) for n in ("start", "end", "now"))
    stamp = UTCDateTime()

    def number(value):
        # Typed NULLs: PostgreSQL resolves a UNION's column types branch by branch.
        return value if value is not None else sa.cast(sa.null(), sa.Integer)

    def instant(value):
        return sa.type_coerce(value if value is not None else sa.cast(sa.null(), stamp), stamp)

    def row(kind, space_id, unit_id, parent, booking_id, weekday, first, last, a, b, seats):
        return (
            sa.literal_column(str(kind), sa.Integer).label("kind"),
            number(space_id).label("space_id"),
            unit_id.label("unit_id"),
            number(parent).label("parent"),
            number(booking_id).label("booking_id"),
            number(weekday).label("weekday"),
            number(first).label("first"),
            number(last).label("last"),
            instant(a).label("a"),
            instant(b).label("b"),
            number(seats).label("seats"),
        )

    def ids(column, name):
        return _ids_param(column, name, dialect, one_unit)

    windows = sa.select(
        *row(
            _WINDOW,
            OpeningWindow.space_id,
            OpeningWindow.unit_id,
            None,
            None,
            OpeningWindow.weekday,
            OpeningWindow.start_minute,
            OpeningWindow.end_minute,
            None,
            None,
            None,
        )
    ).where(
        sa.or_(ids(OpeningWindow.space_id, "space_ids"), ids(OpeningWindow.unit_id, "own_ids")),
        ids(OpeningWindow.weekday, "weekdays"),
    )
    closures = sa.select(
        *row(
            _CLOSURE,
            Closure.space_id,
            Closure.unit_id,
            None,
            None,
            None,
            None,
            None,
            Closure.start_at,
            Closure.end_at,
            None,
        )
    ).where(
        sa.or_(ids(Closure.space_id, "space_ids"), ids(Closure.unit_id, "family_ids")),
        Closure.start_at < end,
        Closure.end_at > start,
    )
    if hours_only:
        return sa.union_all(windows, closures)
    live = sa.or_(
        Booking.status == "confirmed",
        sa.and_(Booking.status == "requested", Booking.expires_at > now),
    )
    booking_columns = (Booking.start_at, Booking.end_at, Booking.seats)
    own = row(_BOOKING, None, Booking.unit_id, None, Booking.id, None, None, None, *booking_columns)
    part = aliased(Unit)
    parts = row(
        _PART_BOOKING,
        None,
        Booking.unit_id,
        part.part_of,
        Booking.id,
        None,
        None,
        None,
        *booking_columns,
    )
    if dialect == "postgresql":
        # One part: the GiST index of the ranges answers a window over many units, and the
        # per-unit index one unit's (see ``_overlaps``).
        overlapping = (
            sa.and_(
                Booking.start_at < end,
                Booking.end_at > start,
                *(() if one_unit else _overlaps(Booking, start, end, dialect)),
                live,
            ),
        )
    else:
        # Two parts an index bounds on both sides: any booking starting in [slot_floor, end) —
        # a slot lasts MAX_SLOT_DAYS at most (the rules), so every slot overlapping the window
        # starts after slot_floor = start - MAX_SLOT_DAYS — and the terms that started earlier
        # (few; a partial index of terms by end). With ``start_at < end`` alone SQLite scans
        # every earlier booking of each unit (half a year of them for a window today).
        slot_floor = sa.bindparam("slot_floor", type_=UTCDateTime())
        overlapping = (
            sa.and_(
                Booking.start_at >= slot_floor,
                Booking.start_at < end,
                Booking.end_at > start,
                live,
            ),
            sa.and_(
                # A literal: SQLite uses a partial index only when the query states its condition.
                Booking.kind == sa.literal_column("'term'"),
                Booking.start_at < slot_floor,
                Booking.end_at > start,
                live,
            ),
        )
    bookings = [
        sa.select(*own).where(ids(Booking.unit_id, "family_ids"), condition)
        for condition in overlapping
    ]
    part_bookings = [
        sa.select(*parts)
        .join(part, part.id == Booking.unit_id)
        .where(ids(part.part_of, "unit_ids"), condition)
        for condition in overlapping
    ]
    busy = sa.and_(BusyBlock.start_at < end, BusyBlock.end_at > start)
    block_columns = (BusyBlock.start_at, BusyBlock.end_at, None)
    blocks = sa.select(
        *row(_BLOCK, None, BusyBlock.unit_id, None, None, None, None, None, *block_columns)
    ).where(ids(BusyBlock.unit_id, "family_ids"), busy)
    part_blocks = (
        sa.select(
            *row(
                _PART_BLOCK,
                None,
                BusyBlock.unit_id,
                part.part_of,
                None,
                None,
                None,
                None,
                *block_columns,
            )
        )
        .join(part, part.id == BusyBlock.unit_id)
        .where(ids(part.part_of, "unit_ids"), busy)
    )
    offered = () if taken_only else (windows, closures)
    if one_unit:
        return sa.union_all(*offered, *bookings, blocks)
    return sa.union_all(*offered, *bookings, blocks, *part_bookings, part_blocks)


def _bound_ids(ids: Iterable[int], dialect: str):
    ids = [int(i) for i in ids]
    return ids if dialect == "postgresql" else json.dumps(ids)


def load(
    facts: Iterable[UnitFacts],
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: Iterable[int] = (),
    *,
    hours_only: bool = False,
    taken_only: bool = False,
) -> Loaded:
    """Everything the engine needs about these units over [start, end), grouped by owner.

    One statement whatever the number of units (opening windows, closures, live bookings and
    busy blocks together, the units' families' included); ``exclude`` leaves out bookings by id
    (a booking being moved does not compete with itself); ``hours_only`` reads opening windows
    and closures alone (the states then hold no occupation, block or family span);
    ``taken_only`` bookings and blocks alone (the states then hold no window or closure: only
    ``engine.fit_term`` may read them)."""
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
    zones = {f.timezone: ZoneInfo(f.timezone) for f in facts}
    weekdays = _weekdays(start, end, zones.values())
    db.session.flush()  # the rows below come through the connection: no autoflush there
    connection = db.session.connection()
    dialect = connection.dialect.name
    lists = {
        "space_ids": sorted({f.space_id for f in facts}),
        "own_ids": [f.id for f in facts if f.own_hours],
        "unit_ids": unit_ids,
        "family_ids": with_parents,
        "weekdays": _ALL_WEEKDAYS if weekdays is None else weekdays,
    }
    one_unit = dialect == "postgresql" and len(facts) == 1 and facts[0].has_parts is False
    if one_unit:
        bound = {
            f"{name}_{i}": (values[min(i, len(values) - 1)] if values else None)
            for name, values in lists.items()
            for i in range(_ONE_UNIT_SLOTS[name])
        }
    else:
        bound = {name: _bound_ids(values, dialect) for name, values in lists.items()}
    rows = connection.execute(
        _input_query(dialect, hours_only, one_unit, taken_only),
        {
            **bound,
            "start": start,
            "end": end,
            "now": now,
            "slot_floor": start - timedelta(days=MAX_SLOT_DAYS),
        },
    )

    space_windows: dict[int, list[Window]] = defaultdict(list)
    unit_windows: dict[int, list[Window]] = defaultdict(list)
    space_closures: dict[int, list] = defaultdict(list)
    unit_closures: dict[int, list] = defaultdict(list)
    occupations: dict[int, list[Occupation]] = defaultdict(list)
    blocks: dict[int, list] = defaultdict(list)
    taken: dict[int, list] = defaultdict(list)  # spans a linked unit takes the whole unit
    for kind, space_id, unit_id, parent, booking_id, weekday, first, last, a, b, seats in rows:
        if kind in (_BOOKING, _BLOCK):
            if kind == _BOOKING:
                if booking_id in excluded:
                    continue
                if unit_id in candidates:
                    occupations[unit_id].append(Occupation(a, b, seats))
            elif unit_id in candidates:
                blocks[unit_id].append((a, b))
            for part in children.get(unit_id, ()):  # a parent's row takes its parts whole
                taken[part].append((a, b))
        elif kind == _WINDOW:
            target = space_windows[space_id] if space_id is not None else unit_windows[unit_id]
            target.append(Window(weekday, first, last))
        elif kind == _CLOSURE:
            target = space_closures[space_id] if space_id is not None else unit_closures[unit_id]
            target.append((a, b))
        elif booking_id not in excluded:  # a part's booking or block, read for its parent
            taken[parent].append((a, b))

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


def load_states(
    facts: Iterable[UnitFacts],
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: Iterable[int] = (),
    *,
    hours_only: bool = False,
) -> dict[int, UnitState]:
    """Each unit's ``UnitState`` over [start, end), by unit id (``load`` then ``state``)."""
    facts = list(facts)
    if not facts:
        return {}
    loaded = load(facts, start, end, now, exclude, hours_only=hours_only)
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
