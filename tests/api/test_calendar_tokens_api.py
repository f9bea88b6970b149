"""Calendar feed tokens over the API: create (201), list (paginated), revoke (204), refusals."""

from __future__ import annotations

import pytest

from spaces.db import transaction
from tests.factories import (
    api_token,
    bearer,
    log_in,
    make_organisation,
    make_space,
    make_unit,
    make_user,
)


@pytest.fixture
def world(app_ctx):
    host = make_user("host@example.org", name="Léa Hôte")
    booker = make_user("camille@example.org", name="Camille")
    member = make_user("membre@example.org", name="Martin Membre")
    organisation = make_organisation(host)
    space = make_space(host, organisation, name="La Cantine", units=1)
    draft = make_space(host, organisation, name="Brouillon", units=0, publish=False)
    draft_unit = make_unit(host, draft, name="Bureau caché")
    from spaces.organisations import services as organisations

    with transaction():
        organisations.add_member(host, organisation, "membre@example.org", "member")
    return {
        "space": space.id,
        "unit": space.units[0].id,
        "draft": draft.id,
        "draft_unit": draft_unit.id,
        "h": bearer(api_token(host)),
        "b": bearer(api_token(booker)),
        "m": bearer(api_token(member)),
    }


def create(client, world, who="b", **payload):
    return client.post("/api/v1/calendar-tokens", json=payload, headers=world[who])


def test_create_a_feed_of_my_bookings(client, world):
    response = create(client, world, scope="me")
    assert response.status_code == 201, response.get_json()
    token = response.get_json()
    assert token["scope"] == "me" and isinstance(token["id"], int)
    assert token["unit_id"] is None and token["space_id"] is None
    assert len(token["token"]) >= 40
    assert token["url"].endswith(f"/calendars/{token['token']}.ics")
    assert token["url"].startswith(("http://", "https://"))
    assert token["webcal_url"] == "webcal://" + token["url"].partition("://")[2]
    assert token["created_at"].endswith("+00:00") and token["last_used_at"] is None
    path = "/calendars/" + token["url"].rpartition("/calendars/")[2]
    assert client.get(path).status_code == 200


def test_hosts_create_unit_and_space_feeds(client, world):
    unit = create(client, world, "h", scope="unit", id=world["unit"])
    space = create(client, world, "h", scope="space", id=world["space"])
    draft = create(client, world, "h", scope="space", id=world["draft"])
    assert unit.status_code == space.status_code == draft.status_code == 201
    assert (unit.get_json()["unit_id"], unit.get_json()["space_id"]) == (world["unit"], None)
    assert (space.get_json()["space_id"], space.get_json()["unit_id"]) == (world["space"], None)
    assert "La Cantine" in space.get_json()["name"]


def test_tokens_are_unique(client, world):
    tokens = {create(client, world, scope="me").get_json()["token"] for _ in range(3)}
    assert len(tokens) == 3


def test_authentication_is_required(client, world):
    assert client.post("/api/v1/calendar-tokens", json={"scope": "me"}).status_code == 401
    assert client.get("/api/v1/calendar-tokens").status_code == 401
    assert client.delete("/api/v1/calendar-tokens/1").status_code == 401
    assert client.get("/api/v1/calendar-tokens").get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "scope"),
        ({"scope": "everyone"}, "scope"),
        ({"scope": 3}, "scope"),
        ({"scope": "unit"}, "id"),
        ({"scope": "space", "id": "abc"}, "id"),
        ({"scope": "me", "id": 1}, "id"),
    ],
)
def test_wrong_shapes_are_422_naming_the_field(client, world, payload, field):
    response = client.post("/api/v1/calendar-tokens", json=payload, headers=world["h"])
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]


def test_a_body_that_is_not_an_object_is_422_and_bad_json_400(client, world):
    response = client.post("/api/v1/calendar-tokens", json=["me"], headers=world["b"])
    assert response.status_code == 422
    broken = client.post(
        "/api/v1/calendar-tokens",
        data="{",
        content_type="application/json",
        headers=world["b"],
    )
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("target_id", [999999, 99999999999999999999999, 0, -1])
def test_unknown_targets_are_404(client, world, target_id):
    for scope in ("unit", "space"):
        response = create(client, world, "h", scope=scope, id=target_id)
        assert response.status_code == 404, response.get_json()
        assert response.get_json()["error"]["code"] == "not_found"


def test_a_place_the_caller_cannot_see_is_404(client, world):
    assert create(client, world, scope="space", id=world["draft"]).status_code == 404
    assert create(client, world, scope="unit", id=world["draft_unit"]).status_code == 404


def test_a_published_place_of_someone_else_is_403(client, world):
    for scope, target in (("unit", "unit"), ("space", "space")):
        response = create(client, world, scope=scope, id=world[target])
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden"


def test_a_plain_member_of_the_host_cannot_follow_its_bookings(client, world):
    assert create(client, world, "m", scope="space", id=world["space"]).status_code == 403
    assert create(client, world, "m", scope="space", id=world["draft"]).status_code == 403
    assert create(client, world, "m", scope="me").status_code == 201


def test_list_is_paginated_and_shows_only_my_live_tokens(client, world):
    mine = [create(client, world, scope="me").get_json() for _ in range(3)]
    create(client, world, "h", scope="me")
    client.delete(f"/api/v1/calendar-tokens/{mine[0]['id']}", headers=world["b"])
    listed = client.get("/api/v1/calendar-tokens", headers=world["b"]).get_json()
    assert listed["total"] == 2 and listed["page"] == 1
    assert [t["id"] for t in listed["items"]] == [mine[1]["id"], mine[2]["id"]]
    assert listed["items"][0]["token"] == mine[1]["token"]
    second = client.get("/api/v1/calendar-tokens?per_page=1&page=2", headers=world["b"])
    assert [t["id"] for t in second.get_json()["items"]] == [mine[2]["id"]]


def test_revoke_is_204_then_404_and_only_for_the_owner(client, world):
    token = create(client, world, scope="me").get_json()
    path = "/calendars/" + token["url"].rpartition("/calendars/")[2]
    other = client.delete(f"/api/v1/calendar-tokens/{token['id']}", headers=world["h"])
    assert other.status_code == 404
    assert client.get(path).status_code == 200
    response = client.delete(f"/api/v1/calendar-tokens/{token['id']}", headers=world["b"])
    assert response.status_code == 204 and response.get_data() == b""
    assert client.get(path).status_code == 404
    again = client.delete(f"/api/v1/calendar-tokens/{token['id']}", headers=world["b"])
    assert again.status_code == 404 and again.get_json()["error"]["code"] == "not_found"
    assert (
        client.delete("/api/v1/calendar-tokens/2147483647", headers=world["b"]).status_code == 404
    )
    assert (
        client.delete(
            "/api/v1/calendar-tokens/99999999999999999999999", headers=world["b"]
        ).status_code
        == 404
    )


def test_too_many_live_tokens_is_409(client, world, app_ctx):
    from spaces.accounts.models import User
    from spaces.calendars import tokens
    from spaces.extensions import db

    user = db.session.scalar(db.select(User).where(User.email == "camille@example.org"))
    with transaction():
        for _ in range(tokens.MAX_ACTIVE_TOKENS):
            tokens.create_token(user, "me")
    response = create(client, world, scope="me")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "too_many_tokens"


def test_session_writes_need_the_csrf_token(client, world):
    log_in(client, "camille@example.org")
    refused = client.post("/api/v1/calendar-tokens", json={"scope": "me"})
    assert refused.status_code == 400
    page = client.get("/account/calendars").get_data(as_text=True)
    csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
    accepted = client.post(
        "/api/v1/calendar-tokens", json={"scope": "me"}, headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201
