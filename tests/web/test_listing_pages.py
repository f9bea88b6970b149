"""Listing pages through HTTP: search, the space page, and the host's forms (CSRF, 422, 403/404).

Pages are read in English (the source language) so the assertions hold whatever the catalogue.
"""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from spaces.availability import services as availability
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from tests.factories import log_in, make_organisation, make_space, make_unit, make_user, post_form

LOCHES = (47.128, 0.995)


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def fresh() -> None:
    """End the test's read transaction: on SQLite it would keep seeing the data of before the
    request."""
    db.session.rollback()


def html_of(response) -> str:
    return response.get_data(as_text=True)


def result_names(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'<h3><a href="/spaces/\d+">([^<]+)</a></h3>', html)]


def map_data(html: str, id_: str = "search-map-data") -> dict:
    match = re.search(rf'<script type="application/json" id="{id_}">(.*?)</script>', html, re.S)
    assert match, f"no {id_} block"
    return json.loads(match[1])


def north_of(point, km: float) -> tuple[float, float]:
    return point[0] + km / 111.2, point[1]


# --- search --------------------------------------------------------------------------------------


def test_search_lists_nearest_first_and_pagination_keeps_filters(client, app_ctx):
    host = make_user()
    organisation = make_organisation(host)
    for n in range(23):
        lat, lon = north_of(LOCHES, 0.3 * (23 - n))  # created farthest first
        make_space(host, organisation, name=f"Place {23 - n:02d}", latitude=lat, longitude=lon)
    make_space(host, organisation, name="Tours place")  # 40 km away

    response = client.get("/search?near=Loches&radius_km=10&services=wifi&kind=desk_pool")

    assert response.status_code == 200
    html = html_of(response)
    assert result_names(html) == [f"Place {n:02d}" for n in range(1, 21)]
    assert "23 places" in html
    assert "0.3 km" in html
    links = {unescape(h) for h in re.findall(r'href="(/search\?[^"]+)"', html)}
    page_two = next(link for link in links if "page=2" in link)
    assert parse_qs(urlsplit(page_two).query) == {
        "near": ["Loches"],
        "radius_km": ["10"],
        "services": ["wifi"],
        "kind": ["desk_pool"],
        "page": ["2"],
    }
    second = html_of(client.get(page_two))
    assert result_names(second) == ["Place 21", "Place 22", "Place 23"]
    assert 'aria-current="page">2<' in second
    assert len(map_data(second)["markers"]) == 3


def test_search_shows_a_map_with_one_marker_per_place_and_its_tiles(client, app_ctx):
    host = make_user()
    space = make_space(host, name="Loches desks", latitude=LOCHES[0], longitude=LOCHES[1])
    make_unit(host, space, kind="meeting_room", capacity=8)
    app_ctx.config["MAP_TILE_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"

    html = html_of(client.get("/search?near=Loches"))

    data = map_data(html)
    assert data["tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in data["attribution"]
    [marker] = data["markers"]
    assert marker["name"] == "Loches desks"
    assert marker["url"] == f"/spaces/{space.id}"
    assert (marker["lat"], marker["lon"]) == LOCHES
    assert result_names(html) == ["Loches desks"]
    assert html.count('class="unit-name"') == 2  # both units under the one place
    assert "€4.00" in html and "per hour" in html


def test_search_in_french_formats_distance_and_prices(app, app_ctx):
    host = make_user()
    make_space(host, name="Loin", latitude=north_of(LOCHES, 3.4)[0], longitude=LOCHES[1])
    french = app.test_client()
    french.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"

    html = html_of(french.get("/search?near=Loches"))

    assert "3,4\xa0km" in html or "3,4 km" in html
    assert "4,00\xa0€" in html


def test_search_with_dates_shows_free_seats_and_the_price_for_them(client, app_ctx):
    from datetime import date, timedelta

    from tests.factories import set_hours

    host = make_user()
    space = make_space(host, name="Open on weekdays")
    set_hours(host, space)
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)

    response = client.get(f"/search?start={monday}T09:00&end={monday}T12:00")

    assert response.status_code == 200
    html = html_of(response)
    assert result_names(html) == ["Open on weekdays"]
    assert "3 seats free" in html and "for these dates" in html
    assert f'name="start" value="{monday}T09:00"' in html

    sunday = monday + timedelta(days=6)
    closed = html_of(client.get(f"/search?start={sunday}T09:00&end={sunday}T12:00"))
    assert result_names(closed) == []

    assert client.get(f"/search?start={monday}T09:00").status_code == 422


def test_search_without_a_place_lists_everything_by_name(client, app_ctx):
    host = make_user()
    organisation = make_organisation(host)
    for name in ("Zèbre", "abeille", "Moulin"):
        make_space(host, organisation, name=name)

    response = client.get("/search")

    assert response.status_code == 200
    html = html_of(response)
    assert result_names(html) == ["abeille", "Moulin", "Zèbre"]
    assert map_data(html)["center"] is None
    assert 'data-testid="distance"' not in html


def test_unknown_place_is_a_422_with_the_message_next_to_near(client, app_ctx):
    make_space(make_user())

    response = client.get("/search?near=Nowhereville&seats=2")

    assert response.status_code == 422
    html = html_of(response)
    assert 'id="near-error"' in html
    assert 'aria-describedby="near-error"' in html
    assert "We could not find “Nowhereville”" in unescape(html)
    assert 'value="Nowhereville"' in html and 'value="2"' in html
    assert result_names(html) == []


def test_ambiguous_place_asks_for_a_postal_code(client, app_ctx):
    response = client.get("/search?near=Saint-Martin")

    assert response.status_code == 422
    assert "Add a postal code" in html_of(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("services=wifi&services=teleporter", "Unknown service: teleporter."),
        ("seats=0", "Must be between"),
    ],
)
def test_bad_filters_are_422_with_a_message(client, app_ctx, query, message):
    response = client.get(f"/search?{query}")
    assert response.status_code == 422
    assert message in html_of(response)


def test_search_filters_by_services_and_kind(client, app_ctx):
    host = make_user()
    organisation = make_organisation(host)
    make_space(host, organisation, name="Wifi only", services=["wifi"])
    both = make_space(host, organisation, name="Wifi and childcare", services=["wifi", "childcare"])
    make_unit(host, both, name="Salle Loire", kind="meeting_room", capacity=6)
    make_space(host, organisation, name="Childcare only", services=["childcare"])

    html = html_of(client.get("/search?services=wifi&services=childcare"))
    assert result_names(html) == ["Wifi and childcare"]
    assert re.search(r'value="childcare" checked', html)

    html = html_of(client.get("/search?services=childcare"))
    assert result_names(html) == ["Childcare only", "Wifi and childcare"]

    html = html_of(client.get("/search?kind=meeting_room"))
    assert result_names(html) == ["Wifi and childcare"]
    assert "Salle Loire" in html and "Postes" not in html

    html = html_of(client.get("/search?seats=5"))
    assert result_names(html) == ["Wifi and childcare"]


def test_drafts_stay_off_search_and_hidden_from_strangers(client, app_ctx):
    host = make_user(email="host@example.org")
    organisation = make_organisation(host)
    draft = make_space(host, organisation, name="Secret draft", publish=False)
    make_space(host, organisation, name="Public place")
    make_user(email="stranger@example.org")

    assert result_names(html_of(client.get("/search"))) == ["Public place"]
    assert client.get(f"/spaces/{draft.id}").status_code == 404

    stranger = client.application.test_client()
    log_in(stranger, "stranger@example.org")
    assert stranger.get(f"/spaces/{draft.id}").status_code == 404

    member = client
    log_in(member, "host@example.org")
    page = member.get(f"/spaces/{draft.id}")
    assert page.status_code == 200
    html = html_of(page)
    assert 'data-testid="status-badge">Draft<' in html
    assert f'href="/spaces/{draft.id}/edit"' in html
    assert result_names(html_of(member.get("/search"))) == ["Public place"]


# --- the space page ------------------------------------------------------------------------------


def test_space_page_shows_the_details_people_need(client, app_ctx):
    from datetime import date, timedelta
    from zoneinfo import ZoneInfo

    from spaces.availability.hours import Window
    from spaces.db import transaction, utcnow
    from spaces.listings import services as listings

    host = make_user()
    space = make_space(
        host,
        name="Tiers-lieu de la gare",
        description="Near the station.\nQuiet.",
        contact_email="hello@example.org",
        contact_phone="02 47 00 00 00",
        services=["wifi", "childcare"],
        accessibility="Step-free entrance",
        house_rules="No dogs",
        available_from=date(2030, 1, 1),
        available_until=date(2030, 6, 30),
        capacity_cap_percent=50,
        units=0,
        publish=False,
    )
    pool = make_unit(host, space, name="Open space", capacity=10, prices={"hour": 0, "day": 2500})
    room = make_unit(
        host, space, name="Salle Loire", kind="meeting_room", capacity=6, prices={"hour": 1200}
    )
    with transaction():
        listings.publish_space(host, space)
    with transaction():
        availability.set_opening_hours(host, space, [Window(0, 540, 720), Window(0, 840, 1020)])
        availability.set_opening_hours(host, room, [Window(2, 600, 660)])
        start = (utcnow() + timedelta(days=3)).replace(hour=7, minute=0, second=0, microsecond=0)
        availability.add_closure(host, space, start, start + timedelta(hours=10), "Inventory")

    html = unescape(html_of(client.get(f"/spaces/{space.id}")))

    for text in (
        "Tiers-lieu de la gare",
        "Near the station.\nQuiet.",
        "Coworking / third place",
        "1 rue Nationale",
        "Wi-Fi",
        "Childcare",
        "Step-free entrance",
        "No dogs",
        "Available from January 1, 2030 to June 30, 2030",
        "at most 50 % of the desks",
        "5 of 10 desks open (capacity cap)",
        "For up to 6 people",
        "Free",
        "€25.00",
        "€12.00",
        "per day",
        "Instant booking",
        "09:00–12:00, 14:00–17:00",
        "10:00–11:00",
        "Inventory",
        "hello@example.org",
        'href="tel:0247000000"',
    ):
        assert text in html, text
    local_start = start.astimezone(ZoneInfo("Europe/Paris"))
    assert f"{local_start:%H}:00" in html and local_start.hour != start.hour
    assert space.organisation.name in html
    assert pool.name in html
    assert map_data(html, "space-map-data")["markers"][0]["name"] == "Tiers-lieu de la gare"
    assert "/edit" not in html  # not an editor


# --- host pages ----------------------------------------------------------------------------------


SPACE_FORM = {
    "name": "Le Moulin",
    "kind": "coworking",
    "commune": "Bléré",
    "postal_code": "37150",
    "address": "2 rue du Moulin",
    "services": ["wifi", "printer"],
    "capacity_cap_percent": "100",
    "description": "",
}


def test_host_lists_a_place_with_the_form(client, app_ctx):
    host = make_user(email="host@example.org")
    organisation = make_organisation(host, name="Coworking Bléré")
    log_in(client, "host@example.org")

    form_page = html_of(client.get("/spaces/new"))
    assert '<select id="organisation_id" name="organisation_id"' in form_page
    response = post_form(client, "/spaces/new", {**SPACE_FORM, "organisation_id": organisation.id})

    assert response.status_code == 302
    fresh()
    space = db.session.scalar(sa.select(Space))
    assert response.headers["Location"] == f"/spaces/{space.id}"
    assert (space.name, space.status, space.commune, space.insee_code) == (
        "Le Moulin",
        "draft",
        "Bléré",
        "37027",
    )
    assert space.services == ["printer", "wifi"]
    assert abs(space.latitude - 47.325) < 0.01 and space.timezone == "Europe/Paris"
    assert "saved as a draft" in html_of(client.get(response.headers["Location"]))
    assert "Le Moulin" in html_of(client.get("/my/spaces"))


def test_posting_without_the_csrf_token_is_refused(client, app_ctx):
    host = make_user(email="host@example.org")
    organisation = make_organisation(host)
    log_in(client, "host@example.org")

    response = client.post("/spaces/new", data={**SPACE_FORM, "organisation_id": organisation.id})

    assert response.status_code == 400
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Space)) == 0


def test_unknown_commune_asks_for_the_pin_then_coordinates_work(client, app_ctx):
    host = make_user(email="host@example.org")
    organisation = make_organisation(host)
    log_in(client, "host@example.org")
    data = {
        **SPACE_FORM,
        "commune": "Xyzzyville",
        "postal_code": "",
        "organisation_id": organisation.id,
    }

    refused = post_form(client, "/spaces/new", data)

    assert refused.status_code == 422
    html = unescape(html_of(refused))
    assert 'id="commune-error"' in html
    assert "We could not find this place" in html
    assert 'id="pin-map"' in html and '<details class="pin-picker" open>' in html
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Space)) == 0

    accepted = post_form(client, "/spaces/new", {**data, "latitude": "47.2", "longitude": "0.9"})

    assert accepted.status_code == 302
    fresh()
    space = db.session.scalar(sa.select(Space))
    assert (space.latitude, space.longitude, space.timezone) == (47.2, 0.9, "Europe/Paris")


def test_form_errors_are_next_to_the_fields_with_422(client, app_ctx):
    host = make_user(email="host@example.org")
    organisation = make_organisation(host)
    log_in(client, "host@example.org")

    response = post_form(
        client,
        "/spaces/new",
        {
            "organisation_id": organisation.id,
            "name": "",
            "kind": "coworking",
            "commune": "Tours",
            "postal_code": "3700",
            "latitude": "47",
        },
    )

    assert response.status_code == 422
    html = html_of(response)
    for name in ("name", "postal_code", "longitude"):
        assert f'id="{name}-error"' in html, name


def test_member_without_a_managing_role_cannot_list(client, app_ctx):
    make_user(email="nobody@example.org")
    log_in(client, "nobody@example.org")

    html = html_of(client.get("/spaces/new"))

    assert "create an organisation" in html
    assert 'name="organisation_id"' not in html


def test_host_of_another_organisation_gets_403_or_404(client, app_ctx):
    owner = make_user()
    published = make_space(owner, name="Published")
    draft = make_space(owner, name="Draft", publish=False)
    other = make_user(email="other@example.org")
    make_organisation(other)
    log_in(client, "other@example.org")

    assert client.get(f"/spaces/{published.id}/edit").status_code == 403
    assert client.get(f"/spaces/{draft.id}/edit").status_code == 404
    assert (
        post_form(client, f"/spaces/{published.id}/archive", {}, page="/search").status_code == 403
    )
    assert client.get(f"/spaces/{published.id}/units/new").status_code == 403
    assert client.get(f"/spaces/{published.id}/hours").status_code == 403


def test_host_pages_need_a_login(client, app_ctx):
    space = make_space(make_user())
    for url in (
        "/my/spaces",
        "/spaces/new",
        f"/spaces/{space.id}/edit",
        f"/spaces/{space.id}/closures",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_editing_a_place_keeps_its_pin_unless_moved(client, app_ctx):
    host = make_user(email="host@example.org")
    space = make_space(host, name="Old name", latitude=47.3941, longitude=0.6848)
    log_in(client, "host@example.org")
    form = html_of(client.get(f"/spaces/{space.id}/edit"))
    assert 'value="Old name"' in form and 'value="47.3941"' in form

    data = {
        **SPACE_FORM,
        "name": "New name",
        "address": "1 rue Nationale",
        "commune": "Tours",
        "postal_code": "37000",
        "latitude": "47.3941",
        "longitude": "0.6848",
    }
    assert post_form(client, f"/spaces/{space.id}/edit", data).status_code == 302
    fresh()
    assert (space.name, space.latitude, space.status) == ("New name", 47.3941, "published")

    moved = {**data, "commune": "Loches", "postal_code": "37600"}
    assert post_form(client, f"/spaces/{space.id}/edit", moved).status_code == 302
    fresh()
    assert abs(space.latitude - 47.128) < 0.01 and space.insee_code == "37132"


def test_a_post_missing_optional_fields_keeps_their_values(client, app_ctx):
    host = make_user(email="host@example.org")
    space = make_space(host, name="Sparse")
    log_in(client, "host@example.org")
    data = {"name": "Sparse", "kind": "coworking", "commune": "Tours", "postal_code": "37000"}

    response = post_form(client, f"/spaces/{space.id}/edit", data)

    assert response.status_code == 302
    fresh()
    assert (space.address, space.description, space.capacity_cap_percent) == (
        "1 rue Nationale",
        "",
        100,
    )


def test_unit_form_takes_prices_in_euros(client, app_ctx):
    host = make_user(email="host@example.org")
    space = make_space(host, units=0, publish=False)
    log_in(client, "host@example.org")

    response = post_form(
        client,
        f"/spaces/{space.id}/units/new",
        {
            "name": "Open space",
            "kind": "desk_pool",
            "capacity": "12",
            "prices-hour": "4,50",
            "prices-day": "20",
            "prices-month": "0",
            "booking_mode": "request",
        },
    )

    assert response.status_code == 302
    fresh()
    unit = db.session.scalar(sa.select(Unit))
    assert unit.prices == {"hour": 450, "half_day": None, "day": 2000, "month": 0}
    assert (unit.capacity, unit.booking_mode) == (12, "request")
    edit = html_of(client.get(f"/spaces/{space.id}/units/{unit.id}/edit"))
    assert 'value="4,50"' in edit and 'type="text"' in edit

    update = post_form(
        client,
        f"/spaces/{space.id}/units/{unit.id}/edit",
        {
            "name": "Open space",
            "kind": "desk_pool",
            "capacity": "12",
            "prices-hour": "5",
            "booking_mode": "instant",
        },
    )
    assert update.status_code == 302
    fresh()
    assert unit.prices == {"hour": 500, "half_day": None, "day": None, "month": None}


@pytest.mark.parametrize(
    ("prices", "message"),
    [({}, "Offer at least one rate"), ({"prices-hour": "4,555"}, "Give an amount in euros")],
)
def test_unit_form_refuses_bad_prices(client, app_ctx, prices, message):
    host = make_user(email="host@example.org")
    space = make_space(host, units=0, publish=False)
    log_in(client, "host@example.org")

    response = post_form(
        client,
        f"/spaces/{space.id}/units/new",
        {"name": "Desks", "kind": "desk_pool", "capacity": "3", **prices},
    )

    assert response.status_code == 422
    assert message in html_of(response)
    fresh()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 0


def test_opening_hours_editor_round_trip(client, app_ctx):
    host = make_user(email="host@example.org")
    space = make_space(host)
    log_in(client, "host@example.org")
    url = f"/spaces/{space.id}/hours"

    response = post_form(
        client, url, {"day_0": "09:00-12:00, 14:00-17:00", "day_2": "9h-12h", "day_6": ""}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/spaces/{space.id}#hours"
    fresh()
    assert [tuple(w) for w in availability.windows_of(space)] == [
        (0, 540, 720),
        (0, 840, 1020),
        (2, 540, 720),
    ]
    form = html_of(client.get(url))
    assert 'value="09:00-12:00, 14:00-17:00"' in form and 'value="09:00-12:00"' in form

    bad = post_form(client, url, {"day_0": "12:00-09:00", "day_1": "morning"})
    assert bad.status_code == 422
    html = unescape(html_of(bad))
    assert 'id="day_0-error"' in html and "closes before it opens" in html
    assert 'id="day_1-error"' in html and "start-end" in html
    overlap = post_form(client, url, {"day_0": "09:00-12:00, 11:00-13:00"})
    assert overlap.status_code == 422 and "overlap" in html_of(overlap)
    assert len(availability.windows_of(space)) == 3


def test_unit_hours_and_back_to_the_place_hours(client, app_ctx):
    host = make_user(email="host@example.org")
    space = make_space(host)
    unit = space.units[0]
    log_in(client, "host@example.org")
    url = f"/spaces/{space.id}/units/{unit.id}/hours"

    assert "follows the place" in html_of(client.get(url))
    assert post_form(client, url, {"day_4": "10:00-11:00"}).status_code == 302
    fresh()
    assert unit.own_hours and [tuple(w) for w in availability.windows_of(unit)] == [(4, 600, 660)]

    assert post_form(client, url, {"action": "use_space"}).status_code == 302
    fresh()
    assert not unit.own_hours


def test_closures_in_the_place_time_zone(client, app_ctx):
    host = make_user(email="host@example.org")
    space = make_space(host)
    log_in(client, "host@example.org")
    url = f"/spaces/{space.id}/closures"

    response = post_form(
        client, url, {"start": "2030-07-01T09:00", "end": "2030-07-01T18:00", "reason": "Summer"}
    )

    assert response.status_code == 302
    fresh()
    [closure] = availability.closures_of(space)
    assert closure.start_at.isoformat() == "2030-07-01T07:00:00+00:00"
    html = html_of(client.get(url))
    assert "9:00" in html or "09:00" in html
    assert "Summer" in html

    bad = post_form(client, url, {"start": "2030-07-02T18:00", "end": "2030-07-02T09:00"})
    assert bad.status_code == 422 and 'id="end-error"' in html_of(bad)

    delete = post_form(client, f"{url}/{closure.id}/delete", {}, page=url)
    assert delete.status_code == 302
    fresh()
    assert availability.closures_of(space) == []


def test_publish_without_an_offer_is_refused_with_the_reason(client, app_ctx):
    host = make_user(email="host@example.org")
    space = make_space(host, units=0, publish=False)
    log_in(client, "host@example.org")

    response = post_form(
        client, f"/spaces/{space.id}/publish", {}, page=f"/spaces/{space.id}", follow_redirects=True
    )

    assert response.status_code == 200
    assert "Add at least one bookable offer" in html_of(response)
    fresh()
    assert space.status == "draft"

    make_unit(host, space)
    assert (
        post_form(client, f"/spaces/{space.id}/publish", {}, page=f"/spaces/{space.id}").status_code
        == 302
    )
    fresh()
    assert space.status == "published"

    archived = post_form(
        client, f"/spaces/{space.id}/archive", {"next": "/my/spaces"}, page=f"/spaces/{space.id}"
    )
    assert archived.headers["Location"] == "/my/spaces"
    fresh()
    assert space.status == "archived"
    assert 'data-testid="status-badge">Archived<' in html_of(client.get("/my/spaces"))


def test_navigation_links(client, app_ctx):
    host = make_user(email="host@example.org")
    assert 'href="/search"' in html_of(client.get("/"))
    assert 'href="/my/spaces"' not in html_of(client.get("/"))
    log_in(client, "host@example.org")
    assert 'href="/my/spaces"' not in html_of(client.get("/"))  # a teleworker, not a host yet
    make_organisation(host, kind="coworking")
    assert 'href="/my/spaces"' in html_of(client.get("/"))
