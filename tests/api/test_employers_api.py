"""Employers paying for their staff's bookings, over the API (shared/API.md "Employers"):
settings, budgets and policies checked in the booking, visibility, statements, a host's dues."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from spaces.db import transaction, utcnow
from spaces.extensions import db
from spaces.listings.models import Space
from spaces.organisations import services as organisations
from tests.factories import api_token, bearer, log_in, make_organisation, make_unit, make_user

PARIS = ZoneInfo("Europe/Paris")
HOUR = 400  # the world's desk pool: 4 € an hour, 15 € a half-day, 25 € a day


def _month_after(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def _mondays(first: date) -> list[date]:
    """The Mondays of ``first``'s month."""
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    found = []
    while day.month == first.month:
        found.append(day)
        day += timedelta(days=7)
    return found


@pytest.fixture
def emp(world):
    """The world plus an employer, Touraine Logistique: Hélène owns it, Camille (the world's
    booker) and Sam are members; months A and B are next month and the one after."""
    hr = make_user("rh@example.org", name="Hélène RH")
    sam = make_user("sam@example.org", name="Sam Durand")
    employer = make_organisation(hr, "Touraine Logistique", kind="employer")
    with transaction():
        employer = db.session.merge(employer)
        hr_user = db.session.merge(hr)
        for email in ("camille@example.org", "sam@example.org"):
            organisations.add_member(hr_user, employer, email, "member")
    with transaction():
        db.session.get(Space, world["space"].id).insee_code = "37261"  # Tours
    month_a = _month_after(utcnow().astimezone(PARIS).date().replace(day=1))
    return {
        **world,
        "employer": employer.id,
        "hr": bearer(api_token(hr)),
        "sam": bearer(api_token(sam)),
        "A": month_a,
        "B": _month_after(month_a),
    }


def _put(client, emp, who="hr", **settings):
    return client.put(
        f"/api/v1/organisations/{emp['employer']}/sponsorship", json=settings, headers=emp[who]
    )


def _book(client, emp, day: date, hours=2, who="b", sponsored=True, unit="pool", start=10, **extra):
    payload = {
        "unit_id": emp[unit],
        "start": f"{day}T{start:02d}:00:00",
        "end": f"{day}T{start + hours:02d}:00:00",
        **extra,
    }
    if sponsored:
        payload["sponsor_organisation_id"] = emp["employer"]
    return client.post("/api/v1/bookings", json=payload, headers=emp[who])


def _error(response, status, code):
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code, error
    return error


def _budget(client, emp, month: date, who="b"):
    response = client.get(
        f"/api/v1/organisations/{emp['employer']}/budget",
        query_string={"month": month.strftime("%Y-%m")},
        headers=emp[who],
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# --- settings ------------------------------------------------------------------------------


def test_owners_set_the_sponsorship_members_and_others_cannot(client, emp):
    url = f"/api/v1/organisations/{emp['employer']}/sponsorship"
    empty = client.get(url, headers=emp["hr"]).get_json()
    assert empty["monthly_budget_per_member"] is None and empty["allowed_kinds"] is None
    response = _put(
        client,
        emp,
        monthly_budget_per_member=5000,
        monthly_budget_total=20000,
        allowed_kinds=["coworking", "vacant_public"],
        allowed_communes=["37003", "37261"],
    )
    assert response.status_code == 200, response.get_json()
    got = client.get(url, headers=emp["hr"]).get_json()
    assert got["monthly_budget_per_member"] == 5000 and got["monthly_budget_total"] == 20000
    assert got["allowed_kinds"] == ["coworking", "vacant_public"]
    assert got["allowed_communes"] == ["37003", "37261"]
    assert got["currency"] == "EUR"
    # null lifts a limit (PUT replaces the whole settings)
    assert _put(client, emp, monthly_budget_per_member=None).get_json()["allowed_kinds"] is None

    assert _put(client, emp, who="b", monthly_budget_total=1).status_code == 403
    assert client.get(url, headers=emp["b"]).status_code == 403
    assert client.get(url, headers=emp["h"]).status_code == 404  # not a member
    assert (
        client.get(
            f"/api/v1/organisations/{emp['organisation']}/sponsorship", headers=emp["h"]
        ).status_code
        == 422
    )  # the host is a coworking


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"allowed_communes": ["99999"]}, "allowed_communes"),
        ({"allowed_kinds": ["castle"]}, "allowed_kinds"),
        ({"monthly_budget_per_member": -1}, "monthly_budget_per_member"),
        ({"monthly_budget_total": "lots"}, "monthly_budget_total"),
        ({"allowed_communes": "37261"}, "allowed_communes"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(client, emp, settings, field):
    _put(client, emp, monthly_budget_per_member=1000)
    error = _error(_put(client, emp, **settings), 422, "invalid")
    assert field in error["fields"]
    url = f"/api/v1/organisations/{emp['employer']}/sponsorship"
    assert client.get(url, headers=emp["hr"]).get_json()["monthly_budget_per_member"] == 1000


# --- the check in the booking ----------------------------------------------------------------


def test_a_booking_within_budget_is_paid_and_the_member_sees_what_remains(client, emp):
    _put(client, emp, monthly_budget_per_member=2000)
    day = _mondays(emp["A"])[0]
    response = _book(client, emp, day)
    assert response.status_code == 201, response.get_json()
    booking = response.get_json()
    assert booking["price"]["amount"] == 2 * HOUR
    assert booking["sponsor"] == {"id": emp["employer"], "name": "Touraine Logistique"}
    budget = _budget(client, emp, emp["A"])
    assert (budget["member_budget"], budget["member_spent"], budget["member_remaining"]) == (
        2000,
        800,
        1200,
    )
    assert budget["total_budget"] is None and budget["total_remaining"] is None
    assert _budget(client, emp, emp["B"])["member_spent"] == 0  # another month
    # an unsponsored booking costs the employer nothing
    assert _book(client, emp, _mondays(emp["A"])[1], sponsored=False).status_code == 201
    assert _budget(client, emp, emp["A"])["member_spent"] == 800


def test_over_the_member_budget_is_a_409_saying_what_remains(client, emp):
    _put(client, emp, monthly_budget_per_member=1000)
    first, second = _mondays(emp["A"])[:2]
    assert _book(client, emp, first).status_code == 201
    error = _error(_book(client, emp, second), 409, "over_budget")
    assert error["remaining"] == 200 and error["month"] == emp["A"].strftime("%Y-%m")
    month = format_date(emp["A"], "LLLL y", locale="fr")  # e.g. "décembre 2026"
    assert error["message"] == (
        f"Il reste 2,00\u00a0€ sur votre budget du mois ({month}, Touraine Logistique) ;"
        " cette réservation coûte 8,00\u00a0€."
    )
    # nothing was written: the member's month still shows one booking
    assert _budget(client, emp, emp["A"])["member_spent"] == 800
    # one hour (4 €) is more than the 2 € left as well; the next month is untouched
    _error(_book(client, emp, second, hours=1), 409, "over_budget")
    assert _book(client, emp, _mondays(emp["B"])[0]).status_code == 201
    # another member has their own budget
    assert _book(client, emp, second, who="sam").status_code == 201


def test_the_total_budget_is_shared_by_the_members(client, emp):
    _put(client, emp, monthly_budget_total=1500)
    first, second = _mondays(emp["A"])[:2]
    assert _book(client, emp, first).status_code == 201  # Camille: 8 €
    error = _error(_book(client, emp, second, who="sam"), 409, "over_budget")  # Sam: 8 € > 7 €
    assert error["remaining"] == 700
    assert "Touraine Logistique" in error["message"]
    assert _book(client, emp, second, who="sam", hours=1).status_code == 201  # 4 € fits
    budget = _budget(client, emp, emp["A"], who="sam")
    assert (budget["total_spent"], budget["total_remaining"], budget["member_spent"]) == (
        1200,
        300,
        400,
    )


def test_policy_by_kind(client, emp):
    _put(client, emp, allowed_kinds=["vacant_public"])
    day = _mondays(emp["A"])[0]
    error = _error(_book(client, emp, day), 409, "sponsor_policy")
    assert "Touraine Logistique" in error["message"]
    assert _book(client, emp, day, sponsored=False).status_code == 201  # on their own: fine
    _put(client, emp, allowed_kinds=["coworking", "vacant_public"])
    assert _book(client, emp, _mondays(emp["A"])[1]).status_code == 201


def test_policy_by_commune(client, emp):
    _put(client, emp, allowed_communes=["37003", "37072"])  # Amboise, Chinon
    day = _mondays(emp["A"])[0]
    _error(_book(client, emp, day), 409, "sponsor_policy")
    _put(client, emp, allowed_communes=["37003", "37261"])  # Amboise, Tours
    assert _book(client, emp, day).status_code == 201


def test_only_members_of_an_employer_name_it_as_sponsor(client, emp):
    day = _mondays(emp["A"])[0]
    outsider = bearer(api_token(make_user("x@example.org")))
    _error(_book(client, {**emp, "x": outsider}, day, who="x"), 404, "not_found")
    payload = {"sponsor_organisation_id": 99999999999999999999}
    response = _book(client, emp, day, sponsored=False, **payload)
    assert response.status_code == 404
    # the host is a member of a coworking, not an employer
    response = _book(
        client, emp, day, sponsored=False, who="h", sponsor_organisation_id=emp["organisation"]
    )
    _error(response, 422, "invalid")


def test_a_series_counts_each_date_in_its_own_month(client, emp):
    _put(client, emp, monthly_budget_per_member=1600)  # two 8 € mornings a month
    last_a, first_b = _mondays(emp["A"])[-3:], _mondays(emp["B"])[:2]
    payload = {"repeat": {"weekdays": [0], "until": str(first_b[-1])}}
    error = _error(_book(client, emp, last_a[0], **payload), 409, "over_budget")
    assert [c["date"] for c in error["conflicts"]] == [str(last_a[2])]
    assert {c["reason"] for c in error["conflicts"]} == {"over_budget"}
    assert _budget(client, emp, emp["A"])["member_spent"] == 0  # all or nothing

    response = _book(client, emp, last_a[0], skip_conflicts=True, **payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["skipped"] == [{"date": str(last_a[2]), "reason": "over_budget"}]
    booked = [o["start"][:10] for o in body["occurrences"]]
    assert booked == [str(d) for d in (last_a[0], last_a[1], *first_b)]
    assert _budget(client, emp, emp["A"])["member_spent"] == 1600
    assert _budget(client, emp, emp["B"])["member_spent"] == 1600


def test_cancelling_frees_the_budget_at_once(client, emp):
    _put(client, emp, monthly_budget_per_member=800)
    first, second = _mondays(emp["A"])[:2]
    booking = _book(client, emp, first).get_json()
    _error(_book(client, emp, second), 409, "over_budget")
    response = client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=emp["b"])
    assert response.status_code == 200
    assert _budget(client, emp, emp["A"])["member_remaining"] == 800
    assert _book(client, emp, second).status_code == 201


def test_a_move_is_checked_against_the_budget_without_its_old_amount(client, emp):
    _put(client, emp, monthly_budget_per_member=1600)
    first, second = _mondays(emp["A"])[:2]
    two_hours = _book(client, emp, first).get_json()  # 8 €
    one_hour = _book(client, emp, second, hours=1).get_json()  # 4 €: 12 € spent
    url = f"/api/v1/bookings/{one_hour['id']}"
    # 4 € → 12 €: 8 + 12 = 20 € > 16 €
    response = client.patch(
        url, json={"start": f"{second}T10:00:00", "end": f"{second}T13:00:00"}, headers=emp["b"]
    )
    _error(response, 409, "over_budget")
    assert client.get(url, headers=emp["b"]).get_json()["price"]["amount"] == HOUR
    # 8 € → 12 €: its own 8 € no longer count, 12 + 4 = 16 € fits exactly
    response = client.patch(
        f"/api/v1/bookings/{two_hours['id']}",
        json={"start": f"{first}T10:00:00", "end": f"{first}T13:00:00"},
        headers=emp["b"],
    )
    assert response.status_code == 200, response.get_json()
    assert _budget(client, emp, emp["A"])["member_remaining"] == 0
    # moved into the next month, it counts there
    response = client.patch(
        url,
        json={
            "start": f"{_mondays(emp['B'])[0]}T10:00:00",
            "end": f"{_mondays(emp['B'])[0]}T11:00:00",
        },
        headers=emp["b"],
    )
    assert response.status_code == 200, response.get_json()
    assert _budget(client, emp, emp["A"])["member_spent"] == 1200
    assert _budget(client, emp, emp["B"])["member_spent"] == HOUR


def test_a_term_counts_in_the_month_it_starts(client, emp):
    monthly = make_unit(emp["host"], emp["space"], prices={"day": 2500, "month": 19000})
    _put(client, emp, monthly_budget_per_member=19000)
    first = emp["A"]
    payload = {
        "unit_id": monthly.id,
        "start_date": str(first + timedelta(days=2)),
        "end_date": str(first + timedelta(days=31)),  # 30 days: one month rate
        "sponsor_organisation_id": emp["employer"],
    }
    response = client.post("/api/v1/bookings", json=payload, headers=emp["b"])
    assert response.status_code == 201, response.get_json()
    assert _budget(client, emp, emp["A"])["member_remaining"] == 0
    payload["start_date"] = payload["end_date"] = str(_mondays(emp["A"])[-1])
    _error(client.post("/api/v1/bookings", json=payload, headers=emp["b"]), 409, "over_budget")


# --- who sees what ---------------------------------------------------------------------------


def test_the_employer_sees_the_bookings_it_pays_for_and_no_other(client, emp):
    first, second = _mondays(emp["A"])[:2]
    paid = _book(client, emp, first).get_json()
    private = _book(client, emp, second, sponsored=False).get_json()
    seen = client.get(f"/api/v1/bookings/{paid['id']}", headers=emp["hr"])
    assert seen.status_code == 200
    assert seen.get_json()["booker"] == {
        "id": seen.get_json()["booker"]["id"],
        "name": "Camille Martin",
        "email": "camille@example.org",
    }
    assert client.get(f"/api/v1/bookings/{private['id']}", headers=emp["hr"]).status_code == 404
    listed = client.get(
        "/api/v1/bookings",
        query_string={"sponsor_organisation_id": emp["employer"]},
        headers=emp["hr"],
    ).get_json()
    assert [b["id"] for b in listed["items"]] == [paid["id"]] and listed["total"] == 1
    assert listed["items"][0]["booker"]["email"] == "camille@example.org"
    # the employer cannot act on it
    response = client.post(f"/api/v1/bookings/{paid['id']}/cancel", json={}, headers=emp["hr"])
    assert response.status_code == 403
    # a plain member sees neither the list nor a colleague's booking
    query = {"sponsor_organisation_id": emp["employer"]}
    assert client.get("/api/v1/bookings", query_string=query, headers=emp["sam"]).status_code == 403
    assert client.get(f"/api/v1/bookings/{paid['id']}", headers=emp["sam"]).status_code == 404
    # nor does anyone outside it
    assert client.get("/api/v1/bookings", query_string=query, headers=emp["h"]).status_code == 404
    # the host sees who pays
    assert (
        client.get(f"/api/v1/bookings/{paid['id']}", headers=emp["h"]).get_json()["sponsor"]["name"]
        == "Touraine Logistique"
    )


# --- statements ------------------------------------------------------------------------------


def _statement_world(client, emp):
    """Camille: 8 € and 12 € confirmed; Sam: 4 € confirmed, a cancelled 8 €, a requested room
    (25 €, not confirmed); an unsponsored booking. Statement total 24 €."""
    mondays = _mondays(emp["A"])
    a = _book(client, emp, mondays[0]).get_json()
    b = _book(client, emp, mondays[1], hours=3).get_json()
    c = _book(client, emp, mondays[0], who="sam", hours=1, start=14).get_json()
    cancelled = _book(client, emp, mondays[1], who="sam", start=14).get_json()
    client.post(f"/api/v1/bookings/{cancelled['id']}/cancel", json={}, headers=emp["sam"])
    requested = _book(client, emp, mondays[2], who="sam", unit="room", hours=1)
    assert requested.get_json()["status"] == "requested"
    _book(client, emp, mondays[2], sponsored=False)
    _book(client, emp, _mondays(emp["B"])[0])  # next month's
    return a, b, c


def test_the_statement_lists_confirmed_sponsored_bookings_with_totals(client, emp):
    _put(client, emp, monthly_budget_per_member=5000)
    a, b, c = _statement_world(client, emp)
    month = emp["A"].strftime("%Y-%m")
    url = f"/api/v1/organisations/{emp['employer']}/statements/{month}"
    response = client.get(url, headers=emp["hr"])
    assert response.status_code == 200, response.get_json()
    st = response.get_json()
    assert (st["organisation_id"], st["month"], st["currency"]) == (emp["employer"], month, "EUR")
    assert [line["booking_id"] for line in st["lines"]] == [a["id"], c["id"], b["id"]]
    assert [line["amount"] for line in st["lines"]] == [800, 400, 1200]
    assert st["total"] == 2400
    line = st["lines"][0]
    assert line["member"] == {
        "id": line["member"]["id"],
        "name": "Camille Martin",
        "email": "camille@example.org",
    }
    assert line["space"] == {"id": emp["space"].id, "name": "La Cantine", "commune": "Tours"}
    assert line["unit"]["name"] == "Open space" and line["seats"] == 1
    assert line["start"] == a["start"] and line["start"].endswith(("+01:00", "+02:00"))
    assert [
        (m["member"]["name"], m["total"], m["budget"], m["remaining"]) for m in st["by_member"]
    ] == [("Camille Martin", 2000, 5000, 3000), ("Sam Durand", 400, 5000, 4600)]
    assert [(h["organisation"]["id"], h["total"]) for h in st["by_host"]] == [
        (emp["organisation"], 2400)
    ]
    # members and outsiders: no statement
    assert client.get(url, headers=emp["b"]).status_code == 403
    assert client.get(url, headers=emp["h"]).status_code == 404


def test_the_statement_csv_has_a_header_and_one_row_per_line(client, emp):
    a, b, c = _statement_world(client, emp)
    month = emp["A"].strftime("%Y-%m")
    response = client.get(
        f"/api/v1/organisations/{emp['employer']}/statements/{month}.csv", headers=emp["hr"]
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"statement-{month}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "booking_id",
        "reference",
        "start",
        "end",
        "member_id",
        "member_name",
        "member_email",
        "space_id",
        "space",
        "commune",
        "unit_id",
        "unit",
        "host_id",
        "host",
        "seats",
        "amount_cents",
        "amount",
        "currency",
    ]
    assert len(rows) == 4
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["booking_id"] == str(a["id"]) and first["reference"] == a["reference"]
    assert (first["member_name"], first["member_email"]) == (
        "Camille Martin",
        "camille@example.org",
    )
    assert (first["space"], first["commune"], first["unit"]) == (
        "La Cantine",
        "Tours",
        "Open space",
    )
    assert (first["amount_cents"], first["amount"], first["currency"]) == ("800", "8.00", "EUR")
    assert [r[0] for r in rows[1:]] == [str(a["id"]), str(c["id"]), str(b["id"])]


@pytest.mark.parametrize("month", ["1999-12", "2101-01", "2026-13", "abcd-ef", "2026-1", "x"])
def test_a_month_out_of_bounds_is_a_422(client, emp, month):
    base = f"/api/v1/organisations/{emp['employer']}"
    _error(client.get(f"{base}/statements/{month}", headers=emp["hr"]), 422, "invalid")
    _error(client.get(f"{base}/statements/{month}.csv", headers=emp["hr"]), 422, "invalid")
    response = client.get(f"{base}/budget", query_string={"month": month}, headers=emp["b"])
    _error(response, 422, "invalid")


def test_the_host_sees_what_each_employer_owes(client, emp):
    a, b, c = _statement_world(client, emp)
    month = emp["A"].strftime("%Y-%m")
    url = f"/api/v1/organisations/{emp['organisation']}/dues/{month}"
    dues = client.get(url, headers=emp["h"]).get_json()
    assert dues["total"] == 2400
    assert [(d["employer"]["name"], d["total"]) for d in dues["employers"]] == [
        ("Touraine Logistique", 2400)
    ]
    assert [line["booking_id"] for line in dues["employers"][0]["lines"]] == [
        a["id"],
        c["id"],
        b["id"],
    ]
    rows = list(
        csv.reader(io.StringIO(client.get(f"{url}.csv", headers=emp["h"]).get_data(as_text=True)))
    )
    assert rows[0][:3] == ["employer_id", "employer", "booking_id"]
    assert [r[1] for r in rows[1:]] == ["Touraine Logistique"] * 3
    assert client.get(url, headers=emp["hr"]).status_code == 404  # not the host


def test_the_booking_form_offers_the_employers_a_person_belongs_to(client, emp):
    from spaces.accounts.models import User
    from spaces.employers.services import sponsors_for

    coworking = make_organisation(emp["booker"], "Tiers-lieu", kind="coworking")
    assert coworking.kind == "coworking"
    camille = db.session.get(User, emp["booker"].id)
    assert [o.name for o in sponsors_for(camille)] == ["Touraine Logistique"]
    host = db.session.get(User, emp["host"].id)
    assert sponsors_for(host) == []
    # with no settings, nothing is limited: the budget says so
    budget = _budget(client, emp, emp["A"])
    assert budget["member_budget"] is None and budget["member_remaining"] is None
    assert budget["member_spent"] == 0 and budget["currency"] == "EUR"


def test_the_employer_reads_a_sponsored_booking_page_without_acting_on_it(app, client, emp):
    first, second = _mondays(emp["A"])[:2]
    paid = _book(client, emp, first).get_json()
    private = _book(client, emp, second, sponsored=False).get_json()
    browser = app.test_client()
    log_in(browser, "rh@example.org")
    page = browser.get(f"/bookings/{paid['id']}")
    assert page.status_code == 200
    assert paid["reference"] in page.get_data(as_text=True)
    assert 'data-testid="cancel-booking"' not in page.get_data(as_text=True)
    assert browser.get(f"/bookings/{private['id']}").status_code == 404
    camille = app.test_client()
    log_in(camille, "camille@example.org")
    assert 'data-testid="cancel-booking"' in camille.get(f"/bookings/{paid['id']}").get_data(
        as_text=True
    )


def test_spend_by_month_gives_the_twelve_months_of_a_year(client, emp):
    from spaces.employers.statements import spend_by_month
    from spaces.errors import Invalid
    from spaces.organisations.models import Organisation

    _statement_world(client, emp)  # 24 € confirmed in month A, 8 € in month B
    organisation = db.session.get(Organisation, emp["employer"])
    year = emp["A"].year
    months = spend_by_month(organisation, year)
    assert [m for m, _ in months] == [f"{year}-{n:02d}" for n in range(1, 13)]
    spent = dict(months)
    assert spent[emp["A"].strftime("%Y-%m")] == 2400
    if emp["B"].year == year:
        assert spent[emp["B"].strftime("%Y-%m")] == 800
    assert sum(spent.values()) == 2400 + (800 if emp["B"].year == year else 0)
    with pytest.raises(Invalid):
        spend_by_month(organisation, 1999)
