"""End-to-end harness: the test's app served on a free port, driven by a real Chromium.

``live_server`` serves the ``app`` fixture (so every e2e test runs on both database backends) in a
thread; ``browser`` is one headless Debian Chromium for the session, launched through Playwright
without downloading anything; ``page`` is a fresh French-speaking browser context per test, whose
relative URLs point at the live server, and which leaves a screenshot behind when the test fails.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import CHROMIUM, require

HERE = Path(__file__).parent
TIMEOUT_MS = 10_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Traffic stays on this machine: every other host name resolves to nothing (map tiles...).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Every test in this folder needs Chromium: mark it so ``-m 'not browser'`` leaves it out."""
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@dataclass
class LiveServer:
    url: str


@pytest.fixture
def live_server(app):
    """The test's app over real HTTP on 127.0.0.1 and a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield LiveServer(url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (the system's, never a downloaded one)."""
    if not os.path.exists(CHROMIUM):
        require(f"Chromium is not installed at {CHROMIUM} (set CHROMIUM_PATH)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(request, browser, live_server, tmp_path):
    """A page in a fresh context (no cookies), in French, whose relative URLs hit the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            path = tmp_path / "failure.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                print(f"\nscreenshot of the failed page ({page.url}): {path}")
            except Exception as exc:  # the browser may be what failed: keep the real error
                print(f"\nno screenshot: {exc}")
        context.close()


def place_in_loches(app, booking_mode="instant", capacity=3, windows=None):
    """A published third place in Loches with one unit (open all week by default), its host
    (host@example.org) and a booker (camille@example.org): (space id, unit id)."""
    from spaces.availability.hours import Window
    from tests.factories import make_space, make_unit, make_user, set_hours

    with app.app_context():
        host = make_user("host@example.org", name="Hôte")
        space = make_space(
            host,
            name="Tiers-lieu de Loches",
            units=0,
            publish=False,
            latitude=47.1286,
            longitude=0.9953,
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


def log_in(page, email: str, password: str | None = None) -> None:
    """Log in through the form and wait until the page shows the account link."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password or PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("account-link")).to_be_visible()
