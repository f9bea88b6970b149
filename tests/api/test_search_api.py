"""Search near a place: radius, geodesic ordering, filters, visibility."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from geopy.distance import geodesic

from spaces.availability.hours import Window
from tests.factories import make_bookable, make_organisation, make_space, make_unit, make_user

LOCHES = (47.1286, 0.9953)
# Offsets chosen so that each is at a known bearing and distance from Loches.
PLACES = {
    "Beaulieu": (47.1256, 1.0153),  # ~1.6 km east
    "Perrusson": (47.0996, 0.9948),  # ~3.2 km south
    "Chanceaux": (47.1500, 1.0500),  # ~4.7 km north-east
    "Genillé": (47.1830, 1.0940),  # ~9.4 km
    "Montrésor": (47.1560, 1.2030),  # ~16 km, outside 10 km
}


@pytest.fixture
def map_(app_ctx):
    owner = make_user()
    organisation = make_organisation(owner)
    spaces = {
        name: make_space(owner, organisation=organisation, name=name, latitude=lat, longitude=lon)
        for name, (lat, lon) in PLACES.items()
    }
    return owner, organisation, spaces


def _names(response) -> list[str]:
    return [item["space"]["name"] for item in response.get_json()["items"]]


def test_results_within_radius_sorted_by_geodesic_distance(client, map_):
    response = client.get(f"/api/v1/search?lat={LOCHES[0]}&lon={LOCHES[1]}")
    assert response.status_code == 200
    expected = sorted(
        (n for n, p in PLACES.items() if geodesic(LOCHES, p).km <= 10),
        key=lambda n: geodesic(LOCHES, PLACES[n]).km,
    )
    assert _names(response) == expected
    assert "Montrésor" not in expected
    for item in response.get_json()["items"]:
        true_km = geodesic(LOCHES, PLACES[item["space"]["name"]]).km
        assert item["distance_km"] == pytest.approx(true_km, abs=0.01)
        assert item["price"] is None and item["free_seats"] == item["unit"]["effective_capacity"]


def test_radius_parameter_and_near_a_commune(client, map_):
    wide = client.get(f"/api/v1/search?lat={LOCHES[0]}&lon={LOCHES[1]}&radius_km=20")
    assert "Montrésor" in _names(wide)
    by_name = client.get("/api/v1/search?near=Loches&radius_km=20")
    by_code = client.get("/api/v1/search?near=37600&radius_km=20")
    assert set(_names(by_name)) == set(PLACES) and _names(by_name) == _names(by_code)


def test_unknown_place_is_422(client):
    response = client.get("/api/v1/search?near=Nullepart-sur-Rien")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_place"


def test_without_location_sorted_by_name_with_null_distance(client, map_):
    items = client.get("/api/v1/search?per_page=100").get_json()["items"]
    names = [i["space"]["name"] for i in items]
    assert names == sorted(names, key=str.lower)
    assert all(i["distance_km"] is None for i in items)


def test_drafts_and_archived_never_appear(client, app_ctx):
    owner = make_user()
    make_space(owner, name="Brouillon", publish=False, latitude=LOCHES[0], longitude=LOCHES[1])
    assert _names(client.get(f"/api/v1/search?lat={LOCHES[0]}&lon={LOCHES[1]}")) == []


def test_filters_by_services_kind_and_seats(client, app_ctx):
    owner = make_user()
    organisation = make_organisation(owner)
    with_child = make_space(
        owner,
        organisation=organisation,
        name="Tiers-lieu",
        services=["wifi", "childcare"],
        latitude=LOCHES[0],
        longitude=LOCHES[1],
        units=0,
        publish=False,
    )
    make_unit(owner, with_child, name="Open space", capacity=8)
    make_unit(owner, with_child, name="Salle", kind="meeting_room", capacity=6)
    from spaces.db import transaction
    from spaces.listings import services

    with transaction():
        services.publish_space(owner, with_child)
    make_space(
        owner,
        organisation=organisation,
        name="Café",
        services=["wifi"],
        latitude=LOCHES[0],
        longitude=LOCHES[1],
    )
    base = f"/api/v1/search?lat={LOCHES[0]}&lon={LOCHES[1]}"
    assert set(_names(client.get(base + "&services=wifi,childcare"))) == {"Tiers-lieu"}
    rooms = client.get(base + "&kind=meeting_room").get_json()["items"]
    assert [i["unit"]["name"] for i in rooms] == ["Salle"]
    # 5 people: the 8-seat pool and the 6-person room fit; the 3-seat café pool does not.
    fits = {
        (i["space"]["name"], i["unit"]["name"])
        for i in client.get(base + "&seats=5").get_json()["items"]
    }
    assert fits == {("Tiers-lieu", "Open space"), ("Tiers-lieu", "Salle")}


def test_capacity_cap_limits_seats(client, app_ctx):
    owner = make_user()
    make_space(
        owner, name="Jauge", capacity_cap_percent=50, latitude=LOCHES[0], longitude=LOCHES[1]
    )  # 3 desks → 1
    base = f"/api/v1/search?lat={LOCHES[0]}&lon={LOCHES[1]}"
    [item] = client.get(base).get_json()["items"]
    assert item["free_seats"] == 1
    assert client.get(base + "&seats=2").get_json()["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "lat=91&lon=0",
        "lat=47",
        "radius_km=-3&lat=47&lon=1",
        "seats=0",
        "seats=abc",
        "services=sauna",
        "kind=castle",
        "max_price=-1",
        "lat=nan&lon=1",
        "instant=maybe",
        "sort=rating",
        "sort=price",  # a price needs a window
    ],
)
def test_bad_parameters_are_422(client, query):
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_pagination(client, map_):
    first = client.get("/api/v1/search?per_page=2").get_json()
    second = client.get("/api/v1/search?per_page=2&page=2").get_json()
    assert first["total"] == len(PLACES) and len(first["items"]) == 2
    assert {i["space"]["name"] for i in first["items"]}.isdisjoint(
        i["space"]["name"] for i in second["items"]
    )


def _dated_market(owner):
    """Four spaces around Loches, nearest first: a request-only room, then desk pools whose
    day price goes 30 €, 20 €, 25 €; all open every day of the week 8:00–19:00."""
    week = [Window(day, 8 * 60, 19 * 60) for day in range(7)]
    offers = [
        ("Beaulieu", {"kind": "meeting_room", "capacity": 6, "booking_mode": "request"}),
        ("Perrusson", {"prices": {"hour": None, "half_day": None, "day": 3000, "month": None}}),
        ("Chanceaux", {"prices": {"hour": None, "half_day": None, "day": 2000, "month": None}}),
        ("Genillé", {"prices": {"hour": None, "half_day": None, "day": 2500, "month": None}}),
    ]
    for name, unit in offers:
        lat, lon = PLACES[name]
        make_bookable(owner, unit, windows=week, name=name, latitude=lat, longitude=lon)


def _day_query(extra: str = "") -> str:
    day = (date.today() + timedelta(days=10)).isoformat()
    return (
        f"/api/v1/search?lat={LOCHES[0]}&lon={LOCHES[1]}&start={day}T08:00&end={day}T19:00{extra}"
    )


def test_instant_keeps_units_booked_without_approval(client, app_ctx):
    _dated_market(make_user())
    every = client.get(_day_query()).get_json()
    instant = client.get(_day_query("&instant=1")).get_json()
    assert "Beaulieu" in _names_of(every)
    assert _names_of(instant) == ["Perrusson", "Chanceaux", "Genillé"]
    assert all(i["unit"]["booking_mode"] == "instant" for i in instant["items"])
    undated = client.get(f"/api/v1/search?lat={LOCHES[0]}&lon={LOCHES[1]}&instant=1").get_json()
    assert "Beaulieu" not in _names_of(undated) and undated["total"] == 3


def test_sort_by_price_then_distance_with_paging(client, app_ctx):
    _dated_market(make_user())
    by_price = client.get(_day_query("&instant=1&sort=price")).get_json()
    assert _names_of(by_price) == ["Chanceaux", "Genillé", "Perrusson"]
    assert [i["price"]["amount"] for i in by_price["items"]] == [2000, 2500, 3000]
    pages = [
        client.get(_day_query(f"&instant=1&sort=price&per_page=2&page={n}")).get_json()
        for n in (1, 2)
    ]
    assert [p["total"] for p in pages] == [3, 3]
    assert _names_of(pages[0]) + _names_of(pages[1]) == _names_of(by_price)
    # Beaulieu's room costs its day rate, 25 €, as Genillé: the nearer comes first.
    capped = client.get(_day_query("&sort=price&max_price=2500")).get_json()
    assert _names_of(capped) == ["Chanceaux", "Beaulieu", "Genillé"]


def _names_of(body: dict) -> list[str]:
    return [item["space"]["name"] for item in body["items"]]
