"""Availability for reading: a unit's timeline and the dated filter of search.

Reads only (no lock): what people see; the booking service re-checks under the lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spaces.availability.engine import Segment, bookable_spans, fit, timeline
from spaces.bookings.pricing import NoPrice, price_interval
from spaces.bookings.services import check_rules
from spaces.bookings.state import unit_state
from spaces.db import utcnow
from spaces.errors import Invalid
from spaces.i18n import time_error_message
from spaces.listings.models import Unit
from spaces.listings.search import Hit, SearchQuery
from spaces.timeutils import TimeError, local_instant, parse_instant

MAX_TIMELINE_DAYS = 92


def unit_timeline(
    unit: Unit, start: datetime, end: datetime, now: datetime | None = None
) -> list[Segment]:
    """Free seats of a unit over [start, end), in constant pieces (at most ~3 months)."""
    if end - start > timedelta(days=MAX_TIMELINE_DAYS):
        raise Invalid(fields={"end": [f"Ask for {MAX_TIMELINE_DAYS} days at most."]})
    now = now or utcnow()
    return timeline(unit_state(unit, start, end, now), start, end)


def bookable(
    unit: Unit, start: datetime, end: datetime, seats: int, now: datetime
) -> tuple[bool, int]:
    """Whether the unit would accept this booking now, and its free seats then."""
    try:
        check_rules(unit, start, end, seats if unit.is_pool else 1, now)
    except Invalid:
        return False, 0
    result = fit(unit_state(unit, start, end, now), start, end, seats if unit.is_pool else 1)
    return result.ok, result.free


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
            ok, free = bookable(hit.unit, start, end, seats, now)
            if not ok:
                continue
            try:
                price = price_interval(start, end, tz, hit.unit.prices, seats)
            except NoPrice:
                continue
            hit.free_seats, hit.price, hit.breakdown = free, price.amount, price.breakdown()
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
    return errors


@dataclass(frozen=True)
class DaySummary:
    day: date
    open: bool
    free_min: int
    free_max: int
    capacity: int


def coming_days(unit: Unit, days: int = 7, now: datetime | None = None) -> list[DaySummary]:
    """Free seats per local day for the coming ``days`` days, for people to glance at.

    A day is closed when the unit is never bookable then; otherwise free_min/free_max are the
    least and most free seats during its bookable time (past hours of today excluded).
    """
    now = now or utcnow()
    tz = ZoneInfo(unit.space.timezone)
    today = now.astimezone(tz).date()
    start = max(now, local_instant(today, 0, tz))
    end = local_instant(today + timedelta(days=days), 0, tz)
    state = unit_state(unit, start, end, now)
    segments = timeline(state, start, end)
    bookable = bookable_spans(state, start, end)
    summaries = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        day_start, day_end = max(start, local_instant(day, 0, tz)), local_instant(day, 1440, tz)
        spans = [
            (max(s, day_start), min(e, day_end))
            for s, e in bookable
            if s < day_end and e > day_start
        ]
        frees = [seg.free for seg in segments for s, e in spans if seg.start < e and seg.end > s]
        summaries.append(
            DaySummary(
                day, bool(spans), min(frees, default=0), max(frees, default=0), state.capacity
            )
        )
    return summaries
