"""Booking e-mails, queued to leave after the commit: to the booker and to the host's managers."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import force_locale, format_datetime

from spaces.extensions import db
from spaces.mail import external_url, queue_mail


def host_recipients(unit) -> list:
    """Owners and managers of the organisation that lists the unit."""
    return [
        m.user
        for m in unit.space.organisation.memberships
        if m.role in ("owner", "manager") and m.user.is_active
    ]


def when(booking, locale: str | None) -> str:
    tz = ZoneInfo(booking.unit.space.timezone)
    with force_locale(locale or "fr"):
        start = format_datetime(
            booking.start_at.astimezone(tz).replace(tzinfo=None), "EEEE d MMMM y, HH:mm"
        )
        end = format_datetime(booking.end_at.astimezone(tz).replace(tzinfo=None), "HH:mm")
    return f"{start} – {end}"


def _send(user, template: str, booking, **context) -> None:
    queue_mail(
        db.session,
        user.email,
        template,
        user.locale,
        booking=booking,
        unit=booking.unit,
        space=booking.unit.space,
        when=when(booking, user.locale),
        link=external_url("bookings.detail", booking_id=booking.id),
        recipient=user,
        **context,
    )


def booking_created(result) -> None:
    first = result.first
    count = len(result.bookings)
    template = "booking_confirmed" if first.status == "confirmed" else "booking_requested"
    _send(first.user, template, first, count=count, skipped=result.skipped)
    if first.status == "requested":
        for host in host_recipients(first.unit):
            _send(host, "booking_request_to_host", first, count=count)
    else:
        for host in host_recipients(first.unit):
            _send(host, "booking_new_to_host", first, count=count)


def booking_decided(booking) -> None:
    _send(
        booking.user,
        "booking_approved" if booking.status == "confirmed" else "booking_declined",
        booking,
    )


def bookings_cancelled(bookings, by_host: bool) -> None:
    first = bookings[0]
    _send(first.user, "booking_cancelled", first, count=len(bookings), by_host=by_host)
    if not by_host:
        for host in host_recipients(first.unit):
            _send(host, "booking_cancelled_to_host", first, count=len(bookings))


def booking_moved(booking) -> None:
    _send(booking.user, "booking_moved", booking)


def request_expired(booking) -> None:
    _send(booking.user, "booking_expired", booking)
