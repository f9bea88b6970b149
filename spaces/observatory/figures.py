"""The observatory's arithmetic, pure: periods cut into months and weeks, open spans against
bookings, occupancy, medians and the privacy threshold. No flask, no database.

Spans are half-open [start, end) of aware UTC instants; hours are real elapsed hours (a
daylight-saving day counts 23 or 25).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from spaces.timeutils import local_instant

PRIVACY_THRESHOLD = 3  # fewer people than this: the figure is withheld (null)
Bucket = tuple[str, date, date]  # label, first and last local day (inclusive)


def local_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of ``first``, local midnight after ``last``) in UTC."""
    return local_instant(first, 0, tz), local_instant(last + timedelta(days=1), 0, tz)


def months(first: date, last: date) -> list[Bucket]:
    """The calendar months of [first, last], clipped to it, labelled "YYYY-MM"."""
    buckets, day = [], first
    while day <= last:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        end = min(last, following - timedelta(days=1))
        buckets.append((f"{day.year:04d}-{day.month:02d}", day, end))
        day = following
    return buckets


def weeks(first: date, last: date) -> list[Bucket]:
    """The Monday-based weeks of [first, last], clipped to it, labelled by their Monday."""
    buckets, monday = [], first - timedelta(days=first.weekday())
    while monday <= last:
        sunday = monday + timedelta(days=6)
        buckets.append((monday.isoformat(), max(first, monday), min(last, sunday)))
        monday += timedelta(days=7)
    return buckets


def bucket_of(day: date, buckets: Sequence[Bucket]) -> int | None:
    """The index of the bucket holding the local day, or None outside them all."""
    firsts = [b[1] for b in buckets]
    i = bisect.bisect_right(firsts, day) - 1
    return i if i >= 0 and day <= buckets[i][2] else None


def seconds(spans: Iterable[tuple[datetime, datetime]]) -> float:
    return sum((end - start).total_seconds() for start, end in spans)


class OpenTime:
    """A unit's open spans over a period, each tagged with its bucket, in time order (as the
    engine gives them, bucket after bucket): how many open seconds each bucket has, and how much
    of an interval falls in open time, by bucket."""

    __slots__ = ("spans", "ends", "by_bucket")

    def __init__(self, tagged: Iterable[tuple[datetime, datetime, int]], buckets: int):
        self.spans = list(tagged)
        self.ends = [end for _, end, _ in self.spans]
        self.by_bucket = [0.0] * buckets
        for start, end, bucket in self.spans:
            self.by_bucket[bucket] += (end - start).total_seconds()

    def overlap(self, start: datetime, end: datetime) -> Iterator[tuple[int, datetime, datetime]]:
        """The pieces of [start, end) that fall in open time: (bucket, piece start, piece end)."""
        spans = self.spans
        i = bisect.bisect_right(self.ends, start)
        if i < len(spans) and spans[i][0] <= start and end <= spans[i][1]:
            yield spans[i][2], start, end  # the usual slot: within one span
            return
        while i < len(spans) and spans[i][0] < end:
            s, e, bucket = spans[i]
            piece_start, piece_end = max(s, start), min(e, end)
            if piece_start < piece_end:
                yield bucket, piece_start, piece_end
            i += 1


def spread_by_hour(
    heat: list[list[float]], start: datetime, end: datetime, tz: ZoneInfo, weight: float
) -> None:
    """Add ``weight`` × seconds of [start, end) to ``heat[weekday][hour]`` of local time (Monday
    first). Cut at whole UTC hours, which are whole local hours in zones with whole-hour offsets."""
    cursor = start
    while cursor < end:
        boundary = min(end, cursor.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        local = cursor.astimezone(tz)
        heat[local.weekday()][local.hour] += weight * (boundary - cursor).total_seconds()
        cursor = boundary


def seat_hours(seat_seconds: float) -> float:
    return round(seat_seconds / 3600, 2)


def occupancy(booked: float, offered: float) -> float | None:
    """Booked ÷ offered, None when nothing is offered (never above 1 by construction of the
    inputs; clamped all the same against rounding)."""
    if offered <= 0:
        return None
    return round(min(1.0, booked / offered), 4)


def withheld(count: int) -> int | None:
    """A count of people, or None below the privacy threshold."""
    return count if count >= PRIVACY_THRESHOLD else None


def median_km(distances: Sequence[float]) -> float | None:
    return round(statistics.median(distances), 1) if distances else None
