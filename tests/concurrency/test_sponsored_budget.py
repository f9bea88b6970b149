"""Never over budget: 10 sponsored bookings at once, on 10 different units, each costing 30 % of
the member's monthly budget, through gunicorn's worker processes, on SQLite and PostgreSQL.

The unit locks do not serialise them (10 units); the employer's sponsorship row lock does. Exactly
3 fit (3 × 30 % ≤ 100 % < 4 × 30 %), the 7 others get 409, and the sum of what the employer pays,
recomputed from the rows, never exceeds the budget.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
import sqlalchemy as sa

from spaces.bookings.models import Booking
from spaces.db import transaction
from spaces.employers import services as employers
from spaces.employers.forms import SponsorshipForm
from spaces.extensions import db
from spaces.listings import services as listings
from spaces.organisations import services as organisations
from tests.factories import (
    api_token,
    make_organisation,
    make_space,
    make_unit,
    make_user,
    set_hours,
)
from tests.servers import book_at_once, gunicorn

UNITS = 10
BUDGET = 1000  # cents a month
PRICE = 300  # one hour on each unit: 30 % of the budget


@pytest.mark.slow
def test_ten_parallel_sponsored_bookings_never_overspend(app, app_ctx, database):
    host = make_user()
    space = make_space(host, units=0, publish=False)
    units = [make_unit(host, space, capacity=3, prices={"hour": PRICE}) for _ in range(UNITS)]
    set_hours(host, space)
    with transaction():
        listings.publish_space(host, space)
    hr, member = make_user(), make_user()
    employer = make_organisation(hr, "Touraine Logistique", kind="employer")
    with transaction():
        organisation = db.session.merge(employer)
        organisations.add_member(db.session.merge(hr), organisation, member.email, "member")
        form = SponsorshipForm(formdata=None, meta={"csrf": False})
        form.monthly_budget_per_member.data = BUDGET
        employers.set_sponsorship(organisation, form)
    token = api_token(member)
    slot = {"start": "2027-03-01T09:00", "end": "2027-03-01T10:00", "seats": 1}
    jobs = [
        (token, {**slot, "unit_id": unit.id, "sponsor_organisation_id": employer.id})
        for unit in units
    ]
    env = {"DATABASE_URL": database.url, "RATELIMIT_ENABLED": "0", "REDIS_URL": None}

    with gunicorn(env, workers=2, threads=8) as url:
        context = multiprocessing.get_context("spawn")
        at = time.time() + 2.0
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as clients:
            halves = [jobs[: UNITS // 2], jobs[UNITS // 2 :]]
            results = [clients.submit(book_at_once, url, half, at) for half in halves]
            statuses = [status for result in results for status in result.result(timeout=120)]

    assert len(statuses) == UNITS
    assert statuses.count(201) == 3, statuses
    assert statuses.count(409) == UNITS - 3, statuses
    db.session.rollback()
    paid = db.session.scalars(
        sa.select(Booking.price_amount).where(
            Booking.sponsor_organisation_id == employer.id, Booking.status == "confirmed"
        )
    ).all()
    assert len(paid) == 3 and sum(paid) <= BUDGET
