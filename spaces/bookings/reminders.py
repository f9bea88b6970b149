"""The day-before reminder: one e-mail (with the booking's invitation) per confirmed booking.

There is no "reminded" column, and none is needed: the window is a pure function of the day the
job runs. A run at ``now`` reminds every confirmed booking whose start falls on the *next local
day* of its space — [tomorrow 00:00, the day after 00:00) in the space's zone. Run once a day,
consecutive runs cover consecutive days, so every booking is reminded exactly once.

For the caller (the daily schedule, the CLI):
- run it once a day, inside ``transaction()`` (the mail leaves after the commit);
- schedule it away from local midnight (e.g. 10:00 Europe/Paris), so that a clock change or a
  late start cannot make two runs fall on the same local date, or skip one;
- running it twice the same day sends the reminders twice; a missed day is not caught up.
A booking made after that day's run for the next day gets no reminder: its confirmation is fresh.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from spaces.bookings import notifications
from spaces.bookings.models import Booking
from spaces.db import transaction, utcnow
from spaces.extensions import db
from spaces.listings.models import Unit

log = logging.getLogger(__name__)

# The next local day ends at most 48 hours (+1 for a clock change) after any instant today.
_LOOKAHEAD = timedelta(hours=49)


def reminder_window(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[tomorrow 00:00, the day after 00:00) in ``tz``, as aware datetimes."""
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(tomorrow + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start, end


def bookings_to_remind(now: datetime) -> list[Booking]:
    """Confirmed bookings starting on the next local day of their space, by start."""
    query = (
        sa.select(Booking)
        .where(
            Booking.status == "confirmed",
            Booking.start_at > now,
            Booking.start_at < now + _LOOKAHEAD,
        )
        .options(joinedload(Booking.unit).joinedload(Unit.space))
        .order_by(Booking.start_at, Booking.id)
    )
    due = []
    windows: dict[str, tuple[datetime, datetime]] = {}
    for booking in db.session.scalars(query).unique():
        zone_name = booking.unit.space.timezone
        if zone_name not in windows:
            windows[zone_name] = reminder_window(now, ZoneInfo(zone_name))
        start, end = windows[zone_name]
        if start <= booking.start_at < end and booking.user.is_active:
            due.append(booking)
    return due


def send_day_before_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for every confirmed booking starting on its space's next local day.

    Returns how many were queued. Call once a day inside ``transaction()`` (module docstring).
    """
    now = now or utcnow()
    due = bookings_to_remind(now)
    for booking in due:
        notifications.booking_reminder(booking)
    return len(due)


def send_reminders_job() -> None:
    """Periodic job: tomorrow's bookings get their reminder, once."""
    with transaction():
        sent = send_day_before_reminders(utcnow())
    log.info("%s day-before reminder(s) sent", sent)
