"""Availability for reading: a unit's timeline and the dated filter of search.

Reads only (no lock): what people see; the booking service re-checks under the lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spaces.availability.engine import Segment, UnitState, merge_spans, opening_spans, timeline
from spaces.bookings.quotes import Assessment, assess
from spaces.bookings.rules import MAX_SLOT_DAYS, earliest_start
from spaces.bookings.state import unit_state
from spaces.db import utcnow
from spaces.errors import Invalid
from spaces.i18n import format_duration, time_error_message
from spaces.listings.models import Unit
from spaces.listings.search import Hit, SearchQuery
from spaces.timeutils import TimeError, local_instant, parse_instant

MAX_TIMELINE_DAYS = MAX_SLOT_DAYS


def unit_timeline(
    unit: Unit, start: datetime, end: datetime, now: datetime | None = None
) -> list[Segment]:
    """Free seats of a unit over [start, end), in constant pieces (at most ~3 months)."""
    if end - start > timedelta(days=MAX_TIMELINE_DAYS):
        raise Invalid(fields={"end": [f"Ask for {MAX_TIMELINE_DAYS} days at most."]})
    now = now or utcnow()
    return timeline(unit_state(unit, start, end, now), start, end)


def bookable(unit: Unit, start: datetime, end: datetime, seats: int, now: datetime) -> Assessment:
    """What the booking of ``seats`` over [start, end) would get now (see quotes.assess)."""
    return assess(unit, unit_state(unit, start, end, now), start, end, seats, now)


def quote(unit: Unit, start: datetime, end: datetime, seats: int, now: datetime | None = None):
    """The quote endpoint's answer: exactly the booking's outcome, without booking."""
    now = now or utcnow()
    if end - start > timedelta(days=MAX_SLOT_DAYS) or end <= start:
        # Refused by the rules before any engine work (bounded input).
        return assess(unit, UnitState(0, ZoneInfo(unit.space.timezone), []), start, end, seats, now)
    return bookable(unit, start, end, seats, now)


def dated_filter(start_text: str, end_text: str):
    """The search filter for a date window given as the API's strings.

    Times without an offset are read in each space's own zone, as for a booking there.
    """

    def keep(hits: list[Hit], query: SearchQuery) -> list[Hit]:
        now = utcnow()
        kept = []
        for hit in hits:
            tz = ZoneInfo(hit.space.timezone)
            start, end = parse_instant(start_text, tz), parse_instant(end_text, tz)
            seats = query.seats if hit.unit.is_pool else 1
            outcome = bookable(hit.unit, start, end, seats, now)
            if not outcome.ok:
                continue
            price = outcome.price
            hit.free_seats, hit.price, hit.breakdown = outcome.free, price.amount, price.breakdown()
            kept.append(hit)
        return kept

    return keep


def validate_window(start_text: str | None, end_text: str | None) -> dict:
    """Field errors of a search window (checked in Paris time; each space re-reads it)."""
    errors: dict = {}
    if bool(start_text) != bool(end_text):
        errors["end" if start_text else "start"] = [_l("Give both start and end.")]
        return errors
    if not start_text:
        return errors
    probe = ZoneInfo("Europe/Paris")
    times = {}
    for name, text in (("start", start_text), ("end", end_text)):
        try:
            times[name] = parse_instant(text, probe)
        except TimeError as error:
            errors[name] = [time_error_message(error)]
    if not errors and times["end"] <= times["start"]:
        errors["end"] = [_l("The end must be after the start.")]
    elif not errors and times["end"] - times["start"] > timedelta(days=MAX_SLOT_DAYS):
        errors["end"] = [
            _l(
                "Search a window of %(duration)s at most.",
                duration=format_duration(MAX_SLOT_DAYS * 1440),
            )
        ]
    return errors


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
        usable = [
            seg
            for seg in segments
            if seg.free > 0 and seg.end > max(day_start, cutoff) and seg.start < day_end
        ]
        pieces = [(max(seg.start, day_start, cutoff), min(seg.end, day_end)) for seg in usable]
        spans = tuple(merge_spans(pieces))
        frees = [seg.free for seg in usable]
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
