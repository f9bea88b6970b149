"""Joining an employer is consented to: the new member is told what it means and can leave in
one click (a confirmation page), or through the API; the last owner cannot leave."""

from __future__ import annotations

from tests.factories import (
    PASSWORD,
    api_token,
    bearer,
    log_in,
    make_organisation,
    make_user,
    post_form,
)


def _add(client, token, organisation_id, email):
    return client.post(
        f"/api/v1/organisations/{organisation_id}/members",
        json={"email": email, "role": "member"},
        headers=bearer(token),
    )


def test_a_new_member_of_an_employer_is_told_what_it_sees_and_leaves_in_one_click(
    app, app_ctx, outbox
):
    owner = make_user("rh@example.org", name="Hélène RH")
    make_user("camille@example.org", name="Camille Martin", locale="fr")
    employer = make_organisation(owner, "Touraine Logistique", kind="employer")
    assert (
        _add(app.test_client(), api_token(owner), employer.id, "camille@example.org").status_code
        == 201
    )

    message = outbox.last("camille@example.org")
    body = outbox.body(message)
    assert "Touraine Logistique" in str(message["Subject"])
    assert "Hélène RH" in body
    assert "Payé par : Touraine Logistique" in body  # nothing charged unless chosen
    assert "ne voit jamais vos autres réservations" in body
    leave = next(
        u for u in outbox.links(message) if u.endswith(f"/organisations/{employer.id}/leave")
    )
    path = leave.split("localhost", 1)[1]

    camille = app.test_client()
    log_in(camille, "camille@example.org")
    page = camille.get(path)
    assert page.status_code == 200
    assert "Quitter Touraine Logistique" in page.get_data(as_text=True)
    assert camille.post(path, data={}).status_code == 400  # no CSRF token: nothing happens
    assert camille.get(f"/api/v1/organisations/{employer.id}").status_code == 200
    left = post_form(camille, path, {})
    assert left.status_code == 302
    assert camille.get(f"/api/v1/organisations/{employer.id}").status_code == 404
    assert camille.get(path).status_code == 404


def test_a_coworking_member_gets_the_usual_message(app, app_ctx, outbox):
    owner = make_user("owner@example.org")
    make_user("new@example.org", locale="en")
    coworking = make_organisation(owner, "Tiers-lieu du Lochois")
    _add(app.test_client(), api_token(owner), coworking.id, "new@example.org")
    body = outbox.body(outbox.last("new@example.org"))
    assert "Tiers-lieu du Lochois" in body and "/leave" not in body


def test_an_invited_person_joining_an_employer_gets_the_same_message(app, app_ctx, outbox):
    owner = make_user("rh@example.org", name="Hélène RH")
    employer = make_organisation(owner, "Touraine Logistique", kind="employer")
    assert (
        _add(app.test_client(), api_token(owner), employer.id, "new@example.org").status_code == 202
    )
    link = next(u for u in outbox.links(outbox.last("new@example.org")) if "/invitations/" in u)
    token = link.rsplit("/", 1)[1]
    registered = app.test_client().post(
        "/api/v1/auth/register",
        json={
            "email": "new@example.org",
            "password": PASSWORD,
            "name": "Nouvelle",
            "invitation": token,
        },
    )
    assert registered.status_code == 201
    assert any(
        u.endswith(f"/organisations/{employer.id}/leave")
        for u in outbox.links(outbox.last("new@example.org"))
    )


def test_leaving_through_the_api_and_the_last_owner_staying(app, app_ctx):
    owner = make_user("rh@example.org")
    member = make_user("camille@example.org")
    employer = make_organisation(owner, "Touraine Logistique", kind="employer")
    owner_token, member_token = api_token(owner), api_token(member)
    client = app.test_client()
    _add(client, owner_token, employer.id, "camille@example.org")
    url = f"/api/v1/organisations/{employer.id}/members/me"
    assert client.delete(url, headers=bearer(member_token)).status_code == 204
    assert client.delete(url, headers=bearer(member_token)).status_code == 404
    refused = client.delete(url, headers=bearer(owner_token))
    assert refused.status_code == 409
    assert (
        client.get(f"/api/v1/organisations/{employer.id}", headers=bearer(owner_token)).status_code
        == 200
    )

    page = app.test_client()
    log_in(page, "rh@example.org")
    response = post_form(page, f"/organisations/{employer.id}/leave", {})
    assert response.status_code == 409
    assert (
        client.get(f"/api/v1/organisations/{employer.id}", headers=bearer(owner_token)).status_code
        == 200
    )
