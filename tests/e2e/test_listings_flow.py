"""Listing journeys in Chromium: search near a commune with the map, and a host listing a place.

Offline, the map tiles fail to load; the markers are drawn all the same. Fields are found by id,
so the test holds whether a string is already translated to French or not.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.test_account_flows import log_in
from tests.factories import PASSWORD, make_organisation, make_space, make_unit, make_user

LOCHES = (47.128, 0.995)


def north_of(km: float) -> tuple[float, float]:
    return LOCHES[0] + km / 111.2, LOCHES[1]


def test_search_near_loches_lists_nearest_first_with_markers(app, page: Page):
    with app.app_context():
        host = make_user()
        organisation = make_organisation(host)
        three_km = make_space(
            host,
            organisation,
            name="Les Bruyères",
            commune="Perrusson",
            latitude=north_of(3)[0],
            longitude=LOCHES[1],
        )
        make_space(
            host,
            organisation,
            name="Au centre de Loches",
            commune="Loches",
            latitude=LOCHES[0],
            longitude=LOCHES[1],
        )
        make_space(
            host,
            organisation,
            name="Trop loin",
            commune="Chanceaux",
            latitude=north_of(15)[0],
            longitude=LOCHES[1],
        )
        make_space(host, organisation, name="Tours centre")  # Tours, 40 km away
        make_unit(host, three_km, name="Salle des Bruyères", kind="meeting_room", capacity=6)

    page.goto("/search")
    page.locator("#near").fill("Loches")
    page.locator("#near").press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?.*near=Loches"))
    results = page.get_by_test_id("result")
    expect(results).to_have_count(2)
    expect(results.nth(0).get_by_role("heading")).to_have_text("Au centre de Loches")
    expect(results.nth(1).get_by_role("heading")).to_have_text("Les Bruyères")
    expect(results.nth(1).get_by_test_id("distance")).to_have_text(re.compile(r"^3,0\s?km$"))
    expect(page.locator("#radius_km")).to_have_value("10")
    expect(page.locator("#search-map")).to_be_visible()
    expect(page.locator("#search-map .leaflet-marker-icon")).to_have_count(2)

    page.locator("#search-map .leaflet-marker-icon").nth(0).click()
    expect(page.locator(".leaflet-popup-content a")).to_have_count(1)

    results.nth(1).get_by_role("link", name="Les Bruyères").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Les Bruyères")
    units = page.get_by_test_id("unit")
    expect(units).to_have_count(2)
    expect(units.nth(1)).to_contain_text("Salle des Bruyères")
    expect(units.nth(0)).to_contain_text("4,00\xa0€")
    expect(page.locator("#space-map .leaflet-marker-icon")).to_have_count(1)


def test_host_lists_a_place_in_blere_and_finds_it_in_search(app, page: Page, tmp_path):
    from PIL import Image

    with app.app_context():
        host = make_user(email="hote@example.org", name="Hôte")
        make_organisation(host, name="Tiers-lieu du Cher")
    photo = tmp_path / "salle.png"
    Image.new("RGB", (640, 480), (30, 120, 90)).save(photo)

    log_in(page, "hote@example.org", PASSWORD)
    page.locator('nav a[href="/my/spaces"]').click()
    page.locator('a[href="/spaces/new"]').first.click()

    expect(page.locator("#organisation_id")).to_have_value(re.compile(r"^\d+$"))
    page.locator("#name").fill("La Grange de Bléré")
    page.locator("#kind").select_option("coworking")
    page.locator("#description").fill("Une grange rénovée près du Cher.")
    page.locator("#commune").fill("Bléré")
    page.locator("#postal_code").fill("37150")
    page.locator('input[name="services"][value="wifi"]').check()
    page.locator("form.host-form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("La Grange de Bléré")
    expect(page.get_by_test_id("status-badge")).to_be_visible()
    page.locator('a[href$="/units/new"]').click()

    page.locator("#name").fill("Postes en open space")
    page.locator("#kind").select_option("desk_pool")
    page.locator("#capacity").fill("8")
    page.locator("#prices-hour").fill("4,50")
    page.locator("#prices-day").fill("20")
    page.locator("form.host-form button[type=submit]").click()

    units = page.get_by_test_id("unit")
    expect(units).to_have_count(1)
    expect(units.first).to_contain_text("Postes en open space")
    expect(units.first).to_contain_text("4,50\xa0€")
    space_url = page.url.split("#")[0]

    if "photos" in app.blueprints:
        page.goto(f"{space_url}/photos")
        page.locator("input[type=file]").set_input_files(str(photo))
        page.locator("form:has(input[type=file]) button[type=submit]").click()
        expect(page.get_by_test_id("photo")).to_have_count(1)
        page.goto(space_url)
        expect(page.locator(".photo-strip img")).to_have_count(1)

    page.locator('form[action$="/publish"] button').click()
    expect(page.get_by_test_id("status-badge")).to_have_count(0)

    page.locator('nav a[href="/search"]').click()
    page.locator("#near").fill("Bléré")
    page.locator("form#search-form button[type=submit]").first.click()

    results = page.get_by_test_id("result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("La Grange de Bléré")
    expect(results.first).to_contain_text("Postes en open space")
    expect(page.locator("#search-map .leaflet-marker-icon")).to_have_count(1)
