"""Never overbooked: 40 people book the last 3 seats at once, through gunicorn's worker processes.

Two client processes fire 20 requests each at the same instant at a real gunicorn server with two
worker processes (so the serialisation must hold across processes, not only threads), on SQLite
and on PostgreSQL. Exactly 3 get 201, the 37 others 409, and the peak of seats recomputed from the
rows never exceeds the capacity.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa

from spaces.availability.engine import Occupation, peak_taken
from spaces.bookings.models import Booking
from spaces.extensions import db
from tests.factories import api_token, make_space, make_unit, make_user, set_hours
from tests.servers import book_at_once, gunicorn

ATTEMPTS = 40
CAPACITY = 3


@pytest.mark.slow
def test_forty_concurrent_attempts_at_three_seats(app, app_ctx, database):
    host = make_user()
    space = make_space(host, units=0, publish=False)
    unit = make_unit(host, space, capacity=CAPACITY)
    set_hours(host, space)
    from spaces.db import transaction
    from spaces.listings import services

    with transaction():
        services.publish_space(host, space)
    tokens = [api_token(make_user()) for _ in range(ATTEMPTS)]
    payload = {
        "unit_id": unit.id,
        "start": "2027-03-01T09:00",
        "end": "2027-03-01T17:00",
        "seats": 1,
    }
    env = {"DATABASE_URL": database.url, "RATELIMIT_ENABLED": "0", "REDIS_URL": None}

    with gunicorn(env, workers=2, threads=16) as url:
        context = multiprocessing.get_context("spawn")
        at = time.time() + 2.0
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as clients:
            halves = [tokens[: ATTEMPTS // 2], tokens[ATTEMPTS // 2 :]]
            results = [
                clients.submit(book_at_once, url, [(t, payload) for t in half], at)
                for half in halves
            ]
            statuses = [status for result in results for status in result.result(timeout=120)]

    assert len(statuses) == ATTEMPTS
    assert statuses.count(201) == CAPACITY, statuses
    assert statuses.count(409) == ATTEMPTS - CAPACITY, statuses
    db.session.rollback()
    rows = db.session.scalars(
        sa.select(Booking).where(Booking.unit_id == unit.id, Booking.status == "confirmed")
    ).all()
    assert len(rows) == CAPACITY
    occupations = [Occupation(b.start_at, b.end_at, b.seats) for b in rows]
    assert peak_taken(occupations, rows[0].start_at, rows[0].end_at) <= CAPACITY


@pytest.mark.slow
def test_a_building_and_an_office_in_it_are_never_both_booked(app, app_ctx, database):
    """20 people book the whole building and 20 an office inside it, for the same slot, at once:
    both are booked whole, so exactly one of the 40 gets it (linked units share a lock)."""
    from spaces.db import transaction
    from spaces.listings import services

    host = make_user()
    space = make_space(host, units=0, publish=False)
    whole = {"capacity": 10, "prices": {"hour": 2000}}
    building = make_unit(host, space, name="Building", kind="whole_premises", **whole)
    office = make_unit(host, space, name="Office", kind="office", part_of=building.id, **whole)
    set_hours(host, space)
    with transaction():
        services.publish_space(host, space)
    slot = {"start": "2027-03-01T09:00", "end": "2027-03-01T17:00", "seats": 1}
    jobs = [
        (api_token(make_user()), {**slot, "unit_id": unit.id})
        for _ in range(ATTEMPTS // 2)
        for unit in (building, office)
    ]  # each client process fires both kinds, interleaved
    env = {"DATABASE_URL": database.url, "RATELIMIT_ENABLED": "0", "REDIS_URL": None}

    with gunicorn(env, workers=2, threads=16) as url:
        context = multiprocessing.get_context("spawn")
        at = time.time() + 2.0
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as clients:
            halves = [jobs[: ATTEMPTS // 2], jobs[ATTEMPTS // 2 :]]
            results = [clients.submit(book_at_once, url, half, at) for half in halves]
            statuses = [status for result in results for status in result.result(timeout=120)]

    assert len(statuses) == ATTEMPTS
    assert statuses.count(201) == 1, statuses
    assert statuses.count(409) == ATTEMPTS - 1, statuses
    db.session.rollback()
    confirmed = db.session.scalars(
        sa.select(Booking).where(
            Booking.unit_id.in_([building.id, office.id]), Booking.status == "confirmed"
        )
    ).all()
    assert len(confirmed) == 1
