"""Prices: the cheapest combination of offered rates, per seat, in cents."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spaces.bookings import pricing
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


# --- the fast paths against the general ones (a dated search prices every unit) -------------

rate = st.one_of(st.none(), st.integers(min_value=0, max_value=50_000))
rate_cards = st.fixed_dictionaries({"hour": rate, "half_day": rate, "day": rate, "month": rate})


def reference_one_day(minutes, rates):
    """The rule as stated: every option (a day; 0–2 half-days and hours for the rest), then
    the cheapest, the fewest items between equal costs, the first listed between those."""
    hour, half, day = rates.get("hour"), rates.get("half_day"), rates.get("day")
    options = [(day, (0, 1, 0, 0))] if day is not None else []
    for halves in range(min(2, -(-minutes // 240)) + 1 if half is not None else 1):
        rest = max(0, minutes - halves * 240)
        if rest and hour is None:
            continue
        hours = -(-rest // 60)
        options.append((halves * (half or 0) + hours * (hour or 0), (0, 0, halves, hours)))
    return min(options, key=lambda o: (o[0], sum(o[1]))) if options else None


@settings(max_examples=300, deadline=None)
@given(minutes=st.integers(min_value=1, max_value=1500), rates=rate_cards)
def test_one_day_is_the_cheapest_option(minutes, rates):
    assert pricing.price_one_day(minutes, rates) == reference_one_day(minutes, rates)


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2027, 1, 1), max_value=datetime(2027, 12, 31)),
    minutes=st.integers(min_value=1, max_value=60 * 24 * 3),
    rates=rate_cards,
    seats=st.integers(min_value=1, max_value=5),
)
def test_one_day_interval_priced_as_the_table_would(start, minutes, rates, seats):
    """A window inside one local day (most searches) takes a shortcut; the table over days
    gives the same price and lines — across the clock changes too."""
    begin = start.replace(tzinfo=PARIS)
    end = begin + timedelta(minutes=minutes)
    days = pricing.day_minutes(begin, end, PARIS)
    best = pricing._cheapest_over_days(days, rates, rates["month"])
    if best is None:
        with pytest.raises(NoPrice):
            price_interval(begin, end, PARIS, rates, seats)
    else:
        assert price_interval(begin, end, PARIS, rates, seats) == pricing._price(best, rates, seats)
