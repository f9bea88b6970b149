"""Account and organisation services against the database (no HTTP)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from spaces.accounts import services
from spaces.accounts.models import ApiToken
from spaces.db import transaction
from spaces.errors import Conflict, Unauthorized
from spaces.extensions import db
from spaces.organisations import services as organisations
from tests.factories import PASSWORD, api_token, make_organisation, make_user


def test_email_is_unique_whatever_the_case(app_ctx):
    make_user("Camille@Example.org")
    with pytest.raises(Conflict) as caught, transaction():
        services.register_user("camille@example.ORG", services.new_password(PASSWORD), "Other")
    assert caught.value.code == "email_taken"


def test_suspended_account_cannot_log_in_or_use_tokens(app_ctx):
    admin = make_user(is_admin=True)
    user = make_user("camille@example.org")
    token = api_token(user)
    with transaction():
        services.set_suspended(admin, user, True)
    with pytest.raises(Unauthorized):
        services.authenticate("camille@example.org", PASSWORD)
    assert services.user_for_token(token) is None


def test_password_change_revokes_api_tokens(app_ctx):
    user = make_user()
    token = api_token(user)
    check = services.confirm_password(user, PASSWORD)
    new = services.new_password("a completely new one")
    with transaction():
        services.change_password(user, check, new)
    assert services.user_for_token(token) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_tokens_are_stored_hashed(app_ctx):
    token = api_token(make_user())
    stored = db.session.scalar(sa.select(ApiToken.token_hash))
    assert token not in stored and len(stored) == 64


def test_only_owner_with_other_members_cannot_delete_account(app_ctx):
    owner = make_user()
    other = make_user("other@example.org")
    organisation = make_organisation(owner)
    with transaction():
        organisations.add_member(owner, organisation, "other@example.org", "member")
    check = services.confirm_password(owner, PASSWORD)
    with pytest.raises(Conflict), transaction():
        services.delete_account(owner, check)
    assert owner.deleted_at is None
    # Once someone else is an owner too, the account can go; the membership goes with it.
    with transaction():
        organisations.remove_member(owner, organisation, other.id)
        organisations.add_member(owner, organisation, "other@example.org", "owner")
        services.delete_account(owner, check)
    db.session.rollback()
    assert [m.role for m in organisation.memberships] == ["owner"]


def test_a_failed_transaction_sends_no_mail(app_ctx, outbox):
    user = make_user("camille@example.org")
    with pytest.raises(RuntimeError), transaction():
        services.request_password_reset(user.email)
        raise RuntimeError("something failed after the mail was queued")
    assert len(outbox) == 0
    with transaction():
        services.request_password_reset(user.email)
    assert len(outbox) == 1


def test_invitation_expires(app_ctx, outbox):
    from datetime import timedelta

    from spaces.db import utcnow

    owner = make_user()
    organisation = make_organisation(owner)
    with transaction():
        _, invitation = organisations.add_member(owner, organisation, "new@example.org", "member")
    token = outbox.links(outbox.last("new@example.org"))[0].rsplit("/", 1)[1]
    assert organisations.find_invitation(token) is not None
    with transaction():
        invitation.expires_at = utcnow() - timedelta(seconds=1)
    assert organisations.find_invitation(token) is None
