"""Never overbooked by terms: 10 overlapping term requests at once on a 3-seat desk pool, through
gunicorn's worker processes, on SQLite and PostgreSQL. No local day ever holds more than 3 seats,
every refusal is a 409, and what was accepted is exactly what fits."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from spaces.availability.engine import Occupation, peak_taken
from spaces.bookings.models import Booking
from spaces.db import transaction, utcnow
from spaces.extensions import db
from spaces.listings import services
from tests.factories import api_token, make_space, make_unit, make_user, set_hours
from tests.servers import book_at_once, gunicorn

CAPACITY = 3


@pytest.mark.slow
def test_ten_overlapping_terms_on_three_seats(app, app_ctx, database):
    host = make_user()
    space = make_space(host, units=0, publish=False)
    unit = make_unit(host, space, capacity=CAPACITY, prices={"day": 2200, "month": 19000})
    set_hours(host, space)
    with transaction():
        services.publish_space(host, space)
    today = utcnow().date()
    base = date(today.year + (today.month >= 11), (today.month + 1) % 12 + 1, 1)
    # Ten terms, each overlapping the next: 30 to 60 days, 1 or 2 seats, starting a week apart.
    requests = []
    for n in range(10):
        first = base + timedelta(days=7 * n)
        payload = {
            "unit_id": unit.id,
            "start_date": first.isoformat(),
            "end_date": (first + timedelta(days=29 + 3 * n)).isoformat(),
            "seats": 1 + n % 2,
        }
        requests.append((api_token(make_user()), payload))
    env = {"DATABASE_URL": database.url, "RATELIMIT_ENABLED": "0", "REDIS_URL": None}

    with gunicorn(env, workers=2, threads=8) as url:
        context = multiprocessing.get_context("spawn")
        at = time.time() + 2.0
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as clients:
            halves = [requests[::2], requests[1::2]]
            results = [clients.submit(book_at_once, url, half, at) for half in halves]
            statuses = [status for result in results for status in result.result(timeout=120)]

    assert sorted(set(statuses)) <= [201, 409], statuses
    assert 201 in statuses and 409 in statuses, statuses
    db.session.rollback()
    rows = db.session.scalars(
        sa.select(Booking).where(Booking.unit_id == unit.id, Booking.status == "confirmed")
    ).all()
    assert len(rows) == statuses.count(201)
    assert all(b.kind == "term" for b in rows)
    occupations = [Occupation(b.start_at, b.end_at, b.seats) for b in rows]
    start = min(b.start_at for b in rows)
    end = max(b.end_at for b in rows)
    assert peak_taken(occupations, start, end) <= CAPACITY
