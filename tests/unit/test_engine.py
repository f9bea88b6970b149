"""The availability engine, table-driven, and against a brute-force minute-by-minute model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spaces.availability.engine import Occupation, UnitState, fit, peak_taken, timeline
from spaces.availability.hours import Window

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_17 = [Window(d, 9 * 60, 17 * 60) for d in range(5)]
RESIDENCE = [Window(d, s, e) for d in range(5) for s, e in ((540, 720), (840, 1020))]


def at(text: str) -> datetime:
    """Local Paris time → aware datetime (first occurrence when ambiguous)."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def state(**kw) -> UnitState:
    kw.setdefault("capacity", 3)
    kw.setdefault("tz", PARIS)
    kw.setdefault("windows", WEEKDAYS_9_17)
    return UnitState(**kw)


# 2027-03-01 is a Monday.
@pytest.mark.parametrize(
    ("windows", "start", "end", "ok", "detail"),
    [
        (WEEKDAYS_9_17, "2027-03-01T09:00", "2027-03-01T17:00", True, None),
        (WEEKDAYS_9_17, "2027-03-01T08:30", "2027-03-01T10:00", False, "hours"),
        (WEEKDAYS_9_17, "2027-03-01T16:00", "2027-03-01T17:01", False, "hours"),
        (WEEKDAYS_9_17, "2027-03-06T10:00", "2027-03-06T11:00", False, "hours"),  # Saturday
        (RESIDENCE, "2027-03-02T09:00", "2027-03-02T12:00", True, None),
        (RESIDENCE, "2027-03-02T14:00", "2027-03-02T17:00", True, None),
        (RESIDENCE, "2027-03-02T11:00", "2027-03-02T15:00", False, "gap"),  # across lunch
        (RESIDENCE, "2027-03-02T12:00", "2027-03-02T14:00", False, "hours"),
        (
            [Window(0, 540, 720), Window(0, 720, 1020)],
            "2027-03-01T11:00",
            "2027-03-01T13:00",
            True,
            None,
        ),
        (
            [Window(0, 0, 1440), Window(1, 0, 1440)],
            "2027-03-01T20:00",
            "2027-03-02T08:00",
            True,
            None,
        ),
        ([], "2027-03-01T09:00", "2027-03-01T10:00", False, "hours"),
    ],
)
def test_opening_windows(windows, start, end, ok, detail):
    result = fit(state(windows=windows), at(start), at(end), 1)
    assert result.ok is ok
    assert result.detail == detail
    if not ok:
        assert result.reason == "closed"


def test_closures_and_blocks():
    closure = (at("2027-03-01T12:00"), at("2027-03-01T14:00"))
    s = state(closures=[closure], blocks=[(at("2027-03-02T10:00"), at("2027-03-02T11:00"))])
    assert fit(s, at("2027-03-01T13:00"), at("2027-03-01T15:00"), 1).detail == "closure"
    assert fit(s, at("2027-03-01T14:00"), at("2027-03-01T15:00"), 1).ok  # half-open
    assert fit(s, at("2027-03-01T10:00"), at("2027-03-01T12:00"), 1).ok
    assert fit(s, at("2027-03-02T10:30"), at("2027-03-02T12:00"), 1).reason == "blocked"
    assert fit(s, at("2027-03-02T11:00"), at("2027-03-02T12:00"), 1).ok


def test_public_holidays_only_when_closed_on_them():
    easter_monday = date(2027, 3, 29)
    closed = state(is_holiday=lambda d: d == easter_monday)
    assert fit(closed, at("2027-03-29T10:00"), at("2027-03-29T11:00"), 1).detail == "holiday"
    assert fit(state(), at("2027-03-29T10:00"), at("2027-03-29T11:00"), 1).ok


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ("2027-04-30T16:00", "2027-04-30T17:00", False),  # the day before the window
        ("2027-05-03T09:00", "2027-05-03T10:00", True),  # first weekday inside
        ("2027-06-30T16:00", "2027-06-30T17:00", True),  # the last day is inclusive
        ("2027-07-01T09:00", "2027-07-01T10:00", False),  # the day after
    ],
)
def test_availability_window_edges(start, end, ok):
    s = state(available_from=date(2027, 5, 1), available_until=date(2027, 6, 30))
    result = fit(s, at(start), at(end), 1)
    assert result.ok is ok
    if not ok:
        assert result.detail == "availability_window"


@pytest.mark.parametrize(
    ("day", "utc_start", "utc_end"),
    [
        ("2027-03-26", "08:00", "16:00"),  # Friday before the change: UTC+1
        ("2027-03-29", "07:00", "15:00"),  # Monday after: UTC+2
        ("2027-10-29", "07:00", "15:00"),  # Friday before the autumn change: UTC+2
        ("2027-11-01", "08:00", "16:00"),  # Monday after: UTC+1
    ],
)
def test_daylight_saving_weeks_keep_local_hours(day, utc_start, utc_end):
    s = state()
    segments = timeline(s, at(f"{day}T00:00"), at(f"{day}T23:59"))
    [open_segment] = [seg for seg in segments if seg.free]
    assert open_segment.start.astimezone(UTC).strftime("%H:%M") == utc_start
    assert open_segment.end.astimezone(UTC).strftime("%H:%M") == utc_end
    assert open_segment.start.astimezone(PARIS).strftime("%H:%M") == "09:00"


def test_the_short_and_the_long_sunday_are_23_and_25_hours():
    all_week = [Window(d, 0, 1440) for d in range(7)]
    s = state(windows=all_week)
    for day, hours in (("2027-03-28", 23), ("2027-10-31", 25)):
        start = at(f"{day}T00:00")
        end = datetime.fromisoformat(day).date() + timedelta(days=1)
        segments = timeline(s, start, datetime.combine(end, datetime.min.time(), PARIS))
        total = sum(
            (seg.end.astimezone(UTC) - seg.start.astimezone(UTC) for seg in segments), timedelta()
        )
        assert total == timedelta(hours=hours)


def test_peak_rule_two_bookings_leave_room_for_one_across_them():
    occupations = [
        Occupation(at("2027-03-01T09:00"), at("2027-03-01T10:00"), 2),
        Occupation(at("2027-03-01T11:00"), at("2027-03-01T12:00"), 2),
    ]
    s = state(occupations=occupations)
    assert fit(s, at("2027-03-01T09:00"), at("2027-03-01T12:00"), 1).ok
    full = fit(s, at("2027-03-01T09:00"), at("2027-03-01T12:00"), 2)
    assert (full.ok, full.reason, full.free) == (False, "full", 1)
    assert fit(s, at("2027-03-01T10:00"), at("2027-03-01T11:00"), 3).ok


def test_back_to_back_never_conflicts():
    s = state(
        capacity=1, occupations=[Occupation(at("2027-03-01T09:00"), at("2027-03-01T11:00"), 1)]
    )
    assert fit(s, at("2027-03-01T11:00"), at("2027-03-01T13:00"), 1).ok
    assert not fit(s, at("2027-03-01T10:59"), at("2027-03-01T13:00"), 1).ok


def test_timeline_is_consecutive_and_constant_per_segment():
    s = state(
        occupations=[Occupation(at("2027-03-01T10:00"), at("2027-03-01T12:00"), 1)],
        closures=[(at("2027-03-01T15:00"), at("2027-03-01T16:00"))],
    )
    segments = timeline(s, at("2027-03-01T08:00"), at("2027-03-01T18:00"))
    local = [(seg.start.astimezone(PARIS), seg.end.astimezone(PARIS), seg.free) for seg in segments]
    assert [(a.strftime("%H:%M"), b.strftime("%H:%M"), free) for a, b, free in local] == [
        ("08:00", "09:00", 0),
        ("09:00", "10:00", 3),
        ("10:00", "12:00", 2),
        ("12:00", "15:00", 3),
        ("15:00", "16:00", 0),
        ("16:00", "17:00", 3),
        ("17:00", "18:00", 0),
    ]


# --- against a brute-force model -------------------------------------------------------------

BASE = at("2027-03-01T00:00")  # Monday
MINUTES = 3 * 24 * 60


def _brute_free(s: UnitState, minute: int) -> int:
    instant = BASE + timedelta(minutes=minute)
    local = instant.astimezone(PARIS)
    open_ = any(
        w.weekday == local.weekday() and w.start <= local.hour * 60 + local.minute < w.end
        for w in s.windows
    )
    open_ = open_ and not any(a <= instant < b for a, b in [*s.closures, *s.blocks])
    if not open_:
        return 0
    taken = sum(o.seats for o in s.occupations if o.start <= instant < o.end)
    return max(0, s.capacity - taken)


spans = st.tuples(st.integers(0, MINUTES // 15 - 1), st.integers(1, 16)).map(
    lambda t: (t[0] * 15, min(MINUTES, t[0] * 15 + t[1] * 15))
)
windows = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 95), st.integers(1, 96)).filter(
        lambda t: t[1] < t[2]
    ),
    max_size=4,
)


def _non_overlapping(raw):
    chosen: list[Window] = []
    for day, a, b in raw:
        w = Window(day, a * 15, b * 15)
        if all(o.weekday != w.weekday or o.end <= w.start or w.end <= o.start for o in chosen):
            chosen.append(w)
    return chosen


@settings(max_examples=150, deadline=None)
@given(
    raw_windows=windows,
    bookings=st.lists(st.tuples(spans, st.integers(1, 3), st.booleans()), max_size=8),
    closures=st.lists(spans, max_size=2),
    query=spans,
    seats=st.integers(1, 4),
)
def test_engine_matches_minute_by_minute_model(raw_windows, bookings, closures, query, seats):
    occupations = [
        Occupation(BASE + timedelta(minutes=a), BASE + timedelta(minutes=b), n)
        for (a, b), n, cancelled in bookings
        if not cancelled  # cancelled bookings free their seats: they are not live
    ]
    s = state(
        windows=_non_overlapping(raw_windows),
        occupations=occupations,
        closures=[(BASE + timedelta(minutes=a), BASE + timedelta(minutes=b)) for a, b in closures],
    )
    q_start, q_end = BASE + timedelta(minutes=query[0]), BASE + timedelta(minutes=query[1])
    for segment in timeline(s, q_start, q_end):
        first = int((segment.start - BASE).total_seconds() // 60)
        last = int((segment.end - BASE).total_seconds() // 60)
        assert {_brute_free(s, m) for m in range(first, last)} == {segment.free}
    minutes = range(query[0], query[1])
    open_everywhere = all(
        _brute_free(state(windows=s.windows, closures=s.closures, capacity=10**6), m)
        for m in minutes
    )
    fits = open_everywhere and all(_brute_free(s, m) >= seats for m in minutes)
    assert fit(s, q_start, q_end, seats).ok is fits
    assert peak_taken(occupations, q_start, q_end) == max(
        (
            sum(o.seats for o in occupations if o.start <= BASE + timedelta(minutes=m) < o.end)
            for m in minutes
        ),
        default=0,
    )
