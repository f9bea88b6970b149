"""Booking e-mails, queued to leave after the commit: to the booker and to the host's managers.

Every e-mail to the booker carries the booking as an iCalendar invitation (``invite.ics``):
METHOD:REQUEST while it is live (confirmed, requested, approved, moved, reminded), METHOD:CANCEL
once it is cancelled, declined or expired — with the same UID and SEQUENCE as the feeds, so mail
clients and subscribed calendars agree. A series' e-mail invites to the occurrence it names.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from spaces.calendars.invitations import invitation_for_booking
from spaces.extensions import db
from spaces.i18n import format_date_range, format_span
from spaces.mail import Attachment, compose, compose_after_commit, external_url, queue_message
from spaces.organisations.services import managers


def invitation(booking) -> Attachment:
    """The booking as an iTIP attachment, in the booker's language."""
    content, method = invitation_for_booking(booking)
    return Attachment(
        filename="invite.ics",
        content=content,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "utf-8"},
    )


def when_text(booking, locale: str | None = None) -> str:
    """When the booking is, for people: a span of times, or a term's days (``du 1 au 31
    décembre 2026``), never midnight times."""
    if booking.kind == "term":
        return format_date_range(*booking.term_dates(ZoneInfo(booking.unit.space.timezone)), locale)
    return format_span(booking.start_at, booking.end_at, booking.unit.space.timezone, locale)


def _message(user, template: str, booking, *, invite: bool = False, **context) -> EmailMessage:
    return compose(
        user.email,
        template,
        user.locale,
        attachments=(invitation(booking),) if invite else (),
        booking=booking,
        unit=booking.unit,
        space=booking.unit.space,
        when=when_text(booking, user.locale),
        link=external_url("bookings.detail", booking_id=booking.id),
        recipient=user,
        **context,
    )


def _send(user, template: str, booking, *, invite: bool = False, **context) -> None:
    queue_message(db.session, _message(user, template, booking, invite=invite, **context))


def _created_messages(result) -> Iterator[EmailMessage]:
    first = result.first
    count = len(result.bookings)
    template = "booking_confirmed" if first.status == "confirmed" else "booking_requested"
    yield _message(first.user, template, first, invite=True, count=count, skipped=result.skipped)
    to_host = "booking_request_to_host" if first.status == "requested" else "booking_new_to_host"
    for host in managers(first.unit.space.organisation):
        yield _message(host, to_host, first, count=count)


def booking_created(result) -> None:
    """To the booker and the host's managers — rendered after the commit, outside the unit's
    lock, which only the check and the write hold."""
    compose_after_commit(db.session, lambda: _created_messages(result))


def booking_decided(booking) -> None:
    _send(
        booking.user,
        "booking_approved" if booking.status == "confirmed" else "booking_declined",
        booking,
        invite=True,
    )


def bookings_cancelled(bookings, by_host: bool) -> None:
    first = bookings[0]
    _send(first.user, "booking_cancelled", first, invite=True, count=len(bookings), by_host=by_host)
    if not by_host:
        for host in managers(first.unit.space.organisation):
            _send(host, "booking_cancelled_to_host", first, count=len(bookings))


def booking_moved(booking) -> None:
    _send(booking.user, "booking_moved", booking, invite=True)


def request_expired(booking) -> None:
    _send(booking.user, "booking_expired", booking, invite=True)


def booking_reminder(booking) -> None:
    """The day-before reminder to the booker (spaces.bookings.reminders decides who)."""
    _send(booking.user, "booking_reminder", booking, invite=True)
