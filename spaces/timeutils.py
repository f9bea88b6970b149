"""Time at the edges: parse and show instants in a space's zone; store aware UTC.

Pure: no flask, no database. Intervals are half-open [start, end).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Instants people may give: far enough for any booking, window or closure, and far from the
# limits of Python's dates, so that no local-day arithmetic can overflow.
MIN_YEAR, MAX_YEAR = 2000, 2100

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class TimeError(ValueError):
    """An input time that cannot be used. ``code`` and ``params`` let the edges say it in the
    reader's language (spaces.i18n.time_error_message); the message is the English fallback."""

    def __init__(self, message: str, code: str = "malformed", **params):
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open interval [start, end) of aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self):
        if self.end <= self.start:
            raise TimeError("The end must be after the start.", "end_before_start")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeError(f"Unknown time zone {name!r}.", "unknown_zone", zone=name) from exc


def is_timezone(name: str) -> bool:
    return name in _zones()


_ZONES: set[str] | None = None


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Attach ``tz`` to a local wall time.

    A time that does not exist (the spring-forward gap) raises TimeError; an ambiguous one (the
    autumn hour) is taken as its first occurrence.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive.replace(tzinfo=None, fold=0):
        raise TimeError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks go forward).",
            "nonexistent",
            value=f"{naive:%Y-%m-%d %H:%M}",
            zone=tz.key,
        )
    return aware


def parse_instant(value: str, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date-time → aware UTC. Without an offset it is local time in ``tz``.

    A bare date, a malformed value, or a local time in the spring-forward gap raise TimeError.
    """
    if not isinstance(value, str) or not value.strip():
        raise TimeError("Give a date and time, e.g. 2027-03-29T09:00.", "empty")
    text = value.strip()
    if _DATE_ONLY.match(text):
        raise TimeError("Give a time as well as the date, e.g. 2027-03-29T09:00.", "bare_date")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise TimeError(
            f"{text!r} is not a date and time (expected e.g. 2027-03-29T09:00).",
            "malformed",
            value=text[:40],
        ) from exc
    if not MIN_YEAR <= parsed.year < MAX_YEAR:
        raise _out_of_range(text)
    try:
        if parsed.tzinfo is None:
            parsed = localize(parsed, tz)
        parsed = parsed.astimezone(UTC)
    except OverflowError as exc:  # the year check keeps far from the edges; belt and braces
        raise _out_of_range(text) from exc
    return parsed


def _out_of_range(text: str) -> TimeError:
    return TimeError(
        f"{text!r} is outside the years {MIN_YEAR}–{MAX_YEAR - 1}.",
        "out_of_range",
        value=text[:40],
        low=MIN_YEAR,
        high=MAX_YEAR - 1,
    )


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz)


def iso_local(instant: datetime, tz: ZoneInfo) -> str:
    """``2027-03-29T09:00:00+02:00``: the space's own offset, never ``Z``."""
    return instant.astimezone(tz).isoformat()


def parse_hhmm(value: str) -> int:
    """``"09:30"`` → 570 minutes; ``"24:00"`` → 1440. Raises TimeError."""
    match = _HHMM.match((value or "").strip())
    if not match:
        raise TimeError(f"{value!r} is not a time of day (HH:MM).", "hhmm", value=str(value)[:20])
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > 1440:
        raise TimeError(f"{value!r} is after midnight.", "hhmm", value=str(value)[:20])
    return minutes


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def local_instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The instant at ``minute`` minutes past local midnight of ``day``, in UTC.

    Minute 1440 is the next day's midnight. Wall times follow PEP 495 with fold=0: a time in the
    spring-forward gap lands after the jump (02:00 → 03:00), an ambiguous autumn time is its first
    occurrence. So a 9:00-17:00 window stays 9:00-17:00 local on both sides of a change.
    """
    if minute >= 1440:
        day, minute = day + timedelta(days=1), minute - 1440
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    return naive.replace(tzinfo=tz).astimezone(UTC)
