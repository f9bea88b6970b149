"""A host reads their statistics in Chromium: from "My places" to the space's statistics, a
new period, the occupancy chart and the busiest-hours heat map, then the CSV download."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, place_in_loches

PARIS = ZoneInfo("Europe/Paris")


def _a_monday_in_three_weeks() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=21 - today.weekday())


def _book(app, unit_id: int, day: date) -> None:
    """Camille books 2 seats on ``day`` from 9:00 to 12:00 (Paris): 6 seat-hours."""
    from spaces.accounts.services import find_user_by_email
    from spaces.bookings import requesting
    from spaces.db import transaction

    with app.app_context():
        camille = find_user_by_email("camille@example.org")
        start = datetime(day.year, day.month, day.day, 9, tzinfo=PARIS)
        with transaction():
            requesting.request_booking(camille, unit_id, start, start + timedelta(hours=3), 2)


def test_a_host_reads_the_statistics_of_a_place_and_downloads_the_csv(app, page):
    space_id, unit_id = place_in_loches(app)  # open all week, all day, 3 seats
    monday = _a_monday_in_three_weeks()
    tuesday = monday + timedelta(days=1)
    _book(app, unit_id, tuesday)

    log_in(page, "host@example.org")
    page.goto("/my/spaces")
    page.get_by_test_id("space-stats").click()
    expect(page.locator("h1")).to_contain_text("Tiers-lieu de Loches")
    # The default period (the last three full months) has no booking yet.
    expect(page.get_by_test_id("unit-row").get_by_test_id("bookings")).to_have_text("0")

    page.locator("#period-from").fill(str(monday))
    page.locator("#period-to").fill(str(monday + timedelta(days=6)))
    page.get_by_test_id("period-submit").click()
    row = page.get_by_test_id("unit-row")
    expect(row.get_by_test_id("bookings")).to_have_text("1")
    expect(row.get_by_test_id("booked")).to_have_text("6")
    offered = row.get_by_test_id("offered").inner_text()  # 3 seats × 24 h a day open

    chart = page.get_by_test_id(f"occupancy-chart-{unit_id}")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart.locator(".chart-bar rect")).to_have_count(1)  # one week, one bar
    heat = page.get_by_test_id("heat-map-table")
    expect(heat).to_be_visible()
    tuesday_row = heat.locator("tbody tr").nth(1)
    for hour in (9, 10, 11):
        cell = tuesday_row.locator("td").nth(hour)
        expect(cell).to_have_text("2")
        expect(cell).to_have_class("heat-5")
    expect(tuesday_row.locator("td").nth(12)).to_have_class("heat-0")
    expect(page.get_by_test_id("heat-map-legend")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_test_id("stats-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"space-{space_id}-{monday}-{monday + timedelta(6)}.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["name"], r["seat_hours_booked"], r["bookings"]) for r in rows] == [
        ("Open space", "6.0", "1")
    ]
    assert float(rows[0]["seat_hours_offered"]) == float(offered.replace("\u202f", ""))
    assert float(offered.replace("\u202f", "")) > 0
