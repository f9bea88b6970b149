"""Every main page on a phone (390×844) and a desktop (1280×800), logged out and for each role of
the Touraine demo: nothing scrolls sideways, and axe-core finds no serious or critical violation.
Also: the menu each role sees, the menu folding behind a button on a phone (and open without
JavaScript), status badges that differ by more than colour, and Leaflet's controls in French.

The demo is loaded once per module and backend, and served on a free port for the whole module;
each role has one browser context, logged in once, which visits its pages at both sizes (the
menu checked on the first). The pages are listed in ``tests/e2e/tour.py`` (shared with
``scripts/screenshots.py``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from spaces import create_app
from tests.conftest import app_config, empty_tables
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.tour import ACCOUNTS, MENU_ITEMS, MENUS, ROLES, SIZES, Stop, log_in, make_admin, tour

SERIOUS = {"serious", "critical"}

# The page's elements that stick out on the right, outside any box that scrolls or clips them.
WIDEST = """
() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5 && !clipped(el)) {
      const classes = typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      found.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes} (right ${Math.round(box.right)})`);
    }
  }
  return found.slice(-4);
}
"""


@dataclass
class Site:
    url: str
    pages: dict[str, list[Stop]]
    app: object


@pytest.fixture(scope="module")
def site(database, instance_dir, tmp_path_factory):
    """The demo, loaded once, served over HTTP on 127.0.0.1 for the module's tests."""
    from spaces.extensions import db

    outbox = tmp_path_factory.mktemp("layout-outbox")
    app = create_app(app_config(database.url, instance_dir, MAIL_OUTBOX_DIR=str(outbox)))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    make_admin(app)
    pages = tour(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="layout-server"
    )
    thread.daemon = True
    thread.start()
    try:
        yield Site(url, pages, app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            empty_tables(db)
            db.engine.dispose()


def open_as(browser, site: Site, role: str, size: str = "desktop", **options):
    """A French-speaking browser context for ``role``, logged in, and its page."""
    context = browser.new_context(
        base_url=site.url, locale="fr-FR", viewport=SIZES[size], **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    if ACCOUNTS[role]:
        log_in(page, ACCOUNTS[role])
    return context, page


def visit(page: Page, stop: Stop) -> None:
    response = page.goto(stop.path)
    expected = 404 if stop.name == "not-found" else 200
    assert response is not None and response.status == expected, (
        f"{stop.path}: {response.status if response else 'no answer'}"
    )
    page.wait_for_load_state("load")


def serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def menu_problems(page: Page, role: str) -> list[str]:
    """The main-menu items that ``role`` should see and does not, or should not and does."""
    menu = page.get_by_test_id("site-menu")
    problems = [
        f"menu: {item} {'missing' if item in MENUS[role] else 'shown'}"
        for item in MENU_ITEMS
        if (menu.get_by_test_id(item).count() == 1) != (item in MENUS[role])
    ]
    account = page.get_by_test_id("account-link")
    if (account.count() == 1) != bool(ACCOUNTS[role]):
        problems.append("menu: the account link is wrong for this role")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_menu_and_every_page_fits_without_a_serious_axe_violation(
    browser, site, role
):
    """Every page of the role at both sizes: its width, and axe (0.2–1.6 s a page)."""
    context, page = open_as(browser, site, role)
    problems = []
    try:
        for size_name, size in SIZES.items():
            page.set_viewport_size(size)
            for number, stop in enumerate(site.pages[role]):
                visit(page, stop)
                if number == 0 and size_name == "desktop":
                    problems += menu_problems(page, role)
                scroll_width, inner_width = page.evaluate(
                    "() => [document.documentElement.scrollWidth, window.innerWidth]"
                )
                if scroll_width > inner_width:
                    problems.append(
                        f"{size_name} {stop.name} ({stop.path}): {scroll_width} px wide"
                        f" for {inner_width}; sticking out: {page.evaluate(WIDEST)}"
                    )
                problems += [
                    f"{size_name} {stop.name} ({stop.path}): {violation}"
                    for violation in serious_violations(page)
                ]
    finally:
        context.close()
    assert not problems, f"{role}:\n" + "\n".join(problems)


def test_the_menu_folds_behind_a_button_on_a_phone_and_opens_from_the_keyboard(browser, site):
    context, page = open_as(browser, site, "host", size="phone")
    try:
        page.goto("/")
        toggle = page.get_by_test_id("menu-toggle")
        places = page.get_by_test_id("my-places")
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(places).to_be_hidden()

        for _ in range(5):  # skip link, brand, then the button
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.dataset.testid") == "menu-toggle":
                break
        expect(toggle).to_be_focused()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(places).to_be_visible()
        page.keyboard.press("Tab")
        expect(
            page.get_by_test_id("site-menu").get_by_role("link", name="Rechercher")
        ).to_be_focused()
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(toggle).to_be_focused()
        expect(places).to_be_hidden()

        toggle.click()
        places.click()
        expect(page).to_have_url(f"{site.url}/my/spaces")
        expect(page.get_by_test_id("my-places")).to_have_attribute("aria-current", "page")

        page.set_viewport_size(SIZES["desktop"])
        expect(toggle).to_be_hidden()
        expect(page.get_by_test_id("my-places")).to_be_visible()
    finally:
        context.close()


def test_without_javascript_the_phone_menu_stays_open_and_fits(browser, site):
    context, page = open_as(browser, site, "teleworker", size="phone", java_script_enabled=False)
    try:
        page.goto("/bookings")
        expect(page.get_by_test_id("menu-toggle")).to_be_hidden()
        expect(page.get_by_test_id("my-bookings")).to_be_visible()
        expect(page.get_by_test_id("account-link")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


BOOKING_STATUSES = ("confirmed", "requested", "declined", "cancelled", "expired")
BADGES = """{% from "macros/badges.html" import status_badge %}
{% for status in statuses %}{{ status_badge(status) }} {% endfor %}"""
BADGE_STYLES = """
() => [...document.querySelectorAll("#badges .status")].map((el) => {
  const style = getComputedStyle(el), icon = getComputedStyle(el, "::before");
  return {status: el.dataset.status, text: el.textContent.trim(), color: style.color,
          background: style.backgroundColor, icon: icon.maskImage || icon.webkitMaskImage};
})
"""


def luminance(css: str) -> float:
    red, green, blue = (int(part) for part in css[css.index("(") + 1 : -1].split(",")[:3])

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_booking_status_badges_differ_in_colour_icon_and_words(browser, site):
    from flask import render_template_string

    with site.app.test_request_context("/", headers={"Accept-Language": "fr"}):
        html = render_template_string(BADGES, statuses=BOOKING_STATUSES)
    context, page = open_as(browser, site, "anonymous")
    try:
        page.goto("/")
        page.evaluate(
            """(html) => { const box = document.createElement("div"); box.id = "badges";
               box.innerHTML = html; document.querySelector("main").append(box); }""",
            html,
        )
        badges = page.evaluate(BADGE_STYLES)
    finally:
        context.close()
    assert [b["status"] for b in badges] == list(BOOKING_STATUSES)
    for field in ("text", "background", "color", "icon"):
        values = [b[field] for b in badges]
        assert len(set(values)) == len(values), f"two statuses share a {field}: {values}"
    for badge in badges:
        assert badge["icon"].startswith("url("), badge
        assert contrast(badge["color"], badge["background"]) >= 4.5, badge


def test_map_controls_speak_the_page_language(browser, site):
    context, page = open_as(browser, site, "anonymous")
    try:
        page.goto(next(s.path for s in site.pages["anonymous"] if s.name == "space"))
        expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom avant")
        expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Zoom arrière")
        expect(
            page.locator('.leaflet-control-attribution a[href="https://leafletjs.com"]')
        ).to_have_attribute("title", "Une bibliothèque JavaScript de cartes interactives")
        page.locator(".leaflet-marker-icon").first.click()
        expect(page.locator(".leaflet-popup-close-button")).to_have_attribute(
            "aria-label", "Fermer la bulle"
        )
    finally:
        context.close()
