"""Prices of an interval: the cheapest combination of a unit's rates, in integer cents. Pure.

Rates (shared/API.md): ``hour`` is charged per started hour; ``half_day`` covers up to 4 hours
within one local day (two at most in a day); ``day`` covers one local day; ``month`` covers 30 consecutive local days. A
missing rate (None) is not offered; 0 is free. The interval is cut at local midnights; each day is
priced with the cheapest mix of half-days and hours, or a day; months then replace runs of days
when cheaper (dynamic programming over the days).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from spaces.timeutils import local_instant

HALF_DAY_MINUTES = 4 * 60
MONTH_DAYS = 30


class NoPrice(ValueError):
    """No combination of the offered rates covers the interval."""


class Line(NamedTuple):
    rate: str
    quantity: int
    amount: int


class Price(NamedTuple):
    """A price (immutable; a tuple, cheap to make: a search prices hundreds of units)."""

    amount: int
    lines: tuple[Line, ...]

    def breakdown(self) -> list[dict]:
        return [
            {"rate": line.rate, "quantity": line.quantity, "amount": line.amount}
            for line in self.lines
        ]


@functools.lru_cache(maxsize=1024)
def day_minutes(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[tuple[date, int], ...]:
    """Minutes of [start, end) falling in each local day, in order (days with 0 are left out).

    Remembered: a search prices thousands of units over the same interval."""
    return tuple(_day_minutes(start, end, tz))


def _day_minutes(start: datetime, end: datetime, tz: ZoneInfo) -> list[tuple[date, int]]:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    result = []
    day = start.astimezone(tz).date()
    while True:
        day_start = max(start, local_instant(day, 0, tz))
        day_end = min(end, local_instant(day, 1440, tz))
        if day_end > day_start:
            seconds = (day_end - day_start).total_seconds()
            result.append((day, int(-(-seconds // 60))))
        if local_instant(day, 1440, tz) >= end:
            return result
        day += timedelta(days=1)


# A mix of rates as counts, in this order (tuples: cheap to add and compare in the hot loop).
RATES = ("month", "day", "half_day", "hour")
Mix = tuple[int, int, int, int]
_NOTHING: Mix = (0, 0, 0, 0)


def _add(a: Mix, b: Mix) -> Mix:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


def _cheapest(options: list[tuple[int, Mix]]) -> tuple[int, Mix]:
    """The cheapest option; between equal costs, the one with the fewest items, then the first."""
    return min(options, key=lambda option: (option[0], sum(option[1])))


def price_one_day(minutes: int, rates: dict[str, int | None]) -> tuple[int, Mix] | None:
    """The cheapest way to pay ``minutes`` within one local day, or None if nothing covers it.

    Between equal costs, the fewest items, then a day before half-days before hours alone
    (``_cheapest``'s order, written out: this runs once per unit of a dated search)."""
    hour, half, day = rates.get("hour"), rates.get("half_day"), rates.get("day")
    best: tuple[int, Mix] | None = None
    best_key = None
    if day is not None:
        best, best_key = (day, (0, 1, 0, 0)), (day, 1)
    # A day has two halves: morning and afternoon.
    max_halves = min(2, -(-minutes // HALF_DAY_MINUTES)) if half is not None else 0
    for halves in range(max_halves + 1):
        rest = minutes - halves * HALF_DAY_MINUTES
        if rest < 0:
            rest = 0
        if rest and hour is None:
            continue
        hours = -(-rest // 60)
        cost = halves * (half or 0) + hours * (hour or 0)
        key = (cost, halves + hours)
        if best_key is None or key < best_key:
            best, best_key = (cost, (0, 0, halves, hours)), key
    return best


def price_interval(
    start: datetime, end: datetime, tz: ZoneInfo, rates: dict[str, int | None], seats: int = 1
) -> Price:
    """The cheapest price of [start, end) for ``seats`` seats; raises NoPrice."""
    days = day_minutes(start, end, tz)
    if not days:
        return Price(0, ())
    month = rates.get("month")
    if len(days) == 1:  # the common case, without the table: a day or a month
        found = price_one_day(days[0][1], rates)
        if month is not None and (found is None or (month, 1) < (found[0], sum(found[1]))):
            found = (month, (1, 0, 0, 0))
    else:
        found = _cheapest_over_days(days, rates, month)
    if found is None:
        raise NoPrice("No offered rate covers this time.")
    return _price(found, rates, seats)


def _cheapest_over_days(
    days: tuple[tuple[date, int], ...], rates: dict[str, int | None], month: int | None
) -> tuple[int, Mix] | None:
    """The cheapest (cost, mix) covering these days: each day alone, or months over runs."""
    per_day = [price_one_day(minutes, rates) for _, minutes in days]
    count = len(days)
    # best[i]: cheapest (cost, mix) to cover days[i:]
    best: list[tuple[int, Mix] | None] = [None] * count + [(0, _NOTHING)]
    for i in range(count - 1, -1, -1):
        candidates = []
        if per_day[i] is not None and best[i + 1] is not None:
            candidates.append((per_day[i][0] + best[i + 1][0], _add(per_day[i][1], best[i + 1][1])))
        if month is not None:
            limit = days[i][0] + timedelta(days=MONTH_DAYS)
            j = i
            while j < count and days[j][0] < limit:
                j += 1
            if best[j] is not None:
                candidates.append((month + best[j][0], _add((1, 0, 0, 0), best[j][1])))
        best[i] = _cheapest(candidates) if candidates else None
    return best[0]


def _price(found: tuple[int, Mix], rates: dict[str, int | None], seats: int) -> Price:
    cost, mix = found
    lines = tuple(
        Line(rate, quantity * seats, quantity * seats * (rates.get(rate) or 0))
        for rate, quantity in zip(RATES, mix, strict=True)
        if quantity
    )
    return Price(cost * seats, lines)


def price_term(days: int, rates: dict[str, int | None], seats: int = 1) -> Price:
    """The cheapest cover of ``days`` whole days by ``month`` (30 consecutive days) and ``day``
    rates, for ``seats`` seats; raises NoPrice when neither covers them (no month rate).

    With month 19000 and day 2200, 40 days cost two months (38000), not a month and ten days.
    Closed form over the number of months: work proportional to days / 30."""
    if days < 1:
        return Price(0, ())
    month, day = rates.get("month"), rates.get("day")
    options: list[tuple[int, Mix]] = []
    if month is not None:
        for months in range(-(-days // MONTH_DAYS) + 1):
            rest = max(0, days - months * MONTH_DAYS)
            if rest and day is None:
                continue
            options.append((months * month + rest * (day or 0), (months, rest, 0, 0)))
    elif day is not None:
        options.append((days * day, (0, days, 0, 0)))
    if not options:
        raise NoPrice("No offered rate covers these days.")
    cost, mix = _cheapest(options)
    unit_rates = {"month": month, "day": day}
    lines = tuple(
        Line(rate, quantity * seats, quantity * seats * (unit_rates[rate] or 0))
        for rate, quantity in zip(RATES[:2], mix[:2], strict=True)
        if quantity
    )
    return Price(cost * seats, lines)
