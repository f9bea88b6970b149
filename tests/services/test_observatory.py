"""The observatory's figures, hand-computed, on SQLite and PostgreSQL (shared/API.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from spaces.availability.hours import Window
from spaces.availability.services import add_closure
from spaces.bookings import requesting, terms
from spaces.db import transaction
from spaces.extensions import db
from spaces.listings.models import Space
from spaces.observatory import services
from spaces.observatory.models import SearchLog
from spaces.observatory.searchlog import purge_search_log, record_search
from tests.factories import make_bookable, make_user

LOCHES, BEAULIEU, SAINTE_MAURE = "37132", "37020", "37226"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# Monday 4 to Sunday 10 January 2027 (Paris, UTC+1): no public holiday.
MONDAY = date(2027, 1, 4)
WEEK = (MONDAY, MONDAY + timedelta(days=6))
NINE_TO_FIVE = [Window(day, 9 * 60, 17 * 60) for day in range(5)]
POOL = {"name": "Plateau", "capacity": 4, "prices": {"hour": 500, "day": 2000, "month": 30000}}
ROOM = {"name": "Salle", "kind": "meeting_room", "capacity": 8, "prices": {"hour": 2000}}


def paris(day: date, hour: int) -> datetime:
    """An instant in Paris in winter (UTC+1)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=1)


def place(host, *units, insee=LOCHES, windows=NINE_TO_FIVE, **fields):
    space, made = make_bookable(host, *units, windows=windows, **fields)
    with transaction():
        db.session.get(Space, space.id).insee_code = insee
    return space, made


def book(user, unit, start, end, seats=1):
    with transaction():
        return requesting.request_booking(user, unit.id, start, end, seats, now=NOW).first


def book_term(user, unit, first, last, seats=1):
    with transaction():
        return terms.request_term(user, unit.id, first, last, seats, now=NOW).first


def commune(answer, code=LOCHES):
    return next(row for row in answer["communes"] if row["insee_code"] == code)


@pytest.fixture
def host(app_ctx):
    return make_user(name="Hôte")


def test_a_pool_of_four_open_weekdays_nine_to_five_offers_160_seat_hours(host):
    place(host, POOL)
    row = commune(services.observatory([LOCHES], *WEEK))
    assert (row["spaces"], row["units"], row["seats"]) == (1, 1, 4)
    assert row["seat_hours_offered"] == 160  # 4 seats × 8 h × 5 days
    assert row["seat_hours_booked"] == 0 and row["occupancy"] == 0


def test_a_closure_on_wednesday_leaves_128(host):
    space, _ = place(host, POOL)
    wednesday = MONDAY + timedelta(days=2)
    with transaction():
        add_closure(host, space, paris(wednesday, 0), paris(wednesday + timedelta(days=1), 0), "")
    assert commune(services.observatory([LOCHES], *WEEK))["seat_hours_offered"] == 128


def test_a_whole_unit_counts_one_seat_whoever_comes(host):
    _, (room,) = place(host, ROOM)
    book(make_user(), room, paris(MONDAY, 9), paris(MONDAY, 11))
    row = commune(services.observatory([LOCHES], *WEEK))
    assert row["seats"] == 1 and row["seat_hours_offered"] == 40
    assert row["seat_hours_booked"] == 2 and row["occupancy"] == 0.05
    assert (row["bookings"], row["bookers"], row["revenue"]) == (1, 1, 4000)


def test_booked_seat_hours_count_seats_and_bookers_are_distinct(host):
    _, (pool,) = place(host, POOL)
    camille, dominique = make_user(), make_user()
    book(camille, pool, paris(MONDAY, 9), paris(MONDAY, 12), seats=2)  # 6 seat-hours
    book(
        camille, pool, paris(MONDAY + timedelta(days=1), 14), paris(MONDAY, 16) + timedelta(days=1)
    )
    book(dominique, pool, paris(MONDAY, 10), paris(MONDAY, 11))  # 1
    answer = services.observatory([LOCHES], *WEEK)
    row = commune(answer)
    assert row["seat_hours_booked"] == 9
    assert (row["bookings"], row["bookers"]) == (3, 2)
    assert row["occupancy"] == round(9 / 160, 4)
    assert answer["totals"]["seat_hours_booked"] == 9
    assert answer["months"] == [
        {
            "month": "2027-01",
            "seat_hours_offered": 160,
            "seat_hours_booked": 9,
            "bookings": 3,
            "revenue": row["revenue"],
        }
    ]


def test_a_term_counts_only_its_open_hours_and_never_pushes_occupancy_over_one(host):
    space, (pool,) = place(host, POOL)
    wednesday = MONDAY + timedelta(days=2)
    with transaction():
        add_closure(host, space, paris(wednesday, 0), paris(wednesday + timedelta(days=1), 0), "")
    # Every seat, every day of the week (nights, the weekend and the closure included).
    book_term(make_user(), pool, MONDAY, MONDAY + timedelta(days=6), seats=4)
    row = commune(services.observatory([LOCHES], *WEEK))
    assert row["seat_hours_offered"] == 128
    assert row["seat_hours_booked"] == 128
    assert row["occupancy"] == 1


def test_bookings_are_clipped_at_the_periods_edges(host):
    _, (pool,) = place(host, POOL)
    # A term from Friday 1 to Friday 8 January, read over Monday 4 to Wednesday 6 only.
    book_term(make_user(), pool, date(2027, 1, 1), date(2027, 1, 8))
    row = commune(services.observatory([LOCHES], MONDAY, MONDAY + timedelta(days=2)))
    assert row["seat_hours_offered"] == 96  # 4 × 8 × 3
    assert row["seat_hours_booked"] == 24  # 1 seat × 8 h × 3 days
    # It started before the period: not one of its bookings, no revenue.
    assert (row["bookings"], row["revenue"]) == (0, 0)


def test_occupancy_is_null_when_nothing_is_offered(host):
    place(host, POOL, windows=[])  # never open
    answer = services.observatory([LOCHES, BEAULIEU], *WEEK)
    assert commune(answer)["seat_hours_offered"] == 0
    assert commune(answer)["occupancy"] is None
    assert commune(answer, BEAULIEU)["spaces"] == 0  # a commune without supply has its row
    assert commune(answer, BEAULIEU)["occupancy"] is None
    assert answer["totals"]["occupancy"] is None


def test_a_daylight_saving_week_counts_real_hours(host):
    always = [Window(day, 0, 1440) for day in range(7)]
    place(host, {"name": "Poste", "capacity": 1}, windows=always)
    # Paris springs forward on Sunday 28 March 2027: that day has 23 hours.
    spring = services.observatory([LOCHES], date(2027, 3, 22), date(2027, 3, 28))
    assert commune(spring)["seat_hours_offered"] == 7 * 24 - 1
    autumn = services.observatory([LOCHES], date(2027, 10, 25), date(2027, 10, 31))
    assert commune(autumn)["seat_hours_offered"] == 7 * 24 + 1


def test_supply_counts_published_spaces_only(host):
    place(host, POOL)
    draft, _ = place(host, POOL)
    with transaction():
        db.session.get(Space, draft.id).status = "draft"
    assert commune(services.observatory([LOCHES], *WEEK))["spaces"] == 1


def test_searches_are_counted_in_their_commune_in_the_period(host):
    inside = datetime(2027, 1, 5, 12, tzinfo=UTC)
    record_search(LOCHES, 47.128, 0.998, 10, False, 3, now=inside)
    record_search(None, 47.1286, 0.9956, 5, True, 0, now=inside)  # a point in Loches
    record_search(None, 47.1112, 0.6158, 10, False, 0, now=inside)  # Sainte-Maure
    record_search(LOCHES, 47.128, 0.998, 10, False, 1, now=datetime(2027, 1, 11, 12, tzinfo=UTC))
    answer = services.observatory([LOCHES, SAINTE_MAURE], *WEEK)
    assert (commune(answer)["searches"], commune(answer)["searches_without_result"]) == (2, 1)
    maure = commune(answer, SAINTE_MAURE)
    assert (maure["searches"], maure["searches_without_result"], maure["spaces"]) == (1, 1, 0)
    assert answer["totals"]["searches"] == 3


def test_the_search_log_has_no_column_that_could_identify_a_person(app_ctx):
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("search_logs")}
    assert columns == {"id", "searched_at", "insee_code", "radius_km", "dated", "results"}


def test_residents_booking_is_withheld_below_three(host):
    _, (pool,) = place(host, POOL)
    people = [make_user(home_commune=BEAULIEU) for _ in range(3)]
    for person in people[:2]:
        book(person, pool, paris(MONDAY, 9), paris(MONDAY, 10))
    answer = services.observatory([LOCHES, BEAULIEU], *WEEK)
    assert commune(answer, BEAULIEU)["residents_booking"] is None
    assert commune(answer, BEAULIEU)["median_home_distance_km"] is None
    book(people[2], pool, paris(MONDAY, 11), paris(MONDAY, 12))
    answer = services.observatory([LOCHES, BEAULIEU], *WEEK)
    row = commune(answer, BEAULIEU)
    assert row["residents_booking"] == 3
    # Beaulieu-lès-Loches' centre to the place (Tours' coordinates, the factory's): ~37 km.
    assert 30 < row["median_home_distance_km"] < 50
    assert commune(answer)["residents_booking"] is None  # nobody lives in Loches


def test_the_total_does_not_give_a_withheld_commune_away(host):
    """Loches 4 residents shown, Beaulieu 2 withheld: a total of 6 would say Beaulieu's 2. The
    total is withheld until what the communes hide together is 3 or more, from two communes."""
    _, (pool,) = place(host, {**POOL, "capacity": 20})
    for home in [LOCHES] * 4 + [BEAULIEU] * 2:
        book(make_user(home_commune=home), pool, paris(MONDAY, 9), paris(MONDAY, 10))
    answer = services.observatory([LOCHES, BEAULIEU, SAINTE_MAURE], *WEEK)
    assert commune(answer)["residents_booking"] == 4
    assert commune(answer, BEAULIEU)["residents_booking"] is None
    assert answer["totals"]["residents_booking"] is None
    assert answer["totals"]["median_home_distance_km"] is None
    assert answer["totals"]["bookers"] == 6  # other figures are not about residents: kept
    # One more, in a third commune: 3 hidden across two communes — no one commune read back.
    book(make_user(home_commune=SAINTE_MAURE), pool, paris(MONDAY, 9), paris(MONDAY, 10))
    answer = services.observatory([LOCHES, BEAULIEU, SAINTE_MAURE], *WEEK)
    assert commune(answer, SAINTE_MAURE)["residents_booking"] is None
    assert answer["totals"]["residents_booking"] == 7


def test_vacant_premises_held_on_the_last_day_and_windows_ending_soon(host):
    end = WEEK[1] + timedelta(days=100)
    _, (hall,) = place(host, POOL, kind="vacant_public", available_until=end)
    place(host, POOL, kind="vacant_public")
    book_term(make_user(), hall, MONDAY, WEEK[1])
    row = commune(services.observatory([LOCHES], *WEEK))
    assert (row["vacant_premises"], row["vacant_premises_occupied"]) == (2, 1)
    assert row["windows_ending_soon"] == 1
    before = commune(
        services.observatory([LOCHES], MONDAY - timedelta(days=7), MONDAY - timedelta(days=1))
    )
    assert before["vacant_premises_occupied"] == 0


def test_open_data_has_supply_and_searches_but_no_use(host):
    place(host, POOL)
    rows = services.open_data(*WEEK)
    assert rows == [
        {
            "insee_code": LOCHES,
            "name": "Loches",
            "spaces": 1,
            "units": 1,
            "seats": 4,
            "seat_hours_offered": 160,
            "searches": 0,
            "searches_without_result": 0,
        }
    ]


def test_host_statistics_by_unit_and_monday_week(host):
    space, (pool, room) = place(host, POOL, ROOM)
    camille = make_user()
    book(camille, pool, paris(MONDAY, 9), paris(MONDAY, 13), seats=2)  # 8 seat-hours
    cancelled = book(camille, room, paris(MONDAY, 9), paris(MONDAY, 10))
    with transaction():
        db.session.get(type(cancelled), cancelled.id).status = "cancelled"
    stats = services.space_stats(space, MONDAY - timedelta(days=2), WEEK[1])
    by_name = {u["name"]: u for u in stats["units"]}
    plateau = by_name["Plateau"]
    assert plateau["seat_hours_offered"] == 160 and plateau["seat_hours_booked"] == 8
    assert plateau["occupancy"] == 0.05 and plateau["bookings"] == 1
    assert [w["week_start"] for w in plateau["weeks"]] == ["2026-12-28", "2027-01-04"]
    assert [w["seat_hours_booked"] for w in plateau["weeks"]] == [0, 8]
    # The first "week" is a Saturday and a Sunday: nothing offered, occupancy null.
    assert [w["seat_hours_offered"] for w in plateau["weeks"]] == [0, 160]
    assert [w["occupancy"] for w in plateau["weeks"]] == [None, 0.05]
    # Monday 9:00-13:00, 2 seats: 2 seat-hours in each of hours 9, 10, 11 and 12.
    heat = stats["busiest_hours"]
    assert len(heat) == 7 and all(len(day) == 24 for day in heat)
    assert heat[0][9:13] == [2, 2, 2, 2] and sum(map(sum, heat)) == 8
    assert (by_name["Salle"]["bookings"], by_name["Salle"]["cancellations"]) == (0, 1)


def test_the_purge_removes_rows_older_than_24_months_only(app_ctx):
    now = datetime(2027, 6, 15, 12, tzinfo=UTC)
    for months_ago, day in ((25, 1), (24, 14), (23, 1)):
        year, month = divmod(6 - 1 - months_ago, 12)
        when = datetime(2027 + year, month + 1, day, tzinfo=UTC)
        record_search(LOCHES, None, None, None, False, 1, now=when)
    with transaction():
        assert purge_search_log(now) == 2
    left = db.session.scalars(sa.select(SearchLog.searched_at)).all()
    assert [w.date() for w in left] == [date(2025, 7, 1)]


def test_the_daily_job_purges_the_search_log(app_ctx):
    from spaces.jobs import run_job, scheduled_tasks

    (task,) = [t for t in scheduled_tasks(app_ctx) if t.name == "purge-search-log"]
    now = datetime.now(UTC)
    record_search(LOCHES, None, None, None, False, 1, now=now - timedelta(days=2 * 366))
    record_search(LOCHES, None, None, None, False, 1, now=now - timedelta(days=700))
    run_job(app_ctx, task.func_path)
    db.session.remove()
    assert len(db.session.scalars(sa.select(SearchLog.id)).all()) == 1


def test_a_city_counts_its_arrondissements(host):
    place(host, POOL, insee="75104")  # Paris 4e
    place(host, POOL, insee="75056")  # Paris, as a bare name resolves
    inside = datetime(2027, 1, 5, 12, tzinfo=UTC)
    record_search(None, 48.8530, 2.3499, 5, False, 2, now=inside)  # a point: an arrondissement
    answer = services.observatory(["75056"], *WEEK)
    assert [row["insee_code"] for row in answer["communes"]] == ["75056"]
    (paris,) = answer["communes"]
    assert (paris["spaces"], paris["seat_hours_offered"], paris["searches"]) == (2, 320, 1)


def test_logging_a_search_leaves_sqlites_lock_timeout_as_it_was(app_ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite setting")
    with db.engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    record_search(LOCHES, None, None, None, False, 1)
    with db.engine.connect() as conn:  # the pool hands back the connection the log used
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == before == 15000
