"""The observatory's pure arithmetic: months, Monday weeks, open time against bookings,
occupancy, the privacy threshold, the search log's purge date and the nearest commune."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from spaces.geo.nearby import communes_within, nearest_commune
from spaces.observatory import figures as fig
from spaces.observatory.searchlog import commune_of, purge_before


def at(day: int, hour: int) -> datetime:
    return datetime(2027, 1, day, hour, tzinfo=UTC)


def test_months_are_calendar_months_clipped_to_the_period():
    assert fig.months(date(2026, 11, 15), date(2027, 1, 10)) == [
        ("2026-11", date(2026, 11, 15), date(2026, 11, 30)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2027-01", date(2027, 1, 1), date(2027, 1, 10)),
    ]


def test_weeks_start_on_monday_and_are_clipped_to_the_period():
    # Saturday 2 January to Tuesday 12 January 2027.
    assert fig.weeks(date(2027, 1, 2), date(2027, 1, 12)) == [
        ("2026-12-28", date(2027, 1, 2), date(2027, 1, 3)),
        ("2027-01-04", date(2027, 1, 4), date(2027, 1, 10)),
        ("2027-01-11", date(2027, 1, 11), date(2027, 1, 12)),
    ]
    buckets = fig.weeks(date(2027, 1, 2), date(2027, 1, 12))
    assert fig.bucket_of(date(2027, 1, 3), buckets) == 0
    assert fig.bucket_of(date(2027, 1, 11), buckets) == 2
    assert fig.bucket_of(date(2027, 1, 13), buckets) is None


def test_open_time_counts_only_the_open_part_of_an_interval_by_bucket():
    # Open 8:00-16:00 UTC on the 4th (bucket 0) and the 5th (bucket 1).
    open_time = fig.OpenTime([(at(4, 8), at(4, 16), 0), (at(5, 8), at(5, 16), 1)], 2)
    assert open_time.by_bucket == [8 * 3600, 8 * 3600]
    # A term from the 3rd to the 6th: both open days, nothing else.
    assert list(open_time.overlap(at(3, 0), at(6, 0))) == [
        (0, at(4, 8), at(4, 16)),
        (1, at(5, 8), at(5, 16)),
    ]
    # A slot across the end of the first day's opening; a slot inside it.
    assert list(open_time.overlap(at(4, 15), at(4, 18))) == [(0, at(4, 15), at(4, 16))]
    assert list(open_time.overlap(at(5, 9), at(5, 10))) == [(1, at(5, 9), at(5, 10))]
    assert list(open_time.overlap(at(4, 16), at(5, 8))) == []  # half-open


def test_booked_time_spreads_over_local_weekday_and_hour():
    heat = [[0.0] * 24 for _ in range(7)]
    paris = ZoneInfo("Europe/Paris")
    # Monday 4 January 2027, 9:30-11:00 in Paris (UTC+1), 2 seats.
    fig.spread_by_hour(heat, at(4, 8).replace(minute=30), at(4, 10), paris, 2)
    assert heat[0][9] == 2 * 1800 and heat[0][10] == 2 * 3600
    assert sum(map(sum, heat)) == 2 * 5400
    # Sunday 28 March 2027: 01:00-04:00 local is two real hours (02:00 does not exist).
    spring = [[0.0] * 24 for _ in range(7)]
    start = datetime(2027, 3, 28, 0, tzinfo=UTC)  # 01:00 CET
    fig.spread_by_hour(spring, start, datetime(2027, 3, 28, 2, tzinfo=UTC), paris, 1)
    assert spring[6][1] == 3600 and spring[6][3] == 3600 and spring[6][2] == 0


@pytest.mark.parametrize(
    ("booked", "offered", "expected"),
    [(0, 0, None), (5, 0, None), (0, 10, 0), (5, 10, 0.5), (10, 10, 1), (11, 10, 1)],
)
def test_occupancy(booked, offered, expected):
    assert fig.occupancy(booked, offered) == expected


def test_people_counts_are_withheld_below_three():
    assert [fig.withheld(n) for n in range(5)] == [None, None, None, 3, 4]
    assert fig.median_km([]) is None
    assert fig.median_km([1.0, 10.0, 3.0]) == 3.0


def test_the_search_log_keeps_24_months():
    assert purge_before(datetime(2027, 6, 15, 12, tzinfo=UTC)) == datetime(
        2025, 6, 15, 12, tzinfo=UTC
    )
    assert purge_before(datetime(2028, 2, 29, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert purge_before(datetime(2027, 1, 31, tzinfo=UTC)) == datetime(2025, 1, 31, tzinfo=UTC)


def test_a_point_counts_in_the_nearest_commune():
    assert nearest_commune(47.1286, 0.9956).insee == "37132"  # Loches
    assert nearest_commune(47.1112, 0.6158).insee == "37226"  # Sainte-Maure-de-Touraine
    assert nearest_commune(48.8530, 2.3499).name.startswith("Paris")  # an arrondissement
    assert nearest_commune(48.8530, 2.3499).insee != "75056"
    assert nearest_commune(0.0, -30.0) is None  # mid-Atlantic
    assert commune_of("37261", 47.1286, 0.9956) == "37261"  # the place's own commune first
    assert commune_of(None, None, None) is None


def test_communes_within_a_radius_nearest_first():
    found = [c.insee for c in communes_within(47.1286, 0.9956, 5)]
    assert found[0] == "37132" and "37020" in found  # Loches, then Beaulieu-lès-Loches
    assert "37226" not in found
