"""An employer pays for a desk, in Chromium: its owner sets a budget, a member books "paid by"
the employer and sees what is left, and the owner downloads the month's statement as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from spaces.db import utcnow
from tests.e2e.conftest import TIMEOUT_MS, log_in, place_in_loches


def _employer_with_camille(app) -> int:
    from spaces.db import transaction
    from spaces.extensions import db
    from spaces.organisations import services as organisations
    from tests.factories import make_organisation, make_user

    with app.app_context():
        owner = make_user("rh@example.org", name="Nadia RH")
        employer = make_organisation(owner, "Touraine Logistique", kind="employer")
        with transaction():
            organisations.add_member(
                db.session.merge(owner), db.session.merge(employer), "camille@example.org", "member"
            )
        return employer.id


def _a_weekday_next_month() -> date:
    today = utcnow().date()
    first = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7)  # its first Tuesday


def test_an_employer_sets_a_budget_a_member_books_on_it_and_the_csv_lists_it(
    app, browser, live_server
):
    _space_id, unit_id = place_in_loches(app)
    employer_id = _employer_with_camille(app)
    day = _a_weekday_next_month()
    month = f"{day:%Y-%m}"

    def context():
        ctx = browser.new_context(
            base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 800}
        )
        ctx.set_default_timeout(TIMEOUT_MS)
        return ctx

    # The owner finds the employer pages from the menu and sets 80 € a month per member.
    owner_ctx = context()
    owner = owner_ctx.new_page()
    log_in(owner, "rh@example.org")
    owner.get_by_test_id("employer-link").click()
    expect(owner.get_by_test_id("no-sponsorship")).to_be_visible()
    owner.get_by_test_id("nav-settings").click()
    owner.locator("#monthly_budget_per_member").fill("80")
    owner.get_by_test_id("save-sponsorship").click()
    expect(owner.locator(".flash-success")).to_be_visible()
    expect(owner.locator("#monthly_budget_per_member")).to_have_value("80,00")

    # Camille books half a day paid by the employer, and sees what is left of her budget.
    member_ctx = context()
    member = member_ctx.new_page()
    log_in(member, "camille@example.org")
    member.goto(f"/units/{unit_id}/book?date={day}&preset=morning")
    budget = member.get_by_test_id("sponsor-budget")
    expect(budget).to_contain_text("Touraine Logistique : il vous reste 80,00 €")
    member.get_by_test_id("sponsor-select").select_option(label="Touraine Logistique")
    member.get_by_test_id("submit-booking").click()
    expect(member.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
    expect(member.get_by_test_id("paid-by")).to_contain_text("Payé par Touraine Logistique")
    member.goto(f"/units/{unit_id}/book?date={day}")
    expect(member.get_by_test_id("sponsor-budget")).to_contain_text("il vous reste 65,00 €")
    # Another month's date: the text follows it (its budget is whole).
    member.locator("#date").fill(str(day + timedelta(days=35)))
    expect(member.get_by_test_id("sponsor-budget")).to_contain_text("il vous reste 80,00 €")
    member_ctx.close()

    # The owner opens next month's statement and downloads its CSV.
    owner.get_by_test_id("nav-statement").click()
    owner.get_by_test_id("next-month").click()
    expect(owner.get_by_test_id("statement-total")).to_contain_text("15,00")
    expect(owner.get_by_test_id("statement-line")).to_have_count(1)
    with owner.expect_download() as download_info:
        owner.get_by_test_id("statement-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"statement-{employer_id}-{month}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 1
    assert rows[0]["member_name"] == "Camille"
    assert rows[0]["space"] == "Tiers-lieu de Loches"
    assert rows[0]["amount_cents"] == "1500" and rows[0]["currency"] == "EUR"
    assert rows[0]["start"].startswith(f"{day}T09:00")
    owner_ctx.close()
