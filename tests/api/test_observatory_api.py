"""The observatory over HTTP: who may read and set what, the period's bounds, the search log,
the open data CSV, host statistics and a person's home commune."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from spaces.availability.hours import Window
from spaces.db import transaction
from spaces.extensions import db
from spaces.listings.models import Space
from spaces.observatory.models import SearchLog
from spaces.organisations import services as organisations
from tests.factories import api_token, bearer, make_bookable, make_organisation, make_user

LOCHES, BEAULIEU, SAINTE_MAURE = "37132", "37020", "37226"
NINE_TO_FIVE = [Window(day, 9 * 60, 17 * 60) for day in range(5)]
WEEK = "from=2027-01-04&to=2027-01-10"


@pytest.fixture
def town(app_ctx):
    """A municipality (its mayor owns it, an officer is a plain member), a host with a place in
    Loches, an outsider owning another municipality, and an administrator."""
    mayor, officer, outsider = make_user(), make_user(), make_user()
    host, admin = make_user(), make_user(is_admin=True)
    town = make_organisation(mayor, "Ville de Loches", kind="municipality")
    with transaction():
        organisations.add_member(mayor, town, officer.email, "member")
    elsewhere = make_organisation(outsider, "Ville de Chinon", kind="municipality")
    space, _ = make_bookable(host, {"name": "=Plateau", "capacity": 4}, windows=NINE_TO_FIVE)
    with transaction():
        db.session.get(Space, space.id).insee_code = LOCHES
    return {
        "town": town.id,
        "elsewhere": elsewhere.id,
        "space": space.id,
        "host_org": space.organisation_id,
        **{
            key: bearer(api_token(user))
            for key, user in {
                "mayor": mayor,
                "officer": officer,
                "outsider": outsider,
                "host": host,
                "admin": admin,
            }.items()
        },
    }


def _put(client, town, headers, payload):
    return client.put(f"/api/v1/organisations/{town}/territory", json=payload, headers=headers)


def test_the_mayor_sets_the_territory_by_codes_or_around_a_place(client, town):
    response = _put(client, town["town"], town["mayor"], {"communes": [LOCHES, BEAULIEU, LOCHES]})
    assert response.status_code == 200
    assert response.get_json() == {
        "communes": [
            {"insee_code": BEAULIEU, "name": "Beaulieu-lès-Loches"},
            {"insee_code": LOCHES, "name": "Loches"},
        ]
    }
    around = _put(client, town["town"], town["mayor"], {"near": "Loches", "radius_km": 5})
    codes = {c["insee_code"] for c in around.get_json()["communes"]}
    assert {LOCHES, BEAULIEU} <= codes and SAINTE_MAURE not in codes
    got = client.get(f"/api/v1/organisations/{town['town']}/territory", headers=town["mayor"])
    assert {c["insee_code"] for c in got.get_json()["communes"]} == codes
    # The contract's territory is the owners' and managers': a plain member gets 403.
    member = client.get(f"/api/v1/organisations/{town['town']}/territory", headers=town["officer"])
    assert member.status_code == 403


def test_territory_refusals(client, town):
    unknown = _put(client, town["town"], town["mayor"], {"communes": [LOCHES, "99999"]})
    assert unknown.status_code == 422
    assert "99999" in str(unknown.get_json()["error"]["fields"]["communes"])
    assert _put(client, town["town"], town["mayor"], {"communes": [1]}).status_code == 422
    for radius in (-1, 51, float("nan"), "far"):
        payload = {"near": "Loches", "radius_km": radius}
        assert _put(client, town["town"], town["mayor"], payload).status_code == 422, radius
    assert _put(client, town["town"], town["mayor"], {"near": "Nowhereville"}).status_code == 422
    too_many = _put(client, town["town"], town["mayor"], {"communes": ["37132"] * 10_000})
    assert too_many.status_code == 422
    assert _put(client, town["town"], town["officer"], {"communes": [LOCHES]}).status_code == 403
    assert _put(client, town["town"], town["outsider"], {"communes": [LOCHES]}).status_code == 404
    host_org = _put(client, town["host_org"], town["host"], {"communes": [LOCHES]})
    assert host_org.status_code == 422  # a coworking has no territory
    assert _put(client, town["town"], {}, {"communes": [LOCHES]}).status_code == 401


def test_members_read_the_observatory_and_others_do_not(client, town):
    _put(client, town["town"], town["mayor"], {"communes": [LOCHES, SAINTE_MAURE]})
    url = f"/api/v1/organisations/{town['town']}/observatory?{WEEK}"
    response = client.get(url, headers=town["officer"])
    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["from"], answer["to"], answer["currency"]) == ("2027-01-04", "2027-01-10", "EUR")
    assert [row["insee_code"] for row in answer["communes"]] == [LOCHES, SAINTE_MAURE]
    assert answer["communes"][0]["seat_hours_offered"] == 160
    assert answer["months"][0]["month"] == "2027-01"
    assert client.get(url, headers=town["outsider"]).status_code == 404
    assert client.get(url, headers=town["host"]).status_code == 404
    assert client.get(url).status_code == 401
    other = f"/api/v1/organisations/{town['elsewhere']}/observatory?{WEEK}"
    assert client.get(other, headers=town["officer"]).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "from=2027-01-10&to=2027-01-04",  # backwards
        "from=2026-01-01&to=2027-01-10",  # more than 366 days
        "from=2027-13-01&to=2027-01-10",  # not a date
        "from=yesterday",
        "from=0001-01-01&to=0001-01-02",  # beyond what time zones handle
        "from=9999-12-30&to=9999-12-31",
    ],
)
def test_a_bad_period_is_refused(client, town, query):
    url = f"/api/v1/organisations/{town['town']}/observatory?{query}"
    response = client.get(url, headers=town["mayor"])
    assert response.status_code == 422, response.get_json()
    assert client.get(f"/api/v1/observatory/communes.csv?{query}").status_code == 422


def test_a_year_is_accepted(client, town):
    url = f"/api/v1/organisations/{town['town']}/observatory?from=2027-01-01&to=2027-12-31"
    assert client.get(url, headers=town["mayor"]).status_code == 200


def _logged() -> list[tuple]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            sa.select(SearchLog.insee_code, SearchLog.results, SearchLog.dated).order_by(
                SearchLog.id
            )
        )
        return [tuple(r) for r in rows]


def test_each_search_is_logged_once_in_its_commune(client, town):
    assert client.get("/api/v1/search?near=Loches&radius_km=20").status_code == 200
    assert client.get("/api/v1/search?near=Loches&radius_km=20&page=2").status_code == 200
    assert client.get("/api/v1/search?lat=47.1112&lon=0.6158&radius_km=3").status_code == 200
    dated = "start=2027-01-04T09:00&end=2027-01-04T10:00"
    assert client.get(f"/api/v1/search?near=Sainte-Maure-de-Touraine&{dated}").status_code == 200
    assert client.get("/search?near=Loches&radius_km=20").status_code == 200  # the page
    # Its live refreshes and its second page are the same search.
    assert client.get("/search?near=Loches&radius_km=20&partial=results").status_code == 200
    assert client.get("/search?near=Loches&radius_km=20&page=2").status_code == 200
    # The place is in Tours (the factory's coordinates): near Loches within 20 km, nothing.
    assert _logged() == [
        (LOCHES, 0, False),
        (SAINTE_MAURE, 0, False),
        (SAINTE_MAURE, 0, True),
        (LOCHES, 0, False),
    ]
    assert client.get("/api/v1/search?near=Tours").get_json()["total"] == 1
    assert _logged()[-1] == ("37261", 1, False)


def test_the_public_csv_has_supply_and_searches_but_no_occupancy_or_revenue(client, town):
    response = client.get(f"/api/v1/observatory/communes.csv?{WEEK}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == (
        "insee_code,name,spaces,units,seats,seat_hours_offered,searches,searches_without_result"
    )
    assert lines[1:] == ["37132,Loches,1,1,4,160.0,0,0"]
    assert "occupancy" not in lines[0] and "revenue" not in lines[0]


def test_host_statistics_are_for_the_spaces_organisation_only(client, town):
    url = f"/api/v1/spaces/{town['space']}/stats?{WEEK}"
    response = client.get(url, headers=town["host"])
    assert response.status_code == 200
    (unit,) = response.get_json()["units"]
    assert unit["seat_hours_offered"] == 160 and unit["weeks"][0]["week_start"] == "2027-01-04"
    assert client.get(url, headers=town["mayor"]).status_code == 404
    assert client.get(url, headers=town["outsider"]).status_code == 404
    assert client.get(url).status_code == 401
    csv_url = f"/api/v1/spaces/{town['space']}/stats.csv?{WEEK}"
    lines = client.get(csv_url, headers=town["host"]).get_data(as_text=True).splitlines()
    assert lines[0] == (
        "unit_id,name,seat_hours_offered,seat_hours_booked,occupancy,bookings,cancellations,revenue"
    )
    assert lines[1].endswith(",'=Plateau,160.0,0.0,0.0,0,0,0")  # never a formula
    assert client.get(csv_url, headers=town["outsider"]).status_code == 404


def test_administrators_see_the_whole_platform(client, town):
    assert client.get(f"/api/v1/observatory?{WEEK}", headers=town["mayor"]).status_code == 403
    response = client.get(f"/api/v1/observatory?{WEEK}", headers=town["admin"])
    assert response.status_code == 200
    assert [r["insee_code"] for r in response.get_json()["communes"]] == [LOCHES]
    assert response.get_json()["totals"]["seat_hours_offered"] == 160


def test_a_person_sets_and_removes_their_home_commune(client, town):
    headers = town["officer"]
    response = client.patch("/api/v1/me", json={"home_commune": BEAULIEU}, headers=headers)
    assert response.status_code == 200 and response.get_json()["home_commune"] == BEAULIEU
    assert client.get("/api/v1/me", headers=headers).get_json()["home_commune"] == BEAULIEU
    bad = client.patch("/api/v1/me", json={"home_commune": "00000"}, headers=headers)
    assert bad.status_code == 422
    assert client.get("/api/v1/me", headers=headers).get_json()["home_commune"] == BEAULIEU
    untouched = client.patch("/api/v1/me", json={}, headers=headers)
    assert untouched.status_code == 200 and untouched.get_json()["home_commune"] == BEAULIEU
    removed = client.patch("/api/v1/me", json={"home_commune": None}, headers=headers)
    assert removed.status_code == 200 and removed.get_json()["home_commune"] is None
    assert client.patch("/api/v1/me", json={"home_commune": BEAULIEU}).status_code == 401


def test_a_search_log_failure_never_fails_the_search(client, town, monkeypatch):
    from spaces.observatory import searchlog

    def broken(*args, **kwargs):
        raise RuntimeError("no commune index today")

    monkeypatch.setattr(searchlog, "commune_of", broken)
    assert client.get("/api/v1/search?near=Loches").status_code == 200
    assert _logged() == []


def test_searches_reach_the_observatory(client, town):
    _put(client, town["town"], town["mayor"], {"communes": [LOCHES, SAINTE_MAURE]})
    client.get("/api/v1/search?near=Sainte-Maure-de-Touraine")
    today = datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()
    url = f"/api/v1/organisations/{town['town']}/observatory?from={today}&to={today}"
    rows = client.get(url, headers=town["mayor"]).get_json()["communes"]
    maure = next(r for r in rows if r["insee_code"] == SAINTE_MAURE)
    assert (maure["searches"], maure["searches_without_result"]) == (1, 1)
