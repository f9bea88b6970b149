"""What people glance at: a unit's timeline of free seats (the week strip is ``bookings.strip``).

Built from the same loader and the same booking check as a booking (``bookings.quotes.assess``),
so a page never shows a seat the booking would refuse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from spaces.availability.engine import Segment, timeline
from spaces.availability.loading import unit_state
from spaces.bookings.rules import MAX_SLOT_DAYS
from spaces.db import utcnow
from spaces.errors import Invalid
from spaces.i18n import format_duration
from spaces.listings.models import Unit

MAX_TIMELINE_DAYS = MAX_SLOT_DAYS


def unit_timeline(
    unit: Unit, start: datetime, end: datetime, now: datetime | None = None
) -> list[Segment]:
    """Free seats of a unit over [start, end), in constant pieces (at most ~3 months)."""
    if end - start > timedelta(days=MAX_TIMELINE_DAYS):
        message = _l(
            "Ask for %(duration)s at most.", duration=format_duration(MAX_TIMELINE_DAYS * 1440)
        )
        raise Invalid(message, fields={"end": [message]})
    now = now or utcnow()
    return timeline(unit_state(unit, start, end, now), start, end)
