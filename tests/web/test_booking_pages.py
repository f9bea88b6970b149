"""Booking pages through HTTP: book, my bookings, detail, cancel, host inbox, coming days."""

from __future__ import annotations

import pytest

from tests.factories import log_in, make_bookable, make_user, post_form


@pytest.fixture
def place(app_ctx):
    host = make_user("host@example.org")
    space, (pool, room) = make_bookable(
        host,
        {"name": "Open space", "capacity": 3},
        {
            "name": "Salle",
            "kind": "meeting_room",
            "capacity": 6,
            "booking_mode": "request",
            "prices": {"hour": 2000},
        },
    )
    make_user("camille@example.org")
    return space.id, pool.id, room.id


def test_book_then_see_then_cancel(client, place):
    space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    page = client.get(f"/units/{pool_id}/book?start=2027-03-01T09:00&end=2027-03-01T13:00&seats=2")
    assert page.status_code == 200 and 'value="2027-03-01T09:00"' in page.get_data(as_text=True)
    response = post_form(
        client,
        f"/units/{pool_id}/book",
        {"unit_id": pool_id, "start": "2027-03-01T09:00", "end": "2027-03-01T13:00", "seats": "2"},
        page=f"/units/{pool_id}/book",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    detail = client.get(response.headers["Location"])
    assert detail.status_code == 200, detail.get_data(as_text=True)[:3000]
    html = detail.get_data(as_text=True)
    assert 'data-status="confirmed"' in html and "30,00" in html
    mine = client.get("/bookings")
    assert mine.status_code == 200 and "Open space" in mine.get_data(as_text=True)
    booking_path = response.headers["Location"]
    cancelled = post_form(
        client, f"{booking_path}/cancel", {"scope": "one"}, page=booking_path, follow_redirects=True
    )
    assert 'data-status="cancelled"' in cancelled.get_data(as_text=True)


def test_refusals_are_shown_on_the_form(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    closed = post_form(
        client,
        f"/units/{pool_id}/book",
        {"unit_id": pool_id, "start": "2027-03-06T09:00", "end": "2027-03-06T10:00", "seats": "1"},
        page=f"/units/{pool_id}/book",
    )
    assert closed.status_code == 409
    bare = post_form(
        client,
        f"/units/{pool_id}/book",
        {"unit_id": pool_id, "start": "2027-03-01", "end": "2027-03-01T10:00", "seats": "1"},
        page=f"/units/{pool_id}/book",
    )
    assert bare.status_code == 422


def test_series_from_the_page(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    html = client.get(f"/units/{pool_id}/book").get_data(as_text=True)
    from tests.factories import csrf_from

    response = client.post(
        f"/units/{pool_id}/book",
        data={
            "csrf_token": csrf_from(html),
            "unit_id": pool_id,
            "start": "2027-03-02T09:00",
            "end": "2027-03-02T17:00",
            "seats": "1",
            "weekdays": ["1", "3"],
            "until": "2027-03-11",
        },
    )
    assert response.status_code == 302
    mine = client.get("/bookings").get_data(as_text=True)
    assert mine.count("Open space") == 4


ENGLISH = {"Accept-Language": "en"}


@pytest.mark.parametrize(
    ("weekdays", "until", "message"),
    [
        (["1", "9"], "2027-03-11", "A weekday is 0 (Monday) to 6 (Sunday)."),
        (["tuesday"], "2027-03-11", "Not a valid integer value."),
        (["1"], "", "Give the last date (YYYY-MM-DD)."),
        ([], "2027-03-11", "Choose at least one weekday."),
    ],
)
def test_a_bad_repeat_rule_on_the_page_is_shown_and_books_nothing(
    client, place, weekdays, until, message
):
    """The page's repeat rule goes through the API's RepeatForm: a weekday it refuses is an
    error on the page, not silently dropped (which booked a single day, or a shorter series)."""
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = post_form(
        client,
        f"/units/{pool_id}/book",
        {
            "unit_id": pool_id,
            "start": "2027-03-02T09:00",
            "end": "2027-03-02T17:00",
            "seats": "1",
            "weekdays": weekdays,
            "until": until,
        },
        page=f"/units/{pool_id}/book",
        headers=ENGLISH,
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "Open space" not in client.get("/bookings").get_data(as_text=True)


def test_an_unreadable_end_on_the_page_is_shown_next_to_the_end(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = post_form(
        client,
        f"/units/{pool_id}/book",
        {"unit_id": pool_id, "start": "2027-03-02T09:00", "end": "2027-03-02", "seats": "1"},
        page=f"/units/{pool_id}/book",
        headers=ENGLISH,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<small id="end-error" class="field-error">Give a time as well as the date' in html
    assert 'id="start-error"' not in html
    assert "Open space" not in client.get("/bookings").get_data(as_text=True)


def test_host_inbox_and_accept(client, app, place):
    _space_id, _pool_id, room_id = place
    log_in(client, "camille@example.org")
    post_form(
        client,
        f"/units/{room_id}/book",
        {"unit_id": room_id, "start": "2027-03-01T09:00", "end": "2027-03-01T11:00", "seats": "1"},
        page=f"/units/{room_id}/book",
    )
    host = app.test_client()
    log_in(host, "host@example.org")
    inbox = host.get("/host/bookings")
    assert inbox.status_code == 200 and 'data-status="requested"' in inbox.get_data(as_text=True)
    detail_path = "/bookings/1"
    accepted = post_form(
        host, f"{detail_path}/approve", {}, page=detail_path, follow_redirects=True
    )
    assert 'data-status="confirmed"' in accepted.get_data(as_text=True)


def test_coming_days_fragment_and_etag(client, place):
    space_id, pool_id, _room_id = place
    page = client.get(f"/spaces/{space_id}")
    assert page.status_code == 200 and f'data-live-unit="{pool_id}"' in page.get_data(as_text=True)
    fragment = client.get(f"/units/{pool_id}/coming-days")
    assert fragment.status_code == 200 and fragment.headers["ETag"]
    again = client.get(
        f"/units/{pool_id}/coming-days", headers={"If-None-Match": fragment.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("day", ["2027-03-01", "2027-07-05"])  # winter (UTC+1), summer (UTC+2)
def test_pages_show_the_spaces_wall_clock(client, place, day):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = post_form(
        client,
        f"/units/{pool_id}/book",
        {"unit_id": pool_id, "start": f"{day}T09:00", "end": f"{day}T13:00", "seats": "1"},
        page=f"/units/{pool_id}/book",
    )
    assert response.status_code == 302
    for path in (response.headers["Location"], "/bookings"):
        html = client.get(path).get_data(as_text=True)
        assert "09:00" in html and "13:00" in html, path
        assert "10:00" not in html and "11:00" not in html and "08:00" not in html, path
    host = client.application.test_client()
    log_in(host, "host@example.org")
    host_html = host.get("/host/bookings").get_data(as_text=True)
    assert "Open space" in host_html and "09:00" in host_html and "13:00" in host_html
    assert "10:00" not in host_html and "11:00" not in host_html
