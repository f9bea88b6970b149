"""Bookings as calendar events: the text shared by feeds and by the invitations sent with mail.

Depends only on models and ``export`` (the pure iCalendar writer), so booking e-mails can attach
an invitation without importing the feeds or tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from spaces.accounts.models import User
from spaces.bookings.models import Booking
from spaces.calendars import export
from spaces.db import utcnow
from spaces.mail import external_url, mail_locale

_MAX_ID = 2**31 - 1
ENDED = ("cancelled", "declined", "expired")


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


def default_locale(user: User | None) -> str:
    """The language of what ``user`` receives (``mail.mail_locale``)."""
    return mail_locale(user.locale if user else None)


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


def event_context() -> dict:
    """What every event of one feed or message shares; call within the reader's locale."""
    return {
        "domain": uid_domain(),
        "url": _url_maker(),
        "organizer": organizer_email(),
        "phrases": _phrases(),
    }


def _event_times(booking: Booking) -> tuple:
    """A slot's instants; a term's local days as one all-day event (exclusive end date)."""
    if booking.kind == "term":
        tz = ZoneInfo(booking.unit.space.timezone)
        first, last = booking.term_dates(tz)
        return first, last + timedelta(days=1)
    return booking.start_at, booking.end_at


def booking_event(
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
    start, end = _event_times(booking)
    return export.CalendarEvent(
        uid=export.booking_uid(booking.id, domain),
        start=start,
        end=end,
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
    return booking_event(booking, now or utcnow(), host_view=host_view, **event_context())


def invitation_for_booking(booking: Booking, now: datetime | None = None) -> tuple[bytes, str]:
    """An iTIP message for the booker, in their language: (bytes, method).

    REQUEST while the booking is live (confirmed or requested), CANCEL once it is cancelled,
    declined or expired; same UID and SEQUENCE as in the feeds.
    """
    now = now or utcnow()
    with force_locale(default_locale(booking.user)):
        event = event_for_booking(booking, now)
    method = "CANCEL" if event.status == "CANCELLED" else "REQUEST"
    return export.invitation(event, method), method
