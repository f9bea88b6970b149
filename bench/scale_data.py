"""Benchmark data at scale: spaces, units and a year of bookings that never overbook (issue 11).

Presets:

- ``indico``: 250 spaces / 500 bookable units, 50,000 bookings (the size of Indico's room booking
  benchmark);
- ``million``: 10,000 spaces / 20,000 units (``bench/generate.py``), 1,000,000 bookings.

``--scale F`` multiplies both counts (``--scale 0.01`` while developing); ``--spaces`` and
``--bookings`` set them outright. Seeded: the same data every run, relative to the day it runs.

What goes in, on top of ``generate.py``'s spaces, units, services and opening hours:

- booker accounts (one per 100 bookings, at least 50; no password: they never log in), and a host
  ``host@bench.example`` who owns the "Bench" organisation (manager e-mails, unit feed tokens);
- bookings over one year, half in the past and half in the future (from today − 182 days to
  today + 182 days), Monday to Friday except French public holidays, inside the spaces' weekday
  hours (8:30–19:00 local time): half days, whole days and 1–3 hour slots (meeting rooms mostly by
  the hour, desk pools mostly by the half day). **Never overbooked**: each unit's capacity is
  split into lanes (1–3 seats each, summing to at most the capacity; one lane of 1 for a unit
  booked whole), and a lane holds at most one booking per half day, so the seats taken at any
  instant never exceed the capacity (``--check`` recomputes the peaks from the rows);
- statuses: instant units mostly ``confirmed``, some ``cancelled``; units on request also
  ``declined``, ``expired`` (past) and pending ``requested`` ones with ``expires_at`` (future,
  made in the last 40 hours); prices from ``spaces.bookings.pricing`` (amount and breakdown);
- a weekly series on 5 % of the units (``series`` rows, their bookings carry ``series_id``);
- closures (3 % of the spaces, 1 % of the units, 1–5 days) and imported busy blocks (5 % of the
  units, 10–30 blocks each, under a "file" calendar import), on days kept free of bookings;
- three desk pools with exactly 100 confirmed bookings each (the feed benchmark's units);
- with ``--family N`` (or ``--family-only N`` on a database built before): one building booked
  whole with N offices in it (linked units, ``units.part_of``), in the Bench organisation's first
  space, instant, and their bookings over the horizon, never two in one family at once: on one
  working day in five the building is booked (a half day or the whole day), on the others each
  office has its own half-day bookings (about one in two half days).

Bulk loading: ``COPY … FROM STDIN`` on PostgreSQL (psycopg 3 ``cursor.copy``), multi-row
``INSERT … VALUES (…), (…)`` of 1,000 rows on SQLite, all in one transaction; then ``ANALYZE``.
Prints the time each step took. The database is migrated first; run it on an empty database.

    python bench/scale_data.py --database-url sqlite:////tmp/scale.sqlite3 --preset indico
    python bench/scale_data.py --database-url postgresql://127.0.0.1:5432/spaces_bench \\
        --preset million [--check]
    python bench/scale_data.py --database-url ... --preset million --scale 0.01   # developing
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate, make_app  # noqa: E402

PRESETS = {"indico": (250, 50_000), "million": (10_000, 1_000_000)}
HORIZON_DAYS = 182  # bookings from today - 182 days to today + 182 days
FEED_UNITS = 3  # desk pools with exactly FEED_EVENTS confirmed bookings
FEED_EVENTS = 100
HOST_EMAIL = "host@bench.example"
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as bookings/requesting.py
SQLITE_BATCH = 1000  # rows per multi-row INSERT (22 columns: under SQLite's 32,766 variables)

# Local working blocks, minutes of the day: morning and afternoon (spaces open 8:30-19:00).
AM, PM = (510, 750), (810, 1140)  # 8:30-12:30, 13:30-19:00
HALF_DAYS = {0: [(510, 750)], 1: [(810, 1050), (840, 1080), (900, 1140)]}  # at most 4 hours

BOOKING_COLUMNS = (
    "reference", "unit_id", "user_id", "series_id", "start_at", "end_at", "seats", "status",
    "price_amount", "currency", "price_breakdown", "note", "expires_at", "decided_at",
    "decided_by_id", "cancelled_at", "cancelled_by_id", "reason", "sequence", "created_at",
    "updated_at",
)  # fmt: skip


# --- the calendar --------------------------------------------------------------------------------


@lru_cache(maxsize=100_000)
def _offset(tz_name: str, day: date) -> timedelta:
    """The zone's UTC offset at noon that day (working hours never meet a DST change)."""
    return ZoneInfo(tz_name).utcoffset(datetime(day.year, day.month, day.day, 12))


def local_utc(tz_name: str, day: date, minute: int) -> datetime:
    """The UTC instant of ``minute`` past local midnight on ``day`` (aware)."""
    naive = datetime(day.year, day.month, day.day) + timedelta(minutes=minute)
    return (naive - _offset(tz_name, day)).replace(tzinfo=UTC)


def working_days(today: date) -> list[date]:
    """Monday to Friday over the horizon, without France's public holidays."""
    import holidays

    first, last = today - timedelta(days=HORIZON_DAYS), today + timedelta(days=HORIZON_DAYS)
    closed = holidays.France(years=range(first.year, last.year + 1))
    days, day = [], first
    while day <= last:
        if day.weekday() < 5 and day not in closed:
            days.append(day)
        day += timedelta(days=1)
    return days


def lanes_of(rng: random.Random, kind: str, capacity: int) -> list[int]:
    """Seats per lane, summing to at most ``capacity``: a lane holds one booking at a time."""
    if kind != "desk_pool":
        return [1]
    lanes, left = [], capacity
    while left > 0:
        seats = min(left, rng.choices((1, 2, 3), weights=(70, 20, 10))[0])
        lanes.append(seats)
        left -= seats
    return lanes


def slot_minutes(
    rng: random.Random, kind: str, block: int, whole_day_possible: bool
) -> tuple[int, int]:
    """Local start and end minutes of one booking in a half-day block (0 morning, 1 afternoon)."""
    low, high = AM if block == 0 else PM
    draw = rng.random()
    if kind == "desk_pool":
        hours, whole = 0.2, 0.35
    else:
        hours, whole = 0.8, 0.05
    if whole_day_possible and block == 0 and draw < whole:
        return AM[0], PM[1]
    if draw < whole + hours:
        duration = rng.choice((60, 60, 90, 120, 120, 180))
        duration = min(duration, high - low)
        start = low + 30 * rng.randint(0, (high - low - duration) // 30)
        return start, start + duration
    return rng.choice(HALF_DAYS[block])


# --- rows ----------------------------------------------------------------------------------------


class Reference:
    """Unique 8-character references in the app's alphabet, looking random (a permutation of a
    counter modulo 32^8), so that 1,000,000 rows need no set to stay unique."""

    MODULUS = 32**8
    MULTIPLIER = 0x5DEECE66D  # odd: a bijection modulo a power of two

    def __init__(self, seed: int):
        self.counter = seed * 1_000_003

    def __call__(self) -> str:
        self.counter += 1
        value = (self.counter * self.MULTIPLIER + 0xB) % self.MODULUS
        chars = []
        for _ in range(8):
            value, digit = divmod(value, 32)
            chars.append(REFERENCE_ALPHABET[digit])
        return "".join(chars)


class Pricer:
    """``spaces.bookings.pricing.price_interval``, memoised by rates, local minutes and seats."""

    def __init__(self):
        from spaces.bookings.pricing import NoPrice, price_interval

        self.price_interval, self.no_price = price_interval, NoPrice
        self.cache: dict[tuple, tuple[int, str] | None] = {}

    def __call__(self, unit: dict, start: datetime, end: datetime, minutes: tuple, seats: int):
        key = (unit["rates"], minutes, seats)
        if key not in self.cache:
            rates = dict(zip(("hour", "half_day", "day", "month"), unit["rates"], strict=True))
            try:
                price = self.price_interval(start, end, ZoneInfo(unit["tz"]), rates, seats)
                self.cache[key] = (price.amount, json.dumps(price.breakdown()))
            except self.no_price:
                self.cache[key] = None
        return self.cache[key]


def booking_row(
    rng: random.Random,
    unit: dict,
    start: datetime,
    end: datetime,
    seats: int,
    user_id: int,
    host_id: int,
    now: datetime,
    price: tuple[int, str],
    reference: str,
    series_id: int | None = None,
    status: str | None = None,
) -> dict:
    """One booking with coherent status, timestamps and decisions (see the module docstring)."""
    lead = timedelta(minutes=rng.randint(60, 45 * 1440))
    created = start - lead
    if created > now:
        created = now - timedelta(minutes=rng.randint(1, 3 * 1440))
    row = {
        "reference": reference,
        "unit_id": unit["id"],
        "user_id": user_id,
        "series_id": series_id,
        "start_at": start,
        "end_at": end,
        "seats": seats,
        "status": "confirmed",
        "price_amount": price[0],
        "currency": "EUR",
        "price_breakdown": price[1],
        "note": "",
        "expires_at": None,
        "decided_at": None,
        "decided_by_id": None,
        "cancelled_at": None,
        "cancelled_by_id": None,
        "reason": "",
        "sequence": 0,
        "created_at": created,
        "updated_at": created,
    }
    future = start > now
    draw = rng.random()
    if status is None:
        if unit["mode"] == "instant":
            status = "cancelled" if draw < 0.08 else "confirmed"
        elif future:
            status = (
                "requested"
                if draw < 0.20
                else "declined"
                if draw < 0.27
                else "cancelled"
                if draw < 0.35
                else "confirmed"
            )
        else:
            status = (
                "declined"
                if draw < 0.05
                else "expired"
                if draw < 0.12
                else "cancelled"
                if draw < 0.20
                else "confirmed"
            )
    row["status"] = status
    ttl = timedelta(hours=48)
    if unit["mode"] == "request" and status != "requested":
        row["expires_at"] = min(created + ttl, start)
    if status == "requested":  # pending, made in the last 40 hours: holds its seats until expiry
        created = now - timedelta(minutes=rng.randint(1, 40 * 60))
        row["created_at"] = row["updated_at"] = created
        row["expires_at"] = min(created + ttl, start)
    elif status == "expired":
        row["sequence"] = 1
        row["updated_at"] = row["expires_at"]
    elif unit["mode"] == "request" and status in ("confirmed", "declined"):
        decided = created + (min(row["expires_at"], now) - created) * rng.random()
        row.update(decided_at=decided, decided_by_id=host_id, sequence=1, updated_at=decided)
        if status == "declined":
            row["reason"] = "Complet ce jour-là."
    if status == "cancelled":
        cancelled = created + (min(start, now) - created) * rng.random()
        row.update(
            cancelled_at=cancelled, cancelled_by_id=user_id, sequence=1, updated_at=cancelled
        )
    return row


# --- bulk writing --------------------------------------------------------------------------------


class Writer:
    """Appends rows to tables: COPY on PostgreSQL, multi-row INSERTs on SQLite, one transaction."""

    def __init__(self, connection):
        self.connection = connection
        self.dialect = connection.dialect.name
        self.buffers: dict[str, tuple[tuple[str, ...], list]] = {}
        self.counts: dict[str, int] = {}
        self._copies: dict = {}

    def add(self, table: str, columns: tuple[str, ...], row: dict) -> None:
        values = tuple(row[c] for c in columns)
        self.counts[table] = self.counts.get(table, 0) + 1
        if self.dialect == "postgresql":
            self._copy(table, columns).write_row(values)
            return
        buffered = self.buffers.setdefault(table, (columns, []))[1]
        buffered.append(tuple(_sqlite_value(c, v) for c, v in zip(columns, values, strict=True)))
        if len(buffered) >= SQLITE_BATCH:
            self._flush(table)

    def _copy(self, table: str, columns: tuple[str, ...]):
        if table not in self._copies:
            for other in list(self._copies):  # one COPY at a time on a connection
                self._end_copy(other)
            raw = self.connection.connection.driver_connection
            cursor = raw.cursor()
            copy = cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN")
            self._copies[table] = (cursor, copy, copy.__enter__())
        return self._copies[table][2]

    def _end_copy(self, table: str) -> None:
        cursor, copy, _ = self._copies.pop(table)
        copy.__exit__(None, None, None)
        cursor.close()

    def _flush(self, table: str) -> None:
        columns, rows = self.buffers.get(table, ((), []))
        if not rows:
            return
        marks = "(" + ", ".join("?" * len(columns)) + ")"
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([marks] * len(rows))
        self.connection.exec_driver_sql(sql, tuple(v for row in rows for v in row))
        rows.clear()

    def close(self) -> None:
        for table in list(self._copies):
            self._end_copy(table)
        for table in list(self.buffers):
            self._flush(table)


def _sqlite_value(column: str, value):
    """What SQLAlchemy stores on SQLite: naive UTC text for instants, ISO dates, 0/1."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


# --- the plan ------------------------------------------------------------------------------------


def load_units(connection, organisation_id: int) -> list[dict]:
    import sqlalchemy as sa

    rows = connection.execute(
        sa.text(
            "SELECT u.id, u.kind, u.capacity, u.booking_mode, u.price_hour, u.price_half_day,"
            " u.price_day, u.price_month, s.id, s.timezone, s.capacity_cap_percent"
            " FROM units u JOIN spaces s ON s.id = u.space_id"
            " WHERE s.organisation_id = :org ORDER BY u.id"
        ),
        {"org": organisation_id},
    ).all()
    return [
        {
            "id": r[0],
            "kind": r[1],
            "capacity": r[2] * r[10] // 100 if r[1] == "desk_pool" else 1,
            "mode": r[3],
            "rates": (r[4], r[5], r[6], r[7]),
            "space_id": r[8],
            "tz": r[9],
        }
        for r in rows
    ]


def insert_people(connection, organisation_id: int, count: int, now: datetime) -> tuple[int, list]:
    """The host (owner of the organisation) and ``count`` bookers; returns their ids."""
    import sqlalchemy as sa

    from spaces.extensions import db

    users, memberships = db.metadata.tables["users"], db.metadata.tables["memberships"]
    common = {"password_hash": None, "locale": "fr", "is_admin": False, "session_version": 1}
    host_id = connection.execute(
        sa.insert(users)
        .values(email=HOST_EMAIL, name="Hôte du banc", created_at=now, **common)
        .returning(users.c.id)
    ).scalar_one()
    connection.execute(
        sa.insert(memberships).values(
            organisation_id=organisation_id, user_id=host_id, role="owner", created_at=now
        )
    )
    rows = [
        {"email": f"booker{n}@bench.example", "name": f"Booker {n}", "created_at": now, **common}
        for n in range(1, count + 1)
    ]
    ids = []
    for offset in range(0, len(rows), 2000):
        ids += connection.execute(
            sa.insert(users).returning(users.c.id, sort_by_parameter_order=True),
            rows[offset : offset + 2000],
        ).scalars()
    return host_id, ids


def plan_counts(rng: random.Random, units: list[dict], total: int, feed: set[int]) -> list[int]:
    """Bookings per unit: popular units get more (log-normal weights); feed units exactly 100."""
    weights = [0.0 if u["id"] in feed else rng.lognormvariate(0, 0.7) for u in units]
    rest = max(0, total - FEED_EVENTS * len(feed))
    scale = rest / (sum(weights) or 1)
    counts = [
        FEED_EVENTS if u["id"] in feed else int(w * scale)
        for u, w in zip(units, weights, strict=True)
    ]
    missing = total - sum(counts)
    others = [i for i, u in enumerate(units) if u["id"] not in feed] or [0]
    for i in rng.sample(others * (1 + missing // len(others)), max(0, missing)):
        counts[i] += 1
    return counts


def build(connection, args, total_bookings: int, started: float) -> dict[str, int]:
    """Everything after generate.py: people, series, closures, busy blocks, bookings."""
    import sqlalchemy as sa

    from spaces.extensions import db

    tables = db.metadata.tables
    rng = random.Random(args.seed * 7919 + 11)
    now = datetime.now(UTC)
    today = now.date()
    organisation_id = connection.execute(
        sa.text("SELECT max(id) FROM organisations WHERE name = 'Bench'")
    ).scalar_one()
    units = load_units(connection, organisation_id)
    host_id, bookers = insert_people(
        connection, organisation_id, max(50, total_bookings // 100), now
    )
    print(f"  {len(bookers) + 1} people in {time.perf_counter() - started:.1f} s", flush=True)
    days = working_days(today)
    feed = {u["id"] for u in units if u["kind"] == "desk_pool"}
    feed = set(sorted(feed)[:FEED_UNITS])

    # Days kept free of bookings: closures (space or unit) and imported busy blocks.
    excluded: dict[int, set[int]] = {}  # unit id -> day indices
    closures, imports, blocks = [], [], []
    by_space: dict[int, list[dict]] = {}
    for unit in units:
        by_space.setdefault(unit["space_id"], []).append(unit)
    for space_id, space_units in by_space.items():
        if rng.random() < 0.03 and not feed & {u["id"] for u in space_units}:
            first = rng.randrange(len(days) - 5)
            span = list(range(first, first + rng.randint(1, 5)))
            tz = space_units[0]["tz"]
            closures.append(
                {
                    "space_id": space_id,
                    "unit_id": None,
                    "start_at": local_utc(tz, days[span[0]], 0),
                    "end_at": local_utc(tz, days[span[-1]] + timedelta(days=1), 0),
                    "reason": "Fermeture exceptionnelle",
                    "created_at": now,
                }
            )
            for unit in space_units:
                excluded.setdefault(unit["id"], set()).update(span)
    for unit in units:
        if unit["id"] in feed:
            continue
        if rng.random() < 0.01:
            first = rng.randrange(len(days) - 5)
            span = list(range(first, first + rng.randint(1, 5)))
            closures.append(
                {
                    "space_id": None,
                    "unit_id": unit["id"],
                    "start_at": local_utc(unit["tz"], days[span[0]], 0),
                    "end_at": local_utc(unit["tz"], days[span[-1]] + timedelta(days=1), 0),
                    "reason": "Travaux",
                    "created_at": now,
                }
            )
            excluded.setdefault(unit["id"], set()).update(span)
        if rng.random() < 0.05:
            chosen = rng.sample(range(len(days)), rng.randint(10, 30))
            imports.append((unit, chosen))
            excluded.setdefault(unit["id"], set()).update(chosen)

    if closures:
        connection.execute(sa.insert(tables["closures"]), closures)
    calendar_imports = tables["calendar_imports"]
    for unit, chosen in imports:
        events = []
        for n, index in enumerate(sorted(chosen)):
            low, high = rng.choice([(AM[0], PM[1]), AM, PM, (600, 720), (840, 960)])
            start, end = (
                local_utc(unit["tz"], days[index], low),
                local_utc(unit["tz"], days[index], high),
            )
            uid = f"bench-{unit['id']}-{n}@calendar.example"
            events.append((start, end, uid))
        content = "\r\n".join(
            ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Bench//Spaces//FR"]
            + [
                line
                for start, end, uid in events
                for line in (
                    "BEGIN:VEVENT",
                    f"UID:{uid}",
                    f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                    f"DTEND:{end:%Y%m%dT%H%M%SZ}",
                    "SUMMARY:Occupé",
                    "END:VEVENT",
                )
            ]
            + ["END:VCALENDAR", ""]
        )
        import_id = connection.execute(
            sa.insert(calendar_imports)
            .values(
                unit_id=unit["id"],
                created_by_id=host_id,
                source="file",
                url=None,
                content=content,
                name="Agenda de la salle (banc)",
                last_attempt_at=now,
                last_success_at=now,
                blocks_count=len(events),
                created_at=now,
            )
            .returning(calendar_imports.c.id)
        ).scalar_one()
        blocks += [
            {
                "import_id": import_id,
                "unit_id": unit["id"],
                "start_at": start,
                "end_at": end,
                "uid": uid,
                "summary": "Occupé",
            }
            for start, end, uid in events
        ]
    if blocks:
        connection.execute(sa.insert(tables["busy_blocks"]), blocks)

    # Weekly series: one lane of 5 % of the units, the same half day every week for 6-20 weeks.
    counts = plan_counts(rng, units, total_bookings, feed)
    series_plans = []  # (unit index, lane, [day indices], block, user)
    for i, unit in enumerate(units):
        if unit["id"] in feed or counts[i] < 6 or rng.random() >= 0.05:
            continue
        weekday, block = rng.randrange(5), rng.randrange(2)
        candidates = [
            j
            for j, d in enumerate(days)
            if d.weekday() == weekday and j not in excluded.get(unit["id"], ())
        ]
        weeks = min(rng.randint(6, 20), counts[i], len(candidates))
        if weeks < 2:
            continue
        first = rng.randrange(len(candidates) - weeks + 1)
        series_plans.append((i, candidates[first : first + weeks], block, rng.choice(bookers)))
    series_table = tables["series"]
    series_ids = {}
    if series_plans:
        rows = [
            {
                "unit_id": units[i]["id"],
                "user_id": user,
                "weekdays": str(days[chosen[0]].weekday()),
                "first_date": days[chosen[0]],
                "until": days[chosen[-1]],
                "created_at": now,
            }
            for i, chosen, _, user in series_plans
        ]
        ids = connection.execute(
            sa.insert(series_table).returning(series_table.c.id, sort_by_parameter_order=True),
            rows,
        ).scalars()
        series_ids = {plan[0]: (sid, plan) for sid, plan in zip(ids, series_plans, strict=True)}
    print(
        f"  {len(closures)} closures, {len(imports)} calendar imports ({len(blocks)} busy blocks),"
        f" {len(series_ids)} series in {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    writer = Writer(connection)
    pricer, reference = Pricer(), Reference(args.seed)
    skipped = 0
    for i, unit in enumerate(units):
        for row in unit_bookings(
            rng, unit, counts[i], days, excluded.get(unit["id"], set()), series_ids.get(i),
            bookers, host_id, now, pricer, reference, unit["id"] in feed,
        ):  # fmt: skip
            if row is None:
                skipped += 1
                continue
            writer.add("bookings", BOOKING_COLUMNS, row)
        if i % 2000 == 1999:
            done = writer.counts.get("bookings", 0)
            print(
                f"  {i + 1} units, {done} bookings, {time.perf_counter() - started:.1f} s",
                flush=True,
            )
    writer.close()
    return {
        "bookings": writer.counts.get("bookings", 0),
        "no price (skipped)": skipped,
        "series": len(series_ids),
        "closures": len(closures),
        "busy blocks": len(blocks),
        "bookers": len(bookers),
    }


def unit_bookings(
    rng, unit, count, days, excluded, series, bookers, host_id, now, pricer, reference, is_feed
) -> Iterator[dict | None]:
    """The bookings of one unit: ``count`` of them over its lanes, never two at once in a lane."""
    lanes = lanes_of(rng, unit["kind"], unit["capacity"])
    allowed = [j for j in range(len(days)) if j not in excluded] if excluded else None
    day_count = len(allowed) if allowed is not None else len(days)
    taken: list[set[int]] = [set() for _ in lanes]  # slot = 2 * position in allowed + block
    position = {j: p for p, j in enumerate(allowed)} if allowed is not None else None

    def day_of(slot: int) -> date:
        p = slot // 2
        return days[allowed[p]] if allowed is not None else days[p]

    def emit(lane, slot, user, series_id=None, minutes=None, status=None, whole_possible=False):
        block = slot % 2
        if minutes is None:
            minutes = slot_minutes(rng, unit["kind"], block, whole_possible)
        if minutes[1] > PM[0] and minutes[0] < AM[1]:  # a whole day: the afternoon too
            taken[lane].add(slot + 1)
        day = day_of(slot)
        start, end = local_utc(unit["tz"], day, minutes[0]), local_utc(unit["tz"], day, minutes[1])
        seats = lanes[lane]
        price = pricer(unit, start, end, minutes, seats)
        if price is None:
            return None
        return booking_row(
            rng, unit, start, end, seats, user, host_id, now, price, reference(), series_id, status
        )

    remaining = count
    if series is not None:
        series_id, (_, chosen, block, user) = series
        for j in chosen:
            slot = 2 * (position[j] if position is not None else j) + block
            taken[0].add(slot)
            minutes = AM if block == 0 else HALF_DAYS[1][0]
            yield emit(0, slot, user, series_id, minutes)
            remaining -= 1
    # Spread the rest over the lanes, then give each lane distinct free half days.
    per_lane = [0] * len(lanes)
    for _ in range(max(0, remaining)):
        per_lane[rng.randrange(len(lanes))] += 1
    for lane, wanted in enumerate(per_lane):
        free = 2 * day_count - len(taken[lane])
        if wanted <= 0 or free <= 0:
            continue
        if taken[lane]:
            pool = [s for s in range(2 * day_count) if s not in taken[lane]]
            slots = rng.sample(pool, min(wanted, len(pool)))
        else:
            slots = rng.sample(range(2 * day_count), min(wanted, 2 * day_count))
        slots.sort()
        chosen = set(slots)
        for slot in slots:
            taken[lane].add(slot)
            # A whole day only when the lane's afternoon is neither booked nor about to be.
            whole = slot % 2 == 0 and (slot + 1) not in chosen and (slot + 1) not in taken[lane]
            status = "confirmed" if is_feed else None
            yield emit(lane, slot, rng.choice(bookers), status=status, whole_possible=whole)


# --- checking ------------------------------------------------------------------------------------


def overbooked(connection, unit_ids: list[int] | None = None, now: datetime | None = None) -> list:
    """Units whose live bookings take more seats than their capacity at some instant.

    Recomputed from the rows (a sweep over each unit's live bookings, in Python): returns
    ``[(unit_id, peak, capacity)]`` for every unit over capacity (an empty list is good)."""
    import sqlalchemy as sa

    now = now or datetime.now(UTC)
    if unit_ids is not None and not unit_ids:
        return []
    where = "" if unit_ids is None else f" AND b.unit_id IN ({', '.join(map(str, unit_ids))})"
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection = connection.execution_options(stream_results=True)
    rows = connection.execute(
        sa.text(
            "SELECT b.unit_id, b.start_at, b.end_at, b.seats,"
            " CASE WHEN u.kind = 'desk_pool' THEN u.capacity * s.capacity_cap_percent / 100"
            " ELSE 1 END AS capacity"
            " FROM bookings b JOIN units u ON u.id = b.unit_id JOIN spaces s ON s.id = u.space_id"
            " WHERE (b.status = 'confirmed' OR (b.status = 'requested' AND b.expires_at > :now))"
            + where
            + " ORDER BY b.unit_id"
        ).columns(start_at=_utc_type(), end_at=_utc_type()),
        {"now": now if postgresql else _sqlite_value("", now)},
    )
    bad, current, events, capacity = [], None, [], 0

    def sweep():
        taken = peak = 0
        for _, delta in sorted(events):  # ends (-) sort before starts (+) at the same instant
            taken += delta
            peak = max(peak, taken)
        if peak > capacity:
            bad.append((current, peak, capacity))

    for unit_id, start, end, seats, cap in rows:
        if unit_id != current:
            if current is not None:
                sweep()
            current, events, capacity = unit_id, [], cap
        events += [(start, seats), (end, -seats)]
    if current is not None:
        sweep()
    return bad


def _utc_type():
    from spaces.db import UTCDateTime

    return UTCDateTime()


# --- main ----------------------------------------------------------------------------------------


def add_family(connection, parts: int, seed: int) -> dict[str, int]:
    """A building booked whole and ``parts`` offices in it, with bookings that respect the
    family rule (see the module docstring). Returns what it wrote."""
    import sqlalchemy as sa

    from spaces.extensions import db

    tables = db.metadata.tables
    rng = random.Random(seed * 104_729 + parts)
    now = datetime.now(UTC)
    organisation_id = connection.execute(
        sa.text("SELECT max(id) FROM organisations WHERE name = 'Bench'")
    ).scalar_one()
    space_id, tz = connection.execute(
        sa.text("SELECT id, timezone FROM spaces WHERE organisation_id = :o ORDER BY id LIMIT 1"),
        {"o": organisation_id},
    ).one()
    host_id = connection.execute(
        sa.text("SELECT id FROM users WHERE email = :e"), {"e": HOST_EMAIL}
    ).scalar_one()
    bookers = list(
        connection.execute(
            sa.text("SELECT id FROM users WHERE email LIKE 'booker%@bench.example' LIMIT 500")
        ).scalars()
    )
    units = tables["units"]
    common = {
        "space_id": space_id,
        "description": "",
        "currency": "EUR",
        "booking_mode": "instant",
        "notice_minutes": 0,
        "cancel_until_minutes": 0,
        "own_hours": False,
        "active": True,
        "availability_version": 0,
        "created_at": now,
    }
    rates = {"price_hour": 1500, "price_half_day": 4000, "price_day": 7000, "price_month": None}
    parent_id = connection.execute(
        sa.insert(units)
        .values(
            name=f"Bâtiment entier ({parts} bureaux)",
            kind="whole_premises",
            capacity=4 * parts,
            position=1000,
            **{k: v * 10 if v else v for k, v in rates.items()},
            **common,
        )
        .returning(units.c.id)
    ).scalar_one()
    connection.execute(
        sa.insert(units),
        [
            {
                "name": f"Bureau {n}",
                "kind": "office",
                "capacity": 2,
                "position": 1000 + n,
                "part_of": parent_id,
                **rates,
                **common,
            }
            for n in range(1, parts + 1)
        ],
    )
    family = [
        {
            "id": r[0],
            "kind": r[1],
            "capacity": 1,
            "mode": "instant",
            "rates": (r[2], r[3], r[4], r[5]),
            "tz": tz,
        }
        for r in connection.execute(
            sa.select(
                units.c.id,
                units.c.kind,
                units.c.price_hour,
                units.c.price_half_day,
                units.c.price_day,
                units.c.price_month,
            )
            .where(sa.or_(units.c.id == parent_id, units.c.part_of == parent_id))
            .order_by(units.c.id)
        )
    ]
    parent, offices = family[0], family[1:]
    writer = Writer(connection)
    pricer, reference = Pricer(), Reference(seed + 7)

    def book(unit, day, minutes):
        start, end = local_utc(tz, day, minutes[0]), local_utc(tz, day, minutes[1])
        price = pricer(unit, start, end, minutes, 1)
        row = booking_row(
            rng, unit, start, end, 1, rng.choice(bookers), host_id, now, price, reference()
        )
        writer.add("bookings", BOOKING_COLUMNS, row)

    for j, day in enumerate(working_days(now.date())):
        if j % 5 == 0:  # the whole building: nobody else in the family that day
            book(parent, day, rng.choice(((AM[0], PM[1]), AM, (PM[0], PM[0] + 240))))
            continue
        for office in offices:
            for block in (0, 1):
                if rng.random() < 0.5:
                    book(office, day, slot_minutes(rng, "office", block, False))
    writer.close()
    return {"family units": 1 + parts, "family bookings": writer.counts.get("bookings", 0)}


def sizes(args) -> tuple[int, int]:
    spaces, bookings = PRESETS[args.preset]
    spaces = args.spaces or max(1, math.ceil(spaces * args.scale))
    bookings = args.bookings if args.bookings is not None else round(bookings * args.scale)
    return spaces, bookings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--preset", choices=sorted(PRESETS), default="indico")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies spaces and bookings")
    parser.add_argument("--spaces", type=int, help="instead of the preset's")
    parser.add_argument("--bookings", type=int, help="instead of the preset's")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="recompute every unit's peak after")
    parser.add_argument(
        "--family", type=int, default=0, metavar="N", help="also a building with N offices in it"
    )
    parser.add_argument(
        "--family-only",
        type=int,
        default=0,
        metavar="N",
        help="only add a building with N offices (and their bookings) to a built database",
    )
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    spaces, bookings = sizes(args)
    app = make_app(args.database_url)
    with app.app_context():
        from flask_migrate import upgrade

        from spaces.extensions import db

        upgrade()
        dialect = db.engine.dialect.name
        started = time.perf_counter()
        if args.family_only:
            with db.engine.begin() as connection:
                counts = add_family(connection, args.family_only, args.seed)
        else:
            print(f"{dialect}: {spaces} spaces, {bookings} bookings ({args.preset} × {args.scale})")
            with db.engine.begin() as connection:
                counts = generate(connection, spaces, args.seed)
                print(
                    f"  {counts['spaces']} spaces, {counts['units']} units"
                    f" in {time.perf_counter() - started:.1f} s",
                    flush=True,
                )
                counts.update(build(connection, args, bookings, started))
                if args.family:
                    counts.update(add_family(connection, args.family, args.seed))
        loaded = time.perf_counter()
        with db.engine.begin() as connection:  # committed: a rollback would drop SQLite's stats
            connection.exec_driver_sql("ANALYZE")
        analysed = time.perf_counter()
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        print(
            f"generated {summary} in {loaded - started:.1f} s, ANALYZE {analysed - loaded:.1f} s,"
            f" total {analysed - started:.1f} s ({dialect})",
            flush=True,
        )
        if args.check:
            with db.engine.connect() as connection:
                bad = overbooked(connection)
            print(
                f"check: {'no unit overbooked' if not bad else f'{len(bad)} units OVERBOOKED'}"
                f" ({time.perf_counter() - analysed:.1f} s)"
            )
            if bad:
                print(bad[:10])
                sys.exit(1)
        db.engine.dispose()


if __name__ == "__main__":
    main()
