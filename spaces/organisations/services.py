"""Organisation services: create, membership and roles, invitations by e-mail link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.accounts.permissions import MANAGING_ROLES, can_grant, can_manage, can_read
from spaces.accounts.services import find_user_by_email, normalise_email
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, NotFound, RateLimited
from spaces.extensions import db
from spaces.mail import external_url, queue_mail
from spaces.organisations.models import Invitation, Membership, Organisation


def create_organisation(actor: User, name: str, kind: str, **details) -> Organisation:
    """Create an organisation with ``actor`` as its owner."""
    organisation = Organisation(name=name.strip(), kind=kind, **details)
    db.session.add(organisation)
    db.session.add(Membership(organisation=organisation, user=actor, role="owner"))
    db.session.flush()
    return organisation


def role_of(user: User | None, organisation_id: int) -> str | None:
    """The user's role in the organisation, or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for membership in user.memberships:
        if membership.organisation_id == organisation_id:
            return membership.role
    return None


def get_organisation(actor: User | None, organisation_id: int) -> Organisation:
    """The organisation, if the actor is a member or an administrator; NotFound otherwise."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    if not (can_read(role_of(actor, organisation.id)) or getattr(actor, "is_admin", False)):
        raise NotFound()
    return organisation


def require_manager(actor: User, organisation: Organisation) -> str:
    """The actor's role when it may manage the organisation; Forbidden otherwise."""
    role = role_of(actor, organisation.id)
    if not can_manage(role):
        raise Forbidden(
            _l("Only the owners and managers of %(name)s can do this.", name=organisation.name)
        )
    return role


def list_organisations(actor: User) -> list[Organisation]:
    return sorted((m.organisation for m in actor.memberships), key=lambda o: o.name.lower())


def managers(organisation: Organisation) -> list[User]:
    """The active owners and managers of an organisation: who is told about its bookings.

    One query (every booking e-mails them), oldest membership first."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation.id,
                Membership.role.in_(sorted(MANAGING_ROLES)),
                User.suspended_at.is_(None),  # User.is_active
                User.deleted_at.is_(None),
            )
            .order_by(Membership.id)
        )
    )


def members_of(organisation: Organisation) -> list[Membership]:
    rows = db.session.scalars(
        sa.select(Membership)
        .where(Membership.organisation_id == organisation.id)
        .join(Membership.user)
        .order_by(User.name)
    )
    return list(rows)


def _tell_new_member(user: User, organisation: Organisation, role: str, inviter) -> None:
    """E-mail someone just added. An employer's new member is told what it means: nothing is
    charged unless they choose it on a booking, what the employer sees (those bookings only)
    and never sees, and a link to leave in one click."""
    if organisation.kind == "employer":
        queue_mail(
            db.session,
            user.email,
            "member_added_employer",
            user.locale,
            organisation=organisation,
            role=role,
            inviter=inviter,
            link=external_url("organisations.detail", organisation_id=organisation.id),
            leave_link=external_url("organisations.leave", organisation_id=organisation.id),
            recipient_name=user.name,
        )
        return
    queue_mail(
        db.session,
        user.email,
        "member_added",
        user.locale,
        organisation=organisation,
        role=role,
        inviter=inviter,
        link=external_url("organisations.detail", organisation_id=organisation.id),
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_member(actor: User, organisation: Organisation, email: str, role: str):
    """Add an existing account at once, or e-mail an invitation to an unknown address.

    Returns ("member", Membership) or ("invited", Invitation). Raises Forbidden when the actor may
    not grant that role, Conflict(invalid_state) when the person is already a member.
    """
    actor_role = require_manager(actor, organisation)
    if not can_grant(actor_role, role):
        raise Forbidden(_l("Only an owner can make someone an owner."))
    email = normalise_email(email)
    user = find_user_by_email(email)
    if user is not None:
        if role_of(user, organisation.id):
            raise Conflict(_l("%(email)s is already a member.", email=email), code="invalid_state")
        membership = Membership(organisation=organisation, user=user, role=role)
        db.session.add(membership)
        db.session.flush()
        _tell_new_member(user, organisation, role, actor)
        return "member", membership
    _check_invitation_quota(actor, organisation)
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=actor,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    queue_mail(
        db.session,
        email,
        "invitation",
        actor.locale,
        organisation=organisation,
        role=role,
        inviter=actor,
        days=days,
        link=external_url("organisations.invitation", token=token),
    )
    return "invited", invitation


INVITATIONS_PER_DAY = 20  # per organisation, and per inviter across organisations


def _check_invitation_quota(actor: User, organisation: Organisation) -> None:
    """Invitations go to any address: a bounded number per day, or Spaces becomes a spam relay.

    Raises RateLimited (429) past INVITATIONS_PER_DAY in 24 hours, for the organisation or for
    the inviter (who could otherwise create organisation after organisation).
    """
    since = utcnow() - timedelta(days=1)
    recent = sa.select(sa.func.count(Invitation.id)).where(Invitation.created_at > since)
    by_organisation = db.session.scalar(recent.where(Invitation.organisation_id == organisation.id))
    by_inviter = db.session.scalar(recent.where(Invitation.invited_by_id == actor.id))
    if max(by_organisation, by_inviter) >= INVITATIONS_PER_DAY:
        raise RateLimited(
            _l(
                "At most %(count)s invitations can be sent in a day. Try again tomorrow.",
                count=INVITATIONS_PER_DAY,
            ),
            retry_after=3600,
        )


def invitation_is_for(invitation: Invitation, user: User) -> bool:
    """An invitation is accepted only by the account with the address it was sent to."""
    return normalise_email(user.email) == invitation.email


def find_invitation(token: str | None) -> Invitation | None:
    """The open invitation behind a link: not accepted, not expired."""
    if not token or len(token) > 200:
        return None
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == _token_hash(token))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.expires_at <= utcnow()
    ):
        return None
    return invitation


def accept_invitation(user: User, token: str) -> Organisation:
    """Make ``user`` a member through an invitation link.

    Raises NotFound when the link is not valid (any more), Forbidden when it was sent to another
    address than the user's.
    """
    invitation = find_invitation(token)
    if invitation is None:
        raise NotFound(_l("This invitation is not valid any more. Ask for a new one."))
    if not invitation_is_for(invitation, user):
        raise Forbidden(
            _l(
                "This invitation was sent to another e-mail address. Log in with the address it"
                " was sent to, or ask for an invitation to yours."
            )
        )
    invitation.accepted_at = utcnow()
    if role_of(user, invitation.organisation_id) is None:
        db.session.add(
            Membership(organisation=invitation.organisation, user=user, role=invitation.role)
        )
        db.session.flush()
        if invitation.organisation.kind == "employer":  # what joining an employer means
            _tell_new_member(
                user, invitation.organisation, invitation.role, invitation.invited_by or user
            )
    return invitation.organisation


def accept_pending_invitation(user: User, token: str | None) -> Organisation | None:
    """Accept the invitation a person registered through, if any, still valid and sent to the
    address they registered with (otherwise the account is made without joining)."""
    invitation = find_invitation(token)
    if invitation is None or not invitation_is_for(invitation, user):
        return None
    return accept_invitation(user, token)


def is_last_owner(user: User, organisation: Organisation) -> bool:
    """The user is the organisation's only owner (who cannot leave it)."""
    owners = [m.user_id for m in organisation.memberships if m.role == "owner"]
    return owners == [user.id]


def remove_member(actor: User, organisation: Organisation, user_id: int) -> None:
    """Remove a member (or leave); the last owner cannot go (Conflict invalid_state).

    Bookings an employer pays for stay as they are when their booker leaves it (the employer
    agreed to pay, the host counts on them): the booker cancels them if they wish; new bookings
    can no longer name it."""
    membership = db.session.scalar(
        sa.select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user_id
        )
    )
    if membership is None:
        raise NotFound()
    if actor.id != user_id:
        actor_role = require_manager(actor, organisation)
        if not can_grant(actor_role, membership.role):
            raise Forbidden(_l("Only an owner can remove an owner."))
    owners = [m for m in organisation.memberships if m.role == "owner"]
    if membership.role == "owner" and len(owners) == 1:
        raise Conflict(_l("An organisation needs at least one owner."), code="invalid_state")
    user = membership.user
    db.session.delete(membership)
    db.session.flush()
    # Loaded collections would still list the removed membership until refreshed.
    db.session.expire(user, ["memberships"])
    db.session.expire(organisation, ["memberships"])
