"""The observatory's answers (shared/API.md, "Territory observatory"): a territory's figures by
commune (or the whole platform's), the public open data and a space's host statistics.

Supply and use come from ``usage`` (the availability loader and engine); searches are counted in
SQL grouped by commune; premises and residents in one query each.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spaces.accounts.models import User
from spaces.bookings.models import Booking
from spaces.extensions import db
from spaces.geo.distance import distance_km
from spaces.geo.nearby import communes_by_insee
from spaces.listings.models import Space, Unit
from spaces.observatory import figures as fig
from spaces.observatory.models import SearchLog
from spaces.observatory.territory import commune_name, with_arrondissements
from spaces.observatory.usage import CURRENCY, Shares, Tally, usage

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


def _without_disclosure(totals: dict, tallies: dict[str, Tally]) -> dict:
    """The totals, with the residents' figure withheld when it would give away the communes'
    withheld ones: the total minus the shown communes is what they hide together, so it must be
    at least the privacy threshold and shared by two communes or more (else one small count is
    read back exactly: 6 in all, 4 shown, and the one other commune has 2)."""
    hidden = [
        len(t.residents) for t in tallies.values() if 0 < len(t.residents) < fig.PRIVACY_THRESHOLD
    ]
    if hidden and (sum(hidden) < fig.PRIVACY_THRESHOLD or len(hidden) < 2):
        return {**totals, "residents_booking": None, "median_home_distance_km": None}
    return totals


def _residents(codes: list[str] | None, first: date, last: date, tallies: dict[str, Tally]):
    """Distinct people living in each commune (``home_commune``) with a confirmed booking
    starting in the period, and their distances from home to the places they booked."""
    known = communes_by_insee()
    start, end = fig.local_bounds(first, last, ZoneInfo(DEFAULT_ZONE))
    slack = timedelta(days=1)  # other zones: each booking's local day is checked below
    start, end = start - slack, end + slack
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
    residents = sa.select(User.id).where(
        User.home_commune.is_not(None) if codes is None else User.home_commune.in_(codes)
    )
    # Driven by the residents (few) through the bookings' user index: SQLite otherwise walked
    # every booking of the year and joined its booker (1.5 s at 1,000,000 bookings).
    statement = statement.where(Booking.user_id.in_(residents))
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
    counted_in = with_arrondissements(codes) if codes is not None else {}
    read = list(counted_in) if codes is not None else None
    scope = _published(read)
    buckets = fig.months(first, last)
    used = usage(scope, first, last, buckets, now=now)
    tallies: dict[str, Tally] = {code: Tally() for code in codes or ()}
    months = Shares(len(buckets))
    for uid, tally in used.units.items():
        tallies.setdefault(used.commune[uid], Tally()).add(tally)
        months.add(used.by_bucket[uid])
    _premises(scope, first, last, tallies)
    for code, (count, without) in _searches(read, first, last).items():
        tally = tallies.setdefault(code, Tally())
        tally.searches, tally.searches_without_result = count, without
    _residents(read, first, last, tallies)
    for code, city in counted_in.items():  # arrondissements into their city
        if code != city and code in tallies:
            tallies[city].add(tallies.pop(code))
    total = Tally()  # people and spaces are sets: each counted once across communes
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
        "totals": _without_disclosure(total.commune_figures(), tallies),
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
    Monday-based week; and the space's busiest hours (booked seat-hours by local weekday and
    hour, Monday first)."""
    buckets = fig.weeks(first, last)
    scope = [Space.id == space.id]
    used = usage(scope, first, last, buckets, cancellations=True, heat=True, now=now)
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
                        "seat_hours_offered": fig.seat_hours(shares.offered[index]),
                        "seat_hours_booked": fig.seat_hours(shares.booked[index]),
                        "occupancy": fig.occupancy(shares.booked[index], shares.offered[index]),
                        "revenue": shares.revenue[index],
                    }
                    for index, (label, _, _) in enumerate(buckets)
                ],
            }
        )
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "currency": CURRENCY,
        "units": units,
        "busiest_hours": [[fig.seat_hours(v) for v in day] for day in used.heat or ()],
    }
