"""Calendar feed tokens: capabilities to read a feed, made, listed, revoked and regenerated.

Permissions are re-checked on every fetch (``feeds``), so a host who leaves an organisation stops
seeing its feeds without anyone revoking them.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.calendars.models import TOKEN_SCOPES, CalendarToken
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.listings.services import get_space, get_unit, spaces_of
from spaces.mail import external_url
from spaces.organisations.services import role_of

MAX_ACTIVE_TOKENS = 50
_MAX_ID = 2**31 - 1


def _target(actor: User, scope: str, target_id: int) -> Unit | Space:
    """A unit or space the actor manages: NotFound if they cannot see it, Forbidden if only
    a member (or a visitor of a published place)."""
    if not 0 < target_id <= _MAX_ID:
        raise NotFound(fields={"id": [_l("Unknown unit or space.")]})
    target = get_unit(actor, target_id) if scope == "unit" else get_space(actor, target_id)
    space = target if isinstance(target, Space) else target.space
    if not can_manage(role_of(actor, space.organisation_id)):
        raise Forbidden(_l("Only the host's owners and managers can follow its bookings."))
    return target


def create_token(actor: User, scope: str, target_id: int | None = None) -> CalendarToken:
    """A new feed address: "me" (the actor's bookings), or a unit's or space's bookings.

    Raises Invalid (unknown scope, an id missing or given with "me"), NotFound (a unit or space
    the actor cannot see), Forbidden (not an owner or manager of it), Conflict when the actor
    already has ``MAX_ACTIVE_TOKENS`` addresses.
    """
    if scope not in TOKEN_SCOPES:
        raise Invalid(fields={"scope": [_l("Choose me, unit or space.")]})
    token = CalendarToken(user_id=actor.id, scope=scope, token=secrets.token_urlsafe(32))
    if scope == "me":
        if target_id is not None:
            raise Invalid(fields={"id": [_l("A feed of your own bookings takes no id.")]})
    else:
        if target_id is None:
            raise Invalid(fields={"id": [_l("Give the id of the unit or space.")]})
        target = _target(actor, scope, target_id)
        if scope == "unit":
            token.unit_id = target.id
        else:
            token.space_id = target.id
    active = db.session.scalar(
        sa.select(sa.func.count(CalendarToken.id)).where(
            CalendarToken.user_id == actor.id, CalendarToken.revoked_at.is_(None)
        )
    )
    if active >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            _l("You have %(n)s calendar addresses: revoke one first.", n=MAX_ACTIVE_TOKENS),
            code="too_many_tokens",
        )
    db.session.add(token)
    db.session.flush()
    return token


def list_tokens(actor: User) -> list[CalendarToken]:
    """The actor's feed addresses that are not revoked, oldest first."""
    query = (
        sa.select(CalendarToken)
        .where(CalendarToken.user_id == actor.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.created_at, CalendarToken.id)
    )
    return list(db.session.scalars(query))


def _own_token(actor: User, token_id: int) -> CalendarToken:
    token = db.session.get(CalendarToken, token_id) if 0 < token_id <= _MAX_ID else None
    if token is None or token.user_id != actor.id or token.revoked_at is not None:
        raise NotFound()
    return token


def revoke_token(actor: User, token_id: int, now: datetime | None = None) -> CalendarToken:
    """Revoke one of the actor's addresses: its feed answers 404 from the commit on.

    NotFound if it is not theirs or already revoked."""
    token = _own_token(actor, token_id)
    token.revoked_at = now or utcnow()
    db.session.flush()
    return token


def regenerate_token(actor: User, token_id: int, now: datetime | None = None) -> CalendarToken:
    """Revoke an address and make a new one for the same feed (permissions checked again)."""
    old = revoke_token(actor, token_id, now)
    return create_token(actor, old.scope, old.unit_id or old.space_id)


def feed_targets(actor: User) -> list[Space]:
    """The spaces (with their units) whose feeds the actor may follow as a host."""
    return [s for s in spaces_of(actor) if can_manage(role_of(actor, s.organisation_id))]


def token_name(token: CalendarToken) -> str:
    """A name for the feed, in the current locale (X-WR-CALNAME, the account page)."""
    if token.scope == "unit":
        return f"{token.unit.space.name} — {token.unit.name}"
    if token.scope == "space":
        return token.space.name
    return _("My bookings (Spaces)")


def feed_links(token: CalendarToken, name: str | None = None) -> dict[str, str]:
    """The feed's https address and the ways to subscribe to it (the page and the API show
    the same links)."""
    url = external_url("calendars.feed", token=token.token)
    webcal = "webcal://" + url.partition("://")[2]
    name = name if name is not None else token_name(token)
    return {
        "url": url,
        "webcal_url": webcal,
        "google_url": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "outlook_url": "https://outlook.live.com/calendar/0/addfromweb?url="
        + quote(url, safe="")
        + "&name="
        + quote(name, safe=""),
    }
