"""The Touraine demo data: it loads on both backends, twice without change, and shows what the
product is about (a place in each town, time-shared residence room, vacant premises, free desks)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from spaces import create_app, demo, demo_data
from spaces.accounts.models import User
from spaces.accounts.services import find_user_by_email
from spaces.availability.hours import Window
from spaces.availability.models import Closure, OpeningWindow
from spaces.availability.services import windows_of
from spaces.bookings.models import Booking
from spaces.calls.models import Application, Call
from spaces.extensions import db
from spaces.geo.geocoding import resolve_place
from spaces.listings.models import Photo, Space, Unit
from spaces.listings.search import SearchQuery, search
from spaces.listings.views.stats import default_period
from spaces.listings.vocabulary import SERVICES, SPACE_KINDS, UNIT_KINDS
from spaces.observatory import services as observatory
from spaces.observatory.models import SearchLog, TerritoryCommune
from spaces.observatory.territory import territory_codes
from spaces.organisations.models import Organisation
from tests.conftest import Outbox, app_config, empty_tables

PARIS = ZoneInfo("Europe/Paris")

TOWNS = [
    "Tours 37000",
    "Joué-lès-Tours 37300",
    "Saint-Pierre-des-Corps 37700",
    "Amboise 37400",
    "Bléré 37150",
    "Loches 37600",
    "Chinon 37500",
]
COUNTED = (
    User,
    Organisation,
    Space,
    Unit,
    OpeningWindow,
    Closure,
    Photo,
    Booking,
    Call,
    Application,
    SearchLog,
    TerritoryCommune,
)


@pytest.fixture(scope="module")
def demo_app(database, instance_dir, tmp_path_factory):
    """The app with the demo loaded once per module and backend (loading takes seconds).

    The tests below only read it, except the second load, which must change nothing and runs
    last. The tables are emptied when the module is done, as the ``app`` fixture does.
    """
    outbox_dir = tmp_path_factory.mktemp("demo-outbox")
    application = create_app(
        app_config(database.url, instance_dir, MAIL_OUTBOX_DIR=str(outbox_dir))
    )
    application.config["BACKEND"] = database.backend
    result = application.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo password" in result.output
    application.config["DEMO_SUMMARY"] = result.output
    yield application, outbox_dir
    with application.app_context():
        db.session.remove()
        empty_tables(db)
        db.engine.dispose()


@pytest.fixture
def runner(demo_app):
    return demo_app[0].test_cli_runner()


@pytest.fixture
def outbox(demo_app) -> Outbox:
    return Outbox(demo_app[1])


@pytest.fixture
def loaded(demo_app):
    """An app context on the loaded demo; whatever a test leaves in its session is rolled back."""
    with demo_app[0].app_context():
        db.session.rollback()  # see what the command committed
        yield
        db.session.rollback()


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in COUNTED
    }


def space_named(name: str) -> Space:
    return db.session.scalar(sa.select(Space).where(Space.name == name))


def test_the_demo_loads_published_places_with_units_and_hours(loaded):
    spaces = list(db.session.scalars(sa.select(Space)))
    assert len(spaces) == len(demo_data.SPACES)
    for space in spaces:
        assert space.status == "published", space.name
        assert len(space.units) >= 1 and windows_of(space), space.name
        assert space.insee_code and space.departement == "37" and space.timezone == "Europe/Paris"
    assert sum(len(space.units) >= 2 for space in spaces) >= len(spaces) - 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Closure)) >= 2
    assert {s.kind for s in spaces} >= {"coworking", "residence", "vacant_public"}
    assert any(s.capacity_cap_percent == 50 for s in spaces)
    assert any(s.closed_on_public_holidays for s in spaces)
    assert any("childcare" in s.services for s in spaces)
    modes = {u.booking_mode for s in spaces for u in s.units}
    assert modes == {"instant", "request"}


def test_every_place_has_one_or_two_generated_photos(loaded):
    for space in db.session.scalars(sa.select(Space)):
        assert 1 <= len(space.photos) <= 2, space.name
        assert all(p.width == 1200 and p.height == 800 and p.alt for p in space.photos)


def test_every_town_has_a_published_place_nearby(loaded):
    for town in TOWNS:
        place = resolve_place(town)
        hits = search(SearchQuery(place.latitude, place.longitude, radius_km=5))
        here = [hit for hit in hits if hit.space.commune == place.name]
        assert here, f"no published unit within 5 km of {town}"
        assert all(hit.space.status == "published" and hit.unit.active for hit in hits)
        # Near the town centre, but not all on the town hall.
        assert all(0.1 < hit.distance_km < 2 for hit in here), town


def test_the_residence_room_opens_on_weekday_mornings_and_afternoons_only(loaded):
    residence = db.session.scalar(sa.select(Space).where(Space.kind == "residence"))
    assert residence.organisation.kind == "landlord"
    expected = [
        Window(day, start, end) for day in range(5) for start, end in ((540, 720), (840, 1020))
    ]
    assert windows_of(residence) == expected


def test_vacant_municipal_premises_have_an_availability_window(loaded):
    vacant = list(db.session.scalars(sa.select(Space).where(Space.kind == "vacant_public")))
    assert {space.commune for space in vacant} >= {"Loches", "Chinon"}
    for space in vacant:
        assert space.organisation.kind == "municipality"
        assert space.available_from and space.available_until > space.available_from
        assert all(unit.booking_mode == "request" for unit in space.units)
    perception = space_named("Ancienne perception")
    today = date.today()
    assert perception.available_from > today and perception.available_from.day == 1
    assert perception.available_until.year == today.year + 4
    # The whole building and two offices in it (linked units).
    whole, *offices = perception.units
    assert [unit.kind for unit in perception.units] == ["whole_premises", "office", "office"]
    assert [office.part_of for office in offices] == [whole.id, whole.id]
    assert whole.part_of is None and whole.parts == offices


def test_the_library_desk_pool_is_free(loaded):
    library = db.session.scalar(
        sa.select(Space).where(Space.organisation.has(Organisation.name.like("Médiathèque%")))
    )
    assert {"library", "digital_help", "wifi"} <= set(library.services)
    pool = next(unit for unit in library.units if unit.kind == "desk_pool")
    assert pool.price_hour == 0
    assert {price for price in pool.prices.values() if price is not None} == {0}


def test_the_capacity_cap_halves_the_bookable_desks(loaded):
    capped = db.session.scalar(sa.select(Space).where(Space.capacity_cap_percent == 50))
    pool = next(unit for unit in capped.units if unit.is_pool)
    assert pool.effective_capacity == pool.capacity // 2


def test_demo_data_uses_the_vocabularies_and_plausible_prices():
    owners = {name for name, _, _ in demo_data.ORGANISATIONS}
    for spec in demo_data.SPACES:
        assert spec["organisation"] in owners
        assert spec["kind"] in SPACE_KINDS and set(spec["services"]) <= set(SERVICES)
        assert max(abs(metres) for metres in spec["offset_m"]) <= 800
        assert demo.opening_windows(spec["hours"]), spec["name"]
        for unit in spec["units"]:
            assert unit["kind"] in UNIT_KINDS
            assert set(unit["prices"]) == {"hour", "half_day", "day", "month"}
            hour = unit["prices"]["hour"]
            if unit["kind"] == "desk_pool" and hour:
                assert 300 <= hour <= 500, unit["name"]
            if unit["kind"] == "meeting_room" and hour:
                assert 2000 <= hour <= 4000, unit["name"]


def test_relative_dates_and_yearly_periods():
    today = date(2027, 12, 28)
    assert demo.relative_date(("month_start", 1), today) == date(2028, 1, 1)
    assert demo.relative_date(("years", 4), today) == date(2031, 12, 28)
    assert demo.relative_date(("years", 1), date(2028, 2, 29)) == date(2029, 2, 28)
    assert demo.relative_date(("on", 8, 31, 2), today) == date(2029, 8, 31)
    assert demo.next_yearly_period((12, 24), (1, 2), today) == (
        date(2027, 12, 24),
        date(2028, 1, 2),
    )
    assert demo.next_yearly_period((12, 24), (1, 2), date(2028, 1, 2)) == (
        date(2028, 12, 24),
        date(2029, 1, 2),
    )
    assert demo.next_yearly_period((8, 1), (8, 16), today) == (date(2028, 8, 1), date(2028, 8, 16))


def test_the_coming_weeks_are_partly_booked(loaded, outbox):
    from datetime import UTC, datetime

    from spaces.availability.engine import Occupation, peak_taken

    bookings = db.session.scalars(sa.select(Booking)).all()
    assert len(bookings) > 100
    now = datetime.now(UTC)
    # In the past: the employer's desk days (last month and this month), and the observatory's
    # months of bookings by the teleworkers of PAST_DESKS and PAST_ROOMS.
    past_bookers = {
        find_user_by_email(email).id
        for _, _, emails, *_ in demo_data.PAST_DESKS + demo_data.PAST_ROOMS
        for email in emails
    }
    first, _ = default_period(date.today())
    for b in bookings:
        if b.sponsor_organisation_id is None and b.start_at <= now:
            assert b.user_id in past_bookers and b.start_at.astimezone(PARIS).date() >= first
    assert any(b.series_id for b in bookings)  # Camille's Tuesdays and Thursdays
    assert any(b.status == "requested" for b in bookings)  # a request for a host to answer
    for unit in db.session.scalars(sa.select(Unit)).all():
        mine = [b for b in bookings if b.unit_id == unit.id and b.is_live(now)]
        occupations = [Occupation(b.start_at, b.end_at, b.seats) for b in mine]
        for b in mine:  # never overbooked, and not full everywhere either
            assert peak_taken(occupations, b.start_at, b.end_at) <= unit.effective_capacity
    assert len(outbox) == 0  # loading the demo sends no e-mail


def test_touraine_logistique_pays_desk_days_within_its_budgets_and_one_is_refused(loaded, demo_app):
    from spaces.employers import budget
    from spaces.employers.services import get_sponsorship

    employer = db.session.scalar(
        sa.select(Organisation).where(Organisation.name == demo_data.EMPLOYER)
    )
    roles = {m.user.email: m.role for m in employer.memberships}
    assert len(roles) == 6 and roles["claire.fontaine@touraine-logistique.example.org"] == "manager"
    sponsorship = get_sponsorship(employer)
    assert sponsorship.monthly_budget_per_member == 10_000
    assert {resolve_place(q).insee for q in demo_data.SPONSORSHIP["allowed_communes"]} == set(
        sponsorship.allowed_communes
    )
    paid = db.session.scalars(
        sa.select(Booking).where(Booking.sponsor_organisation_id == employer.id)
    ).all()
    today = date.today()
    this_month = f"{today:%Y-%m}"
    last = today.replace(day=1) - timedelta(days=1)
    months = {b.start_at.astimezone(PARIS).strftime("%Y-%m") for b in paid}
    assert months == {this_month, f"{last:%Y-%m}"}
    assert all(b.status == "confirmed" for b in paid)
    for month in months:
        for email in roles:
            figures = budget.remaining(employer, find_user_by_email(email), month)
            assert figures["member_spent"] <= 10_000 and figures["total_spent"] <= 40_000
    samir = find_user_by_email(demo_data.REFUSED_FOR_BUDGET)
    assert budget.remaining(employer, samir, this_month)["member_remaining"] == 1200
    summary = demo_app[0].config["DEMO_SUMMARY"]
    assert "Refused for budget: Samir Benali" in summary and "12,00" in summary


def test_an_open_call_on_the_chinon_school_wing_has_two_applications(loaded):
    (call,) = db.session.scalars(sa.select(Call)).unique().all()
    assert call.unit.space.commune == "Chinon" and call.unit.space.kind == "vacant_public"
    assert call.unit.price_month is not None
    assert call.effective_status(datetime_now()) == "open"
    assert [a.status for a in call.applications] == ["submitted", "submitted"]
    assert len({a.applicant_id for a in call.applications}) == 2


def datetime_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_second_load_changes_nothing(runner, loaded):
    before = counts()
    assert before["Space"] and before["Unit"] and before["OpeningWindow"] and before["Closure"]
    versions = dict(db.session.execute(sa.select(Unit.id, Unit.availability_version)).all())
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert "(0 objects created)" in again.output
    db.session.rollback()
    assert counts() == before
    assert dict(db.session.execute(sa.select(Unit.id, Unit.availability_version)).all()) == versions


def test_the_observatory_of_loches_tells_a_story(loaded):
    """Ville de Loches watches Loches and its neighbours; over the last three full months its
    figures are not zero, Le Logis fills up month after month, residents are counted, and
    Perrusson (no place) and Sainte-Maure-de-Touraine are searched without result."""
    town = db.session.scalar(
        sa.select(Organisation).where(Organisation.name == demo_data.OBSERVATORY_TOWN)
    )
    assert town.kind == "municipality"
    codes = territory_codes(town)
    loches, beaulieu, perrusson = "37132", "37020", "37183"
    assert {loches, beaulieu, perrusson} <= set(codes) and len(codes) == 8
    first, last = default_period(date.today())
    answer = observatory.observatory(codes, first, last)
    rows = {row["insee_code"]: row for row in answer["communes"]}
    row = rows[loches]
    assert row["spaces"] == 2 and row["vacant_premises"] == 1
    assert row["seat_hours_booked"] > 0 and row["bookings"] > 20 and row["revenue"] > 0
    assert 0 < row["occupancy"] < 1 and row["searches"] > 0
    assert row["residents_booking"] >= 3  # Lucie, Karim, Yann and Élodie live in Loches
    assert rows[beaulieu]["residents_booking"] is None  # one resident: withheld
    assert rows[perrusson]["spaces"] == 0
    assert rows[perrusson]["searches"] == rows[perrusson]["searches_without_result"] > 0
    booked = [month["seat_hours_booked"] for month in answer["months"]]
    assert len(booked) == 3 and booked == sorted(booked) and booked[0] > 0
    sainte_maure = observatory.observatory(["37226"], first, last)["communes"][0]
    assert sainte_maure["name"] == "Sainte-Maure-de-Touraine"
    assert sainte_maure["searches_without_result"] > 0
    logged = db.session.scalar(sa.select(sa.func.count()).select_from(SearchLog))
    assert 200 <= logged <= 1500  # a few hundred searches


def test_hosts_see_their_statistics_in_the_demo(loaded):
    """Le Logis' desks over the last three full months: bookings, a few cancellations, revenue
    and busy weekday hours (never at night or on Sunday)."""
    first, last = default_period(date.today())
    stats = observatory.space_stats(space_named("Le Logis — tiers-lieu du Lochois"), first, last)
    desks = next(u for u in stats["units"] if u["name"] == "Postes partagés")
    assert desks["bookings"] > 20 and desks["cancellations"] > 0 and desks["revenue"] > 0
    assert 0 < desks["occupancy"] < 1
    heat = stats["busiest_hours"]
    assert sum(map(sum, heat[:5])) > 0 and sum(heat[6]) == 0 and sum(r[3] for r in heat) == 0
