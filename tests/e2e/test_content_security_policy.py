"""The Content-Security-Policy breaks no page: Chromium reports no violation on the main pages,
and their scripts still run (maps drawn, live availability, copy buttons)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from spaces.availability.hours import Window
from tests.e2e.conftest import place_in_loches
from tests.factories import PASSWORD

LOCHES = (47.1286, 0.9953)

# Recorded by the page itself, so a violation is seen even when Chromium logs nothing.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " blocked " + (event.blockedURI || "inline") + " at " +
    event.sourceFile + ":" + event.lineNumber
  );
});
"""


class PolicyWatch:
    """Every CSP violation of a page: from the console and from the page's own listener."""

    def __init__(self, page: Page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def visit(self, path: str, ready: str | None = None) -> None:
        """Open ``path``, wait for the ``ready`` element, and fail on any violation so far."""
        response = self.page.goto(path)
        assert response is not None and response.status == 200, path
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, f"{path}: no policy in force ({policy!r})"
        if ready:
            expect(self.page.locator(ready).first).to_be_visible()
        self.page.wait_for_load_state("load")
        recorded = self.page.evaluate("() => window.__cspViolations || []")
        assert not recorded and not self.console, f"{path}: {recorded or self.console}"


def _place(app):
    space_id, unit_id = place_in_loches(app, windows=[Window(d, 8 * 60, 19 * 60) for d in range(7)])
    with app.app_context():
        from spaces.accounts.models import User
        from spaces.calendars import tokens
        from spaces.db import transaction
        from spaces.extensions import db

        host = db.session.scalar(db.select(User).where(User.email == "host@example.org"))
        with transaction():
            tokens.create_token(host, "me")
    return space_id, unit_id


def test_main_pages_run_under_the_policy_without_a_violation(app, page: Page):
    space_id, unit_id = _place(app)
    watch = PolicyWatch(page)

    watch.visit("/")
    watch.visit("/login", ready="#email")
    watch.visit("/register", ready="#email")
    watch.visit("/password/forgot", ready="#email")
    watch.visit("/search?near=Loches", ready=".leaflet-marker-icon")
    watch.visit(f"/spaces/{space_id}", ready=".leaflet-marker-icon")

    page.goto("/login")
    page.locator("#email").fill("host@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("account-link")).to_be_visible()

    watch.visit(f"/units/{unit_id}/book?start=2027-03-01T09:00&end=2027-03-01T13:00", "#date")
    page.get_by_test_id("submit-booking").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
    watch.visit(page.url, ready='[data-testid="status"]')  # the booking's page
    watch.visit("/bookings")
    watch.visit("/host/bookings")
    watch.visit("/organisations")
    watch.visit("/my/spaces")
    watch.visit(f"/spaces/{space_id}/edit", ready=".leaflet-container")
    watch.visit(f"/spaces/{space_id}/closures")
    watch.visit(f"/spaces/{space_id}/hours")
    watch.visit(f"/spaces/{space_id}/photos")
    watch.visit("/account")
    # The copy buttons are shown by static/js/copy-field.js (once an inline script).
    watch.visit("/account/calendars", ready="button[data-copy]")
