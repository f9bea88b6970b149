"""iCalendar text → busy blocks (pure: no Flask, no database, no network).

``parse_calendar`` reads the text as one VCALENDAR. ``parse_blocks`` expands it over a rolling
horizon (``spaces.calendars.expansion``: every occurrence as an aware UTC interval, within the
budget below) and keeps what makes the host busy, sorted by start:

- a time with a zone (TZID or ``Z``) is taken as given;
- a floating time (no zone, or a TZID nobody defines) is the space's local time;
- an all-day event covers whole local days of the space, DTEND exclusive (one day without DTEND).

Events that do not make the host busy are skipped: TRANSP:TRANSPARENT, STATUS:CANCELLED,
Outlook's X-MICROSOFT-CDO-BUSYSTATUS:FREE, zero-length events, and the platform's own exported
bookings of the same unit (``is_own(uid)``), so importing a unit's own feed never blocks it twice;
the same instance listed twice is kept once.

Malformed input, too many busy events and an expansion over budget raise ``CalendarError``
(``spaces.calendars.errors``) with a short sentence for the host.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

import icalendar
from dateutil.relativedelta import relativedelta

from spaces.calendars.errors import CalendarError, _l
from spaces.calendars.expansion import Budget, occurrences

DEFAULT_HORIZON_MONTHS = 18
MAX_BLOCKS = 10_000
# The expansion's budget, checked before expanding (rules are priced first) and while doing it.
# A daily event over the 18-month horizon is ~550 occurrences and a busy host's calendar a few
# thousand; FREQ=SECONDLY is 47 million.
MAX_OCCURRENCES = 12_000  # occurrences of all events in the span, busy or not (hourly: 13,000)
MAX_RULE_STEPS = 200_000  # instants the rules walk from their first date to the span's end
MAX_SECONDS = 10.0
UID_MAX = 500
SUMMARY_MAX = 300


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
    max_occurrences: int = MAX_OCCURRENCES,
    max_seconds: float = MAX_SECONDS,
) -> list[Block]:
    """The busy blocks of a calendar between a day before ``now`` and ``horizon_months`` ahead,
    sorted by start.

    ``tz`` is the space's zone (for floating times and all-day events). Raises CalendarError on
    malformed input, when the calendar has more than ``max_blocks`` busy events in the span, and
    when expanding it would exceed its budget (``max_occurrences`` in the span, rules walking
    more than ``MAX_RULE_STEPS`` steps, a rule matching no date, ``max_seconds`` of work).
    """
    budget = Budget(max_occurrences, MAX_RULE_STEPS, max_seconds, horizon_months)
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    calendar = parse_calendar(text)
    window_start, window_end = horizon_window(now, horizon_months)
    blocks: list[Block] = []
    seen: set[tuple] = set()
    try:
        for event, start, end in occurrences(calendar, zone, window_start, window_end, budget):
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
