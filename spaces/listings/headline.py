"""Prices a result shows before a date is chosen, from a unit's own rates through the booking's
arithmetic (``bookings.pricing``), so the page never promises a price no booking would get. Pure.

``headline`` is "from €22 / day": the price of what the booking page's "Day" books (09:00–17:00,
8 hours), or a half-day (4 hours) or an hour when the unit's minimum and maximum durations allow
no day, or the month rate when nothing shorter is offered. With a day rate of €25 and half-days at
€10, a day costs €20 (two half-days), and that is what it shows. ``usable_rates`` lists the rates
some booking of the unit is charged (a day rate that two half-days always beat is left out).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spaces.bookings.pricing import RATES as MIX_RATES
from spaces.bookings.pricing import price_one_day

# (what the headline is per, minutes booked), in the order the headline prefers them.
SPANS = (("day", 8 * 60), ("half_day", 4 * 60), ("hour", 60))
ORDER = ("day", "half_day", "hour", "month")
STEP_MINUTES = 30  # durations tried by usable_rates, within one local day


@dataclass(frozen=True)
class Headline:
    amount: int  # cents, for one seat (desk pools) or the whole unit
    per: str  # "day", "half_day", "hour" or "month"


def _allowed(minutes: int, min_minutes: int | None, max_minutes: int | None) -> bool:
    # As bookings.rules: 0 or None means no limit.
    return not (min_minutes and minutes < min_minutes) and not (
        max_minutes and minutes > max_minutes
    )


def headline(
    rates: dict[str, int | None], min_minutes: int | None = None, max_minutes: int | None = None
) -> Headline | None:
    """The cheapest price of a day (else a half-day, an hour) a booking could get, or the month
    rate; None when the unit offers no rate at all."""
    for per, minutes in SPANS:
        if _allowed(minutes, min_minutes, max_minutes):
            priced = price_one_day(minutes, rates)
            if priced is not None:
                return Headline(priced[0], per)
    month = rates.get("month")
    return Headline(month, "month") if month is not None else None


def unit_headline(unit) -> Headline | None:
    return headline(unit.prices, unit.min_minutes, unit.max_minutes)


def best(headlines: Iterable[Headline | None]) -> Headline | None:
    """The one to show for a place: its units' day prices first, the cheapest."""
    found = [h for h in headlines if h is not None]
    return min(found, key=lambda h: (ORDER.index(h.per), h.amount)) if found else None


def usable_rates(
    rates: dict[str, int | None], min_minutes: int | None = None, max_minutes: int | None = None
) -> list[tuple[str, int]]:
    """(rate, cents) of the offered rates that the cheapest price of some allowed booking within
    a day uses, in the order hour, half-day, day; then the month rate if offered."""
    key = tuple(rates.get(rate) for rate in ("hour", "half_day", "day", "month"))
    return list(_usable_rates(key, min_minutes, max_minutes))


@lru_cache(maxsize=512)  # a page shows many units with the same few price lists
def _usable_rates(
    key: tuple[int | None, ...], min_minutes: int | None, max_minutes: int | None
) -> tuple[tuple[str, int], ...]:
    rates = dict(zip(("hour", "half_day", "day", "month"), key, strict=True))
    used: set[str] = set()
    for minutes in range(STEP_MINUTES, 24 * 60 + 1, STEP_MINUTES):
        if not _allowed(minutes, min_minutes, max_minutes):
            continue
        priced = price_one_day(minutes, rates)
        if priced is not None:
            used.update(
                rate for rate, quantity in zip(MIX_RATES, priced[1], strict=True) if quantity
            )
    listed = [(rate, rates[rate]) for rate in ("hour", "half_day", "day") if rate in used]
    if rates.get("month") is not None:
        listed.append(("month", rates["month"]))
    return tuple(listed)  # type: ignore[arg-type]
