"""The quote answers exactly what the booking would, without booking (shared/API.md "Quotes")."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spaces.availability.hours import Window
from spaces.db import transaction, utcnow
from tests.factories import api_token, bearer, make_bookable, make_user

PARIS = ZoneInfo("Europe/Paris")


def _next_monday(weeks: int = 2) -> str:
    today = utcnow().astimezone(PARIS).date()
    return (today + timedelta(days=7 * weeks - today.weekday())).isoformat()


@pytest.fixture
def world(app_ctx):
    host = make_user("host@example.org")
    booker = make_user("booker@example.org")
    space, (pool, room, notice, short, hourly) = make_bookable(
        host,
        {"name": "Pool", "capacity": 3},
        {"name": "Room", "kind": "meeting_room", "capacity": 6, "prices": {"hour": 3000}},
        {"name": "Notice", "notice_minutes": 60 * 24 * 30},
        {"name": "Short", "min_minutes": 120, "max_minutes": 240},
        {"name": "Hourly only", "prices": {"hour": 500}, "max_minutes": None},
        windows=[Window(day, 9 * 60, 18 * 60) for day in range(5)],
    )
    from spaces.availability import services as availability

    monday = datetime.fromisoformat(_next_monday()).date()
    with transaction():
        availability.add_closure(
            host,
            space,
            datetime.combine(monday + timedelta(days=1), datetime.min.time(), PARIS),
            datetime.combine(monday + timedelta(days=2), datetime.min.time(), PARIS),
            "Travaux",
        )
    return {
        "pool": pool.id,
        "room": room.id,
        "notice": notice.id,
        "short": short.id,
        "hourly": hourly.id,
        "space": space.id,
        "host": host,
        "b": bearer(api_token(booker)),
        "monday": monday,
    }


def _quote(client, unit, start, end, seats=None):
    params = {"start": start, "end": end}
    if seats is not None:
        params["seats"] = seats
    response = client.get(f"/api/v1/units/{unit}/quote", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _book(client, world, unit, start, end, seats=None):
    payload = {"unit_id": unit, "start": start, "end": end}
    if seats is not None:
        payload["seats"] = seats
    return client.post("/api/v1/bookings", json=payload, headers=world["b"])


def _cases(world):
    mon = world["monday"].isoformat()
    tue = (world["monday"] + timedelta(days=1)).isoformat()
    sat = (world["monday"] + timedelta(days=5)).isoformat()
    past = (utcnow().astimezone(PARIS) - timedelta(days=2)).date().isoformat()
    far = (world["monday"] + timedelta(days=400)).isoformat()
    return {
        "open": (world["pool"], f"{mon}T09:00", f"{mon}T13:00", 2),
        "whole room": (world["room"], f"{mon}T10:00", f"{mon}T12:00", None),
        "too many seats": (world["pool"], f"{mon}T09:00", f"{mon}T13:00", 4),
        "room seats must be 1": (world["room"], f"{mon}T10:00", f"{mon}T12:00", 2),
        "outside hours": (world["pool"], f"{mon}T07:00", f"{mon}T10:00", None),
        "weekend": (world["pool"], f"{sat}T10:00", f"{sat}T12:00", None),
        "closure": (world["pool"], f"{tue}T10:00", f"{tue}T12:00", None),
        "notice": (world["notice"], f"{mon}T10:00", f"{mon}T12:00", None),
        "below the minimum": (world["short"], f"{mon}T10:00", f"{mon}T11:00", None),
        "above the maximum": (world["short"], f"{mon}T09:00", f"{mon}T17:00", None),
        "past": (world["pool"], f"{past}T10:00", f"{past}T12:00", None),
        "end before start": (world["pool"], f"{mon}T12:00", f"{mon}T10:00", None),
        "malformed": (world["pool"], "tomorrow", f"{mon}T10:00", None),
        "bare date": (world["pool"], mon, f"{mon}T10:00", None),
        "too long": (world["pool"], f"{mon}T09:00", f"{far}T10:00", None),
        "year 9999": (world["pool"], "9999-12-31T09:00", "9999-12-31T10:00", None),
        "year 1 with an offset": (world["pool"], "0001-01-01T00:00+01:00", f"{mon}T10:00", None),
        "full": (world["pool"], f"{mon}T14:00", f"{mon}T16:00", None),  # filled below
    }


def test_the_quote_is_the_bookings_outcome(client, world):
    mon = world["monday"].isoformat()
    assert _book(client, world, world["pool"], f"{mon}T13:00", f"{mon}T18:00", 3).status_code == 201
    seen_codes = set()
    for name, (unit, start, end, seats) in _cases(world).items():
        quote = _quote(client, unit, start, end, seats)
        again = _quote(client, unit, start, end, seats)
        assert again == quote, name  # quoting books nothing
        booking = _book(client, world, unit, start, end, seats)
        answer = booking.get_json()
        if quote["available"]:
            assert booking.status_code == 201, (name, quote, answer)
            assert quote["code"] is None and quote["price"]["amount"] == answer["price"]["amount"]
            assert quote["price"]["breakdown"] == answer["price"]["breakdown"]
            assert quote["free_seats"] >= (seats or 1)
        else:
            assert booking.status_code in (409, 422), (name, quote, answer)
            assert quote["code"] == answer["error"]["code"], (name, quote, answer)
            assert quote["message"] == answer["error"]["message"], (name, quote, answer)
            assert quote["price"] is None
        seen_codes.add(quote["code"])
    assert seen_codes == {None, "unavailable", "invalid"}


def test_free_seats_are_the_fewest_over_the_interval_and_zero_when_closed(client, world):
    mon = world["monday"].isoformat()
    assert _book(client, world, world["pool"], f"{mon}T10:00", f"{mon}T11:00", 2).status_code == 201
    assert _quote(client, world["pool"], f"{mon}T09:00", f"{mon}T12:00")["free_seats"] == 1
    assert _quote(client, world["pool"], f"{mon}T11:00", f"{mon}T12:00")["free_seats"] == 3
    full = _quote(client, world["pool"], f"{mon}T09:00", f"{mon}T12:00", 2)
    assert (full["available"], full["code"], full["free_seats"]) == (False, "unavailable", 1)
    closed = _quote(client, world["pool"], f"{mon}T07:00", f"{mon}T12:00")
    assert (closed["available"], closed["free_seats"]) == (False, 0)


def test_a_price_the_unit_cannot_give_is_the_bookings_no_rate(client, world):
    mon = world["monday"]
    start, end = f"{mon}T17:00", f"{mon + timedelta(days=1)}T09:00"
    # Hourly only and no 24-hour window: a night is closed, so the booking says unavailable.
    quote = _quote(client, world["hourly"], start, end)
    answer = _book(client, world, world["hourly"], start, end).get_json()
    assert quote["code"] == answer["error"]["code"] == "unavailable"


def test_absurd_windows_are_refused_at_once(client, world):
    began = time.perf_counter()
    quote = _quote(client, world["pool"], "2027-01-04T09:00", "2036-12-31T18:00")
    assert time.perf_counter() - began < 1.5
    assert (quote["available"], quote["code"]) == (False, "invalid")
    assert "end" in quote["fields"]


def test_an_unpublished_or_unknown_unit_has_no_quote(client, world):
    from spaces.listings import services as listings
    from spaces.listings.models import Space

    assert client.get("/api/v1/units/999999/quote").status_code == 404
    assert client.get("/api/v1/units/99999999999999999999/quote").status_code == 404
    with transaction():
        from spaces.extensions import db

        listings.archive_space(world["host"], db.session.get(Space, world["space"]))
    mon = world["monday"].isoformat()
    response = client.get(
        f"/api/v1/units/{world['pool']}/quote",
        query_string={"start": f"{mon}T09:00", "end": f"{mon}T10:00"},
    )
    assert response.status_code == 404
