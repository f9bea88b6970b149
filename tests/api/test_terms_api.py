"""Term bookings over the API (shared/API.md "Term bookings"): book, quote, search, extend,
shorten, cancel, feeds, and every refusal with its status and code."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from spaces.availability import services as availability
from spaces.availability.hours import Window
from spaces.db import transaction, utcnow
from tests.factories import api_token, bearer, make_bookable, make_user

PARIS = ZoneInfo("Europe/Paris")
MONTH, DAY = 19000, 2200


def _today() -> date:
    return utcnow().astimezone(PARIS).date()


def _first_of_next_month() -> date:
    today = _today()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.fixture
def terms(app_ctx):
    host = make_user("host@example.org", name="Léa Hôte")
    booker = make_user("booker@example.org", name="Camille Martin")
    space, (desks, hourly, office, request, long_only, notice) = make_bookable(
        host,
        {"name": "Postes", "capacity": 3, "prices": {"day": DAY, "month": MONTH}},
        {"name": "À l'heure", "prices": {"hour": 400, "day": 2500}},
        {"name": "Bureau", "kind": "office", "capacity": 2, "prices": {"month": 50000}},
        {"name": "Sur demande", "booking_mode": "request", "prices": {"month": MONTH}},
        {
            "name": "Au trimestre",
            "prices": {"month": MONTH},
            "min_term_days": 90,
            "max_term_days": 366,
        },
        {"name": "Préavis", "prices": {"month": MONTH}, "notice_minutes": 7 * 24 * 60},
        windows=[Window(day, 9 * 60, 18 * 60) for day in range(5)],
        name="La Cantine",
    )
    return {
        "space": space,
        "host": host,
        "desks": desks.id,
        "hourly": hourly.id,
        "office": office.id,
        "request": request.id,
        "long_only": long_only.id,
        "notice": notice.id,
        "h": bearer(api_token(host)),
        "b": bearer(api_token(booker)),
    }


def _book(client, world, unit, first, last, who="b", **extra):
    payload = {"unit_id": world[unit], "start_date": str(first), "end_date": str(last), **extra}
    return client.post("/api/v1/bookings", json=payload, headers=world[who])


def _quote(client, world, unit, first, last, seats=None):
    params = {"start_date": str(first), "end_date": str(last)}
    if seats:
        params["seats"] = seats
    response = client.get(f"/api/v1/units/{world[unit]}/quote", query_string=params)
    assert response.status_code == 200
    return response.get_json()


def test_a_month_by_the_api(client, terms):
    first = _first_of_next_month()
    last = first + timedelta(days=29)
    quote = _quote(client, terms, "desks", first, last)
    assert quote["available"] and quote["price"]["amount"] == MONTH
    response = _book(client, terms, "desks", first, last)
    assert response.status_code == 201, response.get_json()
    booking = response.get_json()
    assert booking["kind"] == "term" and booking["status"] == "confirmed"
    assert (booking["start_date"], booking["end_date"]) == (str(first), str(last))
    assert booking["start"].startswith(f"{first}T00:00:00+0")
    assert booking["end"].startswith(f"{last + timedelta(days=1)}T00:00:00+0")
    assert booking["price"] == {
        "amount": MONTH,
        "currency": "EUR",
        "breakdown": [{"rate": "month", "quantity": 1, "amount": MONTH}],
    }
    again = client.get(f"/api/v1/bookings/{booking['id']}", headers=terms["b"]).get_json()
    assert again["kind"] == "term" and again["end_date"] == str(last)


def test_forty_days_for_two_seats_cost_four_months(client, terms):
    first = _first_of_next_month()
    quote = _quote(client, terms, "desks", first, first + timedelta(days=39), seats=2)
    assert quote["price"]["amount"] == 4 * MONTH
    assert quote["price"]["breakdown"] == [{"rate": "month", "quantity": 4, "amount": 4 * MONTH}]


def test_slots_answer_kind_slot(client, terms):
    day = _today() + timedelta(days=14 - _today().weekday())  # a Monday
    response = client.post(
        "/api/v1/bookings",
        json={"unit_id": terms["hourly"], "start": f"{day}T10:00", "end": f"{day}T11:00"},
        headers=terms["b"],
    )
    assert response.status_code == 201
    assert response.get_json()["kind"] == "slot"
    assert response.get_json()["start_date"] is None


def test_the_dst_weeks_give_the_right_offsets(client, terms):
    year = _today().year + 1
    spring, autumn = _last_sunday(year, 3), _last_sunday(year, 10)
    booking = _book(client, terms, "desks", spring - timedelta(days=1), spring).get_json()
    assert booking["start"] == f"{spring - timedelta(days=1)}T00:00:00+01:00"
    assert booking["end"] == f"{spring + timedelta(days=1)}T00:00:00+02:00"
    booking = _book(client, terms, "desks", autumn - timedelta(days=1), autumn).get_json()
    assert booking["start"] == f"{autumn - timedelta(days=1)}T00:00:00+02:00"
    assert booking["end"] == f"{autumn + timedelta(days=1)}T00:00:00+01:00"
    # Two days across the spring change are 47 hours, priced as two days.
    assert booking["price"]["amount"] == 2 * DAY


def test_a_term_ignores_hours_closures_and_holidays_but_not_seats(client, terms):
    host = terms["host"]
    first = _first_of_next_month()
    with transaction():
        availability.add_closure(
            host,
            terms["space"],
            availability_instant(first + timedelta(days=3)),
            availability_instant(first + timedelta(days=6)),
            "Travaux",
        )
    for _ in range(3):
        assert _book(client, terms, "desks", first, first + timedelta(days=45)).status_code == 201
    # A closure added over the terms does not concern them (closed days are part of a term).
    closure = client.post(
        f"/api/v1/spaces/{terms['space'].id}/closures",
        json={
            "start": f"{first + timedelta(days=10)}T00:00",
            "end": f"{first + timedelta(days=12)}T00:00",
            "reason": "Inventaire",
            "cancel_bookings": True,
        },
        headers=terms["h"],
    )
    assert closure.status_code == 201, closure.get_json()
    assert closure.get_json()["affected_bookings"] == []
    mine = client.get("/api/v1/bookings?mine=1", headers=terms["b"]).get_json()["items"]
    assert {b["status"] for b in mine} == {"confirmed"}
    refused = _book(client, terms, "desks", first + timedelta(days=45), first + timedelta(days=60))
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "unavailable"
    # A slot on a day the terms fill is refused too.
    monday = first + timedelta(days=7 - first.weekday())
    slot = client.post(
        "/api/v1/bookings",
        json={"unit_id": terms["desks"], "start": f"{monday}T10:00", "end": f"{monday}T11:00"},
        headers=terms["b"],
    )
    assert slot.status_code == 409


def availability_instant(day: date):
    from datetime import datetime

    return datetime.combine(day, datetime.min.time(), PARIS)


def test_one_full_day_refuses_a_term(client, terms):
    monday = _today() + timedelta(days=21 - _today().weekday())
    for _ in range(3):
        slot = client.post(
            "/api/v1/bookings",
            json={"unit_id": terms["desks"], "start": f"{monday}T09:00", "end": f"{monday}T18:00"},
            headers=terms["h"],
        )
        assert slot.status_code == 201
    quote = _quote(client, terms, "desks", monday - timedelta(days=10), monday + timedelta(days=10))
    assert not quote["available"] and quote["code"] == "unavailable"
    assert quote["free_seats"] == 0
    response = _book(
        client, terms, "desks", monday - timedelta(days=10), monday + timedelta(days=10)
    )
    assert response.status_code == 409
    assert (
        _book(
            client, terms, "desks", monday + timedelta(days=1), monday + timedelta(days=9)
        ).status_code
        == 201
    )


def test_the_availability_window_refuses_a_term(client, terms):
    first = _first_of_next_month()
    patch = {"available_until": str(first + timedelta(days=20))}
    assert (
        client.patch(
            f"/api/v1/spaces/{terms['space'].id}", json=patch, headers=terms["h"]
        ).status_code
        == 200
    )
    assert _book(client, terms, "desks", first, first + timedelta(days=20)).status_code == 201
    refused = _book(client, terms, "desks", first, first + timedelta(days=21))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "unavailable"


@pytest.mark.parametrize(
    ("case", "status", "code", "field"),
    [
        ("no month price", 422, "term_not_offered", "start_date"),
        ("end before start", 422, "invalid", "end_date"),
        ("below the minimum", 422, "invalid", "end_date"),
        ("above the maximum", 422, "invalid", "end_date"),
        ("notice", 422, "invalid", "start_date"),
        ("past", 422, "invalid", "start_date"),
        ("too many seats", 422, "invalid", "seats"),
        ("office seats", 422, "invalid", "seats"),
        ("both kinds", 422, "invalid", "start"),
        ("only a first day", 422, "invalid", "end_date"),
        ("not a date", 422, "invalid", "start_date"),
        ("year 9999", 422, "invalid", "end_date"),
        ("with repeat", 422, "invalid", "repeat"),
        ("over four years", 422, "invalid", "end_date"),
    ],
)
def test_refusals(client, terms, case, status, code, field):
    first = _first_of_next_month()
    month = (first, first + timedelta(days=29))
    payloads = {
        "no month price": ("hourly", *month, {}),
        "end before start": ("desks", first, first - timedelta(days=1), {}),
        "below the minimum": ("long_only", *month, {}),
        "above the maximum": ("long_only", first, first + timedelta(days=400), {}),
        "notice": ("notice", _today() + timedelta(days=2), _today() + timedelta(days=40), {}),
        "past": ("desks", _today() - timedelta(days=1), _today() + timedelta(days=30), {}),
        "too many seats": ("desks", *month, {"seats": 4}),
        "office seats": ("office", *month, {"seats": 2}),
        "both kinds": ("desks", *month, {"start": f"{first}T09:00", "end": f"{first}T10:00"}),
        "only a first day": ("desks", first, None, {}),
        "not a date": ("desks", "demain", first, {}),
        "year 9999": ("desks", "9999-12-30", "9999-12-31", {}),
        "with repeat": ("desks", *month, {"repeat": {"weekdays": [0], "until": str(first)}}),
        "over four years": ("desks", first, first + timedelta(days=1461), {}),
    }
    unit, start_date, end_date, extra = payloads[case]
    payload = {"unit_id": terms[unit], "start_date": str(start_date), **extra}
    if end_date is not None:
        payload["end_date"] = str(end_date)
    response = client.post("/api/v1/bookings", json=payload, headers=terms["b"])
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and field in error.get("fields", {}), error
    # The quote says the same, without booking.
    if case not in ("both kinds", "with repeat", "only a first day"):
        params = {"start_date": str(start_date), "end_date": str(end_date)}
        if "seats" in extra:
            params["seats"] = extra["seats"]
        quote = client.get(f"/api/v1/units/{terms[unit]}/quote", query_string=params).get_json()
        assert not quote["available"] and quote["code"] == code, quote
    listed = client.get("/api/v1/bookings?mine=1", headers=terms["b"]).get_json()
    assert listed["total"] == 0


def test_a_request_unit_takes_term_requests_expiring_after_its_delay(client, terms):
    assert (
        client.patch(
            f"/api/v1/units/{terms['request']}",
            json={"request_expiry_hours": 96},
            headers=terms["h"],
        ).status_code
        == 200
    )
    first = _first_of_next_month() + timedelta(days=31)
    booking = _book(client, terms, "request", first, first + timedelta(days=59)).get_json()
    assert booking["status"] == "requested"
    approved = client.post(f"/api/v1/bookings/{booking['id']}/approve", headers=terms["h"])
    assert approved.status_code == 200 and approved.get_json()["status"] == "confirmed"


def test_extend_and_shorten_a_term(client, terms):
    first = _first_of_next_month()
    booking = _book(client, terms, "desks", first, first + timedelta(days=29)).get_json()
    url = f"/api/v1/bookings/{booking['id']}"
    longer = client.patch(
        url, json={"end_date": str(first + timedelta(days=59))}, headers=terms["b"]
    )
    assert longer.status_code == 200, longer.get_json()
    assert longer.get_json()["end_date"] == str(first + timedelta(days=59))
    assert longer.get_json()["price"]["amount"] == 2 * MONTH
    assert longer.get_json()["sequence"] == 1
    shorter = client.patch(
        url, json={"start_date": str(first + timedelta(days=50))}, headers=terms["b"]
    )
    assert shorter.status_code == 200
    assert shorter.get_json()["start_date"] == str(first + timedelta(days=50))
    # Ten days at 22 € cost more than a month: the month it is.
    assert shorter.get_json()["price"]["breakdown"] == [
        {"rate": "month", "quantity": 1, "amount": MONTH}
    ]
    # Extending into full days is refused and changes nothing.
    for _ in range(3):
        _book(client, terms, "desks", first + timedelta(days=60), first + timedelta(days=70))
    refused = client.patch(
        url, json={"end_date": str(first + timedelta(days=65))}, headers=terms["b"]
    )
    assert refused.status_code == 409
    assert client.get(url, headers=terms["b"]).get_json()["end_date"] == str(
        first + timedelta(days=59)
    )
    bad = client.patch(url, json={"end": f"{first}T10:00"}, headers=terms["b"])
    assert bad.status_code == 422
    reversed_ = client.patch(url, json={"end_date": str(first)}, headers=terms["b"])
    assert reversed_.status_code == 422


def test_a_slot_cannot_be_moved_by_days(client, terms):
    day = _today() + timedelta(days=14 - _today().weekday())
    slot = client.post(
        "/api/v1/bookings",
        json={"unit_id": terms["hourly"], "start": f"{day}T10:00", "end": f"{day}T11:00"},
        headers=terms["b"],
    ).get_json()
    response = client.patch(
        f"/api/v1/bookings/{slot['id']}", json={"end_date": str(day)}, headers=terms["b"]
    )
    assert response.status_code == 422


def test_cancel_follows_the_units_limit(client, terms):
    first = _first_of_next_month() + timedelta(days=31)
    booking = _book(client, terms, "desks", first, first + timedelta(days=29)).get_json()
    cancelled = client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=terms["b"])
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    # The seats are free again.
    for _ in range(3):
        assert _book(client, terms, "desks", first, first + timedelta(days=29)).status_code == 201
    late = _book(
        client, terms, "notice", _today() + timedelta(days=8), _today() + timedelta(days=40)
    )
    assert late.status_code == 201
    assert (
        client.patch(
            f"/api/v1/units/{terms['notice']}",
            json={"cancel_until_minutes": 30 * 24 * 60},
            headers=terms["h"],
        ).status_code
        == 200
    )
    too_late = client.post(f"/api/v1/bookings/{late.get_json()['id']}/cancel", headers=terms["b"])
    assert too_late.status_code == 409
    assert too_late.get_json()["error"]["code"] == "invalid_state"


def test_search_keeps_units_that_would_take_the_term(client, terms):
    first = _today() + timedelta(days=14)
    last = first + timedelta(days=39)
    response = client.get(
        "/api/v1/search",
        query_string={"near": "Tours", "start_date": str(first), "end_date": str(last)},
    )
    assert response.status_code == 200, response.get_json()
    found = {item["unit"]["id"]: item for item in response.get_json()["items"]}
    # No month price, minimum 90 days, a week's notice is fine: the rest take it.
    assert set(found) == {terms["desks"], terms["office"], terms["request"], terms["notice"]}
    assert found[terms["desks"]]["price"]["amount"] == 2 * MONTH
    assert found[terms["desks"]]["free_seats"] == 3
    for _ in range(3):
        _book(client, terms, "desks", last, last + timedelta(days=3))
    again = client.get(
        "/api/v1/search",
        query_string={"near": "Tours", "start_date": str(first), "end_date": str(last)},
    ).get_json()
    assert terms["desks"] not in {item["unit"]["id"] for item in again["items"]}
    for bad in (
        {"start_date": str(first)},
        {"start_date": str(last), "end_date": str(first)},
        {"start_date": "x", "end_date": str(first)},
        {"start_date": str(first), "end_date": str(last), "start": f"{first}T09:00"},
    ):
        assert client.get("/api/v1/search", query_string=bad).status_code == 422, bad


def test_term_settings_on_units(client, terms):
    unit = client.get(f"/api/v1/units/{terms['desks']}").get_json()
    assert (unit["min_term_days"], unit["max_term_days"], unit["request_expiry_hours"]) == (
        1,
        1461,
        48,
    )
    url = f"/api/v1/units/{terms['desks']}"
    changed = client.patch(
        url,
        json={"min_term_days": 30, "max_term_days": 365, "request_expiry_hours": 2160},
        headers=terms["h"],
    )
    assert changed.status_code == 200
    assert changed.get_json()["min_term_days"] == 30
    for bad in (
        {"min_term_days": 0},
        {"max_term_days": 1462},
        {"request_expiry_hours": 0},
        {"request_expiry_hours": 2161},
        {"min_term_days": 400},  # above the maximum of 365
        {"min_term_days": "a"},
    ):
        response = client.patch(url, json=bad, headers=terms["h"])
        assert response.status_code == 422, bad
    assert client.get(url).get_json()["min_term_days"] == 30
    created = client.post(
        f"/api/v1/spaces/{terms['space'].id}/units",
        json={
            "name": "Bureaux",
            "kind": "office",
            "capacity": 4,
            "prices": {"month": 60000},
            "min_term_days": 60,
            "request_expiry_hours": 24,
        },
        headers=terms["h"],
    )
    assert created.status_code == 201
    assert created.get_json()["min_term_days"] == 60
    assert created.get_json()["request_expiry_hours"] == 24


def test_feeds_show_a_term_as_one_all_day_event(client, terms):
    first = _first_of_next_month()
    booking = _book(client, terms, "desks", first, first + timedelta(days=30)).get_json()
    token = client.post(
        "/api/v1/calendar-tokens", json={"scope": "me"}, headers=terms["b"]
    ).get_json()
    feed = client.get(f"/calendars/{token['token']}.ics")
    assert feed.status_code == 200
    text = feed.get_data(as_text=True)
    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}" in text
    assert f"DTEND;VALUE=DATE:{first + timedelta(days=31):%Y%m%d}" in text
    events = list(Calendar.from_ical(feed.data).walk("VEVENT"))
    assert len(events) == 1 and events[0]["UID"].startswith(f"booking-{booking['id']}@")
    host_feed = client.post(
        "/api/v1/calendar-tokens", json={"scope": "unit", "id": terms["desks"]}, headers=terms["h"]
    ).get_json()
    text = client.get(f"/calendars/{host_feed['token']}.ics").get_data(as_text=True)
    assert f"DTSTART;VALUE=DATE:{first:%Y%m%d}" in text and "Camille Martin" in text


def test_a_term_begun_long_before_a_window_still_takes_its_seats(client, terms):
    """The loader finds bookings by start from 92 days before a window (a slot is never
    longer) and older terms by their end: a year's term keeps its seats eight months in."""
    first = _first_of_next_month()
    for _ in range(3):
        booked = _book(client, terms, "desks", first, first + timedelta(days=364))
        assert booked.status_code == 201, booked.get_json()
    later = first + timedelta(days=240)
    monday = later + timedelta(days=7 - later.weekday())
    slot = {"unit_id": terms["desks"], "start": f"{monday}T10:00", "end": f"{monday}T11:00"}
    refused = client.post("/api/v1/bookings", json=slot, headers=terms["b"])
    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["error"]["code"] == "unavailable"
    week = client.get(
        f"/api/v1/units/{terms['desks']}/availability",
        query_string={"start": f"{monday}T00:00", "end": f"{monday + timedelta(days=1)}T00:00"},
    ).get_json()["items"]
    assert week and all(segment["free"] == 0 for segment in week), week
    search = client.get(
        "/api/v1/search",
        query_string={"near": "Tours", "start": f"{monday}T10:00", "end": f"{monday}T11:00"},
    ).get_json()
    assert terms["desks"] not in {item["unit"]["id"] for item in search["items"]}
    assert terms["hourly"] in {item["unit"]["id"] for item in search["items"]}
