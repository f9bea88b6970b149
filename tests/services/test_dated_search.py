"""The set-based dated search against the slow path it replaced, and its cost in statements.

The oracle below is the former search, kept on purpose: every candidate unit hydrated, its
situation read with its own queries (closures, bookings, busy blocks, opening windows), then
``assess`` per unit and the results sorted. The fast path must give the same units, free seats,
prices and order on a randomised territory, whatever the window, seats, price cap or sort.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from spaces.availability.engine import Occupation, UnitState, term_span
from spaces.availability.filter import find, hydrate_matches
from spaces.availability.holidays import holiday_checker
from spaces.availability.models import Closure, OpeningWindow
from spaces.bookings.models import Booking
from spaces.bookings.quotes import assess
from spaces.calendars.models import BusyBlock, CalendarImport
from spaces.db import transaction, utcnow
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.listings.search import SearchQuery, hydrate, rank
from spaces.organisations.models import Organisation
from spaces.timeutils import parse_instant
from tests.factories import make_user

TOURS = (47.3941, 0.6848)
PARIS = ZoneInfo("Europe/Paris")


# --- the oracle: the slow path, one unit at a time ----------------------------------------------


def _windows_of(owner_filter) -> list:
    from spaces.availability.hours import Window

    rows = db.session.scalars(sa.select(OpeningWindow).where(owner_filter))
    return sorted(Window(r.weekday, r.start_minute, r.end_minute) for r in rows)


def slow_state(unit: Unit, start: datetime, end: datetime, now: datetime) -> UnitState:
    space = unit.space
    closures = db.session.scalars(
        sa.select(Closure).where(
            sa.or_(Closure.space_id == space.id, Closure.unit_id == unit.id),
            Closure.start_at < end,
            Closure.end_at > start,
        )
    )
    bookings = db.session.scalars(
        sa.select(Booking).where(
            Booking.unit_id == unit.id,
            Booking.start_at < end,
            Booking.end_at > start,
            sa.or_(
                Booking.status == "confirmed",
                sa.and_(Booking.status == "requested", Booking.expires_at > now),
            ),
        )
    )
    blocks = db.session.execute(
        sa.select(BusyBlock.start_at, BusyBlock.end_at).where(
            BusyBlock.unit_id == unit.id, BusyBlock.start_at < end, BusyBlock.end_at > start
        )
    )
    windows = _windows_of(
        OpeningWindow.unit_id == unit.id if unit.own_hours else OpeningWindow.space_id == space.id
    )
    return UnitState(
        capacity=unit.effective_capacity,
        tz=ZoneInfo(space.timezone),
        windows=windows,
        closures=sorted((c.start_at, c.end_at) for c in closures),
        blocks=sorted((b.start_at, b.end_at) for b in blocks),
        occupations=[Occupation(b.start_at, b.end_at, b.seats) for b in bookings],
        available_from=space.available_from,
        available_until=space.available_until,
        is_holiday=holiday_checker(space.departement)
        if space.closed_on_public_holidays
        else (lambda day: False),
    )


def slow_search(query: SearchQuery, now: datetime) -> list[tuple]:
    """(unit id, free seats, price) of every match, in result order, the slow way."""
    kept = []
    for hit in hydrate(query, rank(query)):
        tz = ZoneInfo(hit.space.timezone)
        term = query.first_day is not None
        if term:
            start, end = term_span(query.first_day, query.last_day, tz)
        else:
            start, end = parse_instant(query.start_text, tz), parse_instant(query.end_text, tz)
        seats = query.seats if hit.unit.is_pool else 1
        state = slow_state(hit.unit, start, end, now)
        outcome = assess(hit.unit, state, start, end, seats, now, term=term)
        if not outcome.ok:
            continue
        if query.max_price is not None and outcome.price.amount > query.max_price:
            continue
        kept.append((hit, outcome))
    if query.located:
        kept.sort(key=lambda k: (k[0].distance_km, k[0].space.name.lower(), k[0].unit.position))
    else:
        kept.sort(key=lambda k: (k[0].space.name.lower(), k[0].space.id, k[0].unit.position))
    if query.sort == "price":
        kept.sort(key=lambda k: k[1].price.amount)  # stable: then as above
    return [(h.unit.id, o.free, o.price.amount, o.price.breakdown()) for h, o in kept]


# --- a random territory -------------------------------------------------------------------------


def build_territory(rng: random.Random, spaces: int, now: datetime) -> None:
    """``spaces`` published spaces around Tours with 1–4 units each, random opening hours,
    closures, bookings of every status, busy blocks, availability windows and holidays."""
    user = make_user()
    today = now.astimezone(PARIS).date()
    with transaction():
        organisation = Organisation(name="Réseau", kind="coworking")
        db.session.add(organisation)
        db.session.flush()
        for n in range(spaces):
            space = Space(
                organisation_id=organisation.id,
                name=rng.choice(["Atelier", "atelier", "Bureau", "Tiers-lieu", "Cowork"])
                + f" {n % 7}",
                kind="coworking",
                commune="Tours",
                departement=rng.choice(["37", "37", "67"]),
                latitude=TOURS[0] + rng.uniform(-0.15, 0.15),
                longitude=TOURS[1] + rng.uniform(-0.2, 0.2),
                timezone=rng.choice(["Europe/Paris"] * 5 + ["America/Martinique"]),
                status=rng.choice(["published"] * 9 + ["draft"]),
                capacity_cap_percent=rng.choice([100, 100, 50]),
                closed_on_public_holidays=rng.random() < 0.5,
                available_from=today + timedelta(days=rng.randint(-30, 5))
                if rng.random() < 0.2
                else None,
                available_until=today + timedelta(days=rng.randint(2, 40))
                if rng.random() < 0.2
                else None,
            )
            db.session.add(space)
            db.session.flush()
            _hours(rng, space_id=space.id)
            if rng.random() < 0.15:
                _closure(rng, today, space_id=space.id)
            for position in range(rng.randint(1, 4)):
                _unit(rng, space, position, user, today, now)


def _hours(rng, **owner) -> None:
    days = rng.choice([range(5), range(6), range(7), [0, 2, 4]])
    for day in days:
        if rng.random() < 0.3:  # closed for lunch
            windows = [(8 * 60, 12 * 60), (13 * 60 + 30, 19 * 60)]
        elif rng.random() < 0.1:
            windows = [(0, 1440)]
        else:
            windows = [(rng.choice([7, 8, 9]) * 60, rng.choice([17, 18, 20]) * 60)]
        for first, last in windows:
            db.session.add(OpeningWindow(weekday=day, start_minute=first, end_minute=last, **owner))


def _instant(rng, today: date, day_offset: int, hour: int) -> datetime:
    day = today + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS).astimezone(UTC)


def _closure(rng, today, **owner) -> None:
    start = _instant(rng, today, rng.randint(0, 10), rng.choice([0, 8, 12]))
    db.session.add(
        Closure(start_at=start, end_at=start + timedelta(hours=rng.choice([4, 24, 72])), **owner)
    )


def _unit(rng, space, position, user, today, now) -> None:
    kind = rng.choice(["desk_pool", "desk_pool", "meeting_room", "office"])
    prices = {
        "price_hour": rng.choice([None, 300, 500, 2500]),
        "price_half_day": rng.choice([None, 1200, 1500]),
        "price_day": rng.choice([None, 2000, 2500, 4000]),
        "price_month": rng.choice([None, None, 30000, 45000]),
    }
    unit = Unit(
        space_id=space.id,
        name=f"U{position}",
        kind=kind,
        capacity=rng.choice([1, 2, 3, 8, 12]),
        booking_mode=rng.choice(["instant", "instant", "request"]),
        min_minutes=rng.choice([None, None, 60, 240]),
        max_minutes=rng.choice([None, None, 480]),
        notice_minutes=rng.choice([0, 0, 120, 2880]),
        own_hours=rng.random() < 0.15,
        active=rng.random() < 0.95,
        position=position,
        **prices,
    )
    db.session.add(unit)
    db.session.flush()
    if unit.own_hours and rng.random() < 0.8:
        _hours(rng, unit_id=unit.id)
    if rng.random() < 0.1:
        _closure(rng, today, unit_id=unit.id)
    if rng.random() < 0.2:
        source = CalendarImport(unit_id=unit.id, source="file", content="", name="Agenda")
        db.session.add(source)
        db.session.flush()
        start = _instant(rng, today, rng.randint(0, 8), rng.choice([9, 10, 14]))
        db.session.add(
            BusyBlock(
                import_id=source.id,
                unit_id=unit.id,
                start_at=start,
                end_at=start + timedelta(hours=rng.choice([1, 3, 24])),
            )
        )
    for _ in range(rng.randint(0, 6)):
        start = _instant(rng, today, rng.randint(0, 8), rng.choice([8, 9, 10, 13, 14]))
        status = rng.choice(["confirmed"] * 4 + ["requested", "cancelled", "declined"])
        expires = now + timedelta(hours=rng.choice([-1, 5])) if status == "requested" else None
        db.session.add(
            Booking(
                reference=f"R{rng.getrandbits(40):011X}"[:12],
                unit_id=unit.id,
                user_id=user.id,
                start_at=start,
                end_at=start + timedelta(hours=rng.choice([1, 4, 9])),
                seats=rng.randint(1, max(1, unit.capacity // 2)) if kind == "desk_pool" else 1,
                status=status,
                price_amount=0,
                expires_at=expires,
            )
        )


def random_query(rng: random.Random, today: date) -> SearchQuery:
    day = today + timedelta(days=rng.randint(0, 9))
    first = rng.choice([0, 7, 8, 9, 12, 13, 14, 18])
    length = rng.choice([1, 2, 4, 5, 10, 24, 48])
    start = datetime(day.year, day.month, day.day, first)
    end = start + timedelta(hours=length)
    located = rng.random() < 0.7
    if rng.random() < 0.3:  # a term: whole local days, its own rules, engine and price
        first_day = today + timedelta(days=rng.randint(1, 6))
        window = {
            "first_day": first_day,
            "last_day": first_day + timedelta(days=rng.choice([0, 1, 6, 13])),
        }
    else:
        window = {
            "start_text": start.isoformat(timespec="minutes"),
            "end_text": end.isoformat(timespec="minutes"),
        }
    return SearchQuery(
        latitude=TOURS[0] if located else None,
        longitude=TOURS[1] if located else None,
        radius_km=rng.choice([5, 10, 25]),
        seats=rng.choice([1, 1, 2, 3, 6]),
        kind=rng.choice([None, None, "desk_pool", "meeting_room"]),
        **window,
        max_price=rng.choice([None, None, 1500, 5000, 60000]),
        instant=rng.random() < 0.2,
        sort=rng.choice(["distance", "distance", "price"]),
    )


def _differences(query, got, expected, now) -> list[dict]:
    """For a failure's message: each unit the two paths disagree on, with what each path read
    of it and decided (the slow path's state and the set-based loader's, side by side)."""
    from spaces.availability.filter import _window
    from spaces.availability.loading import FACT_COLUMNS, facts_from_row, load
    from spaces.listings.search import rank_with

    term = query.first_day is not None
    units = {row[0] for row in got} ^ {row[0] for row in expected}
    units |= {a[0] for a, b in zip(got, expected, strict=False) if a != b}
    _, rows = rank_with(query, FACT_COLUMNS)
    facts = {unit_id: facts_from_row(row) for unit_id, row in rows.items()}
    report = []
    for unit_id in sorted(units):
        unit = db.session.get(Unit, unit_id)
        start, end = _window(query, unit.space.timezone)
        f = facts.get(unit_id)
        loaded = load([f], start, end, now) if f is not None else None
        report.append(
            {
                "unit": unit_id,
                "window": (start, end),
                "slow state": slow_state(unit, start, end, now),
                "slow decision": assess(
                    unit, slow_state(unit, start, end, now), start, end, query.seats, now, term=term
                ),
                "fast decision": assess(
                    f, load([f], start, end, now).state(f), start, end, query.seats, now, term=term
                )
                if f is not None
                else None,
                "facts": f,
                "loaded state": loaded.state(f) if loaded else None,
                "quiet": loaded.quiet(f) if loaded else None,
            }
        )
    return report


def test_the_fast_dated_search_answers_as_the_slow_path(app_ctx):
    rng = random.Random(20261129)
    now = utcnow()
    build_territory(rng, 150, now)
    units = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
    assert units >= 300
    today = now.astimezone(PARIS).date()
    nonempty = terms_found = 0
    for _ in range(80):
        query = random_query(rng, today)
        db.session.expire_all()
        # Both paths decide at the same instant: a rule such as notice moves with the clock, and
        # a run crossing the hour would otherwise compare two different questions.
        expected = slow_search(query, now)
        db.session.expire_all()
        found = hydrate_matches(query, find(query, now))
        got = [(h.unit.id, h.free_seats, h.price, h.breakdown) for h in found]
        assert got == expected, (query, _differences(query, got, expected, now))
        nonempty += bool(expected)
        terms_found += bool(expected) and query.first_day is not None
    assert nonempty >= 20  # the queries do find things: the comparison is not vacuous
    assert terms_found >= 5  # and terms among them


# --- cost ---------------------------------------------------------------------------------------


@pytest.fixture
def statements(app_ctx):
    """A list that receives every SQL statement the database runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", record)


def _dated_search_statements(client, statements) -> tuple[int, int]:
    monday = utcnow().astimezone(PARIS).date() + timedelta(days=7)
    monday -= timedelta(days=monday.weekday())
    statements.clear()
    response = client.get(
        "/api/v1/search",
        query_string={
            "lat": TOURS[0],
            "lon": TOURS[1],
            "radius_km": 50,
            "start": f"{monday.isoformat()}T09:00",
            "end": f"{monday.isoformat()}T11:00",
            "per_page": 100,
        },
    )
    assert response.status_code == 200, response.get_json()
    return len(statements), response.get_json()["total"]


def test_a_dated_search_costs_the_same_statements_for_10_or_200_units(client, statements):
    now = utcnow()
    build_territory(random.Random(1), 5, now)
    few, few_found = _dated_search_statements(client, statements)
    build_territory(random.Random(2), 80, now)
    many, many_found = _dated_search_statements(client, statements)
    assert many_found > few_found + 50  # far more units were looked at and returned
    assert many == few, statements
    assert many <= 12
