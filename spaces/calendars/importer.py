"""iCalendar text → busy blocks (pure: no Flask, no database, no network).

``parse_blocks`` expands every VEVENT over a rolling horizon with ``recurring_ical_events``
(RRULE, RDATE, EXDATE, moved instances with RECURRENCE-ID, TZID with VTIMEZONE, X-WR-TIMEZONE) and
turns each occurrence into an aware UTC interval ``[start, end)``:

- a time with a zone (TZID or ``Z``) is taken as given;
- a floating time (no zone, or a TZID nobody defines) is the space's local time;
- an all-day event covers whole local days of the space, DTEND exclusive (one day without DTEND).

Events that do not make the host busy are skipped: TRANSP:TRANSPARENT, STATUS:CANCELLED,
Outlook's X-MICROSOFT-CDO-BUSYSTATUS:FREE, zero-length events, and the platform's own exported
bookings of the same unit (``is_own(uid)``), so importing a unit's own feed never blocks it twice.

Malformed input raises ``CalendarError`` with a short sentence for the host. Its ``message`` is an
English msgid (marked below with a local no-op ``_l`` so the catalogue extraction finds it) and
``params`` its values: the caller translates with ``gettext(message, **params)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil.relativedelta import relativedelta

DEFAULT_HORIZON_MONTHS = 18
MAX_BLOCKS = 10_000
UID_MAX = 500
SUMMARY_MAX = 300


def _l(message: str) -> str:
    """Mark a message for translation; the service translates it (this module stays pure)."""
    return message


class CalendarError(ValueError):
    """The text is not a calendar we can read; ``str(error)`` is the English sentence."""

    def __init__(self, message: str, **params):
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


class Block(NamedTuple):
    """One busy interval of the unit, aware UTC, half-open."""

    start: datetime
    end: datetime
    uid: str
    summary: str


def horizon_window(
    now: datetime, months: int = DEFAULT_HORIZON_MONTHS
) -> tuple[datetime, datetime]:
    """The span imported: from a day before ``now`` (an event under way still counts) to
    ``months`` ahead."""
    now = now.astimezone(UTC)
    return now - timedelta(days=1), now + relativedelta(months=months)


def parse_calendar(text: str | bytes) -> icalendar.Calendar:
    """Read the text as one VCALENDAR; raises CalendarError otherwise."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    raw = raw.lstrip(b"\xef\xbb\xbf").strip()
    if not raw:
        raise CalendarError(_l("The calendar is empty."))
    if not raw[:100].upper().startswith(b"BEGIN:VCALENDAR"):
        if raw[:200].lstrip().lower().startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
            raise CalendarError(
                _l("This is a web page, not a calendar. Use the calendar's iCal (.ics) address.")
            )
        raise CalendarError(
            _l("This is not an iCalendar file (it should start with BEGIN:VCALENDAR).")
        )
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except Exception as error:  # icalendar raises ValueError, KeyError, IndexError...
        raise CalendarError(
            _l("The calendar could not be read: %(detail)s"), detail=_detail(error)
        ) from None
    if getattr(calendar, "name", None) != "VCALENDAR":
        raise CalendarError(
            _l("This is not an iCalendar file (it should start with BEGIN:VCALENDAR).")
        )
    for event in calendar.walk("VEVENT"):
        if event.get("DTSTART") is None:
            raise CalendarError(_l("An event has no start (DTSTART)."))
    return calendar


def parse_blocks(
    text: str | bytes,
    tz: str | tzinfo,
    now: datetime,
    *,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    is_own: Callable[[str], bool] | None = None,
    max_blocks: int = MAX_BLOCKS,
) -> list[Block]:
    """The busy blocks of a calendar between a day before ``now`` and ``horizon_months`` ahead,
    sorted by start.

    ``tz`` is the space's zone (for floating times and all-day events). Raises CalendarError on
    malformed input, or when the calendar has more than ``max_blocks`` busy events in the span.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    calendar = parse_calendar(text)
    window_start, window_end = horizon_window(now, horizon_months)
    blocks: list[Block] = []
    seen: set[tuple] = set()
    try:
        for event, start, end in _occurrences(calendar, zone, window_start, window_end):
            if start >= window_end or end <= window_start or end <= start or not _is_busy(event):
                continue
            uid = str(event.get("UID", "") or "").strip()
            if is_own is not None and uid and is_own(uid):
                continue
            block = Block(start, end, uid[:UID_MAX], _summary(event))
            key = (block.start, block.end, block.uid)
            if key in seen:  # the same instance listed twice (some exporters do)
                continue
            seen.add(key)
            blocks.append(block)
            if len(blocks) > max_blocks:
                raise CalendarError(
                    _l(
                        "The calendar has more than %(limit)s busy events in the next %(months)s months."
                    ),
                    limit=max_blocks,
                    months=horizon_months,
                )
    except CalendarError:
        raise
    except Exception as error:  # a broken property, rule or zone anywhere in the series
        raise CalendarError(
            _l("The calendar could not be read: %(detail)s"), detail=_detail(error)
        ) from None
    blocks.sort(key=lambda b: (b.start, b.end, b.uid))
    return blocks


def _occurrences(calendar, zone: tzinfo, start: datetime, end: datetime) -> Iterator[tuple]:
    """(event, start, end) for every occurrence overlapping [start, end), lazily.

    Single events are expanded in one pass (``between``). Recurring series go through ``after``,
    which walks time in slices and yields in order of start, so a runaway rule (FREQ=SECONDLY)
    is stopped by the caller's limit instead of being expanded over 18 months first; ``after``
    alone would re-walk every single event for each slice (minutes for a 5 MB feed).
    """
    recurring = {
        str(event.get("UID"))
        for event in calendar.walk("VEVENT")
        if event.get("RRULE") is not None or event.get("RDATE") is not None
    }
    singles = _subset(calendar, lambda event: str(event.get("UID")) not in recurring)
    for event in recurring_ical_events.of(singles).between(start, end):
        yield (event, *_interval(event, zone))
    if not recurring:
        return
    series = _subset(calendar, lambda event: str(event.get("UID")) in recurring)
    for event in recurring_ical_events.of(series).after(start):
        occurrence_start, occurrence_end = _interval(event, zone)
        # in order of start (floating times may be off by a zone's offset: a day of slack)
        if occurrence_start >= end + timedelta(days=1):
            return
        yield event, occurrence_start, occurrence_end


def _subset(calendar, keep: Callable) -> icalendar.Calendar:
    """The calendar with its properties and time zones, and only the events ``keep`` accepts."""
    part = icalendar.Calendar()
    part.update(calendar)
    part.subcomponents = [c for c in calendar.subcomponents if c.name != "VEVENT" or keep(c)]
    return part


def _interval(event, zone: tzinfo) -> tuple[datetime, datetime]:
    """The occurrence as aware UTC [start, end); zero length when it takes no time."""
    dtstart = event.get("DTSTART")
    if dtstart is None:
        raise CalendarError(_l("An event has no start (DTSTART)."))
    start_value = dtstart.dt
    dtend = event.get("DTEND")
    end_value = dtend.dt if dtend is not None else None
    if end_value is None and event.get("DURATION") is not None:
        end_value = start_value + event["DURATION"].dt
    if end_value is None:
        # RFC 5545: a day without DTEND lasts one day; a date-time without one takes no time.
        end_value = start_value if isinstance(start_value, datetime) else start_value + timedelta(1)
    start, end = _instant(start_value, zone), _instant(end_value, zone)
    if end < start:
        start, end = end, start
    return start, end


def _instant(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # floating: the space's wall clock
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    # an all-day value: midnight of that day where the space is
    return datetime.combine(value, time(0), tzinfo=zone).astimezone(UTC)


def _is_busy(event) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() != "FREE"


def _summary(event) -> str:
    return " ".join(str(event.get("SUMMARY", "") or "").split())[:SUMMARY_MAX]


def _detail(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def own_booking_id(uid: str, domain: str | None = None) -> int | None:
    """The booking id in one of the platform's exported UIDs (``booking-<id>@<domain>``); with
    ``domain``, only a UID of that domain counts."""
    name, at, right = uid.strip().partition("@")
    if not at or not name.startswith("booking-"):
        return None
    if domain is not None and right.lower() != domain.lower():
        return None
    digits = name[len("booking-") :]
    return int(digits) if digits.isdigit() and len(digits) < 12 else None


def distinct(blocks: Iterable[Block]) -> frozenset[tuple]:
    """A comparable form of a set of blocks (to tell whether a sync changed anything)."""
    return frozenset((b.start, b.end, b.uid, b.summary) for b in blocks)
