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


@pytest.mark.parametrize(
    ("first", "last", "french", "english"),
    [
        (
            date(2026, 12, 1),
            date(2026, 12, 31),
            "du 1 au 31 décembre 2026",
            "from 1 to 31 December 2026",
        ),
        (date(2027, 7, 1), date(2027, 7, 31), "du 1 au 31 juillet 2027", "from 1 to 31 July 2027"),
        (date(2027, 3, 15), date(2027, 4, 14), "du 15 mars au 14 avril 2027", None),
        (date(2026, 12, 15), date(2027, 1, 14), "du 15 décembre 2026 au 14 janvier 2027", None),
    ],
)
def test_mails_say_the_days_not_midnight_times(desks, outbox, first, last, french, english):
    _host, unit = desks
    booker = make_user("camille@example.org", locale="fr")
    _term(booker, unit, first, last)
    message = outbox.last("camille@example.org")
    body = outbox.body(message)
    assert french in body and "00:00" not in body, body
    (invite,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    ics = invite.get_content()
    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}" in ics
    assert f"DTEND;VALUE=DATE:{last + timedelta(days=1):%Y%m%d}" in ics
    if english:
        _term(make_user("alex@example.org", locale="en"), unit, first, last)
        assert english in outbox.body(outbox.last("alex@example.org"))


def test_a_request_term_starting_today_holds_its_seats_until_the_end_of_the_day(app_ctx):
    host = make_user()
    _space, (unit,) = make_bookable(host, {**DESKS, "booking_mode": "request"})
    booking = _term(make_user(), unit, date(2026, 11, 20), date(2026, 12, 19))
    assert booking.status == "requested"
    assert booking.expires_at == datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # Paris midnight
    assert booking.is_live(NOW)
