"""What people glance at: a unit's timeline of free seats and its coming days.

Built from the same loader and the same booking check as a booking (``bookings.quotes.assess``),
so a page never shows a seat the booking would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spaces.availability.engine import Segment, merge_spans, opening_spans, timeline
from spaces.availability.loading import unit_state
from spaces.bookings.quotes import assess
from spaces.bookings.rules import MAX_SLOT_DAYS, earliest_start
from spaces.db import utcnow
from spaces.errors import Invalid
from spaces.i18n import format_duration
from spaces.listings.models import Unit
from spaces.timeutils import local_instant

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


@dataclass(frozen=True)
class DaySummary:
    """One local day of a unit, as the booking check sees it.

    ``status``: ``free`` (all its opening time bookable), ``partly`` (only ``spans`` are),
    ``full``, ``blocked`` (the host's calendar), ``notice`` (too soon to book), ``closed``.
    ``free_min``/``free_max``: the least and most free seats over the bookable time.
    """

    day: date
    status: str
    free_min: int
    free_max: int
    capacity: int
    spans: tuple[tuple[datetime, datetime], ...] = ()
    message: object = None

    @property
    def open(self) -> bool:
        return self.status in ("free", "partly")


# Why nothing can be booked on a day, from the booking check's reason word.
_DAY_STATUS = {"full": "full", "blocked": "blocked", "notice": "notice", "past": "closed"}


def coming_days(unit: Unit, days: int = 7, now: datetime | None = None) -> list[DaySummary]:
    """Free seats per local day for the coming ``days`` days (at most 31).

    Built from the same loaded state and the same checks as a booking: a day's bookable time is
    its opening time minus closures, imported busy blocks, full time, and what is too soon for
    the unit's notice; a day with none says why with the booking check's own reason.
    """
    days = min(days, 31)
    now = now or utcnow()
    tz = ZoneInfo(unit.space.timezone)
    today = now.astimezone(tz).date()
    start = local_instant(today, 0, tz)
    end = local_instant(today + timedelta(days=days), 0, tz)
    state = unit_state(unit, start, end, now)
    cutoff = earliest_start(unit, now)
    segments = timeline(state, start, end)
    summaries = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        day_start, day_end = (
            local_instant(day, 0, tz),
            local_instant(day + timedelta(days=1), 0, tz),
        )
        windows = opening_spans(state, day_start, day_end)
        # A free segment may run over several days (open round the clock): clip it to this
        # day and to the notice, and keep only what is left.
        bookable_from = max(day_start, cutoff)
        usable = [
            seg
            for seg in segments
            if seg.free > 0 and seg.end > bookable_from and seg.start < day_end
        ]
        pieces = [(max(seg.start, bookable_from), min(seg.end, day_end)) for seg in usable]
        spans = tuple(merge_spans([(a, b) for a, b in pieces if a < b]))
        frees = [seg.free for seg, (a, b) in zip(usable, pieces, strict=True) if a < b]
        if spans and list(spans) == windows:
            status, message = "free", None
        elif spans:
            status, message = "partly", None
        elif not [w for w in windows if w[1] > now]:
            status, message = "closed", None
        else:
            # Nothing bookable: ask the booking check why, on the day's next opening window.
            first_start, first_end = next((max(s, now), e) for s, e in windows if e > now)
            outcome = assess(unit, state, first_start, first_end, 1, now)
            if outcome.reason == "notice" or (first_start < cutoff and first_start >= now):
                status = "notice"
            else:
                status = _DAY_STATUS.get(outcome.reason or "", "closed")
                if outcome.ok or outcome.reason in ("min", "max", "no_rate", "too_long"):
                    status = "full"
            message = outcome.message
        summaries.append(
            DaySummary(
                day,
                status,
                min(frees, default=0),
                max(frees, default=0),
                state.capacity,
                spans,
                message,
            )
        )
    return summaries
