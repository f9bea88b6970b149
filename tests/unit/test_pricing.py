"""Prices: the cheapest combination of offered rates, per seat, in cents."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from spaces.bookings.pricing import NoPrice, price_interval

PARIS = ZoneInfo("Europe/Paris")
DESK = {"hour": 400, "half_day": 1500, "day": 2500, "month": None}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def price(start, end, rates=DESK, seats=1):
    p = price_interval(at(start), at(end), PARIS, rates, seats)
    return p.amount, [(line.rate, line.quantity) for line in p.lines]


@pytest.mark.parametrize(
    ("start", "end", "rates", "amount", "lines"),
    [
        ("2027-03-01T09:00", "2027-03-01T10:00", DESK, 400, [("hour", 1)]),
        ("2027-03-01T09:00", "2027-03-01T10:01", DESK, 800, [("hour", 2)]),  # per started hour
        ("2027-03-01T09:00", "2027-03-01T12:00", DESK, 1200, [("hour", 3)]),  # 3 h < half-day
        ("2027-03-01T09:00", "2027-03-01T13:00", DESK, 1500, [("half_day", 1)]),  # 16 > 15
        ("2027-03-01T09:00", "2027-03-01T14:00", DESK, 1900, [("half_day", 1), ("hour", 1)]),
        ("2027-03-01T09:00", "2027-03-01T17:00", DESK, 2500, [("day", 1)]),
        # 5 hours at 4 €/h (20 €) vs a half-day (15 €) + 1 h (4 €) vs a day (25 €)
        ("2027-03-01T08:00", "2027-03-01T13:00", DESK, 1900, [("half_day", 1), ("hour", 1)]),
        # a day + 2 hours: across midnight on a 24-hour unit
        ("2027-03-01T00:00", "2027-03-02T02:00", DESK, 3300, [("day", 1), ("hour", 2)]),
        ("2027-03-01T09:00", "2027-03-01T17:00", {"hour": 400}, 3200, [("hour", 8)]),
        ("2027-03-01T09:00", "2027-03-01T12:00", {"day": 2500}, 2500, [("day", 1)]),
        ("2027-03-01T09:00", "2027-03-01T12:00", {"hour": 0, "day": 0}, 0, [("day", 1)]),  # free
        (
            "2027-03-01T00:00",
            "2027-03-31T00:00",
            {"day": 2500, "month": 25000},
            25000,
            [("month", 1)],
        ),
        (
            "2027-03-01T00:00",
            "2027-04-02T00:00",
            {"day": 2500, "month": 25000},
            30000,
            [("month", 1), ("day", 2)],
        ),
        (
            "2027-03-01T00:00",
            "2027-03-05T00:00",
            {"day": 2500, "month": 25000},
            10000,
            [("day", 4)],
        ),
    ],
)
def test_cheapest_combination(start, end, rates, amount, lines):
    assert price(start, end, rates) == (amount, lines)


def test_price_is_per_seat():
    amount, lines = price("2027-03-01T09:00", "2027-03-01T13:00", seats=3)
    assert amount == 4500 and lines == [("half_day", 3)]


def test_days_follow_local_midnight_across_daylight_saving():
    # Saturday 22:00 → Sunday 04:00 on the spring-forward night is 5 real hours: 2 + 3.
    amount, lines = price("2027-03-27T22:00", "2027-03-28T04:00", {"hour": 100})
    assert (amount, lines) == (500, [("hour", 5)])


def test_a_half_day_only_unit_cannot_price_a_whole_day():
    with pytest.raises(NoPrice):
        price_interval(
            at("2027-03-01T08:00"), at("2027-03-01T17:00"), PARIS, {"half_day": 1500, "hour": None}
        )
    amount, lines = price("2027-03-01T08:00", "2027-03-01T16:00", {"half_day": 1500})
    assert (amount, lines) == (3000, [("half_day", 2)])


def test_breakdown_sums_to_the_amount():
    p = price_interval(at("2027-03-01T08:00"), at("2027-03-01T14:30"), PARIS, DESK, 2)
    assert sum(item["amount"] for item in p.breakdown()) == p.amount
