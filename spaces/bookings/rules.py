"""The rules of a unit that make a booking request wrong (422), and the words for refusals (409).

``check_rules`` is pure apart from translation: it reads the unit's settings and the request.
Every bound is checked before anything proportional to the request is computed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from spaces.availability.engine import Fit
from spaces.bookings.models import Booking
from spaces.errors import Conflict, Invalid
from spaces.i18n import format_duration
from spaces.inputs import check_order
from spaces.listings.models import Unit

# A slot booking (and a search or quote window) spans at most this many days; longer stays are
# term bookings. Checked before the engine walks the days.
MAX_SLOT_DAYS = 92
# A term booking (whole local days) spans at most this many days (four years); units may say less.
MAX_TERM_DAYS = 1461


def _invalid(rule: str, field: str, message, code: str | None = None) -> Invalid:
    error = Invalid(message, code=code, fields={field: [message]})
    error.rule = rule  # a machine word for quotes and strips (notice, min, max, ...)
    return error


def earliest_start(unit: Unit, now: datetime) -> datetime:
    """The first instant a booking of the unit may start now (its notice period)."""
    return now + timedelta(minutes=unit.notice_minutes or 0)


def check_rules(unit: Unit, start: datetime, end: datetime, seats: int, now: datetime) -> None:
    """Raise Invalid naming the field when the request breaks a rule of the unit."""
    check_order(start, end)
    if end - start > timedelta(days=MAX_SLOT_DAYS):
        raise _invalid(
            "too_long",
            "end",
            _l(
                "A booking lasts %(duration)s at most.",
                duration=format_duration(MAX_SLOT_DAYS * 1440),
            ),
        )
    if start < now:
        raise _invalid("past", "start", _l("The start is in the past."))
    _check_seats(unit, seats)
    minutes = (end - start).total_seconds() / 60
    if unit.min_minutes and minutes < unit.min_minutes:
        raise _invalid(
            "min",
            "end",
            _l("The minimum duration is %(duration)s.", duration=format_duration(unit.min_minutes)),
        )
    if unit.max_minutes and minutes > unit.max_minutes:
        raise _invalid(
            "max",
            "end",
            _l("The maximum duration is %(duration)s.", duration=format_duration(unit.max_minutes)),
        )
    if start < earliest_start(unit, now):
        raise _invalid(
            "notice",
            "start",
            _l(
                "Book at least %(duration)s in advance.",
                duration=format_duration(unit.notice_minutes),
            ),
        )


def _check_seats(unit: Unit, seats: int) -> None:
    if seats < 1:
        raise _invalid("seats", "seats", _l("Book at least one seat."))
    if unit.is_pool and seats > unit.effective_capacity:
        raise _invalid(
            "seats", "seats", _l("This offer has %(n)s seats at most.", n=unit.effective_capacity)
        )
    if not unit.is_pool and seats != 1:
        raise _invalid("seats", "seats", _l("This offer is booked whole: seats must be 1."))


def term_days(first: date, last: date) -> int:
    """The number of days of a term from ``first`` to ``last`` inclusive."""
    return (last - first).days + 1


def check_term_rules(
    unit: Unit, first: date, last: date, seats: int, now: datetime, tz: ZoneInfo
) -> None:
    """Raise Invalid naming the field when a term from ``first`` to ``last`` (local days,
    inclusive) breaks a rule of the unit: order, offered (a month price), past, seats, the
    unit's min/max term days, notice (the first day may not be before the local day of
    now + notice)."""
    if last < first:
        message = _l("The end date must not be before the start date.")
        raise _invalid("order", "end_date", message)
    if unit.prices.get("month") is None:
        raise _invalid(
            "term_not_offered",
            "start_date",
            _l("This offer is not rented by the month or for a period."),
            code="term_not_offered",
        )
    days = term_days(first, last)
    if days > min(MAX_TERM_DAYS, unit.max_term_days or MAX_TERM_DAYS):
        raise _invalid(
            "max",
            "end_date",
            lazy_ngettext(
                "A period lasts %(num)s day at most.",
                "A period lasts %(num)s days at most.",
                min(MAX_TERM_DAYS, unit.max_term_days or MAX_TERM_DAYS),
            ),
        )
    if first < now.astimezone(tz).date():
        raise _invalid("past", "start_date", _l("The start is in the past."))
    _check_seats(unit, seats)
    if days < (unit.min_term_days or 1):
        raise _invalid(
            "min",
            "end_date",
            lazy_ngettext(
                "A period lasts %(num)s day at least.",
                "A period lasts %(num)s days at least.",
                unit.min_term_days,
            ),
        )
    if first < earliest_start(unit, now).astimezone(tz).date():
        raise _invalid(
            "notice",
            "start_date",
            _l(
                "Book at least %(duration)s in advance.",
                duration=format_duration(unit.notice_minutes),
            ),
        )


def refusal_message(result: Fit):
    """Why a request that follows the rules does not fit, for people."""
    if result.reason == "full":
        if result.free <= 0:
            return _l("There is no free seat at that time.")
        return lazy_ngettext(
            "Only %(num)s seat is free at that time.",
            "Only %(num)s seats are free at that time.",
            result.free,
        )
    if result.reason == "blocked":
        return _l("The host's calendar is busy at that time.")
    return {
        "gap": _l(
            "The offer closes during that time (e.g. for lunch): book within one opening window."
        ),
        "holiday": _l("The place is closed on public holidays."),
        "closure": _l("The place is closed at that time."),
        "availability_window": _l("The place is not available on that date."),
        "past": _l("The start is in the past."),
    }.get(result.detail or "", _l("The offer is closed at that time (see the opening hours)."))


def reason_code(result: Fit) -> str:
    """The machine word for a refusal: full, blocked, or why it is closed."""
    return (
        result.detail
        if result.reason == "closed" and result.detail
        else result.reason or "unavailable"
    )


STATUS_LABELS = {
    "requested": _l("awaiting the host"),
    "confirmed": _l("confirmed"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
    "expired": _l("expired"),
}


def require_status(booking: Booking, now: datetime, *allowed: str) -> None:
    status = booking.effective_status(now)
    if status not in allowed:
        raise Conflict(
            _l(
                "This booking is %(status)s: that cannot be done now.", status=STATUS_LABELS[status]
            ),
            code="invalid_state",
        )
