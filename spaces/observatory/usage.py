"""Supply and use of a set of units over a period, by unit and by bucket (month or week).

One definition of "open": the availability loader (``load_states``, opening windows and closures
only) and the engine (``open_spans``: windows on allowed local days, within the availability
window, minus holidays where the space closes, minus closures) — the ones that take bookings.

Cost, whatever the number of units: one query for the units' facts, one for their opening windows
and closures, open time per unit and bucket from the engine (units sharing a timetable share one
computation), one lean query for the confirmed bookings overlapping the period, clipped to open
time in Python (a term counts only its open hours; about 5 µs a booking).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spaces.availability.engine import open_spans
from spaces.availability.loading import FACT_COLUMNS, UnitFacts, facts_from_row, load_states
from spaces.bookings.models import Booking
from spaces.db import utcnow
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.observatory import figures as fig

CURRENCY = "EUR"  # revenue adds up the bookings priced in it


@dataclass
class Tally:
    """Running figures of a commune, a unit or the whole; seat-seconds until they are shown."""

    space_ids: set = field(default_factory=set)
    units: int = 0
    seats: int = 0
    offered: float = 0.0
    booked: float = 0.0
    bookings: int = 0
    bookers: set = field(default_factory=set)
    revenue: int = 0
    cancellations: int = 0
    searches: int = 0
    searches_without_result: int = 0
    vacant: set = field(default_factory=set)
    vacant_occupied: set = field(default_factory=set)
    ending_soon: int = 0
    residents: set = field(default_factory=set)
    distances: list = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.space_ids |= other.space_ids
        self.bookers |= other.bookers
        self.vacant |= other.vacant
        self.vacant_occupied |= other.vacant_occupied
        self.residents |= other.residents
        self.units += other.units
        self.seats += other.seats
        self.offered += other.offered
        self.booked += other.booked
        self.bookings += other.bookings
        self.revenue += other.revenue
        self.cancellations += other.cancellations
        self.searches += other.searches
        self.searches_without_result += other.searches_without_result
        self.ending_soon += other.ending_soon
        self.distances += other.distances

    def commune_figures(self) -> dict:
        residents = fig.withheld(len(self.residents))
        return {
            "spaces": len(self.space_ids),
            "units": self.units,
            "seats": self.seats,
            "seat_hours_offered": fig.seat_hours(self.offered),
            "seat_hours_booked": fig.seat_hours(self.booked),
            "occupancy": fig.occupancy(self.booked, self.offered),
            "bookings": self.bookings,
            "bookers": len(self.bookers),
            "revenue": self.revenue,
            "searches": self.searches,
            "searches_without_result": self.searches_without_result,
            "vacant_premises": len(self.vacant),
            "vacant_premises_occupied": len(self.vacant_occupied),
            "windows_ending_soon": self.ending_soon,
            "residents_booking": residents,
            "median_home_distance_km": fig.median_km(self.distances) if residents else None,
        }


class Shares:
    """A unit's figures by bucket (month or week): plain lists, as there are many."""

    __slots__ = ("offered", "booked", "bookings", "revenue")

    def __init__(self, buckets: int):
        self.offered = [0.0] * buckets
        self.booked = [0.0] * buckets
        self.bookings = [0] * buckets
        self.revenue = [0] * buckets

    def add(self, other: Shares) -> None:
        for mine, theirs in (
            (self.offered, other.offered),
            (self.booked, other.booked),
            (self.bookings, other.bookings),
            (self.revenue, other.revenue),
        ):
            for index, value in enumerate(theirs):
                mine[index] += value


@dataclass
class Usage:
    """Supply and use of a set of units over a period: by unit, and by unit and bucket."""

    facts: dict[int, UnitFacts]
    commune: dict[int, str | None]  # unit id → its space's INSEE code
    names: dict[int, str]
    units: dict[int, Tally]
    buckets: list[fig.Bucket]
    by_bucket: dict[int, Shares]
    # With ``heat``: booked seat-seconds by local weekday (Monday first) and hour, all units.
    heat: list[list[float]] | None = None


def _scope_units(scope: list) -> tuple[dict[int, UnitFacts], dict[int, str | None], dict]:
    """The active units of spaces matching ``scope``: facts, INSEE code and name by unit id."""
    rows = db.session.connection().execute(
        sa.select(*FACT_COLUMNS, Space.insee_code, Unit.name)
        .join(Unit.space)
        .where(*scope, Unit.active.is_(True))
        .order_by(Unit.space_id, Unit.position, Unit.id)
    )
    facts, commune, names = {}, {}, {}
    width = len(FACT_COLUMNS)
    for row in rows:
        f = facts_from_row(row[:width])
        facts[f.id], commune[f.id], names[f.id] = f, row[width], row[width + 1]
    return facts, commune, names


def usage(
    scope: list,
    first: date,
    last: date,
    buckets: list[fig.Bucket],
    *,
    bookings: bool = True,
    cancellations: bool = False,
    heat: bool = False,
    now: datetime | None = None,
) -> Usage:
    """Supply and use of the active units of spaces matching ``scope`` (SQL conditions on
    ``Space``) over the local days [first, last], with each bucket's share; ``heat`` also
    spreads booked time over the local weekday and hour (a host's busiest hours)."""
    now = now or utcnow()
    facts, commune, names = _scope_units(scope)
    units = {uid: Tally() for uid in facts}
    by_bucket = {uid: Shares(len(buckets)) for uid in facts}
    result = Usage(facts, commune, names, units, buckets, by_bucket)
    if heat:
        result.heat = [[0.0] * 24 for _ in range(7)]
    if not facts:
        return result
    zones = {name: ZoneInfo(name) for name in {f.timezone for f in facts.values()}}
    period = {name: fig.local_bounds(first, last, tz) for name, tz in zones.items()}
    edges = {
        name: [fig.local_bounds(b_first, b_last, tz) for _, b_first, b_last in buckets]
        for name, tz in zones.items()
    }
    start = min(bounds[0] for bounds in period.values())
    end = max(bounds[1] for bounds in period.values())
    states = load_states(facts.values(), start, end, now, hours_only=True)
    open_time: dict[int, fig.OpenTime] = {}
    # Units with the same timetable, zone, availability window, holidays and closures (most
    # units of a space, many spaces) share one computation.
    shared: dict[tuple, fig.OpenTime] = {}
    for uid, f in facts.items():
        state = states[uid]
        key = (
            tuple(state.windows),
            f.timezone,
            state.available_from,
            state.available_until,
            state.is_holiday,
            tuple(state.closures),
        )
        ot = shared.get(key)
        if ot is None:
            tagged = [
                (s, e, index)
                for index, (b_start, b_end) in enumerate(edges[f.timezone])
                for s, e in open_spans(state, b_start, b_end)
            ]
            ot = shared[key] = fig.OpenTime(tagged, len(buckets))
            if not bookings:  # only the totals are wanted: do not keep every span in memory
                ot.spans, ot.ends = [], []
        open_time[uid] = ot
        capacity = f.effective_capacity
        tally = units[uid]
        tally.units, tally.seats = 1, capacity
        tally.space_ids.add(f.space_id)
        by_bucket[uid].offered = [capacity * seconds for seconds in ot.by_bucket]
        tally.offered = sum(by_bucket[uid].offered)
    if not bookings:
        return result
    statuses = ["confirmed", "cancelled"] if cancellations else ["confirmed"]
    rows = db.session.connection().execute(
        sa.select(
            Booking.unit_id,
            Booking.user_id,
            Booking.start_at,
            Booking.end_at,
            Booking.seats,
            Booking.status,
            Booking.price_amount,
            Booking.currency,
        )
        .join(Unit, Unit.id == Booking.unit_id)
        .join(Space, Space.id == Unit.space_id)
        .where(
            *scope,
            Unit.active.is_(True),
            Booking.status.in_(statuses),
            Booking.start_at < end,
            Booking.end_at > start,
        )
    )
    bucket_starts = {name: [b_start for b_start, _ in bounds] for name, bounds in edges.items()}
    for unit_id, user_id, b_start, b_end, seats, status, price, currency in rows:
        f = facts[unit_id]
        zone = f.timezone
        p_start, p_end = period[zone]
        starts_inside = p_start <= b_start < p_end  # its local day is in [first, last]
        tally = units[unit_id]
        if status != "confirmed":
            if starts_inside:
                tally.cancellations += 1
            continue
        shares = by_bucket[unit_id]
        # A whole unit counts one seat, whoever comes; a pool never more than it offers.
        counted = min(seats, f.effective_capacity) if f.is_pool else 1
        for index, piece_start, piece_end in open_time[unit_id].overlap(b_start, b_end):
            seat_seconds = counted * (piece_end - piece_start).total_seconds()
            tally.booked += seat_seconds
            shares.booked[index] += seat_seconds
            if result.heat is not None:
                fig.spread_by_hour(result.heat, piece_start, piece_end, zones[zone], counted)
        if starts_inside:
            amount = price if currency == CURRENCY else 0
            tally.bookings += 1
            tally.bookers.add(user_id)
            tally.revenue += amount
            index = bisect.bisect_right(bucket_starts[zone], b_start) - 1
            shares.bookings[index] += 1
            shares.revenue[index] += amount
    return result
