"""The search page in Chromium: a teleworker looks near Chinon for tomorrow 9:00–13:00, within a
budget and bookable at once, sees free seats and prices in the list and in a map popup, and opens
the place; the list and the map light each other up; the pages fit a phone and a desktop screen,
and the map stays in view beside a long list.

Offline, the map tiles fail to load; markers, popups and the radius circle are drawn all the same.
Fields are found by id, texts in French (the page's context is French).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from spaces.availability.hours import Window
from tests.factories import make_bookable, make_user

CHINON = (47.1665, 0.24004)
CIRCLE = "#search-map .leaflet-overlay-pane path"  # the searched radius
LOCHES = (47.1286, 0.9953)
EVERY_DAY = [Window(d, 8 * 60, 19 * 60) for d in range(7)]


def _east_of_chinon(km: float) -> dict:
    return {"latitude": CHINON[0], "longitude": CHINON[1] + km / 75.6}  # ~75.6 km a degree there


def _places(app) -> None:
    """La Cale in Chinon (shared desks at €13 a half-day, an office on request, a room at €80 a
    half-day), a château 3 km away whose only offer costs €50, and a place in Loches, 57 km away."""
    with app.app_context():
        host = make_user("host@example.org", name="Hôte")
        make_bookable(
            host,
            {
                "name": "Postes partagés",
                "capacity": 5,
                "prices": {"hour": 350, "half_day": 1300, "day": 2200, "month": None},
            },
            {
                "name": "Bureau sur demande",
                "kind": "office",
                "capacity": 1,
                "booking_mode": "request",
                "prices": {"hour": None, "half_day": 1800, "day": 3000, "month": None},
            },
            {
                "name": "Salle de la Vienne",
                "kind": "meeting_room",
                "capacity": 8,
                "prices": {"hour": 2500, "half_day": 8000, "day": None, "month": None},
            },
            windows=EVERY_DAY,
            name="La Cale",
            commune="Chinon",
            postal_code="37500",
            **_east_of_chinon(0.3),
        )
        make_bookable(
            host,
            {
                "name": "Bureau du château",
                "kind": "office",
                "capacity": 2,
                "prices": {"hour": None, "half_day": 5000, "day": 9000, "month": None},
            },
            windows=EVERY_DAY,
            name="Château de la Vienne",
            commune="Chinon",
            postal_code="37500",
            **_east_of_chinon(3),
        )
        make_bookable(
            host,
            windows=EVERY_DAY,
            name="Tiers-lieu de Loches",
            commune="Loches",
            postal_code="37600",
            latitude=LOCHES[0],
            longitude=LOCHES[1],
        )


def test_search_near_chinon_for_tomorrow_morning_within_a_budget(app, page: Page):
    _places(app)
    tomorrow = (datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)).isoformat()

    page.goto("/search")
    page.locator("#near").press_sequentially("Chin", delay=30)
    expect(page.locator('#near-options option[value="Chinon (37500)"]')).to_have_count(1)
    page.locator("#near").fill("Chinon")
    page.locator("#date").fill(tomorrow)
    expect(page.locator("#from")).to_be_hidden()  # a quick choice needs no times
    page.locator("#period").select_option("hours")
    page.locator("#from").fill("09:00")
    page.locator("#to").fill("13:00")
    page.locator("#max_eur").fill("30")
    page.locator("#instant").check()
    page.locator("#search-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/search\?.*date={tomorrow}"))
    results = page.get_by_test_id("result")
    expect(results).to_have_count(1)
    result = results.first
    expect(result.get_by_role("heading")).to_have_text("La Cale")
    # The office answers requests and the room costs €80: only the desks are left.
    units = result.get_by_test_id("result-unit")
    expect(units).to_have_count(1)
    expect(units.first).to_contain_text("Postes partagés")
    expect(units.first.get_by_test_id("free-seats")).to_have_text("5 places libres")
    expect(units.first.get_by_test_id("price")).to_have_text(re.compile(r"^13,00\s€$"))
    expect(page.get_by_test_id("search-window")).to_contain_text("09:00–13:00")
    # The form shows the search it made.
    expect(page.locator("#date")).to_have_value(tomorrow)
    expect(page.locator("#from")).to_have_value("09:00")
    expect(page.locator("#max_eur")).to_have_value("30")
    expect(page.locator("#instant")).to_be_checked()

    marker = page.locator("#search-map .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(page.locator(CIRCLE)).to_have_count(1)
    result.hover()
    expect(marker).to_have_class(re.compile(r"\bis-active\b"))
    page.locator("h1").hover()
    expect(marker).not_to_have_class(re.compile(r"\bis-active\b"))

    marker.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Postes partagés")
    expect(popup).to_contain_text("5 places libres")
    expect(popup).to_contain_text(re.compile(r"13,00\s€"))
    expect(result).to_have_class(re.compile(r"\bis-active\b"))
    expect(popup.locator("a")).to_have_count(1)

    popup.get_by_role("link", name="La Cale").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("La Cale")


def test_a_search_far_from_any_place_keeps_the_map_on_it_and_offers_a_wider_one(app, page: Page):
    _places(app)
    page.goto("/search?near=Sainte-Maure-de-Touraine&radius_km=10")

    expect(page.get_by_test_id("result")).to_have_count(0)
    empty = page.get_by_test_id("empty-search")
    expect(empty).to_contain_text("Sainte-Maure-de-Touraine (37)")
    expect(page.locator(CIRCLE)).to_have_count(1)  # drawn around the place all the same
    empty.get_by_role("button", name=re.compile("20 km")).click()
    expect(page.get_by_test_id("result")).to_have_count(0)
    page.get_by_test_id("empty-search").get_by_role("button", name=re.compile("50 km")).click()
    expect(page.get_by_test_id("result")).to_have_count(3)  # Chinon's two places and Loches


def test_pages_fit_a_phone_and_the_map_stays_beside_a_long_list(app, page: Page):
    _places(app)
    with app.app_context():
        host = make_user("other-host@example.org")
        for n in range(12):
            make_bookable(host, windows=EVERY_DAY, name=f"Espace {n:02d}", **_east_of_chinon(n))

    def fits(path: str) -> None:
        page.goto(path)
        expect(page.locator(".js-map").first).to_be_visible()
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways at {width[1]} px: {width[0]} px"

    tomorrow = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/search?near=Chinon", f"/search?near=Chinon&date={tomorrow}&period=morning"):
        fits(path)

    page.set_viewport_size({"width": 1280, "height": 800})
    fits("/search?near=Chinon&radius_km=20")
    expect(page.get_by_test_id("result")).to_have_count(14)
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("() => window.scrollY > 600")
    box = page.locator("#search-map").bounding_box()
    assert box is not None and 0 <= box["y"] < 100 and box["y"] + box["height"] <= 800, box


def test_home_page_counts_places_and_desks_around_me_and_searches(app, page: Page):
    _places(app)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": CHINON[0], "longitude": CHINON[1]})

    page.goto("/")
    counts = page.get_by_test_id("home-counts")
    expect(counts).to_have_text(re.compile(r"3 lieux et 8 postes sur le territoire"))
    expect(page.locator("#home-map .leaflet-marker-icon")).to_have_count(3)

    page.locator("#around-me").click()
    expect(counts).to_have_text(
        re.compile(r"2 lieux et 5 postes à moins de 10 km de votre position")
    )
    expect(page.locator("#home-map .leaflet-overlay-pane path")).to_have_count(1)

    page.locator("#near").fill("Loches")
    page.locator("#home-search button[type=submit]").click()
    expect(page.get_by_test_id("result")).to_have_count(1)
    expect(page.get_by_test_id("result").first).to_contain_text("Tiers-lieu de Loches")
