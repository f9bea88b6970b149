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
    """``1 février 2027 – 30 avril 2027`` / ``February 1, 2027 – April 30, 2027``: whole days,
    both inclusive (one date when they are the same)."""
    locale = locale or current_locale()
    first = babel_dates.format_date(start, "long", locale=locale)
    if start == end:
        return first
    return f"{first} – {babel_dates.format_date(end, 'long', locale=locale)}"
