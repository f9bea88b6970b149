"""How calls show dates to people: a deadline on the space's wall clock, a period of days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from spaces.i18n import current_locale


def format_deadline(instant: datetime, timezone: str, locale: str | None = None) -> str:
    """``lundi 1 mars 2027, 12:00`` in the space's zone, converted once from UTC."""
    return babel_dates.format_datetime(
        instant,
        "EEEE d MMMM y, HH:mm",
        tzinfo=ZoneInfo(timezone),
        locale=locale or current_locale(),
    )


def format_period(start: date, end: date, locale: str | None = None) -> str:
    """``1–31 décembre 2026`` / ``December 1 – 31, 2026``: whole days, both inclusive."""
    locale = locale or current_locale()
    if start == end:
        return babel_dates.format_date(start, "long", locale=locale)
    return babel_dates.format_interval(start, end, "yMMMMd", locale=locale)
