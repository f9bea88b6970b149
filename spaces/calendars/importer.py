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

import time as pytime
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

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
    budget = _Budget(max_occurrences, MAX_RULE_STEPS, max_seconds, horizon_months)
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    calendar = parse_calendar(text)
    window_start, window_end = horizon_window(now, horizon_months)
    blocks: list[Block] = []
    seen: set[tuple] = set()
    try:
        for event, start, end in _occurrences(calendar, zone, window_start, window_end, budget):
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


def _occurrences(
    calendar, zone: tzinfo, start: datetime, end: datetime, budget: _Budget
) -> Iterator[tuple]:
    """(event, start, end) for every occurrence overlapping [start, end).

    Every rule is priced before anything is expanded (``_check_rules``), so the expansion below
    is bounded; single events are expanded in one pass, each series alone in one pass too (a
    series walks its rule once, from its start: slicing the span would walk it again for every
    slice), and the clock is read between series.
    """
    singles: list = []
    series: dict[str, list] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID"))
        series.setdefault(uid, []).append(event)
    recurring = {
        uid
        for uid, events in series.items()
        if any(e.get("RRULE") is not None or e.get("RDATE") is not None for e in events)
    }
    _check_rules((e for uid in recurring for e in series[uid]), zone, start, end, budget)
    for uid, events in series.items():
        if uid not in recurring:
            singles.extend(events)
    for event in recurring_ical_events.of(_subset(calendar, singles)).between(start, end):
        budget.spend()
        yield (event, *_interval(event, zone))
    for uid in recurring:
        budget.check_clock()
        for event in recurring_ical_events.of(_subset(calendar, series[uid])).between(start, end):
            budget.spend()
            yield (event, *_interval(event, zone))


# --- the expansion's budget -------------------------------------------------------------------------

# Upper bounds of one calendar period, for pricing a rule before expanding it (a month is counted
# as 28 days and a year as 365, so that the number of periods is never under-estimated).
_PERIOD = {
    "SECONDLY": timedelta(seconds=1),
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(days=7),
    "MONTHLY": timedelta(days=28),
    "YEARLY": timedelta(days=365),
}
_ORDER = list(_PERIOD)
_DAY_PARTS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
# Filters that a date may never satisfy (BYMONTH=2;BYMONTHDAY=30): the rule library then walks
# period by period up to the year 9999 looking for a first date (minutes of CPU).
_MAYBE_NEVER = ("BYMONTH", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS")
_PROBE_YEAR = 9972  # a leap year, 27 years before the end of the calendar


class _Budget:
    """What reading one calendar may cost: occurrences expanded and seconds spent."""

    def __init__(self, max_occurrences: int, max_steps: int, max_seconds: float, months: int):
        self.max_occurrences, self.max_steps = max_occurrences, max_steps
        self.max_seconds, self.months = max_seconds, months
        self.deadline = pytime.monotonic() + max_seconds
        self.occurrences = 0

    def too_many(self) -> CalendarError:
        return CalendarError(
            _l(
                "The calendar repeats events too often: more than %(limit)s occurrences in the "
                "next %(months)s months."
            ),
            limit=self.max_occurrences,
            months=self.months,
        )

    def spend(self) -> None:
        self.occurrences += 1
        if self.occurrences > self.max_occurrences:
            raise self.too_many()
        if self.occurrences % 256 == 0:
            self.check_clock()

    def check_clock(self) -> None:
        if pytime.monotonic() > self.deadline:
            raise CalendarError(
                _l("Reading the calendar took more than %(seconds)s seconds: it is too complex."),
                seconds=f"{self.max_seconds:g}",
            )


def _rules(event) -> list:
    value = event.get("RRULE")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first(rule, key: str, default=None):
    values = rule.get(key)
    return values[0] if values else default


def _per_period(rule, freq: str) -> int:
    """At most how many instants one period of the rule holds (BYxxx parts expand it)."""
    rank = _ORDER.index(freq)
    days = 1
    if any(rule.get(key) for key in _DAY_PARTS):
        days = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7}.get(freq, 1)
    elif freq == "YEARLY" and rule.get("BYMONTH"):
        days = len(rule["BYMONTH"])
    times = 1
    for key, unit in (("BYHOUR", "HOURLY"), ("BYMINUTE", "MINUTELY"), ("BYSECOND", "SECONDLY")):
        if rank > _ORDER.index(unit) and rule.get(key):
            times *= len(rule[key])
    return days * times


def _rule_cost(rule, first: datetime, start: datetime, end: datetime, zone) -> tuple[int, int]:
    """Upper bounds, before expanding anything, of the instants a rule walks from its first
    occurrence to ``end``, and of those inside [start, end)."""
    freq = str(_first(rule, "FREQ", "")).upper()
    if freq not in _PERIOD:
        return 1, 1  # the rule library refuses it, as an unreadable calendar
    step = _PERIOD[freq] * max(1, int(_first(rule, "INTERVAL", 1)))
    stop = end + timedelta(days=1)  # floating times may be off by a zone's offset
    until = _first(rule, "UNTIL")
    if until is not None:
        stop = min(stop, _instant(until, zone))
    per_period = _per_period(rule, freq)
    walk = (stop - first) // step + 1 if stop >= first else 1
    inside_from = max(first, start - timedelta(days=1))
    inside = (stop - inside_from) // step + 1 if stop >= inside_from else 0
    walk, inside = walk * per_period, inside * per_period
    count = _first(rule, "COUNT")
    if count is not None and not any(key.startswith("BY") for key in rule):
        walk, inside = min(walk, int(count)), min(inside, int(count))
    return walk, inside


def _never_occurs(rule, first: date | datetime) -> bool:
    """Whether a rule with date filters matches no date at all (probed over its last 27 years,
    which costs a few thousand steps instead of a walk to the year 9999)."""
    if str(_first(rule, "FREQ", "")).upper() == "YEARLY" or not any(
        rule.get(key) for key in _MAYBE_NEVER
    ):
        return False
    probe = icalendar.vRecur({k: v for k, v in rule.items() if k not in ("UNTIL", "COUNT")})
    if not isinstance(first, datetime):
        first = datetime.combine(first, time(0))
    probe_start = first.replace(tzinfo=None, year=_PROBE_YEAR)
    rule_text = probe.to_ical().decode()
    return rrulestr(rule_text, dtstart=probe_start).after(probe_start, inc=True) is None


def _check_rules(events: Iterable, zone, start: datetime, end: datetime, budget: _Budget) -> None:
    """Refuse, before expanding anything, a calendar whose rules would produce more occurrences
    in the span than the budget, walk too far to reach it (FREQ=SECONDLY since 2010), or look
    for a date that never comes."""
    walk = inside = 0
    for event in events:
        dtstart = event.get("DTSTART").dt
        first = _instant(dtstart, zone)
        for rule in _rules(event):
            rule_walk, rule_inside = _rule_cost(rule, first, start, end, zone)
            walk, inside = walk + rule_walk, inside + rule_inside
            if walk > budget.max_steps or inside > budget.max_occurrences:
                raise budget.too_many()
            if _never_occurs(rule, dtstart):
                raise CalendarError(
                    _l("A repeating event of the calendar never occurs (its rule matches no date).")
                )
        budget.check_clock()


def _subset(calendar, events: list) -> icalendar.Calendar:
    """The calendar with its properties and time zones, and only ``events``."""
    part = icalendar.Calendar()
    part.update(calendar)
    part.subcomponents = [c for c in calendar.subcomponents if c.name != "VEVENT"] + events
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
