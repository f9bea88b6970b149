"""Accounts over the JSON API: status codes and the error shape of shared/API.md."""

from __future__ import annotations

from tests.factories import PASSWORD, api_token, bearer, make_user


def test_register_then_token_then_me(client):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "Hugo@Example.org", "password": PASSWORD, "name": "Hugo"},
    )
    assert response.status_code == 201
    created = response.get_json()
    assert created == {"id": created["id"], "email": "hugo@example.org", "name": "Hugo"}
    token = client.post(
        "/api/v1/auth/token", json={"email": "hugo@example.org", "password": PASSWORD}
    ).get_json()["token"]
    me = client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.get_json()["email"] == "hugo@example.org"
    assert me.get_json()["organisations"] == []
    # Bearer calls do not create a session cookie.
    assert "Set-Cookie" not in me.headers


def test_duplicate_registration_is_409_email_taken(client, app_ctx):
    make_user("hugo@example.org")
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "HUGO@example.org", "password": PASSWORD, "name": "Hugo"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "email_taken"


def test_invalid_registration_is_422_with_fields(client):
    response = client.post(
        "/api/v1/auth/register", json={"email": "nope", "password": "short", "name": ""}
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"email", "password", "name"}
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)


def test_wrong_types_are_422_not_500(client):
    response = client.post(
        "/api/v1/auth/register", json={"email": ["a"], "password": {"x": 1}, "name": 3}
    )
    assert response.status_code == 422
    assert {"email", "password"} <= set(response.get_json()["error"]["fields"])
    assert client.post("/api/v1/auth/register", json=[1, 2]).status_code == 422


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/auth/register", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"


def test_wrong_credentials_are_401(client, app_ctx):
    make_user("hugo@example.org")
    response = client.post(
        "/api/v1/auth/token", json={"email": "hugo@example.org", "password": "wrong password"}
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"


def test_me_without_token_is_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    bad = client.get("/api/v1/me", headers=bearer("spc_not-a-real-token"))
    assert bad.status_code == 401


def test_unknown_api_path_and_absurd_id_are_json_404(client, app_ctx):
    token = api_token(make_user())
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"
    response = client.get("/api/v1/organisations/99999999999999999999999", headers=bearer(token))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_json_405(client):
    response = client.get("/api/v1/auth/register")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_revoked_token_stops_working(client, app_ctx):
    token = api_token(make_user())
    assert client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_session_writes_need_csrf_but_bearer_writes_do_not(client, app_ctx):
    from tests.factories import log_in

    user = make_user("hugo@example.org")
    log_in(client, "hugo@example.org")
    refused = client.post("/api/v1/organisations", json={"name": "Mairie", "kind": "municipality"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    page = client.get("/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    ok = client.post(
        "/api/v1/organisations",
        json={"name": "Mairie", "kind": "municipality"},
        headers={"X-CSRFToken": token},
    )
    assert ok.status_code == 201
    other = make_user()
    assert (
        client.application.test_client()
        .post(
            "/api/v1/organisations",
            json={"name": "B", "kind": "landlord"},
            headers=bearer(api_token(other)),
        )
        .status_code
        == 201
    )
    assert user.id != other.id


def test_error_messages_follow_the_language(client):
    response = client.post(
        "/api/v1/auth/register", json={"email": "x"}, headers={"Accept-Language": "fr"}
    )
    assert "adresse e-mail" in " ".join(response.get_json()["error"]["fields"]["email"]).lower()


def test_nul_bytes_are_refused_cleanly(client, app_ctx):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "a@example.org", "password": "pass\x00word12345", "name": "A\x00"},
    )
    assert response.status_code == 422
    assert {"password", "name"} <= set(response.get_json()["error"]["fields"])


def test_absurd_ids_in_query_strings_are_404(client, app_ctx):
    token = api_token(make_user())
    for url in (
        "/api/v1/bookings?unit_id=99999999999999999999",
        "/api/v1/spaces?organisation_id=99999999999",
        "/api/v1/bookings?space_id=-3",
    ):
        assert client.get(url, headers=bearer(token)).status_code == 404, url
    assert client.get("/api/v1/bookings?unit_id=abc", headers=bearer(token)).status_code == 422
