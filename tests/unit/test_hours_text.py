"""Opening hours typed as text, one weekday per line: parsing and formatting back. No app."""

from __future__ import annotations

import pytest

from spaces.availability.hours import Window
from spaces.availability.hours_text import (
    HoursTextError,
    format_day_windows,
    parse_day_windows,
    parse_time,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   ", []),
        ("fermé", []),
        ("Closed", []),
        ("-", []),
        ("09:00-12:00", [(540, 720)]),
        ("09:00-12:00, 14:00-17:00", [(540, 720), (840, 1020)]),
        ("9h-12h; 14h-17h30", [(540, 720), (840, 1050)]),
        ("9h30–12h et 14h à 18h", [(570, 720), (840, 1080)]),
        ("8.30 - 12.15", [(510, 735)]),
        ("9:00 to 12:00 and 13:00 to 17:00", [(540, 720), (780, 1020)]),
        ("00:00-24:00", [(0, 1440)]),
        ("14:00-17:00, 09:00-12:00", [(840, 1020), (540, 720)]),
        ("09:00-12:00,", [(540, 720)]),
    ],
)
def test_parse_day_windows(text, expected):
    assert parse_day_windows(text, 2) == [Window(2, start, end) for start, end in expected]


@pytest.mark.parametrize(
    ("text", "reason", "fragment"),
    [
        ("9h", "format", "9h"),
        ("matin", "format", "matin"),
        ("09:00-12:00, 14:00", "format", "14:00"),
        ("25:00-26:00", "time", "25:00"),
        ("09:60-10:00", "time", "09:60"),
        ("24:30-10:00", "time", "24:30"),
        ("nine-12", "time", "nine"),
        ("12:00-09:00", "order", "12:00-09:00"),
        ("10:00-10:00", "order", "10:00-10:00"),
        ("22:00-02:00", "order", "22:00-02:00"),
    ],
)
def test_parse_day_windows_refuses(text, reason, fragment):
    with pytest.raises(HoursTextError) as caught:
        parse_day_windows(text, 0)
    assert (caught.value.reason, caught.value.fragment) == (reason, fragment)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("0", 0),
        ("9", 540),
        ("9h", 540),
        ("9H05", 545),
        ("09:30", 570),
        ("9.30", 570),
        ("24:00", 1440),
    ],
)
def test_parse_time(text, minutes):
    assert parse_time(text) == minutes


@pytest.mark.parametrize("weekday", [-1, 7])
def test_weekday_must_exist(weekday):
    with pytest.raises(ValueError):
        parse_day_windows("09:00-12:00", weekday)


@pytest.mark.parametrize(
    ("windows", "weekday", "text"),
    [
        ([], 0, ""),
        ([Window(0, 540, 720)], 0, "09:00-12:00"),
        (
            [Window(0, 840, 1020), Window(0, 540, 720), Window(1, 0, 1440)],
            0,
            "09:00-12:00, 14:00-17:00",
        ),
        ([Window(1, 0, 1440)], 1, "00:00-24:00"),
        ([Window(1, 0, 1440)], 2, ""),
    ],
)
def test_format_day_windows_reads_back(windows, weekday, text):
    assert format_day_windows(windows, weekday) == text
    assert parse_day_windows(text, weekday) == sorted(w for w in windows if w.weekday == weekday)
