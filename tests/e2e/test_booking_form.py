"""The booking form in Chromium: book from the quote without typing a date, quick choices that keep
what was typed, a Tuesday/Thursday series with a full date booked in one click, cancelling one
occurrence after confirming, the tabs of My bookings, the week strip's paging, and the pages at
390 px and 1280 px without sideways scrolling or serious axe-core violations."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from spaces.availability.hours import Window
from tests.e2e.conftest import log_in, place_in_loches

PARIS = ZoneInfo("Europe/Paris")
ALL_WEEK = [Window(d, 8 * 60, 19 * 60) for d in range(7)]


def _today() -> date:
    return datetime.now(PARIS).date()


def _next_tuesday(after_days: int = 7) -> date:
    day = _today() + timedelta(days=after_days)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def _fill_the_day(app, unit_id: int, day: date) -> None:
    """Another person takes every seat of the pool that day."""
    from spaces.bookings import requesting
    from spaces.db import transaction
    from tests.factories import make_user

    with app.app_context():
        other = make_user("other@example.org", name="Autre")
        with transaction():
            requesting.request_booking(
                other,
                unit_id,
                datetime.combine(day, datetime.min.time()).replace(hour=8, tzinfo=PARIS),
                datetime.combine(day, datetime.min.time()).replace(hour=19, tzinfo=PARIS),
                3,
            )


def test_book_from_the_quote_without_typing_a_date_and_see_it_upcoming(app, page: Page):
    space_id, _unit_id = place_in_loches(app, windows=ALL_WEEK)
    log_in(page, "camille@example.org")
    page.goto(f"/spaces/{space_id}")
    tomorrow = _today() + timedelta(days=1)
    # The day of the strip leads to the form with that date; a quick choice gives the times.
    page.get_by_test_id(f"day-{tomorrow.isoformat()}").get_by_role("link").click()
    expect(page.locator("#date")).to_have_value(tomorrow.isoformat())
    quote = page.get_by_test_id("quote")
    expect(quote.get_by_test_id("quote-total")).to_contain_text("25,00")  # the day, by default
    page.get_by_test_id("preset-morning").click()
    expect(page.locator("#start_time")).to_have_value("09:00")
    expect(page.locator("#end_time")).to_have_value("13:00")
    expect(quote.get_by_test_id("quote-total")).to_contain_text("15,00")  # the half-day
    expect(quote.get_by_test_id("quote-free")).to_contain_text("3")
    page.get_by_test_id("submit-booking").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")

    page.get_by_test_id("my-bookings").click()
    expect(page.get_by_test_id("tab-upcoming")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("tab-upcoming")).to_contain_text("À venir")
    expect(page.locator("main table tr", has_text="Tiers-lieu de Loches")).to_have_count(1)


def test_quick_choices_keep_the_note_and_seats_and_the_quote_follows(app, page: Page):
    _space_id, unit_id = place_in_loches(app, windows=ALL_WEEK)
    log_in(page, "camille@example.org")
    day = (_today() + timedelta(days=3)).isoformat()
    page.goto(f"/units/{unit_id}/book?date={day}")
    expect(page.locator("#booking-form")).to_have_attribute("data-ready", "true")
    page.locator("#seats").fill("2")
    page.locator("#note").fill("Près de la fenêtre, merci")
    page.evaluate("window.__marker = 'same page'")
    page.get_by_test_id("preset-afternoon").click()
    expect(page.locator("#start_time")).to_have_value("13:00")
    expect(page.locator("#end_time")).to_have_value("17:00")
    expect(page.locator("#date")).to_have_value(day)
    expect(page.locator("#seats")).to_have_value("2")
    expect(page.locator("#note")).to_have_value("Près de la fenêtre, merci")
    quote = page.get_by_test_id("quote")
    expect(quote.get_by_test_id("quote-total")).to_contain_text("30,00")  # 2 half-days
    assert page.evaluate("window.__marker") == "same page"  # no reload
    # More seats than the pool has: the refusal, in words, as the booking would give it.
    page.locator("#seats").fill("4")
    expect(quote).to_have_attribute("data-state", "refused")
    expect(quote.get_by_test_id("quote-message")).to_be_visible()


def test_enter_in_a_field_books_rather_than_picking_a_quick_choice(app, page: Page):
    _space_id, unit_id = place_in_loches(app, windows=ALL_WEEK)
    log_in(page, "camille@example.org")
    page.goto(f"/units/{unit_id}/book?date={(_today() + timedelta(days=2)).isoformat()}")
    page.get_by_test_id("preset-afternoon").click()
    page.locator("#seats").fill("2")
    page.locator("#seats").press("Enter")
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
    expect(page.locator("main")).to_contain_text("13:00")
    expect(page.locator("main")).to_contain_text("30,00")


def test_a_series_with_a_full_date_books_the_others_then_one_date_is_cancelled(app, page: Page):
    _space_id, unit_id = place_in_loches(app, windows=ALL_WEEK)
    tuesday = _next_tuesday()
    thursday, last = tuesday + timedelta(days=2), tuesday + timedelta(days=9)
    _fill_the_day(app, unit_id, thursday)
    log_in(page, "camille@example.org")
    page.goto(f"/units/{unit_id}/book?date={tuesday.isoformat()}")
    page.get_by_test_id("repeat").locator("summary").click()
    page.get_by_label("Mardi").check()
    page.get_by_label("Jeudi").check()
    page.locator("#until").fill(last.isoformat())
    page.get_by_test_id("submit-booking").click()

    conflicts = page.get_by_test_id("conflict")
    expect(conflicts).to_have_count(1)
    expect(conflicts.first).to_have_attribute("data-date", thursday.isoformat())
    expect(page.get_by_label("Mardi")).to_be_checked()  # the repeat section kept, and open
    _no_serious_violation(page)
    page.get_by_test_id("book-others").click()

    expect(page.get_by_test_id("occurrence")).to_have_count(3)
    skipped = page.get_by_test_id("skipped")
    expect(skipped).to_have_count(1)
    expect(skipped.first).to_have_attribute("data-date", thursday.isoformat())
    expect(skipped.first).to_contain_text("complet")
    expect(page.get_by_test_id("series-total")).to_contain_text("75,00")
    _no_serious_violation(page)

    # Cancel the first date: a confirmation step first, then only that date goes.
    page.get_by_test_id("cancel-occurrence").first.click()
    expect(page.get_by_test_id("scope-one")).to_be_checked()
    page.get_by_test_id("confirm-cancel").click()
    first = page.get_by_test_id("occurrence").first
    expect(first.get_by_test_id("status")).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_test_id("occurrence").nth(1).get_by_test_id("status")).to_have_attribute(
        "data-status", "confirmed"
    )

    page.get_by_test_id("my-bookings").click()
    upcoming = page.get_by_test_id("series-date")
    expect(upcoming).to_have_count(2)
    expect(page.locator("main [data-status='cancelled']")).to_have_count(0)
    page.get_by_test_id("tab-cancelled").click()
    expect(page.locator("main [data-status='cancelled']")).to_have_count(1)


def test_the_week_strip_pages_in_place_and_is_announced(app, page: Page):
    space_id, unit_id = place_in_loches(app, windows=ALL_WEEK)
    page.goto(f"/spaces/{space_id}")
    expect(page.locator("html")).to_have_attribute("data-live", "on")
    page.evaluate("window.__marker = 'same page'")
    strip = page.locator(f"#strip-{unit_id}")
    expect(strip.get_by_test_id("strip-previous")).to_have_count(0)  # not before today
    strip.get_by_test_id("strip-next").click()
    next_week = (_today() + timedelta(days=7)).isoformat()
    expect(page.locator(f"#strip-{unit_id}")).to_have_attribute("data-first", next_week)
    expect(page.locator(f"[data-strip-status='{unit_id}']")).to_contain_text("Disponibilités")
    expect(page.locator(f"#strip-{unit_id} [data-strip='next']")).to_be_focused()
    page.locator(f"#strip-{unit_id}").get_by_test_id("strip-previous").click()
    expect(page.locator(f"#strip-{unit_id}")).to_have_attribute("data-first", _today().isoformat())
    assert page.evaluate("window.__marker") == "same page"
    # Logged out, the book link names its unit and leads to the quote.
    link = page.get_by_role("button", name="Réserver Open space")  # a link styled as a button
    expect(link).to_have_count(1)
    link.click()
    expect(page.get_by_test_id("quote")).to_have_attribute("data-state", "ok")
    expect(page.get_by_test_id("submit-booking")).to_have_text("Confirmer")


# What sticks out on the right, to say which element to fix.
WIDER_THAN_THE_WINDOW = """() => Array.from(document.querySelectorAll("body *"))
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5)
  .map((el) => el.tagName + "." + el.className + " " + Math.round(el.getBoundingClientRect().right))"""


def _no_sideways_scroll(page: Page, whole_page: bool) -> None:
    """Nothing wider than the window: the whole page, or (while the site menu does not collapse
    yet, h-layout's work) the main content."""
    if whole_page:
        width = page.evaluate("document.documentElement.scrollWidth")
    else:
        width = page.evaluate("document.querySelector('main').scrollWidth")
    wide = page.evaluate(WIDER_THAN_THE_WINDOW) if width > page.viewport_size["width"] else []
    assert width <= page.viewport_size["width"], f"{page.url}: {width} px wide: {wide}"


def _no_serious_violation(page: Page) -> None:
    """axe-core finds nothing serious or critical in the page's main content (the site menu and
    footer are h-layout's)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context="main")
    found = [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert not found, f"{page.url}: {found}"


def test_the_booking_pages_fit_a_phone_and_a_desktop(app, page: Page, tmp_path: Path):
    space_id, unit_id = place_in_loches(app, windows=ALL_WEEK)
    tuesday = _next_tuesday()
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    pages = {"space": f"/spaces/{space_id}", "book": f"/units/{unit_id}/book?date={tuesday}"}
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            page.goto(path)
            _no_sideways_scroll(page, whole_page=True)
            _no_serious_violation(page)
            page.screenshot(path=str(shots / f"{name}-anonymous-{width}.png"), full_page=True)
    log_in(page, "camille@example.org")
    page.goto(
        f"/units/{unit_id}/book?date={tuesday}&weekdays=1&weekdays=3&until={tuesday + timedelta(days=9)}"
    )
    page.get_by_test_id("submit-booking").click()
    expect(page.get_by_test_id("occurrence")).to_have_count(4)
    series = page.url
    pages = {
        "book": f"/units/{unit_id}/book?date={tuesday}",
        "series": series,
        "mine": "/bookings",
        "cancel": series.replace("/series", "/cancel"),
        "space": f"/spaces/{space_id}",
    }
    for width, height in ((390, 844), (1280, 800)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            page.goto(path)
            if name == "mine":
                page.get_by_test_id("series").locator("summary").click()
            _no_sideways_scroll(page, whole_page=False)
            _no_serious_violation(page)
            page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
