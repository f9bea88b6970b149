"""A municipality lists its vacant premises by spreadsheet, in Chromium: a CSV with a mistake is
refused with the row and column named, the corrected file is previewed, imported, and its places
are in the municipality's list as drafts.

The import runs on the app's thread pool (JOBS_INLINE off), as without Redis in production: the
page follows its progress (static/js/import-progress.js) until the result. Fields are found by id
or test id, so the test holds whether a string is translated or not.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in
from tests.factories import make_organisation, make_user

HEADER = "Référence;Nom;Code postal;Commune;Capacité;Type d'offre;Loyer mensuel;Services"
ROWS = [
    "LOC-1;Ancienne perception;37600;Loches;10;Local entier;450;wifi",
    "LOC-2;Salle des associations;;Beaulieu-lès-Loches;30;salle de réunion;300;wifi, parking",
]


def as_file(name: str, *rows: str) -> dict:
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    return {"name": name, "mimeType": "text/csv", "buffer": "\ufeff".encode() + text.encode()}


def test_upload_see_the_error_fix_it_and_import_drafts(app, page: Page):
    app.config["JOBS_INLINE"] = False
    with app.app_context():
        user = make_user("patrimoine@example.org", name="Service patrimoine")
        make_organisation(user, name="Ville de Loches", kind="municipality")

    log_in(page, "patrimoine@example.org")
    page.goto("/my/spaces")
    page.get_by_test_id("import-spreadsheet").click()

    page.locator("#import-file").set_input_files(
        as_file("lieux.csv", ROWS[0], ROWS[1].replace("Beaulieu-lès-Loches", "Beaulieu-sur-Mars"))
    )
    page.locator("[data-testid=import-form] button[type=submit]").click()
    bad = page.locator("[data-testid=preview-row].has-errors")
    expect(bad).to_have_count(1)
    expect(bad).to_have_attribute("data-line", "3")
    expect(bad.get_by_test_id("row-error")).to_have_attribute("data-column", "commune")
    expect(bad.get_by_test_id("row-error")).to_contain_text("Beaulieu-sur-Mars")

    page.locator("#import-file").set_input_files(as_file("lieux.csv", *ROWS))
    page.locator("[data-testid=import-form] button[type=submit]").click()
    expect(page.get_by_test_id("import-row")).to_have_count(2)
    expect(page.locator("[data-testid=import-row][data-action=create]")).to_have_count(2)

    page.get_by_test_id("run-import").click()
    expect(page.locator("[data-testid=import-state][data-status=done]")).to_be_visible()
    expect(page.get_by_test_id("import-result")).to_contain_text("2")

    page.goto("/my/spaces")
    places = page.get_by_test_id("my-space")
    expect(places).to_have_count(2)
    expect(places.filter(has_text="Ancienne perception")).to_have_count(1)
    expect(places.filter(has_text="Salle des associations")).to_contain_text("Beaulieu-lès-Loches")
    expect(places.locator("[data-status=draft]")).to_have_count(2)


@pytest.mark.redis
def test_the_page_follows_a_queued_import_until_the_worker_has_run_it(app, page: Page, redis_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from tests.e2e.test_content_security_policy import PolicyWatch

    app.config["REDIS_URL"] = redis_url
    with app.app_context():
        user = make_user("patrimoine@example.org", name="Service patrimoine")
        make_organisation(user, name="Ville de Loches", kind="municipality")
    watch = PolicyWatch(page)
    log_in(page, "patrimoine@example.org")
    page.goto("/my/spaces/import")
    page.locator("#import-file").set_input_files(as_file("lieux.csv", *ROWS))
    page.locator("[data-testid=import-form] button[type=submit]").click()
    page.get_by_test_id("run-import").click()

    # Queued in Redis: the page shows the bar and polls the status while nothing is written.
    expect(page.locator("[data-testid=import-state][data-status=queued]")).to_be_visible()
    expect(page.locator("#import-progress")).to_have_attribute("max", "2")

    connection = Redis.from_url(redis_url)
    with app.app_context():
        SimpleWorker([Queue("spaces", connection=connection)], connection=connection).work(
            burst=True
        )
    # The script notices the end by itself and shows the result.
    expect(page.locator("[data-testid=import-state][data-status=done]")).to_be_visible()
    expect(page.get_by_test_id("import-result")).to_contain_text("2")
    recorded = page.evaluate("() => window.__cspViolations || []")
    assert recorded == [] and watch.console == []
