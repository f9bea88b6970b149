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


def test_a_room_found_for_three_people_is_booked_whole_from_the_result(client, app_ctx):
    """Searching for 3 people finds a 10-person room: it says it is booked whole (not "1 seat
    free"), and its Book link asks for the room, which the booking page then offers."""
    import html as html_lib
    from datetime import date, timedelta

    from tests.factories import make_bookable

    host = make_user()
    make_bookable(
        host,
        {"name": "Salle Balzac", "kind": "meeting_room", "capacity": 10, "prices": {"hour": 2500}},
        {"name": "Desks", "capacity": 6},
        name="Balzac hub",
    )
    monday = date.today() + timedelta(days=7 - date.today().weekday() + 7)
    response = client.get(f"/search?start={monday}T09:00&end={monday}T11:00&seats=3")
    html = html_of(response)
    assert "Available (booked whole)" in html and "1 seat free" not in html
    assert "6 seats free" in html  # the desks: seats, as before
    links = [html_lib.unescape(h) for h in re.findall(r'data-testid="book" href="([^"]+)"', html)]
    room_link = next(link for link in links if "seats=3" not in link)
    assert "seats=3" in next(link for link in links if link != room_link)  # the desks keep it
    booking_page = html_of(client.get(room_link))
    assert "must be 1" not in booking_page and "doit être 1" not in booking_page
    assert "€50.00" in booking_page  # the quote: two hours of the room
    # An older link with the people count: the page quotes (and books) the room as one too.
    old_link = html_of(client.get(room_link + "&seats=3"))
    assert "must be 1" not in old_link and "€50.00" in old_link


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
    # The API's window fills the form's date and times back.
    assert f'name="date" value="{monday}"' in html
    assert 'name="from" value="09:00"' in html and 'name="to" value="12:00"' in html
    assert re.search(r'<option value="hours" selected>', html)

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


# --- the search form, suggestions, empty searches, the home page ------------------------------


def next_monday():
    from datetime import date, timedelta

    today = date.today()
    return today + timedelta(days=7 - today.weekday() + 7)


def refresh_query(html: str) -> dict:
    """The query string the page reloads its results with (the page's own canonical search)."""
    match = re.search(r'data-refresh-url="([^"]+)"', html)
    assert match, "no live results block"
    return parse_qs(urlsplit(unescape(match[1])).query)


def links_in(html: str, testid: str) -> list[tuple[str, str]]:
    """(text, url) of the links inside the block with this data-testid."""
    match = re.search(rf'data-testid="{testid}"(.*?)</div>', html, re.S)
    assert match, f"no {testid} block"
    return [
        (unescape(text).strip(), unescape(url))
        for url, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', match[1])
    ]


def test_the_form_builds_the_apis_query_string_and_lists_what_the_api_finds(client, app_ctx):
    from tests.factories import make_bookable

    host = make_user()
    desks = {"name": "Desks", "prices": {"hour": 400, "half_day": 1500, "day": 2500, "month": None}}
    room = {
        "name": "Salle Agnès",
        "kind": "meeting_room",
        "capacity": 8,
        "prices": {"hour": 3000, "half_day": 9000, "day": None, "month": None},
    }
    make_bookable(host, desks, room, name="Loches hub", latitude=LOCHES[0], longitude=LOCHES[1])
    monday = next_monday()

    response = client.get(
        f"/search?near=Loches&date={monday}&period=hours&from=09:00&to=13:00&max_eur=35"
        "&seats=2&kind=&until="
    )

    assert response.status_code == 200
    html = html_of(response)
    api_query = {
        "near": ["Loches"],
        "start": [f"{monday}T09:00"],
        "end": [f"{monday}T13:00"],
        "max_price": ["3500"],
        "seats": ["2"],
    }
    assert refresh_query(html) == {**api_query, "partial": ["results"]}
    api = client.get("/api/v1/search", query_string=api_query).get_json()
    assert [(i["unit"]["name"], i["price"]["amount"]) for i in api["items"]] == [("Desks", 3000)]
    assert result_names(html) == ["Loches hub"]
    assert "€30.00" in html and "2 seats free" not in html and "3 seats free" in html
    assert "Salle Agnès" not in html  # €90 for the morning: over the maximum
    # The map: a popup line per unit with its free seats and price, and the searched circle.
    data = map_data(html)
    assert [m["lines"] for m in data["markers"]] == [["Desks: 3 seats free · €30.00"]]
    assert data["radius_km"] == 10 and data["center"] == pytest.approx(LOCHES, abs=0.01)
    # The form shows what was asked.
    assert f'name="date" value="{monday}"' in html and 'value="35"' in html
    assert '<option value="hours" selected>' in html


def test_with_a_date_results_sort_by_price_or_distance_and_instant_keeps_instant_units(
    client, app_ctx
):
    from tests.factories import make_bookable

    host = make_user()
    pricey = {
        "name": "Pricey desks",
        "prices": {"hour": None, "half_day": 3000, "day": None, "month": None},
    }
    cheap = {
        "name": "Cheap desks",
        "prices": {"hour": None, "half_day": 1000, "day": None, "month": None},
    }
    asked = {**cheap, "name": "Desks on request", "booking_mode": "request"}
    make_bookable(host, pricey, name="Near", latitude=LOCHES[0], longitude=LOCHES[1])
    far = north_of(LOCHES, 4)
    make_bookable(host, cheap, asked, name="Farther", latitude=far[0], longitude=far[1])
    morning = f"near=Loches&date={next_monday()}&period=morning"

    assert result_names(html_of(client.get(f"/search?{morning}"))) == ["Near", "Farther"]
    by_price = html_of(client.get(f"/search?{morning}&sort=price"))
    assert result_names(by_price) == ["Farther", "Near"]
    assert '<option value="price" selected>' in by_price
    instant = html_of(client.get(f"/search?{morning}&instant=1"))
    assert "Cheap desks" in instant and "Desks on request" not in instant
    assert re.search(r'id="instant" name="instant" value="1" checked', instant)
    # Without a date there is no price to sort by: said next to the field.
    undated = client.get("/search?near=Loches&sort=price")
    assert undated.status_code == 422 and 'id="sort-error"' in html_of(undated)


@pytest.mark.parametrize(
    ("fields", "start", "end"),
    [
        ("period=morning", "T09:00", "T13:00"),
        ("period=afternoon&from=08:00&to=10:00", "T13:00", "T17:00"),  # the quick choice wins
        ("period=day", "T09:00", "T17:00"),
        ("from=10:00&to=11:00", "T09:00", "T17:00"),  # no period: a day
        ("period=hours&from=8h30&to=12:15", "T08:30", "T12:15"),
    ],
)
def test_quick_choices_and_times_make_the_window(client, app_ctx, fields, start, end):
    monday = next_monday()
    html = html_of(client.get(f"/search?date={monday}&{fields}"))
    query = refresh_query(html)
    assert (query["start"], query["end"]) == ([f"{monday}{start}"], [f"{monday}{end}"])


def test_times_without_a_date_search_any_time(client, app_ctx):
    make_space(make_user(), name="Anywhere")
    html = html_of(client.get("/search?date=&period=hours&from=10:00&to=11:00&max_eur="))
    assert refresh_query(html) == {"partial": ["results"]}
    assert result_names(html) == ["Anywhere"]


def test_several_days_find_the_places_open_round_the_clock(client, app_ctx):
    from datetime import timedelta

    from spaces.availability.hours import Window
    from tests.factories import make_bookable

    host = make_user()
    office = {"name": "Badge office", "kind": "office", "capacity": 2}
    make_bookable(host, office, windows=[Window(d, 0, 1440) for d in range(7)], name="Always open")
    make_bookable(host, name="Office hours")
    monday = next_monday()
    wednesday = monday + timedelta(days=2)

    html = html_of(
        client.get(f"/search?date={monday}&period=days&from=09:00&to=17:00&until={wednesday}")
    )

    query = refresh_query(html)
    assert (query["start"], query["end"]) == ([f"{monday}T09:00"], [f"{wednesday}T17:00"])
    assert result_names(html) == ["Always open"]
    assert '<option value="days" selected>' in html and f'value="{wednesday}"' in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ("date=2027-02-30", "date", "Pick a date"),
        ("date={monday}&period=hours&from=13:00&to=09:00", "to", "The end comes after the start."),
        ("date={monday}&period=hours&from=25:00", "from", "Give a time such as 09:00."),
        ("date={monday}&period=days&until={monday}", "until", "The last day comes after the first"),
        ("date={monday}&period=days", "until", "Pick the last day."),
        ("date={monday}&period=fortnight", "period", "Not a valid choice."),
        ("max_eur=douze", "max_eur", "Give an amount in euros"),
        ("max_eur=-3", "max_eur", "Give an amount in euros"),
        ("max_eur=99999999999", "max_eur", "Give an amount in euros"),
    ],
)
def test_bad_form_fields_are_a_422_next_to_the_field(client, app_ctx, fields, field, message):
    response = client.get("/search?near=Loches&" + fields.format(monday=next_monday()))
    assert response.status_code == 422
    html = html_of(response)
    assert f'id="{field}-error"' in html and message in html
    assert re.search(rf'aria-describedby="[^"]*{field}-error"', html)
    assert result_names(html) == []


@pytest.mark.parametrize(
    "query",
    [
        "date=0001-01-01",
        "date=9999-12-31&period=days&until=9999-12-31",
        "date=9999-12-30&period=days&until=9999-12-31&from=23:45&to=23:59",
        "date=2027-03-01&period=days&until=2099-01-01",
        "date=" + "9" * 5000,
        "date=01/13/2027",
        "date=2027-03-01&period=hours&from=00:00&to=23:59&max_eur=1e400",
        "max_eur=NaN",
        "max_eur=Infinity",
        "start=0001-01-01T00:00&end=0001-01-02T00:00",
        "start=not-a-date&end=2027-01-01T10:00",
        "near=" + "Loche" * 100,
        "near=%00%01",
        "page=-5",
        "page=999999999999999999999",
    ],
)
def test_hostile_form_input_is_never_a_500(client, app_ctx, query):
    response = client.get(f"/search?{query}")
    assert response.status_code in (200, 422), response.status_code
    assert client.get(f"/search/places?q={query[:300]}").status_code == 200


def test_an_api_style_link_shows_its_search_in_the_form(client, app_ctx):
    monday = next_monday()
    html = html_of(client.get(f"/search?start={monday}T13:00&end={monday}T17:00&max_price=1250"))
    assert f'name="date" value="{monday}"' in html
    assert '<option value="afternoon" selected>' in html
    assert 'id="max_eur" name="max_eur" inputmode="decimal" value="12.50"' in html
    assert refresh_query(html)["max_price"] == ["1250"]


def test_without_a_date_a_place_shows_the_cheapest_day_a_booking_would_pay(client, app_ctx):
    from tests.factories import make_bookable

    host = make_user()
    halves = {
        "name": "Desks",
        "prices": {"hour": None, "half_day": 1000, "day": 2500, "month": None},
    }
    make_bookable(host, halves, name="Two halves")
    hourly = {
        "name": "Hot desk",
        "prices": {"hour": 300, "half_day": None, "day": 5000, "month": None},
        "max_minutes": 480,
    }
    booth = {
        "name": "Booth",
        "kind": "office",
        "capacity": 1,
        "prices": {"hour": 500, "half_day": None, "day": None, "month": None},
        "max_minutes": 120,
    }
    make_bookable(host, hourly, booth, name="Hourly", latitude=47.3942)

    html = html_of(client.get("/search"))

    assert result_names(html) == ["Hourly", "Two halves"]
    headlines = re.findall(r'data-testid="headline-price">([^<]+)<', html)
    # Two half-days (€20) beat the day rate; eight hours at €3 beat €50 a day.
    assert headlines == ["from €24.00 / day", "from €20.00 / day"]
    assert "€50.00" not in html  # no booking of at most 8 hours pays the day rate
    assert "€25.00" in html  # a day longer than two half-days does
    booths = html_of(client.get("/search?kind=office"))
    assert re.findall(r'data-testid="headline-price">([^<]+)<', booths) == ["from €5.00 / hour"]


def test_results_show_the_first_photo_as_a_thumbnail(client, app_ctx):
    from io import BytesIO

    from PIL import Image

    from spaces.db import transaction
    from spaces.listings.photos import add_photo

    host = make_user()
    organisation = make_organisation(host)
    pictured = make_space(host, organisation, name="Pictured")
    make_space(host, organisation, name="Plain")
    keys = []
    for colour in ("red", "blue"):
        buffer = BytesIO()
        Image.new("RGB", (900, 600), colour).save(buffer, "JPEG")
        with transaction():
            keys.append(add_photo(host, pictured, buffer.getvalue(), colour).key)

    html = html_of(client.get("/search"))

    assert html.count('data-testid="thumbnail"') == 1
    assert f"/photos/{keys[0]}/thumb.jpg" in html and keys[1] not in html


def test_a_misspelt_commune_suggests_close_names_instead_of_matching_elsewhere(client, app_ctx):
    make_space(make_user(), name="Au centre de Loches", latitude=LOCHES[0], longitude=LOCHES[1])

    # "Loche" is only a former commune of Saône-et-Loire (Loché, now part of Mâcon).
    response = client.get("/search?near=Loche&seats=2")

    assert response.status_code == 422
    html = html_of(response)
    assert "former commune" in unescape(html) and result_names(html) == []
    assert 'id="search-map"' not in html  # no map of a search that was not made
    suggestions = links_in(html, "suggestions")
    assert suggestions[0][0] == "Loches (37)"
    assert "Loché (former commune, 71)" in [text for text, _ in suggestions]
    query = parse_qs(urlsplit(suggestions[0][1]).query)
    assert query == {"near": ["Loches (37600)"], "seats": ["2"]}
    followed = html_of(client.get(suggestions[0][1]))
    assert result_names(followed) == ["Au centre de Loches"]
    assert "within 10 km of Loches (37)" in followed


@pytest.mark.parametrize(
    ("typed", "expected"), [("Chinnon", "Chinon (37)"), ("Amboisse", "Amboise (37)")]
)
def test_an_unknown_commune_suggests_the_closest_names(client, app_ctx, typed, expected):
    response = client.get(f"/search?near={typed}")
    assert response.status_code == 422
    html = html_of(response)
    assert "We could not find" in unescape(html)
    assert links_in(html, "suggestions")[0][0] == expected


def test_an_ambiguous_name_lists_its_communes_as_links(client, app_ctx):
    html = html_of(client.get("/search?near=Saint-Martin"))
    suggestions = links_in(html, "suggestions")
    assert len(suggestions) >= 2 and all(t.startswith("Saint-Martin (") for t, _ in suggestions)
    assert client.get(suggestions[0][1]).status_code == 200


def test_an_empty_search_says_why_and_offers_to_widen_it(client, app_ctx):
    from datetime import timedelta

    from tests.factories import set_hours

    host = make_user()
    far = make_space(host, name="Montrésor", latitude=north_of(LOCHES, 15)[0], longitude=LOCHES[1])
    set_hours(host, far)  # Monday to Friday

    html = unescape(html_of(client.get("/search?near=Loches&radius_km=10&services=wifi")))
    assert result_names(html) == []
    assert "No place is listed within 10 km of Loches (37)." in html
    empty_map = map_data(html)  # centred on the place searched, with its circle
    assert empty_map["markers"] == [] and empty_map["radius_km"] == 10
    assert empty_map["center"] == pytest.approx(LOCHES, abs=0.01)
    options = dict(links_in(html, "empty-search"))
    wider = options["Search within 20 km"]
    assert parse_qs(urlsplit(wider).query) == {
        "near": ["Loches"],
        "radius_km": ["20"],
        "services": ["wifi"],
    }
    assert result_names(html_of(client.get(wider))) == ["Montrésor"]

    html = unescape(html_of(client.get("/search?near=Loches&radius_km=20&services=childcare")))
    assert "1 place within 20 km of Loches (37), but it does not offer what you asked for" in html
    without = dict(links_in(html, "empty-search"))["Without the services"]
    assert result_names(html_of(client.get(without))) == ["Montrésor"]

    sunday = next_monday() + timedelta(days=6)
    html = unescape(html_of(client.get(f"/search?near=Loches&radius_km=20&date={sunday}")))
    assert "1 place within 20 km of Loches (37) offers what you asked for, but it cannot" in html
    any_time = dict(links_in(html, "empty-search"))["Any date and time"]
    assert "start" not in parse_qs(urlsplit(any_time).query)
    assert result_names(html_of(client.get(any_time))) == ["Montrésor"]


def test_place_suggestions_for_the_autocomplete(client, app_ctx):
    from spaces.db import transaction

    items = client.get("/search/places?q=Loc").get_json()["items"]
    assert items[0] == {"label": "Loches (37)", "value": "Loches (37600)"}  # the most populous
    assert client.get("/search/places?q=L").get_json() == {"items": []}
    assert len(client.get("/search/places?q=" + "x" * 5000).get_json()["items"]) <= 8

    # Communes of the départements where places are published come first.
    space = make_space(make_user(), name="In Morbihan")
    with transaction():
        db.session.get(Space, space.id).departement = "56"
    items = client.get("/search/places?q=Loc").get_json()["items"]
    assert items[0] == {"label": "Locminé (56)", "value": "Locminé (56500)"}


def test_home_page_has_a_search_box_and_counts_places_and_desks(client, app_ctx):
    host = make_user()
    organisation = make_organisation(host)
    make_space(host, organisation, name="Loches A", latitude=LOCHES[0], longitude=LOCHES[1])
    second = make_space(
        host, organisation, name="Loches B", latitude=north_of(LOCHES, 2)[0], longitude=LOCHES[1]
    )
    make_unit(host, second, kind="meeting_room", capacity=6)  # a room, not desks
    make_space(host, organisation, name="Tours place")
    make_space(host, organisation, name="Draft", publish=False)
    fresh()

    html = html_of(client.get("/"))

    assert 'action="/search"' in html and 'id="near"' in html and 'type="date"' in html
    assert "3 places and 9 desks in the territory" in html
    markers = map_data(html, "home-map-data")["markers"]
    assert {m["name"] for m in markers} == {"Loches A", "Loches B", "Tours place"}
    assert "2 places and 6 desks within 10 km of Loches" in html_of(client.get("/?near=Loches"))
    located = html_of(client.get(f"/?lat={LOCHES[0]}&lon={LOCHES[1]}"))
    assert "2 places and 6 desks within 10 km of your position" in located
    assert map_data(located, "home-map-data")["radius_km"] == 10
    unknown = client.get("/?near=Nowhereville")
    assert unknown.status_code == 200 and 'id="near-error"' in html_of(unknown)
    # The map's credit line is in the page's language too.
    french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert map_data(html, "home-map-data")["attribution"].endswith("</a> contributors")
    assert map_data(french, "home-map-data")["attribution"].endswith("</a> contributeurs")


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
