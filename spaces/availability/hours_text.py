"""Opening hours as people type them, one line per weekday: ``09:00-12:00, 14:00-17:30``. Pure.

Accepts what French hosts write too: ``9h-12h``, ``9h30–12h``, ``14:00 à 18:00``; windows are
separated by commas, semicolons or "et"/"and". An empty line (or "fermé", "closed", "-") is a
closed day. Overlaps between windows of a day are left to the service, which names them.
"""

from __future__ import annotations

import re

from spaces.availability.hours import Window
from spaces.timeutils import format_hhmm

CLOSED_WORDS = frozenset({"", "-", "–", "—", "closed", "ferme", "fermé", "fermée"})
_SEPARATORS = re.compile(r"\s*(?:[,;/]|\bet\b|\band\b)\s*", re.IGNORECASE)
_RANGE = re.compile(r"^(?P<start>[^-–—]+?)\s*(?:-|–|—|\bà\b|\bto\b)\s*(?P<end>.+)$", re.IGNORECASE)
_TIME = re.compile(r"^(?P<hours>\d{1,2})(?:\s*(?:[:.hH])\s*(?P<minutes>\d{2})?)?$")


class HoursTextError(ValueError):
    """A day's text that is not a list of windows.

    ``reason`` is one of ``format`` (not "start-end"), ``time`` (not a time of day) or ``order``
    (closes before it opens); ``fragment`` is the part that is wrong, to show it back."""

    def __init__(self, reason: str, fragment: str) -> None:
        super().__init__(f"{reason}: {fragment!r}")
        self.reason = reason
        self.fragment = fragment


def parse_time(text: str) -> int:
    """``"9"``, ``"9h"``, ``"9h30"``, ``"09:30"``, ``"9.30"``, ``"24:00"`` → minutes after midnight."""
    match = _TIME.match(text.strip())
    if not match:
        raise HoursTextError("time", text.strip())
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if minutes > 59 or hours * 60 + minutes > 1440:
        raise HoursTextError("time", text.strip())
    return hours * 60 + minutes


def parse_day_windows(text: str, weekday: int) -> list[Window]:
    """The windows one weekday's text describes, in the order written; raises HoursTextError."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
    cleaned = (text or "").strip()
    if cleaned.lower() in CLOSED_WORDS:
        return []
    windows = []
    for part in _SEPARATORS.split(cleaned):
        if not part:
            continue
        match = _RANGE.match(part)
        if not match:
            raise HoursTextError("format", part)
        start, end = parse_time(match["start"]), parse_time(match["end"])
        if end <= start:
            raise HoursTextError("order", part)
        windows.append(Window(weekday, start, end))
    return windows


def format_day_windows(windows: list[Window], weekday: int) -> str:
    """The text ``parse_day_windows`` reads back for this weekday's windows (sorted)."""
    return ", ".join(
        f"{format_hhmm(w.start)}-{format_hhmm(w.end)}"
        for w in sorted(windows)
        if w.weekday == weekday
    )
