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

The ETag is a hash of what the feed is made of — each shown booking's id, last change and status
as of now, the names of its unit and booker, its space's last edit, the token's owner's language,
the address settings — so it changes whenever anything visible changes (a name included), and it
is computed from one light query without building the feed: a client that has it gets a 304 that
renders nothing. Last-Modified is the latest instant at which the feed's content changed: a
booking written, a request expiring, an event leaving the feed, the space edited, the token made.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import joinedload, lazyload

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.bookings.models import Booking
from spaces.calendars import export
from spaces.calendars.invitations import (
    ENDED,
    booking_event,
    changed_at,
    default_locale,
    event_context,
    organizer_email,
    uid_domain,
)
from spaces.calendars.models import CalendarToken
from spaces.calendars.tokens import token_name
from spaces.db import utcnow
from spaces.errors import NotFound
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.organisations.models import Membership
from spaces.organisations.services import role_of

RECENT = timedelta(days=30)  # cancelled, declined and expired events stay this long
HORIZON = timedelta(days=366)  # past live events stay this long
TOUCH_EVERY = timedelta(hours=1)  # last_used_at is written at most this often
_MAX_ID = 2**31 - 1
# Part of every ETag: change it when the text of the events changes, so that clients refetch.
FEED_FORMAT = "1"


class Feed(NamedTuple):
    body: bytes
    etag: str
    last_modified: datetime


class Shown(NamedTuple):
    """What a shown booking contributes to the ETag and Last-Modified: from a light row (the
    304 path) or from the loaded booking (the feed itself) — the same values either way."""

    booking_id: int
    status: str  # effective, as of now
    changed_at: datetime
    updated_at: datetime
    unit_name: str
    space_updated_at: datetime
    booker_name: str
    booker_email: str


# The feed's statements are built once per scope (``_statement``) and bound at each fetch: a
# feed is fetched every 15 minutes by every subscribed calendar, and building and keying the
# statements cost more than running them.
_TARGET = sa.bindparam("target", type_=sa.Integer)
_RECENT = sa.bindparam("recent", type_=Booking.updated_at.type)
_HORIZON = sa.bindparam("horizon", type_=Booking.end_at.type)


def _scope_clause(scope: str):
    """Which bookings a scope covers, for the bound ``target`` (``_params``)."""
    if scope == "me":
        return Booking.user_id == _TARGET
    if scope == "unit":
        return Booking.unit_id == _TARGET
    return Booking.unit_id.in_(sa.select(Unit.id).where(Unit.space_id == _TARGET))


def _params(token: CalendarToken, now: datetime) -> dict:
    """The bound values of a token's statements at ``now``."""
    target = {"me": token.user_id, "unit": token.unit_id}.get(token.scope, token.space_id)
    return {"target": target, "recent": now - RECENT, "horizon": now - HORIZON}


def _window() -> tuple:
    """The SQL part of what a feed shows (the rest is ``_ended_long_ago``)."""
    return (
        Booking.end_at >= _HORIZON,
        sa.or_(Booking.status.in_(("requested", "confirmed")), Booking.updated_at >= _RECENT),
    )


def _effective(status: str, expires_at: datetime | None, now: datetime) -> str:
    """``Booking.effective_status`` on plain values."""
    if status == "requested" and expires_at is not None and expires_at <= now:
        return "expired"
    return status


def _ended_long_ago(effective: str, changed: datetime, now: datetime) -> bool:
    return effective in ENDED and changed < now - RECENT


@functools.cache
def _token_statement():
    light = (lazyload(Space.service_rows), lazyload(Space.organisation))
    return (
        sa.select(CalendarToken)
        .where(CalendarToken.token == sa.bindparam("token", type_=CalendarToken.token.type))
        .options(
            # The owner's memberships come along: the role below needs no query of its own.
            joinedload(CalendarToken.user)
            .joinedload(User.memberships)
            .lazyload(Membership.organisation),
            joinedload(CalendarToken.unit).joinedload(Unit.space).options(*light),
            joinedload(CalendarToken.space).options(*light),
        )
    )


def open_token(token_text: str) -> CalendarToken:
    """The token behind an address, with its owner and target, if its feed may be read.

    Raises NotFound for an unknown or revoked token, a suspended or deleted owner, or a host
    feed whose owner no longer manages the place. One query, the owner's roles included."""
    if not token_text or len(token_text) > 64:
        raise NotFound()
    token = db.session.scalars(_token_statement(), {"token": token_text}).unique().first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        raise NotFound()
    if token.scope != "me":
        space = token.unit.space if token.scope == "unit" else token.space
        if not can_manage(role_of(token.user, space.organisation_id)):
            raise NotFound()
    return token


def _left_statement(scope: str):
    return sa.select(
        sa.func.max(
            sa.case(
                (
                    sa.and_(Booking.status.in_(ENDED), Booking.updated_at < _RECENT),
                    Booking.updated_at,
                )
            )
        ),
        sa.func.max(
            sa.case(
                (
                    sa.and_(Booking.status == "requested", Booking.expires_at < _RECENT),
                    Booking.expires_at,
                )
            )
        ),
        sa.func.max(sa.case((Booking.end_at < _HORIZON, Booking.end_at))),
    ).where(_scope_clause(scope))


def _left_feed_at(token: CalendarToken, now: datetime) -> datetime | None:
    """The latest instant at which an event of the token's scope dropped out of the feed by age."""
    row = _run("left", token, now).one()
    instants = [
        moment + shift
        for moment, shift in zip(row, (RECENT, RECENT, HORIZON), strict=True)
        if moment is not None
    ]
    return max(instants, default=None)


@dataclass(slots=True)
class _Place:
    name: str
    address: str | None
    postal_code: str | None
    commune: str | None
    latitude: float | None
    longitude: float | None
    timezone: str
    updated_at: datetime


@dataclass(slots=True)
class _Unit:
    name: str
    space: _Place


@dataclass(slots=True)
class _Person:
    name: str
    email: str


@dataclass(slots=True)
class FeedBooking:
    """A booking as a feed reads it — what ``booking_event`` and the ETag are made of — from
    one plain query: no ORM object (loading 100 bookings with their unit, space and booker cost
    more than writing their events). Its methods are ``Booking``'s own."""

    id: int
    reference: str
    kind: str
    start_at: datetime
    end_at: datetime
    seats: int
    status: str
    expires_at: datetime | None
    updated_at: datetime
    sequence: int
    note: str | None
    unit: _Unit
    user: _Person

    effective_status = Booking.effective_status
    term_dates = Booking.term_dates


_PLACE_COLUMNS = (
    Space.name,
    Space.address,
    Space.postal_code,
    Space.commune,
    Space.latitude,
    Space.longitude,
    Space.timezone,
    Space.updated_at,
)


def _in_feed(scope: str, *columns):
    """These columns of the bookings a scope's feed shows (with their unit, space and booker),
    by start."""
    return (
        sa.select(*columns)
        .join(Unit, Unit.id == Booking.unit_id)
        .join(Space, Space.id == Unit.space_id)
        .join(User, User.id == Booking.user_id)
        .where(_scope_clause(scope), *_window())
        .order_by(Booking.start_at, Booking.id)
    )


def _bookings_statement(scope: str):
    return _in_feed(
        scope,
        Booking.id,
        Booking.reference,
        Booking.kind,
        Booking.start_at,
        Booking.end_at,
        Booking.seats,
        Booking.status,
        Booking.expires_at,
        Booking.updated_at,
        Booking.sequence,
        Booking.note,
        Booking.unit_id,
        Unit.name,
        User.id,
        User.name,
        User.email,
        Space.id,
        *_PLACE_COLUMNS,
    )


def _shown_statement(scope: str):
    return _in_feed(
        scope,
        Booking.id,
        Booking.status,
        Booking.expires_at,
        Booking.updated_at,
        Unit.name,
        Space.updated_at,
        User.name,
        User.email,
    )


_BUILDERS = {"bookings": _bookings_statement, "shown": _shown_statement, "left": _left_statement}


@functools.cache
def _statement(kind: str, scope: str):
    return _BUILDERS[kind](scope)


def _run(kind: str, token: CalendarToken, now: datetime):
    """One of the token's statements at ``now``, as plain rows (no ORM result processing)."""
    return db.session.connection().execute(_statement(kind, token.scope), _params(token, now))


def feed_bookings(token: CalendarToken, now: datetime) -> list[FeedBooking]:
    """The bookings a token's feed shows, by start (see the module docstring for the rules)."""
    rows = _run("bookings", token, now)
    places: dict[int, _Place] = {}
    units: dict[int, _Unit] = {}
    people: dict[int, _Person] = {}
    shown = []
    for row in rows:
        (*booking, unit_id, unit_name, user_id, user_name, email, space_id) = row[:17]
        place = places.get(space_id)
        if place is None:
            place = places[space_id] = _Place(*row[17:])
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = _Unit(unit_name, place)
        person = people.get(user_id)
        if person is None:
            person = people[user_id] = _Person(user_name, email)
        item = FeedBooking(*booking, unit, person)
        if _ended_long_ago(item.effective_status(now), changed_at(item, now), now):
            continue
        shown.append(item)
    return shown


def _shown_of(booking: FeedBooking, now: datetime) -> Shown:
    return Shown(
        booking.id,
        booking.effective_status(now),
        changed_at(booking, now),
        booking.updated_at,
        booking.unit.name,
        booking.unit.space.updated_at,
        booking.user.name,
        booking.user.email,
    )


def _shown_rows(token: CalendarToken, now: datetime) -> list[Shown]:
    """What the feed would show, from one light query: no booking object, no event."""
    rows = _run("shown", token, now)
    shown = []
    for booking_id, status, expires_at, updated_at, unit, space_updated, name, email in rows:
        effective = _effective(status, expires_at, now)
        changed = expires_at if effective != status else updated_at
        if _ended_long_ago(effective, changed, now):
            continue
        shown.append(
            Shown(booking_id, effective, changed, updated_at, unit, space_updated, name, email)
        )
    return shown


def _etag(token: CalendarToken, shown: list[Shown]) -> str:
    """A hash of everything the feed's text is made of (see the module docstring)."""
    target = token.unit.space if token.scope == "unit" else token.space
    digest = hashlib.sha256()
    context = (
        FEED_FORMAT,
        token.id,
        token.scope,
        token.user_id,
        token.created_at.isoformat(),
        default_locale(token.user),
        token.unit.name if token.unit is not None else None,
        target.name if target is not None else None,
        uid_domain(),
        organizer_email(),
        current_app.config.get("BASE_URL"),
    )
    digest.update(repr(context).encode())
    for item in shown:
        digest.update(
            repr(
                (
                    item.booking_id,
                    item.status,
                    item.changed_at.isoformat(),
                    item.updated_at.isoformat(),
                    item.unit_name,
                    item.space_updated_at.isoformat(),
                    item.booker_name,
                    item.booker_email,
                )
            ).encode()
        )
    return f'"{digest.hexdigest()[:40]}"'


def _last_modified(token: CalendarToken, shown: list[Shown], now: datetime) -> datetime:
    moments = [token.created_at]
    moments.extend(item.changed_at for item in shown)
    moments.extend({item.space_updated_at for item in shown})
    if token.scope != "me":
        moments.append((token.unit.space if token.scope == "unit" else token.space).updated_at)
    left = _left_feed_at(token, now)
    if left is not None:
        moments.append(left)
    return min(max(moments), now)


def feed_etag(token: CalendarToken, now: datetime) -> str:
    """The feed's ETag, as ``feed`` would give it, without building the feed (one query)."""
    return _etag(token, _shown_rows(token, now))


def feed_validators(token: CalendarToken, now: datetime) -> tuple[str, datetime]:
    """The feed's ETag and Last-Modified, as ``feed`` would give them, without building it."""
    shown = _shown_rows(token, now)
    return _etag(token, shown), _last_modified(token, shown, now)


def feed(token: CalendarToken, now: datetime) -> Feed:
    """The feed of an open token (``open_token``): (bytes, ETag, Last-Modified).

    Reads only: build it outside ``transaction()`` (on SQLite that would hold the database's
    write lock while the feed is rendered), then note the use with ``note_feed_use``."""
    bookings = feed_bookings(token, now)
    host_view = token.scope != "me"
    with force_locale(default_locale(token.user)):
        context = event_context()
        events = [booking_event(b, now, host_view=host_view, **context) for b in bookings]
        name = token_name(token)
    body = export.feed(events, name)
    shown = [_shown_of(b, now) for b in bookings]
    return Feed(body, _etag(token, shown), _last_modified(token, shown, now))


def feed_for_token(token_text: str, now: datetime | None = None) -> Feed:
    """The feed behind an address (``open_token``, then ``feed``); NotFound as ``open_token``."""
    now = now or utcnow()
    return feed(open_token(token_text), now)


def feed_use_is_stale(token: CalendarToken, now: datetime) -> bool:
    """Whether the token's last use is older than TOUCH_EVERY (as read by ``open_token``)."""
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY


def note_feed_use(token_text: str, now: datetime) -> None:
    """Record that a feed was read (at most hourly); inside ``transaction()``."""
    token = db.session.scalar(sa.select(CalendarToken).where(CalendarToken.token == token_text))
    if token is not None and (
        token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY
    ):
        token.last_used_at = now
        db.session.flush()
