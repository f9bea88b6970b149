"""Weekly opening windows as plain data: checking and describing them. Pure."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from spaces.timeutils import format_hhmm


class Window(NamedTuple):
    weekday: int  # 0 = Monday
    start: int  # minutes after local midnight
    end: int  # exclusive; up to 1440


def overlapping(windows: list[Window]) -> list[tuple[Window, Window]]:
    """Pairs of windows of the same day that overlap (touching is fine: 12:00 then 12:00)."""
    by_day: dict[int, list[Window]] = defaultdict(list)
    for window in windows:
        by_day[window.weekday].append(window)
    clashes = []
    for day_windows in by_day.values():
        ordered = sorted(day_windows)
        for first, second in zip(ordered, ordered[1:], strict=False):
            if second.start < first.end:
                clashes.append((first, second))
    return clashes


def normalised(windows: list[Window]) -> list[Window]:
    """Sorted, with touching windows of a day merged (9-12 and 12-14 → 9-14)."""
    merged: list[Window] = []
    for window in sorted(windows):
        if merged and merged[-1].weekday == window.weekday and window.start <= merged[-1].end:
            last = merged.pop()
            window = Window(window.weekday, last.start, max(last.end, window.end))
        merged.append(window)
    return merged


def week_table(windows: list[Window]) -> list[list[str]]:
    """Seven lists (Monday first) of "HH:MM–HH:MM" strings, for display."""
    days: list[list[str]] = [[] for _ in range(7)]
    for window in sorted(windows):
        days[window.weekday].append(f"{format_hhmm(window.start)}–{format_hhmm(window.end)}")
    return days
