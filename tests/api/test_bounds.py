"""Absurd windows and dates are refused with a 422 before any work; anonymous search is limited."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from spaces.db import transaction, utcnow
from spaces.extensions import db
from spaces.listings.models import Unit
from tests.conftest import app_config
from tests.factories import log_in, post_form


def _timed(call):
    began = time.perf_counter()
    response = call()
    return response, time.perf_counter() - began


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2027-01-04T09:00", "2037-01-04T10:00", "end"),  # ten years
        ("2027-01-04T09:00", "9999-12-31T23:59", "end"),
        ("9999-12-31T09:00", "9999-12-31T10:00", "start"),
        ("0001-01-01T00:00+01:00", "2027-01-04T10:00", "start"),
        ("2027-01-04T09:00", "9999-12-31T23:59:59-12:00", "end"),
    ],
)
def test_absurd_windows_are_422_at_once_everywhere(client, world, start, end, field):
    calls = {
        "search": lambda: client.get("/api/v1/search", query_string={"start": start, "end": end}),
        "search page": lambda: client.get("/search", query_string={"start": start, "end": end}),
        "availability": lambda: client.get(
            f"/api/v1/units/{world['pool']}/availability",
            query_string={"start": start, "end": end},
        ),
        "booking": lambda: client.post(
            "/api/v1/bookings",
            json={"unit_id": world["pool"], "start": start, "end": end},
            headers=world["b"],
        ),
        "closure": lambda: client.post(
            f"/api/v1/units/{world['pool']}/closures",
            json={"start": start, "end": end, "reason": "Travaux"},
            headers=world["h"],
        ),
    }
    if end.startswith("2037"):
        del calls["closure"]  # a long closure is legitimate; only impossible dates are refused
    for name, call in calls.items():
        response, seconds = _timed(call)
        assert seconds < 2, (name, seconds)
        if name == "search page":  # the form again, with the field's message
            assert response.status_code == 422 and 'class="field-error"' in response.get_data(True)
            continue
        assert response.status_code == 422, (name, response.get_json())
        assert response.get_json()["error"]["fields"], name
    # Nothing was written, and every page of the space still answers.
    assert client.get(f"/spaces/{world['space'].id}").status_code == 200
    assert client.get("/api/v1/bookings?mine=1", headers=world["b"]).get_json()["total"] == 0


def test_a_series_to_year_9999_is_refused_before_walking_its_days(client, world):
    start = (utcnow() + timedelta(days=7)).date()
    while start.weekday() != 1:
        start += timedelta(days=1)
    payload = {
        "unit_id": world["pool"],
        "start": f"{start}T09:00",
        "end": f"{start}T12:00",
        "repeat": {"weekdays": [1, 3], "until": "9999-12-31"},
    }
    response, seconds = _timed(
        lambda: client.post("/api/v1/bookings", json=payload, headers=world["b"])
    )
    assert seconds < 1, seconds
    assert response.status_code == 422
    assert "repeat.until" in response.get_json()["error"]["fields"]


def test_rule_messages_speak_days_and_hours(client, world):
    with transaction():
        unit = db.session.get(Unit, world["pool"])
        unit.min_minutes, unit.max_minutes, unit.notice_minutes = 120, 180, 7 * 24 * 60
    soon = (utcnow() + timedelta(days=2)).date()
    while soon.weekday() > 4:
        soon += timedelta(days=1)
    later = soon + timedelta(days=14)
    french = {"Accept-Language": "fr", **world["b"]}

    def message(start, end):
        response = client.post(
            "/api/v1/bookings",
            json={"unit_id": world["pool"], "start": start, "end": end},
            headers=french,
        )
        assert response.status_code == 422
        return response.get_json()["error"]["message"]

    assert "7 jours" in message(f"{soon}T09:00", f"{soon}T11:00")
    assert "2 heures" in message(f"{later}T09:00", f"{later}T10:00")
    assert "3 heures" in message(f"{later}T09:00", f"{later}T13:00")
    for text in (message(f"{soon}T09:00", f"{soon}T11:00"), message(f"{later}T09:00", "x")):
        assert "minutes" not in text


def test_a_booking_of_a_withdrawn_unit_cannot_be_moved(client, world):
    day = (utcnow() + timedelta(days=3)).date()
    while day.weekday() > 4:
        day += timedelta(days=1)
    booked = client.post(
        "/api/v1/bookings",
        json={"unit_id": world["pool"], "start": f"{day}T09:00", "end": f"{day}T10:00"},
        headers=world["b"],
    ).get_json()
    assert client.delete(f"/api/v1/units/{world['pool']}", headers=world["h"]).status_code == 204
    moved = client.patch(
        f"/api/v1/bookings/{booked['id']}",
        json={"start": f"{day}T11:00", "end": f"{day}T12:00"},
        headers=world["b"],
    )
    assert moved.status_code == 409, moved.get_json()
    again = client.get(f"/api/v1/bookings/{booked['id']}", headers=world["b"]).get_json()
    assert again["start"] == booked["start"]


def test_anonymous_search_is_rate_limited_across_page_and_api(database, instance_dir, world):
    from spaces import create_app
    from tests.conftest import IsolatedClient

    limited = create_app(
        app_config(
            database.url,
            instance_dir,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI="memory://",
            SEARCH_RATE_LIMIT="3 per minute",
        )
    )
    limited.test_client_class = IsolatedClient
    visitor, member = limited.test_client(), limited.test_client()
    assert visitor.get("/api/v1/search?near=Tours").status_code == 200
    assert visitor.get("/search?near=Tours").status_code == 200
    assert visitor.get("/api/v1/search?near=Tours").status_code == 200
    refused = visitor.get("/api/v1/search?near=Tours")
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert visitor.get("/search?near=Tours").status_code == 429
    # Signed-in people (a token or a session) are not limited.
    for _ in range(5):
        assert visitor.get("/api/v1/search?near=Tours", headers=world["b"]).status_code == 200
    log_in(member, "camille@example.org")
    for _ in range(5):
        assert member.get("/search?near=Tours").status_code == 200


HUGE = "9" * 400  # an integer no float holds (WTForms' range check calls math.isnan on it)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacity", HUGE),
        ("prices-hour", HUGE),
        ("min_minutes", HUGE),
        ("request_expiry_hours", HUGE),
        ("prices-day", "1e309"),  # typed euros: a Decimal that int() and comparisons choke on
        ("prices-day", "Infinity"),
        ("prices-day", "sNaN"),
        ("prices-hour", "-1e400"),
    ],
)
def test_a_number_too_large_for_a_float_is_a_field_error_on_the_page(client, world, field, value):
    space, unit = world["space"].id, world["pool"]
    log_in(client, world["host"].email)
    page = f"/spaces/{space}/units/{unit}/edit"
    data = {
        "name": "Open space",
        "kind": "desk_pool",
        "capacity": "10",
        "prices-hour": "4,50",
        "booking_mode": "instant",
        field: value,
    }
    before = db.session.get(Unit, unit).name
    response = post_form(client, page, data)
    assert response.status_code == 422, response.status_code
    assert 'aria-invalid="true"' in response.get_data(as_text=True)  # the form, with the error
    db.session.expire_all()
    assert db.session.get(Unit, unit).name == before  # nothing saved


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("units", {"capacity": int(HUGE)}, "capacity"),
        ("units", {"prices": {"hour": int(HUGE)}}, "prices.hour"),
        ("units", {"min_minutes": -int(HUGE)}, "min_minutes"),
    ],
)
def test_a_number_too_large_for_a_float_is_a_422_over_the_api(client, world, path, body, field):
    unit = world["pool"]
    response = client.patch(f"/api/v1/{path}/{unit}", json=body, headers=world["h"])
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert field in response.get_json()["error"]["fields"]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/search?seats={HUGE}",
        f"/api/v1/search?max_price={HUGE}",
        f"/api/v1/search?max_price=-{HUGE}",
        f"/api/v1/search?lat={HUGE}&lon=0.6&radius_km=5",
        f"/api/v1/search?lat=47.3&lon=0.6&radius_km={HUGE}",
        "/api/v1/search?lat=nan&lon=0.6",
        "/api/v1/search?lat=47.3&lon=inf",
        f"/api/v1/search?start=2027-01-04T09:00&end=2027-01-04T11:00&seats={HUGE}",
        f"/api/v1/search?start_date=2027-01-04&end_date=2027-02-04&seats={HUGE}",
        f"/search?seats={HUGE}&start=2027-01-04T09:00&end=2027-01-04T11:00",
        f"/search?near=Tours&radius_km={HUGE}",
        f"/api/v1/search?page={HUGE}",
        f"/api/v1/calls?lat={HUGE}&lon=0",
        f"/api/v1/units/{HUGE}",
    ],
)
def test_absurd_numbers_in_a_query_are_refused_not_a_500(client, world, path):
    response = client.get(path, headers=world["h"])
    assert response.status_code in (200, 404, 422), (path[:80], response.status_code)
    if "seats" in path or "max_price" in path or "radius_km" in path or "lat=" in path:
        assert response.status_code == 422, path[:80]


@pytest.mark.parametrize(
    ("seats", "message"),
    [
        (0, "Book at least one seat."),
        (int(HUGE), "That is more seats than any place has."),
        (10**20, "That is more seats than any place has."),
    ],
)
def test_seats_out_of_range_get_one_message_that_fits(client, world, seats, message):
    assert _seats_errors(client, world, seats) == [message]


def _seats_errors(client, world, seats) -> list:
    """The messages a booking of ``seats`` gets for its seats (it must be a 422)."""
    response = client.post(
        "/api/v1/bookings",
        json={
            "unit_id": world["pool"],
            "start": "2027-03-01T09:00",
            "end": "2027-03-01T10:00",
            "seats": seats,
        },
        headers={**world["b"], "Accept-Language": "en"},
    )
    assert response.status_code == 422
    return response.get_json()["error"]["fields"]["seats"]


def test_a_nested_field_s_message_is_in_the_request_s_language(client, world):
    """The prices are a form inside the unit's: its messages come in French too, beside the
    API's own (they came in English)."""
    response = client.patch(
        f"/api/v1/units/{world['pool']}",
        json={"prices": {"hour": -5, "day": "douze"}},
        headers={**world["h"], "Accept-Language": "fr"},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "Certains champs ne sont pas valides."
    assert error["fields"]["prices.hour"] == ["Le nombre doit être compris entre 0 et 10000000."]
    assert error["fields"]["prices.day"] == ["Indiquez un montant en centimes (nombre entier)."]


def test_a_value_that_is_no_number_gets_that_message_alone(client, world):
    assert len(_seats_errors(client, world, 1.5)) == 1


def test_a_range_message_writes_numbers_as_the_language_does(client, world):
    french = client.get(
        "/api/v1/search?lat=47.3&lon=0.6&radius_km=0", headers={"Accept-Language": "fr"}
    )
    assert french.get_json()["error"]["fields"]["radius_km"] == [
        "Doit être compris entre 0,1 et 1\u202f000."  # a narrow no-break space, as Babel writes
    ]
