"""The dated search filter: keep exactly the units that would accept the booking now.

Reads only (no lock): what people see; the booking re-checks under the lock with the same
``bookings.quotes.assess``.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spaces.bookings.quotes import bookable
from spaces.bookings.rules import MAX_SLOT_DAYS
from spaces.db import utcnow
from spaces.errors import Invalid
from spaces.i18n import format_duration
from spaces.inputs import parse_window
from spaces.listings.search import Hit, SearchQuery, search
from spaces.timeutils import parse_instant


def dated_filter(start_text: str, end_text: str):
    """The search filter for a date window given as the API's strings.

    Times without an offset are read in each space's own zone, as for a booking there.
    """

    def keep(hits: list[Hit], query: SearchQuery) -> list[Hit]:
        now = utcnow()
        kept = []
        for hit in hits:
            tz = ZoneInfo(hit.space.timezone)
            start, end = parse_instant(start_text, tz), parse_instant(end_text, tz)
            seats = query.seats if hit.unit.is_pool else 1
            outcome = bookable(hit.unit, start, end, seats, now)
            if not outcome.ok:
                continue
            price = outcome.price
            hit.free_seats, hit.price, hit.breakdown = outcome.free, price.amount, price.breakdown()
            kept.append(hit)
        return kept

    return keep


def run_search(query: SearchQuery) -> list[Hit]:
    """Search, with the availability engine when a date window is given (the page and the API)."""
    availability = dated_filter(query.start_text, query.end_text) if query.start_text else None
    return search(query, availability)


def validate_window(start_text: str | None, end_text: str | None) -> dict:
    """Field errors of a search window (checked in Paris time; each space re-reads it)."""
    errors: dict = {}
    if bool(start_text) != bool(end_text):
        errors["end" if start_text else "start"] = [_l("Give both start and end.")]
        return errors
    if not start_text:
        return errors
    try:
        start, end = parse_window(start_text, end_text, ZoneInfo("Europe/Paris"))
    except Invalid as error:
        return dict(error.fields or {})
    if end - start > timedelta(days=MAX_SLOT_DAYS):
        errors["end"] = [
            _l(
                "Search a window of %(duration)s at most.",
                duration=format_duration(MAX_SLOT_DAYS * 1440),
            )
        ]
    return errors
