"""Calendar feed tokens, the feeds they open, and bookings as calendar events.

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
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.bookings.models import Booking
from spaces.calendars import export
from spaces.calendars.models import TOKEN_SCOPES, CalendarToken
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.listings.services import get_space, get_unit, spaces_of
from spaces.mail import external_url
from spaces.organisations.services import role_of

RECENT = timedelta(days=30)  # cancelled, declined and expired events stay this long
HORIZON = timedelta(days=366)  # past live events stay this long
TOUCH_EVERY = timedelta(hours=1)  # last_used_at is written at most this often
MAX_ACTIVE_TOKENS = 50
ENDED = ("cancelled", "declined", "expired")
_MAX_ID = 2**31 - 1


class Feed(NamedTuple):
    body: bytes
    etag: str
    last_modified: datetime


# --- configuration ---------------------------------------------------------------------------


def uid_domain() -> str:
    """The right-hand side of every UID. It must never change once events are out: set
    ``CALENDAR_UID_DOMAIN`` in production; otherwise the domain of ``MAIL_FROM`` is used."""
    configured = current_app.config.get("CALENDAR_UID_DOMAIN")
    if configured:
        return configured
    address = parseaddr(current_app.config.get("MAIL_FROM", ""))[1]
    return address.rpartition("@")[2] or "spaces.localhost"


def organizer_email() -> str:
    """The platform's no-reply address, the ORGANIZER of invitations."""
    return parseaddr(current_app.config.get("MAIL_FROM", ""))[1] or "no-reply@spaces.localhost"


def _default_locale(user: User | None) -> str:
    return (user.locale if user else None) or current_app.config["BABEL_DEFAULT_LOCALE"]


# --- bookings as events ----------------------------------------------------------------------


def changed_at(booking: Booking, now: datetime) -> datetime:
    """When the booking last changed as a calendar sees it (a request expires by itself)."""
    if booking.effective_status(now) != booking.status:
        return booking.expires_at
    return booking.updated_at


def _url_maker() -> Callable[[int], str]:
    # Building one URL per event through the router costs more than the whole event's text;
    # build one and substitute the id.
    placeholder = _MAX_ID
    pattern = external_url("bookings.detail", booking_id=placeholder)
    head, _sep, tail = pattern.rpartition(str(placeholder))
    return lambda booking_id: f"{head}{booking_id}{tail}"


def _phrases() -> dict[str, str]:
    """The event texts in the current locale, looked up once per feed (not once per event)."""
    return {
        "seats_title": _("%(title)s (%(n)s seats)"),
        "pending": _("Awaiting approval: %(title)s"),
        "cancelled": _("Cancelled: %(title)s"),
        "reference": _("Reference: %(reference)s"),
        "seats": _("Seats: %(n)s"),
        "note": _("Note: %(note)s"),
    }


def _context() -> dict:
    """What every event of one feed or message shares; call within the reader's locale."""
    return {
        "domain": uid_domain(),
        "url": _url_maker(),
        "organizer": organizer_email(),
        "phrases": _phrases(),
    }


def _event(
    booking: Booking,
    now: datetime,
    *,
    host_view: bool,
    domain: str,
    url: Callable[[int], str],
    organizer: str,
    phrases: dict[str, str],
) -> export.CalendarEvent:
    status = booking.effective_status(now)
    unit, space, booker = booking.unit, booking.unit.space, booking.user
    if host_view:
        title = f"{booker.name} · {unit.name}"
        if booking.seats > 1:
            title = phrases["seats_title"] % {"title": title, "n": booking.seats}
    else:
        title = f"{unit.name} — {space.name}"
    if status == "requested":
        title = phrases["pending"] % {"title": title}
    elif status in ENDED:
        title = phrases["cancelled"] % {"title": title}
    lines = [
        phrases["reference"] % {"reference": booking.reference},
        phrases["seats"] % {"n": booking.seats},
    ]
    if host_view and booking.note:
        lines.append(phrases["note"] % {"note": booking.note})
    link = url(booking.id)
    lines.append(link)
    where = f"{space.postal_code} {space.commune}".strip()
    stamp = changed_at(booking, now)
    return export.CalendarEvent(
        uid=export.booking_uid(booking.id, domain),
        start=booking.start_at,
        end=booking.end_at,
        summary=title,
        dtstamp=stamp,
        last_modified=stamp,
        # A request that expired by itself has not been recorded yet: show the change now.
        sequence=booking.sequence + (1 if status != booking.status else 0),
        status=export.ical_status(status),
        location=", ".join(part for part in (space.name, space.address, where) if part),
        geo=(space.latitude, space.longitude),
        description="\n".join(lines),
        url=link,
        organizer_email=organizer,
        organizer_name=space.name,
        attendee_email=booker.email,
        attendee_name=booker.name,
    )


def event_for_booking(
    booking: Booking, now: datetime | None = None, *, host_view: bool = False
) -> export.CalendarEvent:
    """The booking as its feed shows it, in the current locale."""
    return _event(booking, now or utcnow(), host_view=host_view, **_context())


def invitation_for_booking(booking: Booking, now: datetime | None = None) -> tuple[bytes, str]:
    """An iTIP message for the booker, in their language: (bytes, method).

    REQUEST while the booking is live (confirmed or requested), CANCEL once it is cancelled,
    declined or expired; same UID and SEQUENCE as in the feeds.
    """
    now = now or utcnow()
    with force_locale(_default_locale(booking.user)):
        event = event_for_booking(booking, now)
    method = "CANCEL" if event.status == "CANCELLED" else "REQUEST"
    return export.invitation(event, method), method


# --- tokens ----------------------------------------------------------------------------------


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


# --- feeds -----------------------------------------------------------------------------------


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
    with force_locale(_default_locale(token.user)):
        context = _context()
        events = [_event(b, now, host_view=host_view, **context) for b in bookings]
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
