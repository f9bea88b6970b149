"""Booking e-mails, queued to leave after the commit: to the booker and to the host's managers.

Every e-mail to the booker carries the booking as an iCalendar invitation (``invite.ics``):
METHOD:REQUEST while it is live (confirmed, requested, approved, moved, reminded), METHOD:CANCEL
once it is cancelled, declined or expired — with the same UID and SEQUENCE as the feeds, so mail
clients and subscribed calendars agree. A series' e-mail invites to the occurrence it names.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import Message
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from spaces.bookings.models import Booking
from spaces.calendars.invitations import invitation_for_booking
from spaces.extensions import db
from spaces.i18n import format_date_range, format_span
from spaces.jobs import enqueue_after_commit
from spaces.listings.models import Space, Unit
from spaces.mail import Attachment, compose, deliver, external_url, mail_locale, queue_message
from spaces.organisations.models import Organisation
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


def _message(
    user, template: str, booking, *, invite: bool = False, series=(), **context
) -> Message:
    """One booking e-mail in ``user``'s language; ``series``: the bookings of a new series, listed
    with their total."""
    locale = mail_locale(user.locale)
    if len(series) > 1:
        context["dates"] = [when_text(b, locale) for b in series]
        context["total"] = sum(b.price_amount for b in series)
    return compose(
        user.email,
        template,
        locale,
        attachments=(invitation(booking),) if invite else (),
        booking=booking,
        unit=booking.unit,
        space=booking.unit.space,
        when=when_text(booking, locale),
        link=external_url("bookings.detail", booking_id=booking.id),
        recipient=user,
        **context,
    )


def _send(user, template: str, booking, *, invite: bool = False, **context) -> None:
    queue_message(db.session, _message(user, template, booking, invite=invite, **context))


def _occurrences(first, count: int) -> list:
    """The bookings a new series made (its first and the others), by start; [first] alone."""
    if count <= 1 or first.series_id is None:
        return [first]
    return list(
        db.session.scalars(
            sa.select(Booking)
            .where(Booking.series_id == first.series_id)
            .order_by(Booking.start_at, Booking.id)
        )
    )


def _created_messages(first, count: int, status: str, skipped: list) -> Iterator[Message]:
    """The booker's and the hosts' messages; a series lists every date it booked and its total
    (the attached invitation is the first date's)."""
    series = _occurrences(first, count)
    template = "booking_confirmed" if status == "confirmed" else "booking_requested"
    yield _message(
        first.user, template, first, invite=True, count=count, skipped=skipped, series=series
    )
    to_host = "booking_request_to_host" if status == "requested" else "booking_new_to_host"
    for host in managers(first.unit.space.organisation):
        yield _message(host, to_host, first, count=count, series=series)


def booking_created(result) -> None:
    """To the booker and the host's managers — composed by a job queued once the booking commits
    (``send_created``): the request that booked only queues it. With Redis the worker renders
    and sends; without it, the app's own job threads do (inline under tests)."""
    first = result.first
    skipped = [{"date": s["date"], "reason": s["reason"]} for s in result.skipped]
    enqueue_after_commit(
        db.session,
        "spaces.bookings.notifications.send_created",
        first.id,
        len(result.bookings),
        first.status,
        skipped,
    )


def send_created(booking_id: int, count: int, status: str, skipped: list) -> None:
    """The job: the e-mails of a new booking (or series), in each recipient's language.

    ``status`` is the booking's status when it was made (a request approved in between is still
    announced as the request it was; the approval sends its own e-mail)."""
    first = db.session.scalars(
        sa.select(Booking)
        .where(Booking.id == booking_id)
        .options(
            joinedload(Booking.user),
            joinedload(Booking.unit)
            .joinedload(Unit.space)
            .joinedload(Space.organisation)
            .lazyload(Organisation.memberships),
            joinedload(Booking.unit, Unit.space).lazyload(Space.service_rows),
        )
    ).first()
    if first is None:
        return
    for message in list(_created_messages(first, count, status, skipped)):
        deliver(message)


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
