"""Booking by the month or for a period through the pages: the space page's link, the term page
(dates, quote, booking, refusals), bookings shown as days, and the unit form's term settings."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from spaces.db import utcnow
from tests.factories import log_in, make_bookable, make_user, post_form

PARIS = ZoneInfo("Europe/Paris")
ENGLISH = {"Accept-Language": "en"}


def _next_month() -> date:
    today = utcnow().astimezone(PARIS).date()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


@pytest.fixture
def place(app_ctx):
    host = make_user("host@example.org")
    space, (desks, hourly) = make_bookable(
        host,
        {"name": "Open space", "capacity": 3, "prices": {"day": 2200, "month": 19000}},
        {"name": "Salle", "kind": "meeting_room", "capacity": 6, "prices": {"hour": 2000}},
    )
    make_user("camille@example.org", name="Camille Martin")
    return space.id, desks.id, hourly.id


def _book(client, unit_id, first, last, seats="1"):
    url = f"/units/{unit_id}/book-term"
    data = {"unit_id": unit_id, "start_date": str(first), "end_date": str(last), "seats": seats}
    return post_form(client, url, data, headers=ENGLISH)


def test_the_space_page_offers_terms_only_on_units_with_a_month_price(client, place):
    space_id, desks, hourly = place
    html = client.get(f"/spaces/{space_id}", headers=ENGLISH).get_data(as_text=True)
    assert f"/units/{desks}/book-term" in html
    assert f"/units/{hourly}/book-term" not in html
    assert client.get(f"/units/{hourly}/book-term").status_code == 404


def test_the_term_page_quotes_the_chosen_days(client, place):
    _space, desks, _hourly = place
    first = _next_month()
    html = client.get(
        f"/units/{desks}/book-term?start_date={first}&end_date={first + timedelta(days=39)}&seats=1",
        headers=ENGLISH,
    ).get_data(as_text=True)
    assert 'data-state="ok"' in html and "€380.00" in html
    # A first visit proposes 30 days from tomorrow, already priced.
    html = client.get(f"/units/{desks}/book-term", headers=ENGLISH).get_data(as_text=True)
    assert 'data-state="ok"' in html and "€190.00" in html
    refused = client.get(
        f"/units/{desks}/book-term?start_date={first}&end_date={first - timedelta(days=2)}",
        headers=ENGLISH,
    ).get_data(as_text=True)
    assert 'data-state="refused"' in refused


def test_book_a_month_and_see_it_as_days(client, place):
    _space, desks, _hourly = place
    log_in(client, "camille@example.org")
    first = _next_month()
    response = _book(client, desks, first, first + timedelta(days=29))
    assert response.status_code == 302, response.get_data(as_text=True)
    detail = client.get(response.headers["Location"], headers=ENGLISH).get_data(as_text=True)
    month = first.strftime("%B")
    assert f"from 1 to 30 {month} {first.year}" in detail or f"from 1 {month}" in detail
    assert "00:00" not in detail
    mine = client.get("/bookings", headers=ENGLISH).get_data(as_text=True)
    assert 'data-testid="term-days"' in mine


def test_refusals_are_shown_next_to_the_days_and_book_nothing(client, place):
    _space, desks, _hourly = place
    log_in(client, "camille@example.org")
    first = _next_month()
    reversed_ = _book(client, desks, first, first - timedelta(days=1))
    assert reversed_.status_code == 422
    assert "end_date-error" in reversed_.get_data(as_text=True)
    missing = _book(client, desks, first, "")
    assert missing.status_code == 422
    assert "end_date-error" in missing.get_data(as_text=True)
    too_many = _book(client, desks, first, first + timedelta(days=29), seats="4")
    assert too_many.status_code == 422
    for _ in range(3):
        assert _book(client, desks, first, first + timedelta(days=9)).status_code == 302
    full = _book(client, desks, first + timedelta(days=9), first + timedelta(days=20))
    assert full.status_code == 409
    assert 'data-testid="form-errors"' in full.get_data(as_text=True)


def test_visitors_log_in_to_confirm_and_keep_their_days(client, place):
    _space, desks, _hourly = place
    first = _next_month()
    response = _book(client, desks, first, first + timedelta(days=29))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert f"start_date%3D{first}" in response.headers["Location"]


def test_the_unit_form_sets_the_term_settings(client, place):
    space_id, desks, _hourly = place
    log_in(client, "host@example.org")
    url = f"/spaces/{space_id}/units/{desks}/edit"
    html = client.get(url, headers=ENGLISH).get_data(as_text=True)
    assert 'name="min_term_days"' in html and 'name="request_expiry_hours"' in html
    data = {
        "name": "Open space",
        "kind": "desk_pool",
        "capacity": "3",
        "prices-day": "22",
        "prices-month": "190",
        "booking_mode": "instant",
        "min_term_days": "30",
        "max_term_days": "365",
        "request_expiry_hours": "72",
    }
    assert post_form(client, url, data).status_code == 302
    api = client.get(f"/api/v1/units/{desks}").get_json()
    assert (api["min_term_days"], api["max_term_days"], api["request_expiry_hours"]) == (
        30,
        365,
        72,
    )
    bad = post_form(client, url, {**data, "min_term_days": "400"})
    assert bad.status_code == 422


def test_the_search_page_finds_units_for_a_period(client, place):
    _space, desks, hourly = place
    first = _next_month()
    last = first + timedelta(days=39)
    response = client.get(
        f"/search?near=Tours&date={first}&period=term&until={last}", headers=ENGLISH
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"/units/{desks}/book-term?start_date={first}&amp;end_date={last}" in html
    assert f"/units/{hourly}/book" not in html  # no month price: not offered for a period
    assert "€380.00" in html
    assert 'value="term" selected' in html and f'value="{last}"' in html
    # The API's own query string shows the same search in the form.
    again = client.get(f"/search?near=Tours&start_date={first}&end_date={last}").get_data(
        as_text=True
    )
    assert 'value="term" selected' in again
    bad = client.get(
        f"/search?near=Tours&date={first}&period=term&until={first - timedelta(days=1)}"
    )
    assert bad.status_code == 422
