"""The observatory's pages over HTTP: who sees a municipality's observatory, the period picker's
bounds, the CSV against the API's figures, the territory picker, the administrators' view, the
open data page and a person's home commune."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from spaces.accounts.models import User
from spaces.availability.hours import Window
from spaces.db import transaction
from spaces.extensions import db
from spaces.listings.models import Space
from spaces.observatory import territory
from spaces.observatory.models import SearchLog
from spaces.organisations import services as organisations
from spaces.organisations.models import Organisation
from tests.factories import (
    api_token,
    bearer,
    log_in,
    make_bookable,
    make_organisation,
    make_user,
    post_form,
)

LOCHES, BEAULIEU, SAINTE_MAURE = "37132", "37020", "37226"
NINE_TO_FIVE = [Window(day, 9 * 60, 17 * 60) for day in range(5)]
WEEK = "from=2027-01-04&to=2027-01-10"
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def town(app_ctx):
    """Ville de Loches (the mayor owns it, an officer is a plain member; its territory is Loches
    and Sainte-Maure-de-Touraine), a 4-seat place in Loches open 9–17 on weekdays, two searches
    near Sainte-Maure that found nothing, an outsider and an administrator."""
    mayor = make_user("maire@example.org", locale="en")
    officer = make_user("agent@example.org", locale="en")
    make_user("outsider@example.org", locale="en")
    make_user("admin@example.org", locale="en", is_admin=True)
    host = make_user("host@example.org")
    town = make_organisation(mayor, "Ville de Loches", kind="municipality")
    with transaction():
        organisations.add_member(mayor, town, officer.email, "member")
        territory.set_territory(db.session.get(Organisation, town.id), [LOCHES, SAINTE_MAURE])
    space, _ = make_bookable(host, {"name": "Plateau", "capacity": 4}, windows=NINE_TO_FIVE)
    with transaction():
        db.session.get(Space, space.id).insee_code = LOCHES
        for day in (5, 6):
            db.session.add(
                SearchLog(
                    searched_at=datetime(2027, 1, day, 10, tzinfo=UTC),
                    insee_code=SAINTE_MAURE,
                    radius_km=10,
                    results=0,
                )
            )
    return {"town": town.id, "mayor": mayor, "space": space.id}


def _page(client, town, query=WEEK):
    return client.get(f"/organisations/{town['town']}/observatory?{query}", headers=ENGLISH)


def test_members_see_the_observatory_and_others_do_not(client, town):
    assert _page(client, town).status_code == 302  # to the log-in page
    log_in(client, "agent@example.org")
    response = _page(client, town)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="observatory-table"' in html and 'data-testid="months-chart"' in html
    assert "Sainte-Maure-de-Touraine" in html and 'class="unmet-row"' in html
    assert ">160<" in html  # Loches: 4 seats × 8 h × 5 days
    assert 'data-testid="territory-link"' not in html  # a plain member does not pick communes
    # The menu leads there (the one municipality of the officer).
    assert 'data-testid="observatory-link"' in html
    assert (
        client.get("/observatory")
        .headers["Location"]
        .endswith(f"/organisations/{town['town']}/observatory")
    )
    assert client.get(f"/organisations/{town['town']}/territory").status_code == 403
    client = client.application.test_client()
    log_in(client, "outsider@example.org")
    assert _page(client, town).status_code == 404
    assert client.get(f"/organisations/{town['town']}/observatory.csv?{WEEK}").status_code == 404
    assert client.get("/admin/observatory").status_code == 403
    assert client.get("/observatory").status_code == 404


def test_the_default_period_is_the_last_three_full_months(client, town):
    log_in(client, "agent@example.org")
    html = _page(client, town, "").get_data(as_text=True)
    today = datetime.now(UTC).date()
    index = today.year * 12 + today.month - 1 - 3
    first = f"{index // 12:04d}-{index % 12 + 1:02d}-01"
    assert f'value="{first}"' in html
    assert html.count('class="chart-group"') == 3  # three months in the chart


@pytest.mark.parametrize(
    "query",
    [
        "from=2027-01-10&to=2027-01-04",
        "from=9999-01-01&to=9999-01-31",
        "from=2026-01-01&to=2027-01-10",
        "from=yesterday&to=2027-01-04",
    ],
)
def test_a_bad_period_is_a_form_error(client, town, query):
    log_in(client, "agent@example.org")
    response = _page(client, town, query)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="form-errors"' in html and 'class="field-error"' in html
    assert 'data-testid="observatory-table"' not in html
    assert client.get(f"/organisations/{town['town']}/observatory.csv?{query}").status_code == 422


def test_the_csv_has_the_apis_figures(client, town):
    log_in(client, "agent@example.org")
    response = client.get(f"/organisations/{town['town']}/observatory.csv?{WEEK}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    token = bearer(api_token(db.session.get(User, town["mayor"].id)))
    answer = client.get(f"/api/v1/organisations/{town['town']}/observatory?{WEEK}", headers=token)
    answer = answer.get_json()
    header = rows[0]
    assert header[:3] == ["insee_code", "name", "spaces"] and "occupancy" in header
    expected = [
        ["" if row[k] is None else str(row[k]) for k in header] for row in answer["communes"]
    ]
    assert rows[1:] == expected
    assert [r[0] for r in rows[1:]] == [LOCHES, SAINTE_MAURE]
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert by_code[LOCHES]["seat_hours_offered"] == "160.0"
    assert by_code[SAINTE_MAURE]["searches_without_result"] == "2"
    assert by_code[SAINTE_MAURE]["occupancy"] == ""  # nothing offered: no occupancy


def test_the_mayor_adds_and_removes_communes(client, town):
    log_in(client, "maire@example.org")
    url = f"/organisations/{town['town']}/territory"
    page = client.get(url + "?commune_query=Beaulieu-l", headers=ENGLISH).get_data(as_text=True)
    assert 'value="37020"' in page  # found, with an "Add" button
    response = post_form(client, url, {"action": "add", "insee": BEAULIEU})
    assert response.status_code == 302
    assert _codes(town) == [BEAULIEU, LOCHES, SAINTE_MAURE]
    post_form(client, url, {"action": "remove", "insee": SAINTE_MAURE})
    assert _codes(town) == [BEAULIEU, LOCHES]
    refused = post_form(client, url, {"action": "add", "insee": "99999"})
    assert refused.status_code == 422 and "99999" in refused.get_data(as_text=True)
    too_far = post_form(client, url, {"action": "near", "near": "Loches", "radius_km": "900"})
    assert too_far.status_code == 422
    around = post_form(client, url, {"action": "near", "near": "Loches", "radius_km": "5"})
    assert around.status_code == 302
    codes = set(_codes(town))
    assert {BEAULIEU, LOCHES} <= codes and SAINTE_MAURE not in codes
    forged = client.post(url, data={"action": "remove", "insee": LOCHES})  # no CSRF token
    assert forged.status_code == 400 and LOCHES in _codes(town)
    nearest = client.get(url + "/communes?lat=47.1286&lon=0.9953").get_json()
    assert nearest["items"][0]["insee"] == LOCHES


def _codes(town) -> list[str]:
    db.session.rollback()  # a fresh read: the pages committed in their own sessions
    return territory.territory_codes(db.session.get(Organisation, town["town"]))


def test_administrators_see_the_whole_platform(client, town):
    log_in(client, "admin@example.org")
    response = client.get(f"/admin/observatory?{WEEK}", headers=ENGLISH)
    assert response.status_code == 200
    assert "Loches" in response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/observatory.csv?{WEEK}").text)))
    assert LOCHES in [r[0] for r in rows[1:]]


def test_the_open_data_page_explains_the_public_columns(client, town):
    html = client.get("/open-data", headers=ENGLISH).get_data(as_text=True)
    assert "/api/v1/observatory/communes.csv" in html
    assert "/api/v1/spaces.geojson" in html and "/api/v1/spaces.csv" in html
    for column in ("insee_code", "seat_hours_offered", "searches_without_result"):
        assert f"<code>{column}</code>" in html
    assert "<code>occupancy</code>" not in html and "Licence" in html
    assert 'href="/open-data"' in client.get("/", headers=ENGLISH).get_data(as_text=True)


def test_a_person_sets_and_removes_a_home_commune(client, town):
    log_in(client, "agent@example.org")
    assert 'data-testid="home-commune"' in client.get("/account").get_data(as_text=True)
    # A postal code of several communes: a choice among them, nothing saved yet.
    several = post_form(client, "/account/home-commune", {"home_query": "37600"}, page="/account")
    assert several.status_code == 200 and f'value="{LOCHES}"' in several.text
    assert f'value="{BEAULIEU}"' in several.text
    response = post_form(client, "/account/home-commune", {"home_commune": LOCHES}, page="/account")
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(User, _id("agent@example.org")).home_commune == LOCHES
    assert "Loches" in client.get("/account", headers=ENGLISH).get_data(as_text=True)
    unknown = post_form(client, "/account/home-commune", {"home_query": "Zzzyzx"}, page="/account")
    assert unknown.status_code == 422
    removed = post_form(client, "/account/home-commune", {"action": "remove"}, page="/account")
    assert removed.status_code == 302
    db.session.rollback()
    assert db.session.get(User, _id("agent@example.org")).home_commune is None


def _id(email: str) -> int:
    from spaces.accounts.services import find_user_by_email

    return find_user_by_email(email).id
