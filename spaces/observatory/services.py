"""Territories and the observatory's figures (shared/API.md, "Territory observatory").

One definition of "open": the availability loader (``load_states``, opening windows and closures
only) and the engine (``open_spans``: windows on allowed local days, within the availability
window, minus holidays where the space closes, minus closures) — the ones that take bookings.

Cost, whatever the number of units: one query for the units' facts, one for their opening windows
and closures, open time per unit and month from the engine (units sharing a timetable share its
computation, cached by the engine), one lean query for the confirmed bookings overlapping the
period (clipped to open time in Python: a term counts only its open hours), searches counted in
SQL grouped by commune, residents in one query.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.availability.engine import open_spans
from spaces.availability.loading import FACT_COLUMNS, UnitFacts, facts_from_row, load_states
from spaces.bookings.models import Booking
from spaces.db import utcnow
from spaces.errors import Invalid
from spaces.extensions import db
from spaces.geo.distance import distance_km
from spaces.geo.nearby import communes_by_insee
from spaces.listings.models import Space, Unit
from spaces.observatory import figures as fig
from spaces.observatory.models import SearchLog, TerritoryCommune
from spaces.organisations.models import Organisation

CURRENCY = "EUR"  # revenue adds up the bookings priced in it
ENDING_SOON_DAYS = 180
DEFAULT_ZONE = "Europe/Paris"

COMMUNE_FIELDS = (
    "insee_code",
    "name",
    "spaces",
    "units",
    "seats",
    "seat_hours_offered",
    "seat_hours_booked",
    "occupancy",
    "bookings",
    "bookers",
    "revenue",
    "searches",
    "searches_without_result",
    "vacant_premises",
    "vacant_premises_occupied",
    "windows_ending_soon",
    "residents_booking",
    "median_home_distance_km",
)
PUBLIC_FIELDS = (
    "insee_code",
    "name",
    "spaces",
    "units",
    "seats",
    "seat_hours_offered",
    "searches",
    "searches_without_result",
)
UNIT_FIELDS = (
    "unit_id",
    "name",
    "seat_hours_offered",
    "seat_hours_booked",
    "occupancy",
    "bookings",
    "cancellations",
    "revenue",
)


# --- territories ----------------------------------------------------------------------------


def require_municipality(organisation: Organisation) -> None:
    """Invalid (422) unless the organisation is a municipality: only they have a territory."""
    if organisation.kind != "municipality":
        raise Invalid(
            _l("Only a municipality has a territory and an observatory."),
            code="not_a_municipality",
        )


def territory_codes(organisation: Organisation) -> list[str]:
    """The INSEE codes of the organisation's territory, sorted."""
    return list(
        db.session.scalars(
            sa.select(TerritoryCommune.insee_code)
            .where(TerritoryCommune.organisation_id == organisation.id)
            .order_by(TerritoryCommune.insee_code)
        )
    )


def check_codes(codes: Iterable[str], field_name: str = "communes") -> list[str]:
    """The codes without duplicates, in order; Invalid (422) naming the unknown ones."""
    codes = list(dict.fromkeys(codes))
    known = communes_by_insee()
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise Invalid(
            fields={
                field_name: [_l("Unknown INSEE code: %(codes)s.", codes=", ".join(unknown[:10]))]
            }
        )
    return codes


def set_territory(organisation: Organisation, codes: Iterable[str]) -> list[str]:
    """Replace the territory with these known INSEE codes (flushes, never commits)."""
    require_municipality(organisation)
    codes = check_codes(codes)
    db.session.execute(
        sa.delete(TerritoryCommune).where(TerritoryCommune.organisation_id == organisation.id)
    )
    db.session.add_all(
        TerritoryCommune(organisation_id=organisation.id, insee_code=c) for c in codes
    )
    db.session.flush()
    return sorted(codes)


def commune_name(code: str) -> str:
    commune = communes_by_insee().get(code)
    return commune.name if commune else code


def set_home_commune(user: User, code: str | None) -> None:
    """Set (a known INSEE code) or remove (None) the person's home commune."""
    user.home_commune = check_codes([code], "home_commune")[0] if code else None
    db.session.flush()


# --- figures --------------------------------------------------------------------------------


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
    now: datetime | None = None,
) -> Usage:
    """Supply and use of the active units of spaces matching ``scope`` (SQL conditions on
    ``Space``) over the local days [first, last], with each bucket's share."""
    now = now or utcnow()
    facts, commune, names = _scope_units(scope)
    units = {uid: Tally() for uid in facts}
    by_bucket = {uid: Shares(len(buckets)) for uid in facts}
    result = Usage(facts, commune, names, units, buckets, by_bucket)
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
        for index, overlap in open_time[unit_id].overlap(b_start, b_end):
            tally.booked += counted * overlap
            shares.booked[index] += counted * overlap
        if starts_inside:
            amount = price if currency == CURRENCY else 0
            tally.bookings += 1
            tally.bookers.add(user_id)
            tally.revenue += amount
            index = bisect.bisect_right(bucket_starts[zone], b_start) - 1
            shares.bookings[index] += 1
            shares.revenue[index] += amount
    return result


def _searches(codes: list[str] | None, first: date, last: date) -> dict[str, tuple[int, int]]:
    """(searches, searches without result) by commune over the local days [first, last], in each
    commune's zone (the platform-wide view reads them in the default zone)."""
    known = communes_by_insee()
    by_zone: dict[str, list[str] | None] = defaultdict(list)
    if codes is None:
        by_zone = {DEFAULT_ZONE: None}
    else:
        for code in codes:
            by_zone[known[code].timezone if code in known else DEFAULT_ZONE].append(code)
    found: dict[str, tuple[int, int]] = {}
    for zone, zone_codes in by_zone.items():
        start, end = fig.local_bounds(first, last, ZoneInfo(zone))
        empty = sa.func.sum(sa.case((SearchLog.results == 0, 1), else_=0))
        statement = (
            sa.select(SearchLog.insee_code, sa.func.count(), empty)
            .where(SearchLog.searched_at >= start, SearchLog.searched_at < end)
            .group_by(SearchLog.insee_code)
        )
        if zone_codes is None:
            statement = statement.where(SearchLog.insee_code.is_not(None))
        else:
            statement = statement.where(SearchLog.insee_code.in_(zone_codes))
        for code, count, without in db.session.connection().execute(statement):
            found[code] = (int(count), int(without or 0))
    return found


def _premises(scope: list, first: date, last: date, tallies: dict[str, Tally]) -> None:
    """Vacant premises (published ``vacant_public`` spaces), those held by a confirmed term on
    ``last``, and availability windows ending within 180 days of it, into the communes' tallies."""
    rows = db.session.connection().execute(
        sa.select(
            Space.id, Space.insee_code, Space.kind, Space.available_until, Space.timezone
        ).where(*scope)
    )
    vacant: dict[int, tuple[str, str]] = {}
    for space_id, code, kind, until, zone in rows:
        tally = tallies.setdefault(code, Tally())
        tally.space_ids.add(space_id)
        if kind == "vacant_public":
            tally.vacant.add(space_id)
            vacant[space_id] = (code, zone)
        if until is not None and last <= until <= last + timedelta(days=ENDING_SOON_DAYS):
            tally.ending_soon += 1
    if not vacant:
        return
    # Held on ``last``: a confirmed term over that local day (in each space's zone).
    day_bounds = {zone: fig.local_bounds(last, last, ZoneInfo(zone)) for _, zone in vacant.values()}
    start = min(b[0] for b in day_bounds.values())
    end = max(b[1] for b in day_bounds.values())
    held = db.session.connection().execute(
        sa.select(Unit.space_id, Booking.start_at, Booking.end_at)
        .join(Unit, Unit.id == Booking.unit_id)
        .where(
            Unit.space_id.in_(list(vacant)),
            Booking.kind == "term",
            Booking.status == "confirmed",
            Booking.start_at < end,
            Booking.end_at > start,
        )
    )
    for space_id, b_start, b_end in held:
        code, zone = vacant[space_id]
        day_start, day_end = day_bounds[zone]
        if b_start < day_end and b_end > day_start:
            tallies[code].vacant_occupied.add(space_id)


def _residents(codes: list[str] | None, first: date, last: date, tallies: dict[str, Tally]):
    """Distinct people living in each commune (``home_commune``) with a confirmed booking
    starting in the period, and their distances from home to the places they booked."""
    known = communes_by_insee()
    slack = timedelta(days=1)  # zones: refined per booking below
    start = fig.local_bounds(first, last, ZoneInfo(DEFAULT_ZONE))[0] - slack
    end = fig.local_bounds(first, last, ZoneInfo(DEFAULT_ZONE))[1] + slack
    statement = (
        sa.select(
            User.home_commune,
            Booking.user_id,
            Space.id,
            Space.latitude,
            Space.longitude,
            Space.timezone,
            Booking.start_at,
        )
        .join(User, User.id == Booking.user_id)
        .join(Unit, Unit.id == Booking.unit_id)
        .join(Space, Space.id == Unit.space_id)
        .where(Booking.status == "confirmed", Booking.start_at >= start, Booking.start_at < end)
    )
    if codes is None:
        statement = statement.where(User.home_commune.is_not(None))
    else:
        statement = statement.where(User.home_commune.in_(codes))
    pairs: set[tuple[str, int, int]] = set()
    places: dict[int, tuple[float, float]] = {}
    for home, user_id, space_id, lat, lon, zone, b_start in db.session.connection().execute(
        statement
    ):
        if first <= b_start.astimezone(ZoneInfo(zone)).date() <= last and home in known:
            pairs.add((home, user_id, space_id))
            places[space_id] = (lat, lon)
    for home, user_id, space_id in pairs:
        commune = known[home]
        tally = tallies.setdefault(home, Tally())
        tally.residents.add(user_id)
        tally.distances.append(distance_km(commune.latitude, commune.longitude, *places[space_id]))


def _published(codes: list[str] | None) -> list:
    scope = [Space.status == "published"]
    if codes is None:
        return [*scope, Space.insee_code.is_not(None)]
    return [*scope, Space.insee_code.in_(codes)]


def observatory(
    codes: list[str] | None, first: date, last: date, now: datetime | None = None
) -> dict:
    """The observatory's answer for these communes (None: the whole platform — every commune
    with published spaces, searches or residents) over the local days [first, last]."""
    scope = _published(codes)
    buckets = fig.months(first, last)
    used = usage(scope, first, last, buckets, now=now)
    tallies: dict[str, Tally] = {code: Tally() for code in codes or ()}
    months = Shares(len(buckets))
    for uid, tally in used.units.items():
        tallies.setdefault(used.commune[uid], Tally()).add(tally)
        months.add(used.by_bucket[uid])
    _premises(scope, first, last, tallies)
    for code, (count, without) in _searches(codes, first, last).items():
        tally = tallies.setdefault(code, Tally())
        tally.searches, tally.searches_without_result = count, without
    _residents(codes, first, last, tallies)
    # space_ids, seats... were counted once per unit; a space's commune tally got its ids twice
    # (units and premises): sets, so no double count.
    total = Tally()
    rows = []
    for code in sorted(tallies, key=lambda c: (commune_name(c).lower(), c)):
        tally = tallies[code]
        total.add(tally)
        rows.append({"insee_code": code, "name": commune_name(code), **tally.commune_figures()})
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "currency": CURRENCY,
        "communes": rows,
        "totals": total.commune_figures(),
        "months": [
            {
                "month": label,
                "seat_hours_offered": fig.seat_hours(months.offered[index]),
                "seat_hours_booked": fig.seat_hours(months.booked[index]),
                "bookings": months.bookings[index],
                "revenue": months.revenue[index],
            }
            for index, (label, _, _) in enumerate(buckets)
        ],
    }


def open_data(first: date, last: date, now: datetime | None = None) -> list[dict]:
    """One row per commune with published spaces: supply and searches only (no occupancy or
    revenue, which would expose single businesses)."""
    scope = _published(None)
    used = usage(scope, first, last, [("all", first, last)], bookings=False, now=now)
    tallies: dict[str, Tally] = {}
    for uid, tally in used.units.items():
        tallies.setdefault(used.commune[uid], Tally()).add(tally)
    for space_id, code in db.session.connection().execute(
        sa.select(Space.id, Space.insee_code).where(*scope)
    ):
        tallies.setdefault(code, Tally()).space_ids.add(space_id)
    searches = _searches(sorted(tallies), first, last)
    rows = []
    for code in sorted(tallies, key=lambda c: (commune_name(c).lower(), c)):
        tally = tallies[code]
        count, without = searches.get(code, (0, 0))
        rows.append(
            {
                "insee_code": code,
                "name": commune_name(code),
                "spaces": len(tally.space_ids),
                "units": tally.units,
                "seats": tally.seats,
                "seat_hours_offered": fig.seat_hours(tally.offered),
                "searches": count,
                "searches_without_result": without,
            }
        )
    return rows


def space_stats(space: Space, first: date, last: date, now: datetime | None = None) -> dict:
    """A space's units over the local days [first, last]: offered and booked seat-hours,
    occupancy, bookings, cancellations and revenue (bookings starting in the period), by
    Monday-based week."""
    buckets = fig.weeks(first, last)
    scope = [Space.id == space.id]
    used = usage(scope, first, last, buckets, cancellations=True, now=now)
    units = []
    for uid, tally in used.units.items():
        shares = used.by_bucket[uid]
        units.append(
            {
                "unit_id": uid,
                "name": used.names[uid],
                "seat_hours_offered": fig.seat_hours(tally.offered),
                "seat_hours_booked": fig.seat_hours(tally.booked),
                "occupancy": fig.occupancy(tally.booked, tally.offered),
                "bookings": tally.bookings,
                "cancellations": tally.cancellations,
                "revenue": tally.revenue,
                "weeks": [
                    {
                        "week_start": label,
                        "seat_hours_booked": fig.seat_hours(shares.booked[index]),
                        "revenue": shares.revenue[index],
                    }
                    for index, (label, _, _) in enumerate(buckets)
                ],
            }
        )
    return {"from": first.isoformat(), "to": last.isoformat(), "currency": CURRENCY, "units": units}
