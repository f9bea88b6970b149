"""The space page's week strip: a unit's days from any first day, paged by week.

One loaded state per week, and the booking check for why a day has nothing bookable: a day shows
as bookable exactly what a booking would accept. The strip also shows days outside the space's
availability window, closures (with their reason) and the host's imported busy blocks. Pages move
by whole weeks from today, never before today and never past the availability window's end or
about a year ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from spaces.availability.engine import merge_spans, opening_spans, timeline
from spaces.availability.loading import unit_state
from spaces.availability.services import closures_of
from spaces.bookings.quotes import assess
from spaces.bookings.rules import earliest_start
from spaces.db import utcnow
from spaces.listings.models import Space, Unit
from spaces.timeutils import local_instant

WEEK = 7
MAX_AHEAD_DAYS = 365  # the strip pages up to about a year ahead

# Why nothing can be booked on a day, from the booking check's reason word.
_DAY_STATUS = {
    "full": "full",
    "blocked": "blocked",
    "notice": "notice",
    "past": "closed",
    "closure": "closure",
    "holiday": "holiday",
    "availability_window": "outside",
}


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


@dataclass(frozen=True)
class StripDay(DaySummary):
    """A day of the strip: ``DaySummary`` and, for that local day, the host's imported busy
    blocks and the closures (clipped to the day), and whether it lies outside the space's
    availability window (``outside``: ``before`` or ``after``)."""

    outside: str | None = None
    blocks: tuple[tuple[datetime, datetime, bool], ...] = ()  # (start, end, whole day)
    closures: tuple[tuple[datetime, datetime, bool, str], ...] = ()  # ... and the reason


@dataclass(frozen=True)
class StripPage:
    """Which week is shown and where the arrows go (None: no page that way)."""

    first: date
    last: date  # the week's last day (inclusive)
    previous: date | None
    next: date | None


def asked_day(text: str | None) -> date | None:
    """A page's first day from ``?from=YYYY-MM-DD``, or None when absent or unreadable."""
    try:
        return date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def local_today(space: Space, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(space.timezone)).date()


def last_day(space: Space, today: date) -> date:
    """The last day the strip may show: the window's end, or about a year ahead."""
    limit = today + timedelta(days=MAX_AHEAD_DAYS)
    if space.available_until is not None:
        limit = min(limit, space.available_until)
    return max(limit, today)


def strip_page(space: Space, asked: date | None, now: datetime | None = None) -> StripPage:
    """The week to show for ``asked`` (a first day), on the grid of weeks starting today.

    Without ``asked``: the week of today, or the week the availability window opens if that is
    later. Anything before today or past the last day is brought back within them."""
    today = local_today(space, now)
    last = last_day(space, today)
    last_page = (last - today).days // WEEK
    if asked is None:
        opens = space.available_from
        index = (opens - today).days // WEEK if opens and opens > today else 0
    else:
        index = (asked - today).days // WEEK
    index = max(0, min(index, last_page))
    first = today + timedelta(days=index * WEEK)
    return StripPage(
        first=first,
        last=first + timedelta(days=WEEK - 1),
        previous=first - timedelta(days=WEEK) if index > 0 else None,
        next=first + timedelta(days=WEEK) if index < last_page else None,
    )


def _clip(spans, start: datetime, end: datetime) -> tuple:
    """Spans (with anything after their ends kept) within [start, end), each with whether it
    covers all of it."""
    return tuple(
        (max(s, start), min(e, end), s <= start and e >= end, *rest)
        for s, e, *rest in spans
        if s < end and e > start
    )


def week(unit: Unit, first_day: date, days: int = WEEK, now: datetime | None = None):
    """``days`` (at most 31) StripDay from ``first_day``, read as a booking would read them."""
    days = max(1, min(days, 31))
    now = now or utcnow()
    space = unit.space
    tz = ZoneInfo(space.timezone)
    start = local_instant(first_day, 0, tz)
    end = local_instant(first_day + timedelta(days=days), 0, tz)
    state = unit_state(unit, start, end, now)
    cutoff = earliest_start(unit, now)
    segments = timeline(state, start, end)
    closures = [
        (c.start_at, c.end_at, c.reason or "")
        for owner in (space, unit)
        for c in closures_of(owner, since=start)
        if c.start_at < end
    ]
    result = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
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
        outside = None
        if space.available_from and day < space.available_from:
            outside = "before"
        elif space.available_until and day > space.available_until:
            outside = "after"
        message = None
        if outside:
            status = "outside"
        elif spans and list(spans) == windows:
            status = "free"
        elif spans:
            status = "partly"
        elif not [w for w in windows if w[1] > now]:
            status = "holiday" if state.is_holiday(day) else "closed"
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
        result.append(
            StripDay(
                day,
                status,
                min(frees, default=0),
                max(frees, default=0),
                state.capacity,
                spans,
                message,
                outside=outside,
                blocks=_clip(state.blocks, day_start, day_end),
                closures=_clip(closures, day_start, day_end),
            )
        )
    return result
