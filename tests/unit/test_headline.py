"""The price a result shows before a date is chosen is one a booking would pay (pricing's
arithmetic), for a duration the unit's rules allow."""

from __future__ import annotations

import pytest

from spaces.listings.headline import Headline, best, headline, usable_rates


def rates(hour=None, half_day=None, day=None, month=None) -> dict:
    return {"hour": hour, "half_day": half_day, "day": day, "month": month}


@pytest.mark.parametrize(
    ("prices", "limits", "expected"),
    [
        (rates(400, 1500, 2500), (None, None), Headline(2500, "day")),
        (rates(half_day=1000, day=2500), (None, None), Headline(2000, "day")),  # two halves
        (rates(hour=300, day=5000), (None, 480), Headline(2400, "day")),  # eight hours
        (rates(hour=500), (None, 120), Headline(500, "hour")),  # no half-day allowed
        (rates(half_day=1500, day=2500), (None, 300), Headline(1500, "half_day")),
        (rates(day=8000, month=65000), (480, None), Headline(8000, "day")),
        (rates(month=65000), (None, None), Headline(65000, "month")),
        (rates(half_day=0), (None, 240), Headline(0, "half_day")),
        (rates(), (None, None), None),
    ],
)
def test_headline(prices, limits, expected):
    assert headline(prices, *limits) == expected


def test_a_place_shows_its_cheapest_day_before_shorter_spans():
    hourly_booth = headline(rates(hour=300), None, 60)
    desks = headline(rates(half_day=1000, day=2500))
    assert best([hourly_booth, None, desks]) == Headline(2000, "day")
    assert best([hourly_booth]) == Headline(300, "hour")
    assert best([None]) is None


def test_usable_rates_leave_out_a_rate_no_booking_pays():
    assert usable_rates(rates(hour=300, day=5000), None, 480) == [("hour", 300)]
    assert usable_rates(rates(hour=300, day=5000)) == [("hour", 300), ("day", 5000)]
    assert usable_rates(rates(400, 1500, 2500, 24000), 60) == [
        ("hour", 400),
        ("half_day", 1500),
        ("day", 2500),
        ("month", 24000),
    ]
    assert usable_rates(rates(half_day=1500, day=1200)) == [("day", 1200)]
