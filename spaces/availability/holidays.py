"""Public holidays of a space: France's, with the overseas and Alsace-Moselle calendars."""

from __future__ import annotations

import functools
from datetime import date

import holidays

# Départements with holidays of their own (the ``holidays`` package's subdivisions of France).
HOLIDAY_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}


@functools.lru_cache(maxsize=64)
def _holidays(subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.France(years=year, subdiv=subdivision))


def holiday_checker(departement: str | None):
    subdivision = HOLIDAY_SUBDIVISIONS.get(departement or "")
    return lambda day: day in _holidays(subdivision, day.year)
