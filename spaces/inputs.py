"""Time windows as people give them: one parser for the pages, the API and the services' checks.

``parse_window`` reads a start and an end in a space's zone (an offset in the text wins) and
raises ``Invalid`` naming the fields, in the reader's language. ``check_order`` is the one
"the end must be after the start" rule, used by the parser and by services that take datetimes.
No wtforms here, so services may import it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spaces.errors import Invalid
from spaces.i18n import time_error_message
from spaces.timeutils import TimeError, parse_instant


def check_order(start: datetime, end: datetime) -> None:
    """Raise Invalid on ``end`` unless the window [start, end) is not empty."""
    if end <= start:
        message = _l("The end must be after the start.")
        error = Invalid(message, fields={"end": [message]})
        error.rule = "order"  # the machine word quotes and strips use (bookings.rules)
        raise error


def parse_window(
    start_text: str | None, end_text: str | None, tz: ZoneInfo, *, ordered: bool = True
) -> tuple[datetime, datetime]:
    """``start`` and ``end`` as aware UTC, local times read in ``tz``.

    Raises Invalid whose ``fields`` hold a message for each text that cannot be read (both are
    looked at); then, when ``ordered``, Invalid on ``end`` unless the end is after the start.
    """
    errors: dict[str, list] = {}
    times: dict[str, datetime] = {}
    for name, text in (("start", start_text), ("end", end_text)):
        try:
            times[name] = parse_instant(text or "", tz)
        except TimeError as error:
            errors[name] = [time_error_message(error)]
    if errors:
        raise Invalid(fields=errors)
    if ordered:
        check_order(times["start"], times["end"])
    return times["start"], times["end"]


def parse_dates(first_text: str | None, last_text: str | None) -> tuple[date, date]:
    """A term's ``start_date`` and ``end_date`` (``YYYY-MM-DD``, local days, inclusive).

    Raises Invalid naming each field that is missing or cannot be read; the order and the
    bounds are the booking rules' (``bookings.rules.check_term_rules``)."""
    errors: dict[str, list] = {}
    days: dict[str, date] = {}
    for name, text in (("start_date", first_text), ("end_date", last_text)):
        try:
            if not text or len(text) != 10:
                raise ValueError
            days[name] = date.fromisoformat(text)
        except ValueError:
            errors[name] = [_l("Give a date as YYYY-MM-DD.")]
    if errors:
        raise Invalid(fields=errors)
    return days["start_date"], days["end_date"]
