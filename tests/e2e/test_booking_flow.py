"""Booking journeys in Chromium: book a half-day from the search results, see it in My bookings,
cancel it; a host accepts a request; a second page sees free seats change without reloading."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from spaces.availability.hours import Window
from tests.factories import PASSWORD, make_space, make_unit, make_user, set_hours

LOCHES = (47.1286, 0.9953)


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("account-link")).to_be_visible()


def _place(app, booking_mode="instant", capacity=3, windows=None):
    with app.app_context():
        host = make_user("host@example.org", name="Hôte")
        space = make_space(
            host,
            name="Tiers-lieu de Loches",
            units=0,
            publish=False,
            latitude=LOCHES[0],
            longitude=LOCHES[1],
        )
        unit = make_unit(
            host, space, name="Open space", capacity=capacity, booking_mode=booking_mode
        )
        set_hours(host, space, windows or [Window(d, 0, 1440) for d in range(7)])
        from spaces.db import transaction
        from spaces.listings import services

        with transaction():
            services.publish_space(host, space)
        make_user("camille@example.org", name="Camille")
        return space.id, unit.id


def test_book_a_half_day_from_search_results_then_cancel_it(app, page: Page):
    _place(app, windows=[Window(d, 8 * 60, 19 * 60) for d in range(7)])
    _log_in(page, "camille@example.org")
    page.goto("/search?near=Loches&start=2027-03-01T09:00&end=2027-03-01T13:00")
    results = page.get_by_test_id("result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("15,00")  # the half-day price for these dates
    results.first.get_by_test_id("book").click()
    expect(page.locator("#start")).to_have_value("2027-03-01T09:00")
    expect(page.locator("#end")).to_have_value("2027-03-01T13:00")
    page.get_by_test_id("submit-booking").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")

    page.get_by_test_id("my-bookings").click()
    row = page.locator("table tr", has_text="Tiers-lieu de Loches")
    expect(row).to_have_count(1)
    row.get_by_role("link").first.click()
    page.get_by_test_id("cancel-booking").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "cancelled")


def test_a_host_accepts_a_request(app, page: Page):
    _space_id, unit_id = _place(app, booking_mode="request")
    with app.app_context():
        from datetime import UTC, datetime

        from spaces.accounts.services import find_user_by_email
        from spaces.bookings import services
        from spaces.db import transaction

        with transaction():
            booking = services.request_booking(
                find_user_by_email("camille@example.org"),
                unit_id,
                datetime(2027, 3, 1, 8, tzinfo=UTC),
                datetime(2027, 3, 1, 12, tzinfo=UTC),
            ).first
            reference = booking.reference
    _log_in(page, "host@example.org")
    page.get_by_test_id("host-bookings").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "requested")
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")


def test_another_page_sees_free_seats_change_without_reloading(
    app, page: Page, browser, live_server
):
    space_id, unit_id = _place(app, capacity=3)
    watcher = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    try:
        watcher.goto(f"/spaces/{space_id}")
        expect(watcher.locator("html")).to_have_attribute("data-live", "on")
        tomorrow_cell = watcher.locator(f"[data-live-unit='{unit_id}'] td").nth(1)
        expect(tomorrow_cell).to_have_text(re.compile(r"^\s*3\D+$"))  # "3 places"
        watcher.evaluate("window.__marker = 'same page'")

        _log_in(page, "camille@example.org")
        page.goto(f"/spaces/{space_id}")
        page.get_by_test_id("book").first.click()
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        tomorrow = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=1)).date()
        page.locator("#start").fill(f"{tomorrow}T10:00")
        page.locator("#end").fill(f"{tomorrow}T11:00")
        page.locator("#seats").fill("2")
        page.get_by_test_id("submit-booking").click()
        expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")

        # Within 2 seconds, without reloading, the other page shows one seat left at some time.
        expect(watcher.locator(f"[data-live-unit='{unit_id}'] td").nth(1)).to_have_text(
            re.compile(r"^\s*1\D"), timeout=2000
        )
        assert watcher.evaluate("window.__marker") == "same page"  # no reload happened
    finally:
        watcher.context.close()
