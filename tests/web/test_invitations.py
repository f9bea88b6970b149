"""Invitations: bound to the address they were sent to, limited in number, no chosen text in
the subject."""

from __future__ import annotations

from spaces.organisations.services import INVITATIONS_PER_DAY
from tests.factories import (
    PASSWORD,
    api_token,
    bearer,
    log_in,
    make_organisation,
    make_user,
    post_form,
)

SPAM = "WIN A PRIZE at https://evil.example"


def _invite(client, token, organisation_id, email, role="member"):
    return client.post(
        f"/api/v1/organisations/{organisation_id}/members",
        json={"email": email, "role": role},
        headers=bearer(token),
    )


def _link(outbox, email):
    return next(u for u in outbox.links(outbox.last(email)) if "/invitations/" in u)


def test_an_invitation_cannot_be_accepted_by_another_account(app, app_ctx, outbox):
    owner = make_user("owner@example.org")
    organisation = make_organisation(owner, "Tiers-lieu du Lochois")
    make_user("intruder@example.org")
    invited = _invite(app.test_client(), api_token(owner), organisation.id, "new@example.org")
    assert invited.status_code == 202
    path = _link(outbox, "new@example.org").split("localhost", 1)[1]

    # The link was forwarded (or leaked) to someone with another account.
    intruder = app.test_client()
    log_in(intruder, "intruder@example.org")
    page = intruder.get(path)
    assert page.status_code == 403
    assert "another e-mail address" in page.get_data(as_text=True) or "autre adresse" in (
        page.get_data(as_text=True)
    )
    accepted = post_form(intruder, path, {})
    assert accepted.status_code == 403
    members = intruder.get(f"/api/v1/organisations/{organisation.id}")
    assert members.status_code == 404

    # Registering a new account with another address through the link does not join either.
    token = path.rsplit("/", 1)[1]
    other = app.test_client().post(
        "/api/v1/auth/register",
        json={"email": "other@example.org", "password": PASSWORD, "name": "O", "invitation": token},
    )
    assert other.status_code == 201
    other_token = app.test_client().post(
        "/api/v1/auth/token", json={"email": "other@example.org", "password": PASSWORD}
    )
    me = app.test_client().get("/api/v1/me", headers=bearer(other_token.get_json()["token"]))
    assert me.get_json()["organisations"] == []

    # The person it was sent to still can.
    make_user("new@example.org")
    invitee = app.test_client()
    log_in(invitee, "new@example.org")
    assert invitee.get(path).status_code == 200
    joined = post_form(invitee, path, {})
    assert joined.status_code == 302
    assert invitee.get(f"/api/v1/organisations/{organisation.id}").status_code == 200


def test_invitations_are_limited_per_day_and_subjects_carry_no_chosen_names(
    client, app_ctx, outbox
):
    spammer = make_user("spammer@example.org", name=SPAM)
    token = api_token(spammer)
    first = make_organisation(spammer, SPAM)
    for n in range(INVITATIONS_PER_DAY):
        assert _invite(client, token, first.id, f"target{n}@example.org").status_code == 202
    refused = _invite(client, token, first.id, "one.more@example.org")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    # A fresh organisation does not reset the inviter's count.
    second = make_organisation(spammer, "Another one")
    assert _invite(client, token, second.id, "yet.another@example.org").status_code == 429
    assert len(outbox) == INVITATIONS_PER_DAY
    for message in outbox.messages():
        subject = str(message["Subject"])
        assert "PRIZE" not in subject and "evil" not in subject, subject
    # Adding an existing account tells them, also without the chosen names in the subject.
    make_user("existing@example.org")
    added = _invite(client, token, second.id, "existing@example.org")
    assert added.status_code == 201
    assert "PRIZE" not in str(outbox.last("existing@example.org")["Subject"])
