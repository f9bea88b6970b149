"""Booking services against the database: request expiry, with a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spaces.bookings import deciding, requesting
from spaces.db import transaction
from spaces.errors import Conflict
from tests.factories import make_bookable, make_user

T0 = datetime(2027, 2, 22, 9, 0, tzinfo=UTC)  # a Monday, a week before the bookings
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday 9:00 in Paris
END = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def room(app_ctx):
    host = make_user()
    _space, (unit,) = make_bookable(
        host,
        {
            "kind": "meeting_room",
            "capacity": 6,
            "booking_mode": "request",
            "prices": {"hour": 2000},
        },
    )
    return host, unit


def _request(user, unit, now):
    with transaction():
        return requesting.request_booking(user, unit.id, START, END, 1, now=now).first


def test_a_request_holds_its_seats_for_48_hours_then_expires_by_itself(room):
    host, unit = room
    first = _request(make_user(), unit, T0)
    assert first.expires_at == T0 + timedelta(hours=48)
    with pytest.raises(Conflict):
        _request(make_user(), unit, T0 + timedelta(hours=47))
    # No job has run: the engine itself ignores the expired request.
    second = _request(make_user(), unit, T0 + timedelta(hours=48, minutes=1))
    assert second.status == "requested"
    assert first.effective_status(T0 + timedelta(hours=49)) == "expired"
    with pytest.raises(Conflict) as caught, transaction():
        deciding.approve_booking(host, first, now=T0 + timedelta(hours=49))
    assert caught.value.code == "invalid_state"


def test_a_request_expires_at_its_start_when_that_is_sooner(room):
    _host, unit = room
    now = START - timedelta(hours=5)
    booking = _request(make_user(), unit, now)
    assert booking.expires_at == START


def test_the_job_records_expiry_and_tells_the_booker(room, outbox):
    _host, unit = room
    booker = make_user("camille@example.org")
    booking = _request(booker, unit, T0)
    with transaction():
        assert deciding.record_expired_requests(T0 + timedelta(hours=1)) == []
    with transaction():
        expired = deciding.record_expired_requests(T0 + timedelta(hours=49))
    assert [b.id for b in expired] == [booking.id]
    assert booking.status == "expired" and booking.sequence == 1
    assert "expir" in outbox.last("camille@example.org")["Subject"].lower()


def test_cli_expire(runner, room):
    result = runner.invoke(args=["bookings", "expire"])
    assert result.exit_code == 0 and "0 request(s) expired" in result.output
