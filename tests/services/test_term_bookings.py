"""Term bookings against the database: whole days, whatever the opening hours; seats still count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from spaces.availability import services as availability
from spaces.bookings import requesting, terms
from spaces.bookings.models import Booking
from spaces.db import transaction
from spaces.errors import Conflict, Invalid
from spaces.extensions import db
from tests.factories import make_bookable, make_user

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # a Friday
DESKS = {"name": "Postes", "capacity": 3, "prices": {"day": 2200, "month": 19000}}


@pytest.fixture
def desks(app_ctx):
    host = make_user()
    _space, (unit,) = make_bookable(host, DESKS)
    return host, unit


def _term(user, unit, first, last, seats=1, **kw):
    with transaction():
        return terms.request_term(user, unit.id, first, last, seats, now=NOW, **kw).first


def test_a_month_of_december_holds_whole_days_and_costs_a_month(desks):
    _host, unit = desks
    booking = _term(make_user(), unit, date(2026, 12, 1), date(2026, 12, 30))
    assert booking.kind == "term" and booking.status == "confirmed"
    # Paris is at +01:00 in December: local midnights.
    assert booking.start_at == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert booking.end_at == datetime(2026, 12, 30, 23, 0, tzinfo=UTC)
    assert booking.price_amount == 19000
    assert booking.breakdown == [{"rate": "month", "quantity": 1, "amount": 19000}]


def test_forty_days_cost_two_months_not_a_month_and_ten_days(desks):
    _host, unit = desks
    booking = _term(make_user(), unit, date(2026, 12, 1), date(2027, 1, 9), seats=2)
    assert booking.price_amount == 2 * 38000
    assert booking.breakdown == [{"rate": "month", "quantity": 4, "amount": 76000}]


def test_terms_share_the_seats_and_the_fourth_is_refused_without_a_write(desks):
    _host, unit = desks
    for _ in range(3):
        _term(make_user(), unit, date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(Conflict) as caught:
        _term(make_user(), unit, date(2026, 12, 31), date(2027, 1, 31))
    assert caught.value.code == "unavailable"
    assert db.session.query(Booking).count() == 3
    # The day after the terms is free again.
    _term(make_user(), unit, date(2027, 1, 1), date(2027, 1, 31))


def test_a_slot_booking_sees_a_terms_seats_taken(app_ctx):
    host = make_user()
    _space, (office,) = make_bookable(
        host, {"kind": "office", "capacity": 4, "prices": {"hour": 1000, "month": 50000}}
    )
    _term(make_user(), office, date(2026, 12, 1), date(2026, 12, 31))
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with pytest.raises(Conflict), transaction():
        requesting.request_booking(
            make_user(), office.id, start, start + timedelta(hours=2), now=NOW
        )


def test_closures_and_holidays_do_not_refuse_a_term(desks):
    host, unit = desks
    with transaction():
        availability.add_closure(
            host,
            unit.space,
            datetime(2026, 12, 24, 0, 0, tzinfo=UTC),
            datetime(2026, 12, 27, 0, 0, tzinfo=UTC),
            "Fêtes",
        )
    booking = _term(make_user(), unit, date(2026, 12, 20), date(2027, 1, 2))
    assert booking.status == "confirmed"


def test_a_unit_without_a_month_price_offers_no_term(app_ctx):
    host = make_user()
    _space, (unit,) = make_bookable(host, {"prices": {"day": 2500}})
    with pytest.raises(Invalid) as caught:
        _term(make_user(), unit, date(2026, 12, 1), date(2026, 12, 31))
    assert caught.value.code == "term_not_offered"


def test_a_request_term_expires_after_the_units_own_delay(app_ctx):
    host = make_user()
    _space, (unit,) = make_bookable(
        host, {**DESKS, "booking_mode": "request", "request_expiry_hours": 72}
    )
    booking = _term(make_user(), unit, date(2026, 12, 1), date(2026, 12, 31))
    assert booking.status == "requested"
    assert booking.expires_at == NOW + timedelta(hours=72)


def test_force_confirmed_books_for_someone_else(app_ctx):
    host = make_user()
    _space, (unit,) = make_bookable(host, {**DESKS, "booking_mode": "request"})
    applicant = make_user()
    booking = _term(
        host, unit, date(2026, 12, 1), date(2027, 5, 31), booker=applicant, force_confirmed=True
    )
    assert booking.status == "confirmed" and booking.user_id == applicant.id
    assert booking.expires_at is None


def test_a_slot_request_expires_after_the_units_own_delay(app_ctx):
    host = make_user()
    _space, (room,) = make_bookable(
        host,
        {
            "kind": "meeting_room",
            "capacity": 6,
            "booking_mode": "request",
            "prices": {"hour": 2000},
            "request_expiry_hours": 5,
        },
    )
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with transaction():
        booking = requesting.request_booking(
            make_user(), room.id, start, start + timedelta(hours=1), now=NOW
        ).first
    assert booking.expires_at == NOW + timedelta(hours=5)
