"""A teleworker books a desk for a month from the space page, in Chromium, and finds it in their
bookings as days (not midnight times)."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from spaces.availability.hours import Window
from spaces.db import utcnow
from tests.e2e.conftest import log_in


def _desks_by_the_month(app) -> int:
    from spaces.db import transaction
    from spaces.listings import services
    from tests.factories import make_space, make_unit, make_user, set_hours

    with app.app_context():
        host = make_user("host@example.org", name="Hôte")
        space = make_space(host, name="La Cantine", units=0, publish=False)
        make_unit(
            host,
            space,
            name="Postes",
            capacity=3,
            prices={"hour": 400, "day": 2200, "month": 19000},
        )
        set_hours(host, space, [Window(d, 8 * 60, 19 * 60) for d in range(5)])
        with transaction():
            services.publish_space(host, space)
        make_user("camille@example.org", name="Camille")
        return space.id


def test_a_teleworker_books_a_desk_for_a_month(app, page: Page):
    space_id = _desks_by_the_month(app)
    today = utcnow().date()
    first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    last = first + timedelta(days=29)
    log_in(page, "camille@example.org")
    page.goto(f"/spaces/{space_id}")
    page.get_by_test_id("book-term").first.click()
    page.locator("#start_date").fill(first.isoformat())
    page.locator("#end_date").fill(last.isoformat())
    page.get_by_test_id("term-preview").click()
    expect(page.get_by_test_id("quote")).to_have_attribute("data-state", "ok")
    expect(page.get_by_test_id("quote-total")).to_contain_text("190,00")
    page.get_by_test_id("submit-term").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
    expect(page.get_by_test_id("term-days")).to_contain_text(f"{last.day}")
    expect(page.get_by_test_id("term-days")).to_contain_text(str(last.year))

    page.get_by_test_id("my-bookings").click()
    row = page.locator("table tr", has_text="La Cantine")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("term-days")).to_contain_text(f"du 1 au {last.day}")
    expect(row).not_to_contain_text("00:00")
