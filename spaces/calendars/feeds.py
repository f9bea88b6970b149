"""The feeds a calendar token opens: which bookings, as which events, with ETag and Last-Modified.

A token is a capability: whoever has the address reads the feed, until it is revoked (404 at
once). Permissions are re-checked on every fetch, so a host who leaves an organisation, or an
account that is suspended, stops seeing its feeds without anyone revoking them.

What a feed shows (``feed_for_token``):
- a "me" feed: the token owner's own bookings, never anyone else's;
- a unit or space feed: every booking of it, with the booker's name in SUMMARY (host view);
- live bookings (confirmed: CONFIRMED; requested and not expired: TENTATIVE) ending at most
  ``HORIZON`` ago, and bookings cancelled, declined or expired at most ``RECENT`` ago as
  CANCELLED, so that subscribed calendars remove them; older ones are left out.

The ETag is a hash of the feed's bytes, so it changes whenever anything visible changes (a name
included). Last-Modified is the latest instant at which the feed's content changed: a booking
written, a request expiring, an event leaving the feed, the space edited, the token made.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import joinedload

from spaces.accounts.permissions import can_manage
from spaces.bookings.models import Booking
from spaces.calendars import export
from spaces.calendars.invitations import (
    ENDED,
    booking_event,
    changed_at,
    default_locale,
    event_context,
)
from spaces.calendars.models import CalendarToken
from spaces.calendars.tokens import token_name
from spaces.db import utcnow
from spaces.errors import NotFound
from spaces.extensions import db
from spaces.listings.models import Unit
from spaces.organisations.services import role_of

RECENT = timedelta(days=30)  # cancelled, declined and expired events stay this long
HORIZON = timedelta(days=366)  # past live events stay this long
TOUCH_EVERY = timedelta(hours=1)  # last_used_at is written at most this often
_MAX_ID = 2**31 - 1


class Feed(NamedTuple):
    body: bytes
    etag: str
    last_modified: datetime


def _scope_clause(token: CalendarToken):
    if token.scope == "me":
        return Booking.user_id == token.user_id
    if token.scope == "unit":
        return Booking.unit_id == token.unit_id
    return Booking.unit_id.in_(sa.select(Unit.id).where(Unit.space_id == token.space_id))


def _usable(token_text: str) -> CalendarToken:
    if not token_text or len(token_text) > 64:
        raise NotFound()
    token = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.token == token_text))
    if token is None or token.revoked_at is not None or not token.user.is_active:
        raise NotFound()
    if token.scope != "me":
        space = token.unit.space if token.scope == "unit" else token.space
        if not can_manage(role_of(token.user, space.organisation_id)):
            raise NotFound()
    return token


def _left_feed_at(clause, now: datetime) -> datetime | None:
    """The latest instant at which an event of this scope dropped out of the feed by age."""
    recent, horizon = now - RECENT, now - HORIZON
    row = db.session.execute(
        sa.select(
            sa.func.max(
                sa.case(
                    (
                        sa.and_(Booking.status.in_(ENDED), Booking.updated_at < recent),
                        Booking.updated_at,
                    )
                )
            ),
            sa.func.max(
                sa.case(
                    (
                        sa.and_(Booking.status == "requested", Booking.expires_at < recent),
                        Booking.expires_at,
                    )
                )
            ),
            sa.func.max(sa.case((Booking.end_at < horizon, Booking.end_at))),
        ).where(clause)
    ).one()
    instants = [
        moment + shift
        for moment, shift in zip(row, (RECENT, RECENT, HORIZON), strict=True)
        if moment is not None
    ]
    return max(instants, default=None)


def feed_bookings(token: CalendarToken, now: datetime) -> list[Booking]:
    """The bookings a token's feed shows, by start (see the module docstring for the rules)."""
    clause = _scope_clause(token)
    query = (
        sa.select(Booking)
        .where(
            clause,
            Booking.end_at >= now - HORIZON,
            sa.or_(
                Booking.status.in_(("requested", "confirmed")), Booking.updated_at >= now - RECENT
            ),
        )
        .options(joinedload(Booking.unit).joinedload(Unit.space))
        .order_by(Booking.start_at, Booking.id)
    )
    shown = []
    for booking in db.session.scalars(query).unique():
        if booking.effective_status(now) in ENDED and changed_at(booking, now) < now - RECENT:
            continue
        shown.append(booking)
    return shown


def feed_for_token(token_text: str, now: datetime | None = None) -> Feed:
    """The feed behind an address: (bytes, ETag, Last-Modified).

    Raises NotFound for an unknown or revoked token, a suspended or deleted owner, or a host
    feed whose owner no longer manages the place. Reads only: build it outside ``transaction()``
    (on SQLite that would hold the database's write lock while the feed is rendered), then note
    the use with ``note_feed_use``.
    """
    now = now or utcnow()
    token = _usable(token_text)
    bookings = feed_bookings(token, now)
    host_view = token.scope != "me"
    with force_locale(default_locale(token.user)):
        context = event_context()
        events = [booking_event(b, now, host_view=host_view, **context) for b in bookings]
        name = token_name(token)
    body = export.feed(events, name)
    moments = [token.created_at]
    moments.extend(e.dtstamp for e in events)
    moments.extend({b.unit.space.updated_at for b in bookings})
    if token.scope != "me":
        moments.append((token.unit.space if token.scope == "unit" else token.space).updated_at)
    left = _left_feed_at(_scope_clause(token), now)
    if left is not None:
        moments.append(left)
    last_modified = min(max(moments), now)
    etag = hashlib.sha256(body).hexdigest()[:40]
    return Feed(body, f'"{etag}"', last_modified)


def feed_use_is_stale(token_text: str, now: datetime) -> bool:
    """Whether the token's last use is older than TOUCH_EVERY (read, outside any transaction)."""
    token = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.token == token_text))
    return token is not None and (
        token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY
    )


def note_feed_use(token_text: str, now: datetime) -> None:
    """Record that a feed was read (at most hourly); inside ``transaction()``."""
    token = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.token == token_text))
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY
    ):
        token.last_used_at = now
        db.session.flush()
