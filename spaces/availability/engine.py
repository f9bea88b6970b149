"""The availability engine: what is free when, as pure functions over plain data.

No flask, no database. A unit's situation is a ``UnitState``: its bookable capacity, the space's
time zone, weekly opening windows, public holidays, the availability window, closures, busy blocks
from imported calendars, the live bookings (confirmed, and requested ones not yet expired) and the
times its family (the unit it is part of, or its parts) holds it whole. From
it the engine answers the piecewise-constant free seats over an interval and whether a request of
S seats fits. Intervals are half-open: a booking ending at 11:00 never meets one starting at 11:00.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from spaces.availability.hours import Window
from spaces.timeutils import local_instant

Span = tuple[datetime, datetime]  # half-open [start, end), aware


@dataclass(frozen=True)
class Occupation:
    """Seats taken over [start, end) by a live booking."""

    start: datetime
    end: datetime
    seats: int


@dataclass
class UnitState:
    capacity: int  # seats bookable at once (1 for units booked whole)
    tz: ZoneInfo
    windows: list[Window]
    closures: list[Span] = field(default_factory=list)
    blocks: list[Span] = field(default_factory=list)
    occupations: list[Occupation] = field(default_factory=list)
    available_from: date | None = None  # local dates, inclusive
    available_until: date | None = None
    is_holiday: Callable[[date], bool] = lambda day: False
    # Spans when a linked unit (its parent, or one of its parts) is booked or busy: the whole
    # unit is taken, 0 free seats ("full"), as if booked to capacity.
    taken: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    free: int


@dataclass(frozen=True)
class Fit:
    """Whether a request fits; ``reason`` says why not: closed, blocked or full."""

    ok: bool
    reason: str | None = None
    detail: str | None = None
    free: int = 0


def _utc(instant: datetime) -> datetime:
    # Aware datetimes sharing a tzinfo compare and subtract by wall clock (PEP 495): normalise.
    return instant.astimezone(UTC)


def _local_days(start: datetime, end: datetime, tz: ZoneInfo) -> Iterable[date]:
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _subtract(spans: list[Span], holes: Iterable[Span]) -> list[Span]:
    holes = merge_spans(holes)
    result: list[Span] = []
    for start, end in spans:
        cursor = start
        for h_start, h_end in holes:
            if h_end <= cursor or h_start >= end:
                continue
            if h_start > cursor:
                result.append((cursor, h_start))
            cursor = max(cursor, h_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def _clip(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def opening_spans(state: UnitState, start: datetime, end: datetime) -> list[Span]:
    """Times the unit is open within [start, end): weekly windows on allowed local days.

    Remembered by everything it depends on: units sharing their space's hours (and a search
    over thousands of units with the same few timetables) compute it once."""
    return list(
        _opening_spans(
            tuple(state.windows),
            state.tz,
            state.available_from,
            state.available_until,
            state.is_holiday,
            start,
            end,
        )
    )


@functools.lru_cache(maxsize=4096)
def _opening_spans(
    windows: tuple[Window, ...],
    tz: ZoneInfo,
    available_from: date | None,
    available_until: date | None,
    is_holiday: Callable[[date], bool],
    start: datetime,
    end: datetime,
) -> tuple[Span, ...]:
    by_day: dict[int, list[Window]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    spans: list[Span] = []
    for day in _local_days(start, end, tz):
        if (available_from and day < available_from) or (available_until and day > available_until):
            continue
        if is_holiday(day):
            continue
        for window in by_day.get(day.weekday(), ()):
            spans.append((local_instant(day, window.start, tz), local_instant(day, window.end, tz)))
    return tuple(_clip(merge_spans(spans), start, end))


def open_spans(state: UnitState, start: datetime, end: datetime) -> list[Span]:
    """Times the unit is open and offered within [start, end): opening windows on allowed local
    days (availability window, holidays) minus closures — what the observatory counts as offered."""
    return _subtract(opening_spans(state, _utc(start), _utc(end)), state.closures)


def bookable_spans(state: UnitState, start: datetime, end: datetime) -> list[Span]:
    """Open time minus closures and imported busy blocks."""
    return _subtract(opening_spans(state, start, end), [*state.closures, *state.blocks])


def _occupied_steps(
    occupations: Iterable[Occupation], start: datetime, end: datetime
) -> list[tuple[datetime, int]]:
    """(instant, seats taken from then on) change points within [start, end)."""
    deltas: dict[datetime, int] = {}
    for occ in occupations:
        if occ.end <= start or occ.start >= end:
            continue
        deltas[max(occ.start, start)] = deltas.get(max(occ.start, start), 0) + occ.seats
        if occ.end < end:
            deltas[occ.end] = deltas.get(occ.end, 0) - occ.seats
    steps, taken = [], 0
    for instant in sorted(deltas):
        taken += deltas[instant]
        steps.append((instant, taken))
    return steps


def _all_occupations(state: UnitState) -> list[Occupation]:
    """The unit's own occupations, and its family's spans taking its whole capacity."""
    if not state.taken:
        return state.occupations
    family = [Occupation(s, e, state.capacity) for s, e in merge_spans(state.taken)]
    return [*state.occupations, *family]


def timeline(state: UnitState, start: datetime, end: datetime) -> list[Segment]:
    """Consecutive segments covering [start, end) where the free seats are constant.

    Closed, blocked and closure time has 0 free seats; free seats never go below 0.
    """
    start, end = _utc(start), _utc(end)
    if end <= start:
        return []
    open_spans = bookable_spans(state, start, end)
    points = {start, end}
    for s, e in open_spans:
        points.update((s, e))
    steps = _occupied_steps(_all_occupations(state), start, end)
    points.update(instant for instant, _ in steps)
    ordered = sorted(p for p in points if start <= p <= end)
    segments: list[Segment] = []
    span_index = step_index = 0
    taken = 0
    for left, right in zip(ordered, ordered[1:], strict=False):
        while step_index < len(steps) and steps[step_index][0] <= left:
            taken = steps[step_index][1]
            step_index += 1
        while span_index < len(open_spans) and open_spans[span_index][1] <= left:
            span_index += 1
        is_open = span_index < len(open_spans) and open_spans[span_index][0] <= left
        free = max(0, state.capacity - taken) if is_open else 0
        if segments and segments[-1].free == free and segments[-1].end == left:
            segments[-1] = Segment(segments[-1].start, right, free)
        else:
            segments.append(Segment(left, right, free))
    return segments


def peak_taken(occupations: Iterable[Occupation], start: datetime, end: datetime) -> int:
    """The most seats taken at any instant of [start, end)."""
    return max((taken for _, taken in _occupied_steps(occupations, start, end)), default=0)


def fit(state: UnitState, start: datetime, end: datetime, seats: int) -> Fit:
    """Whether ``seats`` can be booked over [start, end) now.

    Reasons, in this order: ``closed`` (some of the time is outside the opening windows, the
    availability window, or on a holiday, or under a closure), ``blocked`` (an imported busy
    block), ``full`` (the peak of concurrent seats plus ``seats`` exceeds the capacity, or a linked
    unit takes the whole unit at some instant).
    """
    start, end = _utc(start), _utc(end)
    open_spans = _subtract(opening_spans(state, start, end), state.closures)
    if open_spans != [(start, end)]:
        return Fit(False, "closed", _closed_detail(state, start, end, open_spans))
    if _subtract(open_spans, state.blocks) != [(start, end)]:
        return Fit(False, "blocked")
    free = state.capacity - peak_taken(_all_occupations(state), start, end)
    if seats > free:
        return Fit(False, "full", free=max(0, free))
    return Fit(True, free=free)


def term_span(first: date, last: date, tz: ZoneInfo) -> Span:
    """A term's interval: local midnight of ``first`` to local midnight after ``last`` (UTC)."""
    return (
        _utc(local_instant(first, 0, tz)),
        _utc(local_instant(last + timedelta(days=1), 0, tz)),
    )


def fit_term(state: UnitState, start: datetime, end: datetime, seats: int) -> Fit:
    """Whether ``seats`` can be held over the whole local days of [start, end) (a term).

    A term ignores opening windows, closures and holidays (closed days are part of it); it is
    refused as ``closed`` (detail ``availability_window``) when a day lies outside the space's
    availability window, ``blocked`` by an imported busy block, ``full`` by the peak of seats
    taken by live bookings of any kind, or when a linked unit is booked or busy at any instant
    of it (as ``fit``). Work is proportional to the occupations, not the days.
    """
    start, end = _utc(start), _utc(end)
    first = start.astimezone(state.tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(state.tz).date()
    if (state.available_from and first < state.available_from) or (
        state.available_until and last > state.available_until
    ):
        return Fit(False, "closed", "availability_window")
    if any(b_start < end and b_end > start for b_start, b_end in state.blocks):
        return Fit(False, "blocked")
    # A linked unit's booking or block (the building's, or one of its offices') takes it whole.
    free = state.capacity - peak_taken(_all_occupations(state), start, end)
    if seats > free:
        return Fit(False, "full", free=max(0, free))
    return Fit(True, free=free)


def _closed_detail(state: UnitState, start: datetime, end: datetime, open_spans: list[Span]) -> str:
    """A machine word for why the time is closed: window, holiday, closure, gap or hours."""
    for day in _local_days(start, end, state.tz):
        day_start = local_instant(day, 0, state.tz)
        day_end = local_instant(day, 1440, state.tz)
        if day_end <= start or day_start >= end:
            continue
        if (state.available_from and day < state.available_from) or (
            state.available_until and day > state.available_until
        ):
            return "availability_window"
        if state.is_holiday(day):
            return "holiday"
    plain = opening_spans(state, start, end)
    if plain == [(start, end)]:
        return "closure"
    if len(plain) > 1 and plain[0][0] == start and plain[-1][1] == end:
        return "gap"  # e.g. across a lunch closure
    return "hours"
