"""Expanding a calendar's events into occurrences, within a budget (pure: no Flask, no database,
no network).

``occurrences`` yields every occurrence of every VEVENT overlapping a span, expanded with
``recurring_ical_events`` (RRULE, RDATE, EXDATE, moved instances with RECURRENCE-ID, TZID with
VTIMEZONE, X-WR-TIMEZONE), each as an aware UTC interval ``[start, end)`` (``_interval``): a time with
a zone is taken as given, a floating time is the space's wall clock, an all-day value starts at
midnight where the space is.

The work is bounded by a ``Budget``: every rule is priced before anything is expanded (an upper
bound of the instants it walks and of those inside the span), a rule whose date filters match no
date is refused without walking to the year 9999, and the occurrences and the seconds spent are
counted while expanding. Going over raises ``CalendarError``.
"""

from __future__ import annotations

import time as pytime
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr

from spaces.calendars.errors import CalendarError, _l

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


class Budget:
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


def check_rules(events: Iterable, zone, start: datetime, end: datetime, budget: Budget) -> None:
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


def occurrences(
    calendar, zone: tzinfo, start: datetime, end: datetime, budget: Budget
) -> Iterator[tuple]:
    """(event, start, end) for every occurrence overlapping [start, end).

    Every rule is priced before anything is expanded (``check_rules``), so the expansion below
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
    check_rules((e for uid in recurring for e in series[uid]), zone, start, end, budget)
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
