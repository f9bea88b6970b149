"""Terms in the pure engine and pricing: whole local days, months and days, DST-safe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spaces.availability.engine import Occupation, UnitState, fit, fit_term, term_span
from spaces.availability.hours import Window
from spaces.bookings.pricing import NoPrice, price_term

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_17 = [Window(d, 9 * 60, 17 * 60) for d in range(5)]
DESK = {"hour": None, "half_day": None, "day": 2200, "month": 19000}


@pytest.mark.parametrize(
    ("days", "rates", "seats", "amount", "lines"),
    [
        (40, DESK, 1, 38000, [("month", 2)]),  # the contract: two months, not 190 + 10 × 22
        (30, DESK, 1, 19000, [("month", 1)]),
        (31, DESK, 1, 21200, [("month", 1), ("day", 1)]),
        (38, DESK, 1, 36600, [("month", 1), ("day", 8)]),
        (39, DESK, 1, 38000, [("month", 2)]),  # 190 + 9 × 22 = 388 > 380
        (5, DESK, 1, 11000, [("day", 5)]),
        (9, DESK, 1, 19000, [("month", 1)]),  # 9 × 22 = 198 > 190
        (40, DESK, 3, 114000, [("month", 6)]),  # per seat
        (1, {"month": 19000}, 1, 19000, [("month", 1)]),
        (61, {"month": 19000}, 1, 57000, [("month", 3)]),  # ceil(61 / 30)
        (1461, {"month": 50000, "day": None}, 1, 49 * 50000, [("month", 49)]),
        (12, {"month": 0, "day": 2200}, 1, 0, [("month", 1)]),  # free
    ],
)
def test_term_prices(days, rates, seats, amount, lines):
    price = price_term(days, rates, seats)
    assert price.amount == amount
    assert [(line.rate, line.quantity) for line in price.lines] == lines
    assert sum(line.amount for line in price.lines) == amount


def test_no_month_and_no_day_rate_prices_nothing():
    with pytest.raises(NoPrice):
        price_term(10, {"hour": 400, "half_day": 1500})


def state(**kw) -> UnitState:
    kw.setdefault("capacity", 3)
    kw.setdefault("tz", PARIS)
    kw.setdefault("windows", WEEKDAYS_9_17)
    return UnitState(**kw)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


# 2027-05-01 is a Saturday and a public holiday; 2027-05-08 too.
MAY = term_span(date(2027, 4, 26), date(2027, 5, 16), PARIS)


def test_a_term_across_nights_weekends_closures_and_holidays_is_accepted():
    unit = state(
        closures=[(local("2027-05-03T00:00"), local("2027-05-05T00:00"))],
        is_holiday=lambda day: day in (date(2027, 5, 1), date(2027, 5, 8)),
    )
    assert fit_term(unit, *MAY, 3).ok
    # The same days as one slot are closed (nights, weekends).
    assert fit(unit, *MAY, 1).reason == "closed"


def test_one_full_day_refuses_a_term():
    full = [Occupation(local("2027-05-12T09:00"), local("2027-05-12T17:00"), 1) for _ in range(3)]
    result = fit_term(state(occupations=full), *MAY, 1)
    assert (result.ok, result.reason, result.free) == (False, "full", 0)
    partly = full[:2]
    assert fit_term(state(occupations=partly), *MAY, 1).ok
    assert fit_term(state(occupations=partly), *MAY, 2).reason == "full"


def test_busy_blocks_and_the_availability_window_refuse_a_term():
    block = (local("2027-05-10T10:00"), local("2027-05-10T11:00"))
    assert fit_term(state(blocks=[block]), *MAY, 1).reason == "blocked"
    late = fit_term(state(available_from=date(2027, 4, 27)), *MAY, 1)
    assert (late.reason, late.detail) == ("closed", "availability_window")
    early = fit_term(state(available_until=date(2027, 5, 15)), *MAY, 1)
    assert early.detail == "availability_window"
    assert fit_term(state(available_until=date(2027, 5, 16)), *MAY, 1).ok


def test_slots_see_a_terms_seats_taken():
    term = Occupation(*MAY, 3)
    assert (
        fit(
            state(occupations=[term]), local("2027-05-10T10:00"), local("2027-05-10T11:00"), 1
        ).reason
        == "full"
    )
    # The day after the term's last day is free.
    assert fit(
        state(occupations=[term]), local("2027-05-17T10:00"), local("2027-05-17T11:00"), 3
    ).ok


@pytest.mark.parametrize(
    ("first", "last", "start", "end", "hours"),
    [
        # The last Sunday of March: the night loses an hour.
        ("2027-03-27", "2027-03-28", "2027-03-27T00:00+01:00", "2027-03-29T00:00+02:00", 47),
        # The last Sunday of October: the night gains one.
        ("2027-10-30", "2027-10-31", "2027-10-30T00:00+02:00", "2027-11-01T00:00+01:00", 49),
        ("2027-03-22", "2027-03-28", "2027-03-22T00:00+01:00", "2027-03-29T00:00+02:00", 167),
    ],
)
def test_term_spans_across_clock_changes(first, last, start, end, hours):
    span = term_span(date.fromisoformat(first), date.fromisoformat(last), PARIS)
    assert span == (datetime.fromisoformat(start), datetime.fromisoformat(end))
    assert all(instant.tzinfo is UTC for instant in span)
    assert span[1] - span[0] == timedelta(hours=hours)
    assert price_term((date.fromisoformat(last) - date.fromisoformat(first)).days + 1, DESK).amount
