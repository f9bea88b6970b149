"""Organisations and members over the JSON API."""

from __future__ import annotations

from tests.factories import PASSWORD, api_token, bearer, make_user


def _org(client, token, name="Ville de Loches", kind="municipality"):
    response = client.post(
        "/api/v1/organisations", json={"name": name, "kind": kind}, headers=bearer(token)
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_creator_becomes_owner(client, app_ctx):
    token = api_token(make_user())
    org = _org(client, token)
    assert org["kind"] == "municipality"
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["organisations"] == [{**org, "role": "owner"}]


def test_unknown_kind_is_422(client, app_ctx):
    token = api_token(make_user())
    response = client.post(
        "/api/v1/organisations", json={"name": "X", "kind": "club"}, headers=bearer(token)
    )
    assert response.status_code == 422
    assert "kind" in response.get_json()["error"]["fields"]


def test_existing_account_becomes_member_at_once(client, app_ctx, outbox):
    owner = api_token(make_user())
    member = make_user("agent@example.org")
    org = _org(client, owner)
    response = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"email": "agent@example.org", "role": "manager"},
        headers=bearer(owner),
    )
    assert response.status_code == 201
    assert response.get_json()["role"] == "manager"
    me = client.get("/api/v1/me", headers=bearer(api_token(member))).get_json()
    assert me["organisations"][0]["role"] == "manager"
    assert outbox.last("agent@example.org")
    again = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"email": "agent@example.org", "role": "member"},
        headers=bearer(owner),
    )
    assert again.status_code == 409


def test_unknown_address_gets_an_invitation_and_joins_on_registering(client, app_ctx, outbox):
    owner = api_token(make_user())
    org = _org(client, owner)
    response = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"email": "new@example.org", "role": "member"},
        headers=bearer(owner),
    )
    assert response.status_code == 202
    assert response.get_json()["status"] == "invited"
    link = next(u for u in outbox.links(outbox.last("new@example.org")) if "/invitations/" in u)
    token = link.rsplit("/", 1)[1]
    registered = client.post(
        "/api/v1/auth/register",
        json={"email": "new@example.org", "password": PASSWORD, "name": "New", "invitation": token},
    )
    assert registered.status_code == 201
    me = client.get(
        "/api/v1/me",
        headers=bearer(
            client.post(
                "/api/v1/auth/token", json={"email": "new@example.org", "password": PASSWORD}
            ).get_json()["token"]
        ),
    ).get_json()
    assert me["organisations"] == [{**org, "role": "member"}]


def test_members_cannot_add_and_strangers_see_404(client, app_ctx):
    owner = api_token(make_user())
    member_user = make_user("m@example.org")
    stranger = api_token(make_user())
    org = _org(client, owner)
    client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"email": "m@example.org", "role": "member"},
        headers=bearer(owner),
    )
    member = api_token(member_user)
    refused = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"email": "x@example.org", "role": "member"},
        headers=bearer(member),
    )
    assert refused.status_code == 403
    assert (
        client.get(f"/api/v1/organisations/{org['id']}", headers=bearer(stranger)).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/organisations/{org['id']}/members", headers=bearer(member)).status_code
        == 200
    )


def test_manager_cannot_make_an_owner_and_last_owner_cannot_leave(client, app_ctx):
    owner_user = make_user()
    owner = api_token(owner_user)
    make_user("boss@example.org")
    org = _org(client, owner)
    client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"email": "boss@example.org", "role": "manager"},
        headers=bearer(owner),
    )
    manager = client.post(
        "/api/v1/auth/token", json={"email": "boss@example.org", "password": PASSWORD}
    ).get_json()["token"]
    response = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"email": "z@example.org", "role": "owner"},
        headers=bearer(manager),
    )
    assert response.status_code == 403
    leave = client.delete(
        f"/api/v1/organisations/{org['id']}/members/{owner_user.id}", headers=bearer(owner)
    )
    assert leave.status_code == 409
    assert leave.get_json()["error"]["code"] == "invalid_state"


def test_pagination_shape(client, app_ctx):
    token = api_token(make_user())
    for n in range(3):
        _org(client, token, name=f"Org {n}", kind="landlord")
    page = client.get("/api/v1/organisations?per_page=2&page=2", headers=bearer(token)).get_json()
    assert page["total"] == 3 and page["page"] == 2 and len(page["items"]) == 1
    absurd = client.get(
        "/api/v1/organisations?per_page=100000&page=-4", headers=bearer(token)
    ).get_json()
    assert absurd["page"] == 1 and len(absurd["items"]) == 3
