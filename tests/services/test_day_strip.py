"""The space page's week strip says what the booking check says, day by day (one engine path).

The strip under test is ``bookings.strip.week``, the very function the space page renders."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spaces.availability.hours import Window
from spaces.bookings import strip
from spaces.bookings.quotes import bookable
from spaces.db import transaction
from spaces.extensions import db
from tests.factories import make_bookable, make_user

PARIS = ZoneInfo("Europe/Paris")
# A Monday morning in winter; the strip covers two weeks from then.
NOW = datetime(2027, 1, 4, 8, 30, tzinfo=PARIS)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = NOW.date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def add_block(unit, start: datetime, end: datetime) -> None:
    """A busy block as a calendar sync stores it."""
    from spaces.calendars.models import BusyBlock, CalendarImport

    with transaction():
        source = CalendarImport(unit_id=unit.id, source="file", content="", name="Agenda")
        db.session.add(source)
        db.session.flush()
        db.session.add(BusyBlock(import_id=source.id, unit_id=unit.id, start_at=start, end_at=end))


@pytest.fixture
def unit(app_ctx):
    host = make_user("host@example.org")
    _, (pool,) = make_bookable(
        host,
        {"name": "Open space", "capacity": 12, "notice_minutes": 7 * 24 * 60},
        windows=[Window(day, 9 * 60, 18 * 60) for day in range(5)],
    )
    add_block(pool, at(8, 10), at(8, 12))  # Tuesday next week, 10:00–12:00
    add_block(pool, at(9, 0), at(10, 0))  # Wednesday next week, all day
    return pool


def test_each_day_says_what_the_booking_check_says(unit):
    from flask_babel import force_locale

    with force_locale("en"):
        days = strip.week(unit, NOW.date(), days=14, now=NOW)
        notice_message = str(days[0].message)
    statuses = {d.day.isoformat(): d.status for d in days}
    assert [d.status for d in days[:7]] == ["notice"] * 5 + ["closed"] * 2, statuses
    assert days[7].status == "free" and days[7].free_max == 12  # Monday, 7 days ahead
    assert days[8].status == "partly"
    assert [(s.astimezone(PARIS).hour, e.astimezone(PARIS).hour) for s, e in days[8].spans] == [
        (9, 10),
        (12, 18),
    ]
    assert days[9].status == "blocked"
    assert notice_message == "Book at least 7 days in advance."
    # Every hour of the fortnight: the strip's bookable time is exactly where a booking fits.
    for offset, summary in enumerate(days):
        for hour in range(0, 24):
            start, end = at(offset, hour), at(offset, hour) + timedelta(hours=1)
            outcome = bookable(unit, start, end, 1, NOW)
            shown = any(s <= start and end <= e for s, e in summary.spans)
            assert outcome.ok == shown, (summary.day, hour, summary.status, outcome.reason)
            if outcome.ok:
                assert summary.free_min <= outcome.free <= summary.free_max


def test_a_full_day_and_a_half_full_day(unit, app_ctx):
    from spaces.accounts.models import User
    from spaces.bookings.requesting import request_booking

    booker = make_user("booker@example.org")
    with transaction():
        request_booking(booker, unit.id, at(7, 9), at(7, 18), 12, now=NOW)
        request_booking(booker, unit.id, at(10, 9), at(10, 13), 12, now=NOW)
        request_booking(booker, unit.id, at(10, 13), at(10, 18), 5, now=NOW)
    db.session.expire_all()
    assert db.session.get(User, booker.id)
    days = strip.week(unit, NOW.date(), days=14, now=NOW)
    assert days[7].status == "full"
    assert days[10].status == "partly" and (days[10].free_min, days[10].free_max) == (7, 7)
    assert not bookable(unit, at(10, 9), at(10, 18), 1, NOW).ok
    assert bookable(unit, at(10, 13), at(10, 18), 7, NOW).ok


def test_the_space_page_shows_notice_and_imported_blocks(client, app_ctx):
    from spaces.db import utcnow

    host = make_user("host2@example.org")
    space, (pool,) = make_bookable(
        host,
        {"name": "Open space", "capacity": 12, "notice_minutes": 2 * 24 * 60},
        # Open round the clock: "too soon" must not turn into "closed" late in the day.
        windows=[Window(day, 0, 24 * 60) for day in range(7)],
    )
    today = utcnow().astimezone(PARIS).date()
    day4 = today + timedelta(days=4)
    add_block(pool, datetime(day4.year, day4.month, day4.day, tzinfo=PARIS), at_midnight(day4, 1))
    page = client.get(f"/spaces/{space.id}", headers={"Accept-Language": "en"}).get_data(True)

    def cell(day) -> str:
        marker = f'data-testid="day-{day.isoformat()}" data-status="'
        return page.split(marker, 1)[1].split('"', 1)[0]

    assert cell(today) == cell(today + timedelta(days=1)) == "notice"
    assert cell(day4) == "blocked"
    assert cell(today + timedelta(days=3)) == "free"
    assert "Too soon" in page and "Busy" in page


def at_midnight(day, offset: int) -> datetime:
    later = day + timedelta(days=offset)
    return datetime(later.year, later.month, later.day, tzinfo=PARIS)
