"""The host's statistics pages over HTTP: who may see them, the period's bounds, figures equal
to the API's, the busiest hours, the CSV and the organisation's overview."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from spaces.accounts.services import find_user_by_email
from spaces.availability.hours import Window
from spaces.bookings import requesting
from spaces.db import transaction
from spaces.extensions import db
from spaces.listings.models import Space
from spaces.listings.views.stats import default_period
from spaces.organisations import services as organisations
from tests.factories import log_in, make_bookable, make_organisation, make_user

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MONDAY = date(2027, 1, 4)  # a week without public holiday, Paris in winter (UTC+1)
WEEK = "from=2027-01-04&to=2027-01-10"
NINE_TO_FIVE = [Window(day, 9 * 60, 17 * 60) for day in range(5)]
POOL = {"name": "Plateau", "capacity": 4, "prices": {"hour": 500, "day": 2000}}
ROOM = {"name": "Salle Loire", "kind": "meeting_room", "capacity": 8, "prices": {"hour": 2000}}
ENGLISH = {"Accept-Language": "en"}


def paris(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=1)


def book(user, unit_id, start, end, seats=1):
    with transaction():
        return requesting.request_booking(user, unit_id, start, end, seats, now=NOW).first


@pytest.fixture
def hosted(app_ctx):
    """A host organisation (Léa owns it, Tom is a plain member) with a pool and a room open
    weekdays 9:00-17:00; Camille booked the pool Monday 9:00-13:00 (2 seats) and Tuesday
    14:00-16:00 (1 seat); an outsider owns another organisation."""
    lea = make_user("lea@example.org", name="Léa Hôte", locale="en")
    make_user("tom@example.org", name="Tom Membre", locale="en")
    outsider = make_user("out@example.org", name="Olga Dehors", locale="en")
    camille = make_user("camille@example.org", name="Camille")
    space, (pool, room) = make_bookable(lea, POOL, ROOM, windows=NINE_TO_FIVE, name="La Forge")
    with transaction():
        organisation = db.session.get(Space, space.id).organisation
        organisations.add_member(db.session.merge(lea), organisation, "tom@example.org", "member")
    make_organisation(outsider, "Ailleurs")
    tuesday = MONDAY + timedelta(days=1)
    book(camille, pool.id, paris(MONDAY, 9), paris(MONDAY, 13), seats=2)
    book(camille, pool.id, paris(tuesday, 14), paris(tuesday, 16))
    return {"space": space.id, "organisation": space.organisation_id, "pool": pool.id}


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_members_see_the_statistics_and_others_do_not(app, client, hosted):
    url = f"/spaces/{hosted['space']}/stats?{WEEK}"
    assert client.get(url).status_code == 302  # to the log-in page
    log_in(client, "out@example.org")
    assert client.get(url).status_code == 404
    assert client.get(f"/organisations/{hosted['organisation']}/stats").status_code == 404
    client = app.test_client()
    log_in(client, "tom@example.org")  # a plain member reads the figures
    assert client.get(url, headers=ENGLISH).status_code == 200
    page = client.get(f"/organisations/{hosted['organisation']}", headers=ENGLISH)
    assert f"/organisations/{hosted['organisation']}/stats" in page.get_data(as_text=True)


def test_the_figures_are_the_apis(client, hosted):
    log_in(client, "lea@example.org")
    api = client.get(f"/api/v1/spaces/{hosted['space']}/stats?{WEEK}").get_json()
    pool = next(u for u in api["units"] if u["unit_id"] == hosted["pool"])
    # 4 seats × 8 h × 5 days = 160 offered; 2 × 4 h + 1 × 2 h = 10 booked.
    assert (pool["seat_hours_offered"], pool["seat_hours_booked"]) == (160, 10)
    assert pool["revenue"] > 0 and pool["bookings"] == 2
    response = client.get(f"/spaces/{hosted['space']}/stats?{WEEK}", headers=ENGLISH)
    assert response.status_code == 200
    html = _text(response)
    row = re.search(rf'data-unit-id="{hosted["pool"]}">(.*?)</tr>', html).group(1)
    cells = re.findall(r'data-testid="(\w+)">([^<]*)<', row)
    assert dict(cells) == {
        "occupancy": "6%",
        "bookings": "2",
        "cancellations": "0",
        "revenue": f"€{pool['revenue'] / 100:.2f}",
        "offered": "160",
        "booked": "10",
    }
    assert 'data-testid="occupancy-chart-' in html and "Week of January 4, 2027" in html
    # The busiest hours: Monday 9-12 have 2 seat-hours each, Tuesday 14-15 one each.
    heat = re.search(r'data-testid="heat-map-table">(.*?)</table>', html).group(1)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", heat)
    values = [[float(v) for v in re.findall(r'data-value="([\d.]+)"', r)] for r in rows]
    assert len(values) == 7 and all(len(r) == 24 for r in values)
    assert values[0][9:13] == [2, 2, 2, 2] and values[1][14:16] == [1, 1]
    assert sum(map(sum, values)) == 10
    assert values == api["busiest_hours"]
    assert "Legend:" in heat + html


def test_the_csv_link_downloads_the_apis_csv_with_the_session(client, hosted):
    log_in(client, "lea@example.org")
    html = client.get(f"/spaces/{hosted['space']}/stats?{WEEK}").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" download data-testid="stats-csv"', html).group(1)
    link = link.replace("&amp;", "&")
    assert "from=2027-01-04" in link and "to=2027-01-10" in link
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "unit_id",
        "name",
        "seat_hours_offered",
        "seat_hours_booked",
        "occupancy",
        "bookings",
        "cancellations",
        "revenue",
    ]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["Plateau"][2:6] == ["160.0", "10.0", "0.0625", "2"]
    assert int(by_name["Plateau"][7]) > 0
    assert by_name["Salle Loire"][2:] == ["40.0", "0.0", "0.0", "0", "0", "0"]


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-01-01&to=9999-02-01",
        "from=2027-02-01&to=2027-01-01",
        "from=2025-01-01&to=2026-12-31",
        "from=garbage",
        "to=2027-13-45",
    ],
)
def test_a_wrong_period_shows_the_form_with_its_error(client, hosted, query):
    log_in(client, "lea@example.org")
    for url in (
        f"/spaces/{hosted['space']}/stats",
        f"/organisations/{hosted['organisation']}/stats",
    ):
        response = client.get(f"{url}?{query}", headers=ENGLISH)
        assert response.status_code == 422
        assert 'data-testid="period-error"' in response.get_data(as_text=True)


def test_the_default_period_is_the_last_three_full_months(client, hosted):
    assert default_period(date(2027, 1, 15)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert default_period(date(2026, 3, 1)) == (date(2025, 12, 1), date(2026, 2, 28))
    log_in(client, "lea@example.org")
    response = client.get(f"/spaces/{hosted['space']}/stats", headers=ENGLISH)
    assert response.status_code == 200
    first, last = default_period(datetime.now(UTC).date())
    html = response.get_data(as_text=True)
    assert f'value="{first.isoformat()}"' in html
    year = default_period(datetime.now(UTC).date(), 12)
    assert default_period(date(2027, 1, 15), 12) == (date(2026, 1, 1), date(2026, 12, 31))
    quick = re.search(r'data-testid="quick-periods">(.*?)</nav>', html, re.S).group(1)
    assert f'from={year[0]}&amp;to={year[1]}">Last 12 months' in quick
    assert 'aria-current="true">Last 3 months' in quick  # the period shown


def test_the_organisation_overview_adds_up_each_space(client, hosted):
    lea = find_user_by_email("lea@example.org")
    organisation = db.session.get(Space, hosted["space"]).organisation
    quiet, _ = make_bookable(
        lea, POOL, windows=NINE_TO_FIVE, name="Annexe", organisation=organisation
    )
    log_in(client, "tom@example.org")
    response = client.get(f"/organisations/{hosted['organisation']}/stats?{WEEK}", headers=ENGLISH)
    assert response.status_code == 200
    html = _text(response)
    row = re.search(rf'data-space-id="{hosted["space"]}">(.*?)</tr>', html).group(1)
    api = client.get(f"/api/v1/spaces/{hosted['space']}/stats?{WEEK}").get_json()
    revenue = sum(u["revenue"] for u in api["units"])
    # Pool 10 of 160 and room 0 of 40 seat-hours: 10 / 200 = 5 %; the units' revenue added.
    assert f"/spaces/{hosted['space']}/stats?from=2027-01-04&amp;to=2027-01-10" in row
    cells = dict(re.findall(r'data-testid="(\w+)">([^<]*)<', row))
    assert (cells["occupancy"], cells["bookings"], cells["revenue"]) == (
        "5%",
        "2",
        f"€{revenue / 100:.2f}",
    )
    annexe = re.search(rf'data-space-id="{quiet.id}">(.*?)</tr>', html).group(1)
    cells = dict(re.findall(r'data-testid="(\w+)">([^<]*)<', annexe))
    assert (cells["occupancy"], cells["bookings"], cells["revenue"]) == ("0%", "0", "€0.00")
    assert 'data-testid="revenue-chart"' not in html  # a chart of two bars says little


HEAT = """{% from "macros/charts.html" import heat_map %}
{{ heat_map("Busy", ["Mon", "Tue"], ["9", "10", "11"], values, caption="Booked hours") }}"""


def test_the_heat_map_shades_cells_by_value_and_keeps_the_figures_as_text(app):
    from flask import render_template_string

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        html = render_template_string(HEAT, values=[[10, 5, 0], [1, None, 2.5]])
    cells = re.findall(r'<td class="heat-(\d)" data-value="([\d.]+)">(.*?)</td>', html)
    assert [(int(level), text) for level, _, text in cells] == [
        (5, "10"),  # the highest value: the darkest shade
        (3, "5"),  # half of it: ceil(2.5) = 3rd of 5 shades
        (0, '<span class="visually-hidden">0</span>'),  # zero: read "0", shown empty
        (1, "1"),
        (0, '<span class="visually-hidden">0</span>'),  # None counts as zero
        (2, "2.5"),
    ]
    assert "<caption>Booked hours</caption>" in html
    assert re.findall(r'<th scope="row"><abbr title="(\w+)">', html) == ["Mon", "Tue"]
    assert "Legend:" in html and "up to 10" in html and "up to 2" in html
