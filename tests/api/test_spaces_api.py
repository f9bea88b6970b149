"""Spaces, units, opening hours and closures over the JSON API."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import api_token, bearer, make_organisation, make_space, make_user


@pytest.fixture
def host(app_ctx):
    user = make_user("host@example.org")
    organisation = make_organisation(user, "Ville de Loches", "municipality")
    return {"user": user, "org": organisation, "h": bearer(api_token(user))}


def _space(client, host, **fields):
    payload = {
        "organisation_id": host["org"].id,
        "name": "Ancienne perception",
        "kind": "vacant_public",
        "commune": "Loches",
        "postal_code": "37600",
        **fields,
    }
    response = client.post("/api/v1/spaces", json=payload, headers=host["h"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _unit(client, host, space_id, **fields):
    payload = {
        "name": "Postes partagés",
        "kind": "desk_pool",
        "capacity": 10,
        "prices": {"hour": 400, "day": 2500},
        "booking_mode": "instant",
        **fields,
    }
    response = client.post(f"/api/v1/spaces/{space_id}/units", json=payload, headers=host["h"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_space_geocodes_the_commune_and_defaults_the_time_zone(client, host):
    space = _space(client, host)
    assert space["status"] == "draft"
    assert space["latitude"] == pytest.approx(47.13, abs=0.05)
    assert space["longitude"] == pytest.approx(1.0, abs=0.05)
    assert space["timezone"] == "Europe/Paris"
    assert space["insee_code"] == "37132"


def test_overseas_space_gets_its_own_time_zone(client, host):
    space = _space(client, host, commune="Saint-Denis", postal_code="97400")
    assert space["timezone"] == "Indian/Reunion"


def test_unknown_place_is_422_and_hand_placed_pin_works(client, host):
    response = client.post(
        "/api/v1/spaces",
        json={
            "organisation_id": host["org"].id,
            "name": "X",
            "kind": "other",
            "commune": "Nullepart-sur-Rien",
        },
        headers=host["h"],
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "unknown_place"
    assert "commune" in response.get_json()["error"]["fields"]
    space = _space(
        client, host, commune="Nullepart-sur-Rien", postal_code="", latitude=47.2, longitude=0.9
    )
    assert (space["latitude"], space["longitude"]) == (47.2, 0.9)


def test_validation_errors_name_the_fields(client, host):
    response = client.post(
        "/api/v1/spaces",
        json={
            "organisation_id": host["org"].id,
            "name": "",
            "kind": "castle",
            "commune": "Tours",
            "capacity_cap_percent": 0,
            "services": ["sauna"],
            "available_from": "2027-05-01",
            "available_until": "2027-04-01",
            "latitude": 47.0,
            "timezone": "Mars/Olympus",
        },
        headers=host["h"],
    )
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert {
        "name",
        "kind",
        "capacity_cap_percent",
        "services",
        "available_until",
        "longitude",
        "timezone",
    } <= set(fields)


def test_organisation_of_someone_else_is_404_and_member_only_is_403(client, host, app_ctx):
    other = make_user()
    response = client.post(
        "/api/v1/spaces",
        json={"organisation_id": host["org"].id, "name": "X", "kind": "other", "commune": "Tours"},
        headers=bearer(api_token(other)),
    )
    assert response.status_code == 404
    client.post(
        f"/api/v1/organisations/{host['org'].id}/members",
        json={"email": other.email, "role": "member"},
        headers=host["h"],
    )
    response = client.post(
        "/api/v1/spaces",
        json={"organisation_id": host["org"].id, "name": "X", "kind": "other", "commune": "Tours"},
        headers=bearer(api_token(other)),
    )
    assert response.status_code == 403


def test_publish_needs_a_unit_then_space_is_public(client, host):
    space = _space(client, host)
    refused = client.post(f"/api/v1/spaces/{space['id']}/publish", headers=host["h"])
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "invalid_state"
    assert client.get(f"/api/v1/spaces/{space['id']}").status_code == 404  # a draft is not public
    _unit(client, host, space["id"])
    published = client.post(f"/api/v1/spaces/{space['id']}/publish", headers=host["h"])
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    public = client.get(f"/api/v1/spaces/{space['id']}").get_json()
    assert public["units"][0]["prices"] == {
        "hour": 400,
        "half_day": None,
        "day": 2500,
        "month": None,
    }
    archived = client.post(f"/api/v1/spaces/{space['id']}/archive", headers=host["h"])
    assert archived.get_json()["status"] == "archived"
    assert client.get(f"/api/v1/spaces/{space['id']}").status_code == 404


def test_another_host_cannot_edit(client, host, app_ctx):
    space = _space(client, host)
    _unit(client, host, space["id"])
    client.post(f"/api/v1/spaces/{space['id']}/publish", headers=host["h"])
    intruder = bearer(api_token(make_user()))
    assert (
        client.patch(
            f"/api/v1/spaces/{space['id']}", json={"name": "Mine"}, headers=intruder
        ).status_code
        == 403
    )
    unit_id = client.get(f"/api/v1/spaces/{space['id']}").get_json()["units"][0]["id"]
    assert (
        client.patch(f"/api/v1/units/{unit_id}", json={"capacity": 1}, headers=intruder).status_code
        == 403
    )
    assert (
        client.put(f"/api/v1/units/{unit_id}/opening-hours", json=[], headers=intruder).status_code
        == 403
    )
    assert client.get(f"/api/v1/spaces/{space['id']}").get_json()["name"] == "Ancienne perception"


def test_patch_changes_only_given_fields_and_regeocodes_on_move(client, host):
    space = _space(client, host, description="Grand bureau", services=["wifi", "printer"])
    response = client.patch(
        f"/api/v1/spaces/{space['id']}",
        json={"name": "Perception", "services": ["wifi"]},
        headers=host["h"],
    )
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["name"] == "Perception" and updated["description"] == "Grand bureau"
    assert updated["services"] == ["wifi"]
    moved = client.patch(
        f"/api/v1/spaces/{space['id']}",
        json={"commune": "Chinon", "postal_code": "37500"},
        headers=host["h"],
    ).get_json()
    assert moved["longitude"] == pytest.approx(0.24, abs=0.05)
    bad = client.patch(
        f"/api/v1/spaces/{space['id']}", json={"capacity_cap_percent": 101}, headers=host["h"]
    )
    assert bad.status_code == 422


def test_unit_rules(client, host):
    space = _space(client, host)
    no_rate = client.post(
        f"/api/v1/spaces/{space['id']}/units",
        json={"name": "A", "kind": "office", "capacity": 2, "prices": {}},
        headers=host["h"],
    )
    assert no_rate.status_code == 422 and "prices" in no_rate.get_json()["error"]["fields"]
    bad = client.post(
        f"/api/v1/spaces/{space['id']}/units",
        json={
            "name": "A",
            "kind": "office",
            "capacity": 0,
            "prices": {"hour": -5},
            "min_minutes": 120,
            "max_minutes": 60,
        },
        headers=host["h"],
    )
    assert set(bad.get_json()["error"]["fields"]) >= {"capacity", "prices.hour", "max_minutes"}
    free = _unit(client, host, space["id"], prices={"day": 0})
    assert free["prices"]["day"] == 0
    patched = client.patch(
        f"/api/v1/units/{free['id']}", json={"prices": {"hour": 300}}, headers=host["h"]
    ).get_json()
    assert patched["prices"] == {"hour": 300, "half_day": None, "day": 0, "month": None}


def test_capacity_cap_applies_to_desk_pools_only(client, host):
    space = _space(client, host, capacity_cap_percent=50)
    pool = _unit(client, host, space["id"], capacity=7)
    office = _unit(client, host, space["id"], kind="office", capacity=4)
    assert pool["effective_capacity"] == 3
    assert office["effective_capacity"] == 1  # booked whole


def test_opening_hours_round_trip_and_unit_fallback(client, host):
    space = _space(client, host)
    unit = _unit(client, host, space["id"])
    residence = [
        {"weekday": d, "start": s, "end": e}
        for d in range(5)
        for s, e in (("09:00", "12:00"), ("14:00", "17:00"))
    ]
    response = client.put(
        f"/api/v1/spaces/{space['id']}/opening-hours", json=residence, headers=host["h"]
    )
    assert response.status_code == 200
    assert len(response.get_json()) == 10
    assert (
        client.get(f"/api/v1/units/{unit['id']}/opening-hours", headers=host["h"]).get_json()
        == response.get_json()
    )
    closed = client.put(f"/api/v1/units/{unit['id']}/opening-hours", json=[], headers=host["h"])
    assert closed.get_json() == []
    assert (
        client.get(f"/api/v1/units/{unit['id']}/opening-hours", headers=host["h"]).get_json() == []
    )
    assert (
        client.delete(f"/api/v1/units/{unit['id']}/opening-hours", headers=host["h"]).status_code
        == 204
    )
    assert (
        len(client.get(f"/api/v1/units/{unit['id']}/opening-hours", headers=host["h"]).get_json())
        == 10
    )
    midnight = client.put(
        f"/api/v1/spaces/{space['id']}/opening-hours",
        json=[{"weekday": 5, "start": "20:00", "end": "24:00"}],
        headers=host["h"],
    )
    assert midnight.get_json() == [{"weekday": 5, "start": "20:00", "end": "24:00"}]


@pytest.mark.parametrize(
    "windows",
    [
        [
            {"weekday": 0, "start": "09:00", "end": "12:00"},
            {"weekday": 0, "start": "11:00", "end": "13:00"},
        ],
        [{"weekday": 7, "start": "09:00", "end": "12:00"}],
        [{"weekday": 0, "start": "12:00", "end": "09:00"}],
        [{"weekday": 0, "start": "9h", "end": "12:00"}],
        [{"weekday": 0, "start": "09:00", "end": "24:30"}],
        {"weekday": 0},
    ],
)
def test_bad_opening_hours_are_422_and_change_nothing(client, host, windows):
    space = _space(client, host)
    good = [{"weekday": 1, "start": "08:30", "end": "19:00"}]
    client.put(f"/api/v1/spaces/{space['id']}/opening-hours", json=good, headers=host["h"])
    response = client.put(
        f"/api/v1/spaces/{space['id']}/opening-hours", json=windows, headers=host["h"]
    )
    assert response.status_code == 422
    assert (
        client.get(f"/api/v1/spaces/{space['id']}/opening-hours", headers=host["h"]).get_json()
        == good
    )


def test_closures_in_local_time_with_the_space_offset(client, host):
    space = _space(client, host)
    unit = _unit(client, host, space["id"])
    response = client.post(
        f"/api/v1/spaces/{space['id']}/closures",
        json={"start": "2027-12-24T00:00", "end": "2027-12-27T00:00", "reason": "Noël"},
        headers=host["h"],
    )
    assert response.status_code == 201
    closure = response.get_json()
    assert closure["start"] == "2027-12-24T00:00:00+01:00"
    summer = client.post(
        f"/api/v1/units/{unit['id']}/closures",
        json={"start": "2027-07-14T08:00:00Z", "end": "2027-07-14T20:00:00+02:00"},
        headers=host["h"],
    ).get_json()
    assert summer["start"] == "2027-07-14T10:00:00+02:00"
    listed = client.get(f"/api/v1/units/{unit['id']}/closures", headers=host["h"]).get_json()[
        "items"
    ]
    assert [c["id"] for c in listed] == [summer["id"], closure["id"]]  # by start: July first
    assert client.delete(f"/api/v1/closures/{closure['id']}", headers=host["h"]).status_code == 204
    assert (
        len(
            client.get(f"/api/v1/units/{unit['id']}/closures", headers=host["h"]).get_json()[
                "items"
            ]
        )
        == 1
    )


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2027-12-24", "2027-12-27T00:00", "start"),  # a bare date
        ("2027-03-28T02:30", "2027-03-28T05:00", "start"),  # does not exist in Paris
        ("2027-12-27T00:00", "2027-12-24T00:00", "end"),
        ("tomorrow", "2027-12-24T00:00", "start"),
    ],
)
def test_bad_closures_are_422(client, host, start, end, field):
    space = _space(client, host)
    response = client.post(
        f"/api/v1/spaces/{space['id']}/closures",
        json={"start": start, "end": end},
        headers=host["h"],
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_geojson_and_csv_list_published_spaces_only(client, host, app_ctx):
    owner = host["user"]
    published = make_space(
        owner, organisation=host["org"], name="Tiers-lieu de Bléré", services=["wifi", "childcare"]
    )
    make_space(owner, organisation=host["org"], name="Brouillon", publish=False)
    geojson = client.get("/api/v1/spaces.geojson")
    assert geojson.mimetype == "application/geo+json"
    collection = geojson.get_json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [published.longitude, published.latitude],
    }
    assert set(feature["properties"]) >= {"id", "name", "kind", "commune", "services", "url"}
    assert feature["properties"]["services"] == ["childcare", "wifi"]
    response = client.get("/api/v1/spaces.csv")
    assert response.mimetype == "text/csv" and "charset=utf-8" in response.content_type
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["name"] for r in rows] == ["Tiers-lieu de Bléré"]
    assert float(rows[0]["latitude"]) == published.latitude


def test_services_vocabulary(client):
    codes = {item["code"] for item in client.get("/api/v1/services").get_json()["items"]}
    assert {
        "wifi",
        "printer",
        "meeting_room",
        "childcare",
        "library",
        "digital_help",
        "kitchen",
        "parking",
        "bike_parking",
        "accessible",
        "quiet_zone",
        "phone_booth",
        "animation",
    } <= codes


def test_null_clears_text_fields_instead_of_failing(client, host):
    space = _space(client, host, description="Grand bureau", address="1 rue Nationale")
    response = client.patch(
        f"/api/v1/spaces/{space['id']}",
        json={"address": None, "description": None, "house_rules": None},
        headers=host["h"],
    )
    assert response.status_code == 200
    assert (response.get_json()["address"], response.get_json()["description"]) == ("", "")


def test_a_new_street_alone_keeps_a_hand_placed_pin_offline(client, host):
    space = _space(client, host, latitude=47.1301, longitude=0.9912)
    moved = client.patch(
        f"/api/v1/spaces/{space['id']}",
        json={"address": "3 place de l'Hôtel de Ville"},
        headers=host["h"],
    ).get_json()
    assert (moved["latitude"], moved["longitude"]) == (47.1301, 0.9912)


def test_a_commune_typo_is_not_placed_in_another_commune(client, host):
    response = client.post(
        "/api/v1/spaces",
        json={
            "organisation_id": host["org"].id,
            "name": "X",
            "kind": "other",
            "commune": "Nulle-Part-sur-Loire",
        },
        headers=host["h"],
    )
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "unknown_place"


def test_time_errors_speak_french(client, host):
    space = _space(client, host)
    response = client.post(
        f"/api/v1/spaces/{space['id']}/closures",
        json={"start": "2027-12-24", "end": "2027-12-27T00:00"},
        headers={**host["h"], "Accept-Language": "fr"},
    )
    message = response.get_json()["error"]["fields"]["start"][0]
    assert message != "Give a time as well as the date, e.g. 2027-03-29T09:00."
