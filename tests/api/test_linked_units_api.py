"""Linked units over the API (shared/API.md "Linked units"): ``part_of`` on create and PATCH,
its refusals, and search, quotes and availability following the family rule."""

from __future__ import annotations

import pytest

from tests.factories import make_bookable, make_unit

START, END = "2027-03-01T09:00", "2027-03-01T11:00"
TOURS = (47.3941, 0.6848)
OFFICE = {"kind": "office", "capacity": 4, "prices": {"hour": 1500}}


@pytest.fixture
def family(client, world):
    """In La Cantine: the building (whole premises) and office A in it, both instant."""
    host, space = world["host"], world["space"]
    building = make_unit(
        host, space, name="Building", kind="whole_premises", capacity=15, prices={"hour": 5000}
    )
    office = make_unit(host, space, name="Office A", part_of=building.id, **OFFICE)
    return {"building": building.id, "a": office.id}


def _create(client, world, **fields):
    payload = {"name": "Office", "capacity": 2, "prices": {"hour": 1000}, "kind": "office"}
    return client.post(
        f"/api/v1/spaces/{world['space'].id}/units", json={**payload, **fields}, headers=world["h"]
    )


def _book(client, world, unit_id, start=START, end=END):
    return client.post(
        "/api/v1/bookings",
        json={"unit_id": unit_id, "start": start, "end": end},
        headers=world["b"],
    )


def test_a_unit_is_created_as_part_of_another_and_both_say_so(client, world, family):
    created = _create(client, world, name="Office B", part_of=family["building"])
    assert created.status_code == 201, created.get_json()
    office = created.get_json()
    assert office["part_of"] == family["building"] and office["parts"] == []
    building = client.get(f"/api/v1/units/{family['building']}").get_json()
    assert building["part_of"] is None
    assert building["parts"] == [family["a"], office["id"]]
    listed = client.get(f"/api/v1/spaces/{world['space'].id}/units").get_json()["items"]
    assert {u["id"]: u["parts"] for u in listed}[family["building"]] == building["parts"]
    # PATCH to null makes it a unit on its own again.
    patched = client.patch(
        f"/api/v1/units/{office['id']}", json={"part_of": None}, headers=world["h"]
    )
    assert patched.status_code == 200 and patched.get_json()["part_of"] is None


def _other_space_unit(world):
    _, (elsewhere,) = make_bookable(world["host"], {"kind": "office", "capacity": 2})
    return elsewhere.id


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("desk pool parent", "part_of"),
        ("other space", "part_of"),
        ("part of a part", "part_of"),
        ("unknown", "part_of"),
        ("not a number", "part_of"),
        ("zero", "part_of"),
    ],
)
def test_create_refuses_a_parent_that_cannot_hold_parts(client, world, family, case, field):
    part_of = {
        "desk pool parent": world["pool"],
        "other space": _other_space_unit(world) if case == "other space" else None,
        "part of a part": family["a"],
        "unknown": 999_999,
        "not a number": "the building",
        "zero": 0,
    }[case]
    before = client.get(f"/api/v1/spaces/{world['space'].id}/units").get_json()["items"]
    response = _create(client, world, part_of=part_of)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    after = client.get(f"/api/v1/spaces/{world['space'].id}/units").get_json()["items"]
    assert after == before  # nothing was created


@pytest.mark.parametrize(
    ("case", "patch", "field"),
    [
        ("itself", lambda f: ("building", {"part_of": f["building"]}), "part_of"),
        ("a parent becomes a part", lambda f: ("building", {"part_of": f["room"]}), "part_of"),
        ("a part of its own part", lambda f: ("building", {"part_of": f["a"]}), "part_of"),
        ("a parent no longer whole", lambda f: ("building", {"kind": "desk_pool"}), "kind"),
    ],
)
def test_patch_refuses_what_would_break_the_family(client, world, family, case, patch, field):
    name, body = patch({**family, "room": world["room"]})
    unit_id = family[name]
    before = client.get(f"/api/v1/units/{unit_id}").get_json()
    response = client.patch(f"/api/v1/units/{unit_id}", json=body, headers=world["h"])
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert field in error["fields"] and error["message"]
    assert client.get(f"/api/v1/units/{unit_id}").get_json() == before


def test_quotes_and_availability_follow_the_rule(client, world, family):
    assert _book(client, world, family["a"]).status_code == 201
    quote = client.get(
        f"/api/v1/units/{family['building']}/quote", query_string={"start": START, "end": END}
    ).get_json()
    assert quote["available"] is False and quote["code"] == "unavailable"
    assert quote["free_seats"] == 0
    # The booking itself gets the 409 the quote announced.
    refused = _book(client, world, family["building"])
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "unavailable"
    items = client.get(
        f"/api/v1/units/{family['building']}/availability",
        query_string={"start": "2027-03-01T08:00", "end": "2027-03-01T12:00"},
    ).get_json()["items"]
    assert [(i["start"][11:16], i["end"][11:16], i["free"]) for i in items] == [
        ("08:00", "09:00", 1),
        ("09:00", "11:00", 0),
        ("11:00", "12:00", 1),
    ]
    # Right after, the building is free again; a second office would be too.
    assert _book(client, world, family["building"], END, "2027-03-01T12:00").status_code == 201
    later = client.get(
        f"/api/v1/units/{family['a']}/quote",
        query_string={"start": "2027-03-01T11:30", "end": "2027-03-01T12:30"},
    ).get_json()
    assert later["available"] is False  # its building is booked 11:00–12:00


def test_a_dated_search_leaves_out_the_taken_family(client, world, family):
    other = _create(client, world, name="Office B", part_of=family["building"]).get_json()["id"]

    def found():
        response = client.get(
            "/api/v1/search",
            query_string={"lat": TOURS[0], "lon": TOURS[1], "start": START, "end": END},
        )
        assert response.status_code == 200
        return {item["unit"]["id"] for item in response.get_json()["items"]}

    assert {family["building"], family["a"], other} <= found()
    assert _book(client, world, family["a"]).status_code == 201
    seen = found()
    assert family["building"] not in seen and family["a"] not in seen
    assert other in seen and world["pool"] in seen  # a sibling and the unit beside still free
