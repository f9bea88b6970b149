"""The main menu in the HTML, by role: a teleworker sees no host item, a host does, a page
marks its own item as current, and the employer group links nowhere yet."""

from __future__ import annotations

from tests.factories import log_in, make_organisation, make_space, make_user

HOST_LINKS = ('href="/my/spaces"', 'href="/host/bookings"', 'href="/organisations/"')


def menu_of(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    return html[html.index('id="site-menu"') : html.index("</nav>")]


def test_a_visitor_sees_search_and_log_in_only(client):
    menu = menu_of(client)
    assert 'href="/search"' in menu and 'href="/login"' in menu
    assert 'href="/bookings"' not in menu
    assert not any(link in menu for link in HOST_LINKS)


def test_a_teleworker_sees_bookings_and_calendars_but_no_host_item(client, app_ctx):
    make_user("camille@example.org")
    log_in(client, "camille@example.org")
    menu = menu_of(client)
    assert 'href="/bookings"' in menu and 'href="/account/calendars"' in menu
    assert not any(link in menu for link in HOST_LINKS)
    assert 'href="/admin/users"' not in menu


def test_a_host_sees_places_requests_and_organisations(client, app_ctx):
    host = make_user("host@example.org")
    make_space(host)
    log_in(client, "host@example.org")
    menu = menu_of(client, "/my/spaces")
    assert all(link in menu for link in HOST_LINKS)
    assert 'href="/my/spaces" data-testid="my-places" aria-current="page"' in menu


def test_an_employer_sees_its_organisation_but_no_host_item(client, app_ctx):
    boss = make_user("rh@example.org")
    make_organisation(boss, name="Touraine Logistique", kind="employer")
    log_in(client, "rh@example.org")
    menu = menu_of(client)
    assert 'href="/organisations/"' in menu
    assert 'href="/my/spaces"' not in menu and 'href="/host/bookings"' not in menu


def test_an_administrator_sees_moderation(client, app_ctx):
    make_user("admin@example.org", is_admin=True)
    log_in(client, "admin@example.org")
    assert 'href="/admin/users"' in menu_of(client)
