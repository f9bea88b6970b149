"""Booking pages through HTTP: the form (date and time pickers, quick choices, the quote, the
repeat section), a series' confirmation, my bookings (tabs, series, paging), cancelling after a
confirmation step, the host inbox, and the space page's week strip."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.factories import PASSWORD, log_in, make_bookable, make_user, post_form

PARIS = ZoneInfo("Europe/Paris")
ENGLISH = {"Accept-Language": "en"}


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


def slot(day: str, start: str = "09:00", end: str = "13:00", **more) -> dict:
    """The booking page's own fields: a date and two times (what the pickers send)."""
    return {"date": day, "start_time": start, "end_time": end, "seats": "1", **more}


def book(client, unit_id: int, data: dict, **kwargs):
    return post_form(
        client,
        f"/units/{unit_id}/book",
        {"unit_id": unit_id, **data},
        page=f"/units/{unit_id}/book",
        **kwargs,
    )


def html_of(response) -> str:
    return response.get_data(as_text=True)


def rows_of(html: str, testid: str) -> list[str]:
    """The ``data-date`` of the elements with this test id, in page order."""
    return re.findall(rf'data-testid="{testid}"[^>]*data-date="([\d-]+)"', html)


# --- the form ---------------------------------------------------------------------------------


def test_the_form_has_date_and_time_pickers_and_no_iso_text_field(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    html = html_of(client.get(f"/units/{pool_id}/book?date=2027-03-01&preset=morning"))
    assert re.search(r'<input[^>]*id="date"[^>]*type="date"[^>]*value="2027-03-01"', html)
    assert re.search(r'<input[^>]*id="start_time"[^>]*type="time"[^>]*value="09:00"', html)
    assert re.search(r'<input[^>]*id="end_time"[^>]*type="time"[^>]*value="13:00"', html)
    assert 'name="start"' not in html and 'name="end"' not in html
    assert "2027-03-01T" not in html  # no ISO date-time is shown or asked for


def test_book_with_the_pickers_then_see_it_then_cancel_after_confirming(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = book(client, pool_id, slot("2027-03-01", seats="2"))
    assert response.status_code == 302, html_of(response)[:2000]
    detail_path = response.headers["Location"]
    detail = html_of(client.get(detail_path))
    assert 'data-status="confirmed"' in detail and "30,00" in detail
    assert "Open space" in html_of(client.get("/bookings"))
    # Cancelling asks first: a page that says what goes, with a button to confirm.
    confirm = client.get(f"{detail_path}/cancel")
    assert confirm.status_code == 200 and 'data-testid="confirm-cancel"' in html_of(confirm)
    assert 'data-status="confirmed"' in html_of(client.get(detail_path))  # nothing cancelled yet
    cancelled = post_form(
        client,
        f"{detail_path}/cancel",
        {"scope": "one"},
        page=f"{detail_path}/cancel",
        follow_redirects=True,
    )
    assert 'data-status="cancelled"' in html_of(cancelled)


@pytest.mark.parametrize("day", ["2027-03-01", "2027-07-05"])  # winter (UTC+1), summer (UTC+2)
def test_the_date_and_times_are_read_on_the_spaces_wall_clock(client, app, place, day):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = book(client, pool_id, slot(day))
    assert response.status_code == 302
    with app.app_context():
        from spaces.bookings.models import Booking
        from spaces.extensions import db

        booking = db.session.scalars(db.select(Booking)).one()
        start = booking.start_at.astimezone(PARIS)
        assert (start.isoformat()[:16], booking.end_at.astimezone(PARIS).hour) == (
            f"{day}T09:00",
            13,
        )
        assert booking.start_at.astimezone(UTC).hour == (8 if day.endswith("03-01") else 7)
    for path in (response.headers["Location"], "/bookings"):
        html = html_of(client.get(path))
        assert "09:00" in html and "13:00" in html, path
        assert "08:00" not in html and "07:00" not in html, path
    host = client.application.test_client()
    log_in(host, "host@example.org")
    host_html = html_of(host.get("/host/bookings"))
    assert "Open space" in host_html and "09:00" in host_html and "13:00" in host_html


def test_a_time_that_does_not_exist_in_the_spaces_zone_is_shown_next_to_the_start(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    # 28 March 2027: Paris clocks go from 02:00 to 03:00.
    response = book(client, pool_id, slot("2027-03-28", "02:30", "04:00"), headers=ENGLISH)
    assert response.status_code == 422
    assert re.search(
        r'id="start_time-error" class="field-error">[^<]*does not exist', html_of(response)
    )
    assert "Open space" not in html_of(client.get("/bookings"))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (slot("2027-03-01", end=""), "end_time", "Choose the end time."),
        (slot("", "09:00", "13:00") | {"date": ""}, "date", "Choose the date."),
        (slot("2027-03-01", "13:00", "09:00"), "end_time", "The end must be after the start."),
        (slot("2027-03-01", "9h", "13:00"), "start_time", "Not a valid time value."),
    ],
)
def test_a_missing_or_wrong_time_is_shown_next_to_its_field(client, place, data, field, message):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = book(client, pool_id, data, headers=ENGLISH)
    assert response.status_code == 422
    assert re.search(
        rf'id="{field}-error" class="field-error">[^<]*{re.escape(message)}', html_of(response)
    )


def test_a_closed_day_is_refused_on_the_form_with_the_reason(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    closed = book(client, pool_id, slot("2027-03-06"), headers=ENGLISH)  # a Saturday
    assert closed.status_code == 409
    html = html_of(closed)
    assert 'data-testid="form-errors"' in html and 'data-state="refused"' in html


def test_links_with_iso_start_and_end_still_fill_the_pickers_and_book(client, place):
    """Search results link with ``start``/``end``; older clients post them: both still work."""
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    page = html_of(client.get(f"/units/{pool_id}/book?start=2027-03-01T09:00&end=2027-03-01T13:00"))
    assert 'value="2027-03-01"' in page and 'value="09:00"' in page and 'value="13:00"' in page
    legacy = book(client, pool_id, {"start": "2027-03-02T09:00", "end": "2027-03-02", "seats": "1"})
    assert legacy.status_code == 422 and 'id="end_time-error"' in html_of(legacy)
    ok = book(client, pool_id, {"start": "2027-03-02T09:00", "end": "2027-03-02T13:00"})
    assert ok.status_code == 302


def test_a_quick_choice_without_javascript_keeps_what_was_typed(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = book(
        client,
        pool_id,
        slot(
            "2027-03-01", "10:00", "11:00", seats="2", note="Près de la fenêtre", preset="afternoon"
        ),
    )
    assert response.status_code == 200  # the form again, nothing booked
    html = html_of(response)
    assert re.search(r'id="start_time"[^>]*value="13:00"', html)
    assert re.search(r'id="end_time"[^>]*value="17:00"', html)
    assert re.search(r'id="date"[^>]*value="2027-03-01"', html)
    assert re.search(r'id="seats"[^>]*value="2"', html) and "Près de la fenêtre" in html
    assert 'data-state="ok"' in html and "30,00" in html  # the quote of the new slot: 2 half-days
    assert "Open space" not in html_of(client.get("/bookings"))


def test_the_page_shows_the_quote_of_the_chosen_slot(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    html = html_of(client.get(f"/units/{pool_id}/book?date=2027-03-01&preset=morning&seats=2"))
    quote = html[html.index('id="quote"') :]
    assert 'data-state="ok"' in html and "30,00" in quote[:3000]
    assert 'data-quote-url="/api/v1/units/' in html and "booking-form.js" in html


# --- visitors ------------------------------------------------------------------------------------


def test_a_visitor_sees_the_quote_and_logs_in_at_confirm_keeping_the_slot(client, place):
    _space_id, pool_id, _room_id = place
    page = client.get(f"/units/{pool_id}/book?date=2027-03-01&preset=morning")
    assert page.status_code == 200
    html = html_of(page)
    assert 'data-state="ok"' in html and "15,00" in html  # the half-day price, logged out
    confirm = book(client, pool_id, slot("2027-03-01", "13:00", "17:00", seats="2", note="Calme"))
    assert confirm.status_code == 302 and urlsplit(confirm.headers["Location"]).path == "/login"
    target = parse_qs(urlsplit(confirm.headers["Location"]).query)["next"][0]
    carried = parse_qs(urlsplit(target).query)
    assert carried["date"] == ["2027-03-01"] and carried["start_time"] == ["13:00"]
    assert carried["seats"] == ["2"] and carried["note"] == ["Calme"]
    logged = post_form(
        client,
        f"/login?next={target}",
        {"email": "camille@example.org", "password": PASSWORD, "next": target},
    )
    assert logged.status_code == 302 and logged.headers["Location"] == target
    back = html_of(client.get(target))
    assert re.search(r'id="start_time"[^>]*value="13:00"', back) and "Calme" in back
    assert "Open space" not in html_of(client.get("/bookings"))  # nothing booked before confirming


def test_a_visitor_cannot_book_an_unpublished_unit(client, app_ctx):
    host = make_user("host@example.org")
    from tests.factories import make_space

    space = make_space(host, publish=False)
    assert client.get(f"/units/{space.units[0].id}/book").status_code == 404


# --- series ---------------------------------------------------------------------------------------


def _fill(app, unit_id: int, day: str) -> None:
    """Someone else takes every seat of the pool that day."""
    with app.app_context():
        from spaces.bookings import requesting
        from spaces.db import transaction

        other = make_user("other@example.org")
        with transaction():
            requesting.request_booking(
                other,
                unit_id,
                datetime.fromisoformat(f"{day}T08:00").replace(tzinfo=PARIS),
                datetime.fromisoformat(f"{day}T18:00").replace(tzinfo=PARIS),
                3,
            )


def test_a_series_with_a_full_date_lists_it_then_books_the_others_in_one_click(client, app, place):
    _space_id, pool_id, _room_id = place
    _fill(app, pool_id, "2027-03-04")  # Thursday
    log_in(client, "camille@example.org")
    series = slot("2027-03-02", "09:00", "17:00", weekdays=["1", "3"], until="2027-03-11")
    refused = book(client, pool_id, series, headers=ENGLISH)
    assert refused.status_code == 409
    html = html_of(refused)
    assert re.search(r'<details class="repeat" open', html)  # the repeat section stays open
    assert rows_of(html, "conflict") == ["2027-03-04"] and "full" in html
    assert 'data-testid="book-others"' in html
    assert re.search(r'name="weekdays" value="1" checked', html) and 'value="2027-03-11"' in html
    assert "Open space" not in html_of(client.get("/bookings"))  # all or nothing so far

    others = book(client, pool_id, series | {"book_others": "1"}, headers=ENGLISH)
    assert others.status_code == 302, html_of(others)[:2000]
    confirmation = html_of(client.get(others.headers["Location"], headers=ENGLISH))
    assert rows_of(confirmation, "occurrence") == ["2027-03-02", "2027-03-09", "2027-03-11"]
    assert rows_of(confirmation, "skipped") == ["2027-03-04"]
    skipped = confirmation[confirmation.index('data-testid="skipped"') :]
    assert "full" in skipped[:300]
    assert "Total of the dates still booked: €75.00" in confirmation  # 3 days at 25 €


def test_a_series_from_the_page_is_listed_with_every_date(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = book(
        client,
        pool_id,
        slot("2027-03-02", "09:00", "17:00", weekdays=["1", "3"], until="2027-03-11"),
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/series")
    html = html_of(client.get(response.headers["Location"]))
    assert rows_of(html, "occurrence") == ["2027-03-02", "2027-03-04", "2027-03-09", "2027-03-11"]
    assert 'data-testid="skipped"' not in html and "100,00" in html


@pytest.mark.parametrize(
    ("weekdays", "until", "message"),
    [
        (["1", "9"], "2027-03-11", "A weekday is 0 (Monday) to 6 (Sunday)."),
        (["tuesday"], "2027-03-11", "Not a valid integer value."),
        (["1"], "", "Give the last date (YYYY-MM-DD)."),
        ([], "2027-03-11", "Choose at least one weekday."),
    ],
)
def test_a_bad_repeat_rule_is_shown_in_the_open_repeat_section_and_books_nothing(
    client, place, weekdays, until, message
):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = book(
        client,
        pool_id,
        slot("2027-03-02", "09:00", "17:00", weekdays=weekdays, until=until),
        headers=ENGLISH,
    )
    assert response.status_code == 422
    html = html_of(response)
    assert message in html and re.search(r'<details class="repeat" open', html)
    assert "Open space" not in html_of(client.get("/bookings"))


def test_cancelling_one_date_of_a_series_asks_which_and_leaves_the_others(client, place):
    _space_id, pool_id, _room_id = place
    log_in(client, "camille@example.org")
    response = book(
        client,
        pool_id,
        slot("2027-03-02", "09:00", "17:00", weekdays=["1", "3"], until="2027-03-11"),
    )
    series_path = response.headers["Location"]
    second = series_path.replace("/1/series", "/2")
    confirm = html_of(client.get(f"{second}/cancel?scope=one", headers=ENGLISH))
    assert all(f'data-testid="scope-{s}"' in confirm for s in ("one", "following", "series"))
    assert "This date and the following ones (3 dates)" in confirm
    post_form(client, f"{second}/cancel", {"scope": "one"}, page=f"{second}/cancel")
    html = html_of(client.get(series_path))
    statuses = re.findall(r'data-status="(\w+)" data-testid="status"', html)
    assert statuses == ["confirmed", "cancelled", "confirmed", "confirmed"]
    # The heading counts what is still booked (the total already did), and says what is not.
    english = html_of(client.get(series_path, headers=ENGLISH))
    assert "3 dates booked · 1 cancelled" in english and "4 dates booked" not in english


# --- my bookings ------------------------------------------------------------------------------


def _book_directly(app, unit_id: int, start: datetime, hours: int = 2, now=None, **more):
    from spaces.accounts.services import find_user_by_email
    from spaces.bookings import requesting
    from spaces.db import transaction

    with app.app_context(), transaction():
        return requesting.request_booking(
            find_user_by_email("camille@example.org"),
            unit_id,
            start,
            start + timedelta(hours=hours),
            now=now,
            **more,
        ).first.id


def _cancel_directly(app, booking_id: int) -> None:
    from spaces.accounts.services import find_user_by_email
    from spaces.bookings import cancelling
    from spaces.bookings.models import Booking
    from spaces.db import transaction
    from spaces.extensions import db

    with app.app_context(), transaction():
        booking = db.session.get(Booking, booking_id)
        cancelling.cancel_booking(find_user_by_email("camille@example.org"), booking)


def _shown_ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/bookings/(\d+)"', html)}


def test_tabs_keep_cancelled_bookings_out_of_upcoming(client, app, place):
    _space_id, pool_id, _room_id = place
    coming = _book_directly(app, pool_id, datetime(2027, 3, 1, 9, tzinfo=PARIS))
    gone = _book_directly(app, pool_id, datetime(2027, 3, 2, 9, tzinfo=PARIS))
    _cancel_directly(app, gone)
    past = _book_directly(
        app, pool_id, datetime(2021, 3, 1, 9, tzinfo=PARIS), now=datetime(2021, 2, 1, tzinfo=UTC)
    )
    log_in(client, "camille@example.org")
    upcoming = html_of(client.get("/bookings"))
    assert _shown_ids(upcoming) == {coming}
    assert 'data-testid="tab-upcoming" aria-current="page"' in upcoming
    assert _shown_ids(html_of(client.get("/bookings?tab=cancelled"))) == {gone}
    assert _shown_ids(html_of(client.get("/bookings?tab=past"))) == {past}
    assert _shown_ids(html_of(client.get("/bookings?tab=nonsense"))) == {coming}
    assert 'href="/account/calendars"' in upcoming  # the personal calendar feed


def test_a_series_is_one_row_that_expands_to_its_dates(client, app, place):
    _space_id, pool_id, _room_id = place
    _book_directly(
        app,
        pool_id,
        datetime(2027, 3, 2, 9, tzinfo=PARIS),
        repeat={"weekdays": [1, 3], "until": datetime(2027, 3, 11).date()},
    )
    log_in(client, "camille@example.org")
    html = html_of(client.get("/bookings", headers=ENGLISH))
    assert html.count('data-testid="series"') == 1
    assert html.count('data-testid="series-date"') == 4 and "Weekly series: 4 dates" in html


def test_my_bookings_are_paged(client, app, place):
    _space_id, pool_id, _room_id = place
    first = datetime(2027, 3, 1, 9, tzinfo=PARIS)
    weekdays = [
        first + timedelta(days=d) for d in range(40) if (first + timedelta(days=d)).weekday() < 5
    ]
    ids = [_book_directly(app, pool_id, start) for start in weekdays[:25]]
    log_in(client, "camille@example.org")
    one = html_of(client.get("/bookings"))
    two = html_of(client.get("/bookings?page=2"))
    assert _shown_ids(one) == set(ids[:20]) and _shown_ids(two) == set(ids[20:])
    assert 'data-testid="next-page"' in one
    assert _shown_ids(html_of(client.get("/bookings?page=99999999999"))) == set(ids[20:])
    assert client.get("/bookings?page=-3").status_code == 200


# --- the host and the detail ------------------------------------------------------------------


def test_host_inbox_and_accept(client, app, place):
    _space_id, _pool_id, room_id = place
    log_in(client, "camille@example.org")
    assert book(client, room_id, slot("2027-03-01", "09:00", "11:00")).status_code == 302
    host = app.test_client()
    log_in(host, "host@example.org")
    inbox = host.get("/host/bookings")
    assert inbox.status_code == 200 and 'data-status="requested"' in html_of(inbox)
    accepted = post_form(host, "/bookings/1/approve", {}, page="/bookings/1", follow_redirects=True)
    assert 'data-status="confirmed"' in html_of(accepted)


# --- the space page's week strip ----------------------------------------------------------------


def test_coming_days_fragment_and_etag(client, place):
    space_id, pool_id, _room_id = place
    page = client.get(f"/spaces/{space_id}")
    assert page.status_code == 200 and f'data-live-unit="{pool_id}"' in html_of(page)
    fragment = client.get(f"/units/{pool_id}/coming-days")
    assert fragment.status_code == 200 and fragment.headers["ETag"]
    again = client.get(
        f"/units/{pool_id}/coming-days", headers={"If-None-Match": fragment.headers["ETag"]}
    )
    assert again.status_code == 304


def _days(html: str) -> list[str]:
    return re.findall(r'data-testid="day-([\d-]+)"', html)


def test_the_strip_pages_through_weeks_within_its_bounds(client, app_ctx):
    host = make_user("host@example.org")
    today = datetime.now(PARIS).date()
    space, (pool,) = make_bookable(host, available_until=today + timedelta(days=10))
    first = html_of(client.get(f"/spaces/{space.id}"))
    assert _days(first)[0] == today.isoformat() and len(_days(first)) == 7
    assert 'data-testid="strip-previous"' not in first and 'data-testid="strip-next"' in first
    nxt = today + timedelta(days=7)
    second = html_of(client.get(f"/units/{pool.id}/coming-days?from={nxt.isoformat()}"))
    assert _days(second)[0] == nxt.isoformat()
    assert 'data-testid="strip-previous"' in second and 'data-testid="strip-next"' not in second
    after = dict(re.findall(r'data-testid="day-([\d-]+)" data-status="(\w+)"', second))
    assert after[(today + timedelta(days=11)).isoformat()] == "outside"
    # Before today or past the window: brought back within the bounds.
    for asked in ("2000-01-01", "2099-12-31", "nonsense", "2027-02-30"):
        shown = _days(html_of(client.get(f"/spaces/{space.id}?from={asked}")))
        assert shown[0] in (today.isoformat(), nxt.isoformat()), asked


def test_the_strip_opens_on_the_week_the_window_opens(client, app_ctx):
    host = make_user("host@example.org")
    today = datetime.now(PARIS).date()
    opens = today + timedelta(days=30)
    space, (pool,) = make_bookable(host, available_from=opens)
    days = _days(html_of(client.get(f"/spaces/{space.id}")))
    assert days[0] <= opens.isoformat() <= days[-1]


def test_the_strip_shows_busy_blocks_and_closures(client, app_ctx):
    from spaces.availability import services as availability
    from spaces.availability.hours import Window
    from spaces.calendars.models import BusyBlock, CalendarImport
    from spaces.db import transaction
    from spaces.extensions import db

    host = make_user("host@example.org")
    space, (pool,) = make_bookable(host, windows=[Window(d, 8 * 60, 19 * 60) for d in range(7)])
    day = datetime.now(PARIS).date() + timedelta(days=2)
    at = lambda hour: datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)  # noqa: E731
    with transaction():
        source = CalendarImport(unit_id=pool.id, source="file", content="", name="Agenda")
        db.session.add(source)
        db.session.flush()
        db.session.add(
            BusyBlock(import_id=source.id, unit_id=pool.id, start_at=at(10), end_at=at(12))
        )
    with transaction():
        availability.add_closure(host, space, at(14), at(16), "Réunion du conseil")
    html = html_of(client.get(f"/spaces/{space.id}", headers=ENGLISH))
    cell = html[html.index(f'data-testid="day-{day.isoformat()}"') :]
    cell = cell[: cell.index("</td>")]
    assert 'data-status="partly"' in cell
    assert "Busy 10:00–12:00" in cell and "Closed 14:00–16:00: Réunion du conseil" in cell


def test_each_book_link_names_its_unit(client, place):
    space_id, _pool_id, _room_id = place
    html = html_of(client.get(f"/spaces/{space_id}", headers=ENGLISH))
    links = re.findall(r'data-testid="book">(.*?)</a>', html, re.S)
    assert len(links) == 2
    assert "Open space" in links[0] and "Salle" in links[1]
