"""Would this booking be accepted now, and at what price: the one decision.

``assess`` applies the unit's rules (422), then the engine (409), then the price (422
``no_rate``), in the order the booking service applies them, to a ``UnitState`` the caller
loaded. A term (``term=True``: whole local days, [midnight, midnight)) goes through the term
rules, the engine's ``fit_term`` and ``pricing.price_term`` on the same path. The booking service calls it under the unit lock; the quote endpoint, the dated search
filter and the space page's day strip call it without a lock — so a page never promises what the
booking would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from spaces.availability.engine import UnitState, fit, fit_term, term_span
from spaces.availability.loading import unit_state
from spaces.bookings.pricing import NoPrice, Price, price_interval, price_term
from spaces.bookings.rules import (
    MAX_SLOT_DAYS,
    MAX_TERM_DAYS,
    check_rules,
    check_term_rules,
    reason_code,
    refusal_message,
    term_days,
)
from spaces.db import utcnow
from spaces.errors import Conflict, DomainError, Invalid
from spaces.listings.models import Unit


@dataclass
class Assessment:
    """What ``POST /bookings`` would answer now: ok, or the status, code and message it would
    give; ``free`` is the fewest free seats over the interval (0 when closed)."""

    ok: bool
    free: int
    status: int | None = None  # 409 or 422
    code: str | None = None  # the API error code: unavailable, invalid, no_rate
    message: object = None
    fields: dict | None = None
    reason: str | None = None  # a machine word: full, blocked, hours, gap, closure, notice...
    price: Price | None = None

    def error(self) -> DomainError:
        """The domain error the booking raises for this refusal."""
        if self.status == 409:
            return Conflict(self.message, code="unavailable", extra={"reason": self.reason})
        return Invalid(self.message, code=self.code, fields=self.fields)


def fewest_free(state: UnitState, start: datetime, end: datetime, term: bool = False) -> int:
    """The fewest free seats over [start, end): 0 when any of it is closed or blocked.

    Bounded: an interval the rules refuse as too long (or reversed) is not walked."""
    longest = MAX_TERM_DAYS + 1 if term else MAX_SLOT_DAYS
    if end <= start or end - start > timedelta(days=longest):
        return 0
    return (fit_term if term else fit)(state, start, end, 1).free


def _rule_refusal(error: Invalid, free: int) -> Assessment:
    return Assessment(
        False,
        free,
        status=422,
        code=error.code,
        message=error.message,
        fields=error.fields,
        reason=getattr(error, "rule", None) or "invalid",
    )


def term_dates(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[date, date]:
    """A term's first and last local days from its interval [midnight, midnight)."""
    return start.astimezone(tz).date(), end.astimezone(tz).date() - timedelta(days=1)


def assess(
    unit: Unit,
    state: UnitState,
    start: datetime,
    end: datetime,
    seats: int,
    now: datetime,
    price_of=price_interval,
    *,
    term: bool = False,
) -> Assessment:
    """The booking's outcome on ``state``: rules, then engine, then price — never a write.

    ``price_of`` is ``pricing.price_interval`` or a function giving the same answers (a search
    remembers the prices of identical rate cards). With ``term``, [start, end) are the local
    midnights of a term's first day and of the day after its last."""
    first, last = term_dates(start, end, state.tz) if term else (None, None)
    try:
        if term:
            check_term_rules(unit, first, last, seats, now, state.tz)
        else:
            check_rules(unit, start, end, seats, now)
    except Invalid as error:
        return _rule_refusal(error, fewest_free(state, start, end, term))
    result = (fit_term if term else fit)(state, start, end, seats)
    if not result.ok:
        return Assessment(
            False,
            result.free,
            status=409,
            code="unavailable",
            message=refusal_message(result),
            reason=reason_code(result),
        )
    try:
        if term:
            price = price_term(term_days(first, last), unit.prices, seats)
        else:
            price = price_of(start, end, state.tz, unit.prices, seats)
    except NoPrice:
        message = _l("This offer has no rate for such a duration.")
        return Assessment(
            False,
            result.free,
            status=422,
            code="no_rate",
            message=message,
            fields={"end": [message]},
            reason="no_rate",
        )
    return Assessment(True, result.free, price=price)


def bookable(unit: Unit, start: datetime, end: datetime, seats: int, now: datetime) -> Assessment:
    """What the booking of ``seats`` over [start, end) would get now (see quotes.assess)."""
    return assess(unit, unit_state(unit, start, end, now), start, end, seats, now)


def quote(unit: Unit, start: datetime, end: datetime, seats: int, now: datetime | None = None):
    """The quote endpoint's answer: exactly the booking's outcome, without booking."""
    now = now or utcnow()
    if end - start > timedelta(days=MAX_SLOT_DAYS) or end <= start:
        # Refused by the rules before any engine work (bounded input).
        return assess(unit, UnitState(0, ZoneInfo(unit.space.timezone), []), start, end, seats, now)
    return bookable(unit, start, end, seats, now)


def quote_term(
    unit: Unit, first: date, last: date, seats: int, now: datetime | None = None
) -> Assessment:
    """The quote of a term from ``first`` to ``last`` (local days): the booking's outcome."""
    now = now or utcnow()
    tz = ZoneInfo(unit.space.timezone)
    if last < first or term_days(first, last) > MAX_TERM_DAYS:
        # Refused by the rules before any engine work (bounded input).
        try:
            check_term_rules(unit, first, last, seats, now, tz)
        except Invalid as error:
            return _rule_refusal(error, 0)
    start, end = term_span(first, last, tz)
    state = unit_state(unit, start, end, now)
    return assess(unit, state, start, end, seats, now, term=True)
