"""A municipality's officer reads the observatory in Chromium: the default period (the last 3
full months), a quick choice of another, the map (Leaflet, one circle per commune and the
unmet-demand marker), the chart of seat-hours by month, and the CSV of the table."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS, log_in, place_in_loches
from tests.e2e.test_content_security_policy import RECORD_VIOLATIONS

LOCHES, SAINTE_MAURE = "37132", "37226"
PARIS = ZoneInfo("Europe/Paris")


def _last_month_day() -> datetime:
    """10:00 (Paris) on the 10th of last month: inside both "last month" and the default."""
    first = datetime.now(PARIS).date().replace(day=1)
    day = (first - timedelta(days=1)).replace(day=10)
    return datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)


def _town(app, unit_id: int, space_id: int) -> int:
    """Ville de Loches (its officer: agent@example.org, a plain member) over Loches and
    Sainte-Maure-de-Touraine; Camille's 2-hour booking in Loches last month; three searches
    near Sainte-Maure that found nothing."""
    from spaces.accounts.services import find_user_by_email
    from spaces.bookings.requesting import request_booking
    from spaces.db import transaction
    from spaces.extensions import db
    from spaces.listings.models import Space
    from spaces.observatory import territory
    from spaces.observatory.models import SearchLog
    from spaces.organisations import services as organisations
    from spaces.organisations.models import Organisation
    from tests.factories import make_organisation, make_user

    with app.app_context():
        mayor = make_user("maire@example.org", name="Maire")
        make_user("agent@example.org", name="Agent")
        town = make_organisation(mayor, "Ville de Loches", kind="municipality")
        start = _last_month_day()
        with transaction():
            organisations.add_member(
                db.session.merge(mayor), db.session.merge(town), "agent@example.org", "member"
            )
            territory.set_territory(db.session.get(Organisation, town.id), [LOCHES, SAINTE_MAURE])
            db.session.get(Space, space_id).insee_code = LOCHES
            for hour in (9, 10, 11):
                db.session.add(
                    SearchLog(
                        searched_at=start.astimezone(UTC).replace(hour=hour),
                        insee_code=SAINTE_MAURE,
                        radius_km=10,
                        results=0,
                    )
                )
        with transaction():
            request_booking(
                find_user_by_email("camille@example.org"),
                unit_id,
                start,
                start + timedelta(hours=2),
                now=start - timedelta(days=2),
            )
        return town.id


def test_an_officer_reads_the_observatory_and_downloads_its_table(
    app, browser, live_server, tmp_path: Path
):
    space_id, unit_id = place_in_loches(app)
    town_id = _town(app, unit_id, space_id)
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    log_in(page, "agent@example.org")

    page.get_by_test_id("observatory-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Observatoire — Ville de Loches")
    # The default: the last 3 full months, in the chart and its table.
    expect(page.get_by_test_id("months-chart-table").locator("tbody tr")).to_have_count(3)
    loches = page.locator(f"[data-testid=commune-row][data-insee='{LOCHES}']")
    expect(loches.locator("[data-field=bookings]")).to_have_text("1")
    expect(loches.locator("[data-field=seat_hours_booked]")).to_have_text("2")
    unmet = page.locator(f"[data-testid=commune-row][data-insee='{SAINTE_MAURE}']")
    expect(unmet.locator("[data-field=searches_without_result]")).to_have_text("3")

    # The map: Leaflet drew a circle for Loches and the unmet-demand ring for Sainte-Maure.
    expect(page.locator("#observatory-map.leaflet-container")).to_be_visible()
    expect(page.locator("#observatory-map path.observatory-circle")).to_have_count(1)
    expect(page.locator("#observatory-map path.observatory-unmet")).to_have_count(1)

    assert page.evaluate("window.__cspViolations") == []  # the map's script obeys the CSP

    # Another period: last month only (one month in the chart), then typed dates.
    page.get_by_test_id("quick-month").click()
    expect(page.get_by_test_id("months-chart-table").locator("tbody tr")).to_have_count(1)
    expect(
        page.get_by_test_id("months-chart").locator(".chart-series-1[data-value='2.0']")
    ).to_have_count(1)
    page.get_by_test_id("period-from").fill("2027-02-01")
    page.get_by_test_id("period-to").fill("2027-01-01")
    page.get_by_test_id("period-submit").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    page.get_by_test_id("quick-month").click()

    # The table as CSV: the same rows.
    with page.expect_download() as download_info:
        page.get_by_test_id("csv-link").click()
    path = tmp_path / "observatory.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [row["insee_code"] for row in rows] == [LOCHES, SAINTE_MAURE]
    assert rows[0]["bookings"] == "1" and rows[0]["seat_hours_booked"] == "2.0"
    assert rows[1]["searches_without_result"] == "3" and rows[1]["seats"] == "0"
    assert town_id
    context.close()


def test_the_mayor_adds_a_commune_by_name_and_by_a_click_on_the_map(app, browser, live_server):
    space_id, unit_id = place_in_loches(app)
    town_id = _town(app, unit_id, space_id)
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, "maire@example.org")
    page.set_viewport_size({"width": 390, "height": 844})  # the picker on a phone
    page.goto(f"/organisations/{town_id}/observatory")
    page.get_by_test_id("territory-link").click()
    chosen = page.get_by_test_id("territory-communes").locator("li")
    expect(chosen).to_have_count(2)
    page.get_by_test_id("commune-query").fill("Beaulieu-lès-Loches")
    page.get_by_test_id("find-commune").click()
    page.get_by_test_id("add-commune").first.click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(chosen).to_have_count(3)
    expect(page.locator("[data-testid=territory-communes] li[data-insee='37020']")).to_be_visible()
    # A click on the map, far from the chosen communes, adds the commune nearest to it.
    territory_map = page.locator("#territory-map.leaflet-container")
    expect(territory_map).to_be_visible()
    territory_map.scroll_into_view_if_needed()
    box = territory_map.bounding_box()
    territory_map.click(position={"x": box["width"] / 2, "y": box["height"] - 60})
    expect(chosen).to_have_count(4)
    chosen.filter(has_text="Beaulieu-lès-Loches").get_by_test_id("remove-commune").click()
    expect(chosen).to_have_count(3)
    context.close()
