"""Booking journeys in Chromium: book a half-day from the search results, see it in My bookings,
cancel it; a host accepts a request; a second page sees free seats change without reloading."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from spaces.availability.hours import Window
from tests.e2e.conftest import log_in, place_in_loches
from tests.factories import make_user

LOCHES = (47.1286, 0.9953)


def test_book_a_half_day_from_search_results_then_cancel_it(app, page: Page):
    place_in_loches(app, windows=[Window(d, 8 * 60, 19 * 60) for d in range(7)])
    log_in(page, "camille@example.org")
    page.goto("/search?near=Loches&start=2027-03-01T09:00&end=2027-03-01T13:00")
    results = page.get_by_test_id("result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("15,00")  # the half-day price for these dates
    results.first.get_by_test_id("book").click()
    expect(page.locator("#date")).to_have_value("2027-03-01")
    expect(page.locator("#start_time")).to_have_value("09:00")
    expect(page.locator("#end_time")).to_have_value("13:00")
    page.get_by_test_id("submit-booking").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")

    page.get_by_test_id("my-bookings").click()
    row = page.locator("table tr", has_text="Tiers-lieu de Loches")
    expect(row).to_have_count(1)
    row.get_by_role("link").first.click()
    page.get_by_test_id("cancel-booking").click()
    page.get_by_test_id("confirm-cancel").click()  # cancelling asks first
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "cancelled")


def test_a_host_accepts_a_request(app, page: Page):
    _space_id, unit_id = place_in_loches(app, booking_mode="request")
    with app.app_context():
        from datetime import UTC, datetime

        from spaces.accounts.services import find_user_by_email
        from spaces.bookings import requesting
        from spaces.db import transaction

        with transaction():
            booking = requesting.request_booking(
                find_user_by_email("camille@example.org"),
                unit_id,
                datetime(2027, 3, 1, 8, tzinfo=UTC),
                datetime(2027, 3, 1, 12, tzinfo=UTC),
            ).first
            reference = booking.reference
    log_in(page, "host@example.org")
    page.get_by_test_id("host-bookings").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "requested")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")


def test_another_page_sees_free_seats_change_without_reloading(
    app, page: Page, browser, live_server
):
    space_id, unit_id = place_in_loches(app, capacity=3)
    watcher = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    try:
        watcher.goto(f"/spaces/{space_id}")
        expect(watcher.locator("html")).to_have_attribute("data-live", "on")
        tomorrow_cell = watcher.locator(f"[data-live-unit='{unit_id}'] td").nth(1)
        expect(tomorrow_cell).to_have_text(re.compile(r"^\s*3\D+$"))  # "3 places"
        watcher.evaluate("window.__marker = 'same page'")

        log_in(page, "camille@example.org")
        page.goto(f"/spaces/{space_id}")
        page.get_by_test_id("book").first.click()
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        tomorrow = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=1)).date()
        page.locator("#date").fill(tomorrow.isoformat())
        page.locator("#start_time").fill("10:00")
        page.locator("#end_time").fill("11:00")
        page.locator("#seats").fill("2")
        page.get_by_test_id("submit-booking").click()
        expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")

        # Without reloading, the other page shows one seat left at some time. The wait is generous:
        # this proves delivery; the 2-second promise is measured in bench/live_page.py.
        expect(watcher.locator(f"[data-live-unit='{unit_id}'] td").nth(1)).to_have_text(
            re.compile(r"^\s*1\D"), timeout=15_000
        )
        assert watcher.evaluate("window.__marker") == "same page"  # no reload happened
    finally:
        watcher.context.close()


def _book_through_api(base_url: str, token: str, unit_id: int, hour: int, seats: int) -> None:
    import json
    from datetime import datetime, timedelta
    from urllib.request import Request, urlopen
    from zoneinfo import ZoneInfo

    tomorrow = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=1)).date()
    payload = {
        "unit_id": unit_id,
        "start": f"{tomorrow}T{hour:02d}:00",
        "end": f"{tomorrow}T{hour + 1:02d}:00",
        "seats": seats,
    }
    request = Request(
        f"{base_url}/api/v1/bookings",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urlopen(request, timeout=30) as response:
        assert response.status == 201


def _token(app) -> str:
    from tests.factories import api_token

    with app.app_context():
        return api_token(make_user("booker@example.org", name="Booker"))


def test_a_change_between_the_page_and_its_stream_still_reaches_the_page(
    app, page: Page, live_server
):
    space_id, unit_id = place_in_loches(app, capacity=3)
    token = _token(app)
    held = []
    # The page is made, then its event stream is held back while a booking commits: the stream
    # subscribes only after the change (a busy machine does this on its own).
    page.route("**/api/v1/availability/stream*", lambda route: held.append(route))
    page.goto(f"/spaces/{space_id}")
    tomorrow_cell = page.locator(f"[data-live-unit='{unit_id}'] td").nth(1)
    expect(tomorrow_cell).to_have_text(re.compile(r"^\s*3\D+$"))
    for _ in range(100):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page never opened its stream"
    _book_through_api(live_server.url, token, unit_id, hour=10, seats=2)
    held[0].continue_()
    expect(tomorrow_cell).to_have_text(re.compile(r"^\s*1\D"), timeout=15_000)


def test_a_change_during_a_refresh_is_not_hidden_by_the_older_answer(app, page: Page, live_server):
    space_id, unit_id = place_in_loches(app, capacity=3)
    token = _token(app)
    page.goto(f"/spaces/{space_id}")
    expect(page.locator("html")).to_have_attribute("data-live", "on")
    held, holding = [], [True]

    def hold(route):
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route(f"**/units/{unit_id}/coming-days*", hold)
    _book_through_api(live_server.url, token, unit_id, hour=10, seats=2)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page did not refresh after the first booking"
    first = held[0].fetch()  # rendered now: one seat left at 10:00
    # A second booking commits while the first refresh is still on its way to the page.
    _book_through_api(live_server.url, token, unit_id, hour=10, seats=1)
    page.wait_for_timeout(1500)  # its event arrives
    holding[0] = False
    held[0].fulfill(response=first)
    for later in held[1:]:
        later.continue_()
    cell = page.locator(f"[data-live-unit='{unit_id}'] td").nth(1)
    # The newer state: 10:00–11:00 is full, so the day is only partly bookable, around it.
    expect(cell).to_have_attribute("data-status", "partly", timeout=15_000)
    expect(cell).to_contain_text("11:00")
