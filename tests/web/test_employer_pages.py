"""The employer pages over HTTP (settings, staff, sponsored bookings, statement and CSV), the
booking form's "Paid by", and the host's page of what employers owe it."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from spaces.accounts.services import find_user_by_email
from spaces.db import transaction, utcnow
from spaces.employers.models import Sponsorship
from spaces.extensions import db
from spaces.listings.models import Space
from spaces.organisations import services as organisations
from tests.factories import log_in, make_organisation, make_user, post_form

PARIS = ZoneInfo("Europe/Paris")
ENGLISH = {"Accept-Language": "en"}


def _next_month() -> date:
    today = utcnow().astimezone(PARIS).date()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def _weekday(first: date, n: int = 0) -> date:
    """The ``n``-th Tuesday of ``first``'s month (the world's place is open on weekdays)."""
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7 * n)


@pytest.fixture
def emp(world):
    """The world plus Touraine Logistique: Hélène owns it, Camille (the world's booker) and Sam
    are members, Léa (the host) is not; a budget of 30 € a member, 100 € in total."""
    hr = make_user("rh@example.org", name="Hélène RH", locale="en")
    make_user("sam@example.org", name="Sam Durand", locale="en")
    employer = make_organisation(hr, "Touraine Logistique", kind="employer")
    with transaction():
        employer = db.session.merge(employer)
        for email in ("camille@example.org", "sam@example.org"):
            organisations.add_member(db.session.merge(hr), employer, email, "member")
        db.session.add(
            Sponsorship(
                organisation_id=employer.id,
                monthly_budget_per_member=3000,
                monthly_budget_total=10000,
            )
        )
        db.session.get(Space, world["space"].id).insee_code = "37261"  # Tours
    return {**world, "employer": employer.id, "month": _next_month()}


def _book_page(client, emp, day: date, sponsor=True, start="09:00", end="13:00"):
    data = {
        "unit_id": emp["pool"],
        "date": str(day),
        "start_time": start,
        "end_time": end,
        "seats": "1",
    }
    if sponsor:
        data["sponsor_organisation_id"] = str(emp["employer"])
    return post_form(client, f"/units/{emp['pool']}/book", data, headers=ENGLISH)


def test_the_owner_saves_budgets_typed_in_euros_kinds_and_communes(client, emp):
    log_in(client, "rh@example.org")
    url = f"/organisations/{emp['employer']}/sponsorship"
    page = client.get(url, headers=ENGLISH).get_data(as_text=True)
    assert 'value="30,00"' in page and 'value="100,00"' in page
    response = client.post(
        url,
        data={
            "csrf_token": _csrf(page),
            "monthly_budget_per_member": "86,50",
            "monthly_budget_total": "",
            "allowed_kinds": ["coworking"],
            "allowed_communes": ["37003", "37132"],
        },
        headers=ENGLISH,
    )
    assert response.status_code == 302
    db.session.rollback()
    saved = db.session.query(Sponsorship).filter_by(organisation_id=emp["employer"]).one()
    assert saved.monthly_budget_per_member == 8650
    assert saved.monthly_budget_total is None
    assert saved.allowed_kinds == ["coworking"]
    assert sorted(saved.allowed_communes) == ["37003", "37132"]
    page = client.get(url, headers=ENGLISH).get_data(as_text=True)
    # The chosen communes are named (not INSEE codes to read), and checked.
    assert "Amboise" in page and "Loches" in page
    assert 'value="37003" checked' in page


def test_a_typed_insee_code_the_geocoder_does_not_know_is_refused(client, emp):
    log_in(client, "rh@example.org")
    url = f"/organisations/{emp['employer']}/sponsorship"
    response = post_form(
        client,
        url,
        {"monthly_budget_per_member": "10", "allowed_communes": "99999"},
        headers=ENGLISH,
    )
    assert response.status_code == 422
    assert "99999" in response.get_data(as_text=True)
    db.session.rollback()
    kept = db.session.query(Sponsorship).filter_by(organisation_id=emp["employer"]).one()
    assert kept.monthly_budget_per_member == 3000


def test_the_commune_search_finds_communes_with_and_without_javascript(client, emp):
    log_in(client, "rh@example.org")
    base = f"/organisations/{emp['employer']}/sponsorship"
    found = client.get(f"{base}/communes?q=Chinon").get_json()["items"]
    assert found[0]["insee"] == "37072" and found[0]["latitude"] > 47
    nearest = client.get(f"{base}/communes?lat=47.1667&lon=0.2417").get_json()["items"]
    assert [c["name"] for c in nearest] == ["Chinon"]
    page = client.get(f"{base}?commune_query=Loches", headers=ENGLISH).get_data(as_text=True)
    assert 'data-testid="found-commune"' in page and 'value="37132"' in page


def test_employer_pages_are_for_owners_and_managers_of_an_employer(client, emp):
    employer = emp["employer"]
    pages = ("staff", "sponsorship", "statement", "sponsored-bookings")
    log_in(client, "sam@example.org")  # a plain member
    for page in pages:
        assert client.get(f"/organisations/{employer}/{page}").status_code == 403
    client.post("/logout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    log_in(client, "host@example.org")  # not a member: the organisation is not there for her
    for page in pages:
        assert client.get(f"/organisations/{employer}/{page}").status_code == 404
    # Her own organisation is a coworking: no employer pages, but what employers owe her.
    assert client.get(f"/organisations/{emp['organisation']}/staff").status_code == 404
    assert client.get(f"/organisations/{emp['organisation']}/dues").status_code == 200


def test_the_booking_form_offers_the_employer_with_the_budget_left(client, emp):
    log_in(client, "camille@example.org")
    day = _weekday(emp["month"])
    page = client.get(f"/units/{emp['pool']}/book?date={day}", headers=ENGLISH)
    html = page.get_data(as_text=True)
    assert 'data-testid="sponsor-select"' in html
    assert "Touraine Logistique: you have €30.00 left in" in html
    # Someone who belongs to no employer sees no "Paid by".
    client.post("/logout", data={"csrf_token": _csrf(html)})
    log_in(client, "host@example.org")
    html = client.get(f"/units/{emp['pool']}/book", headers=ENGLISH).get_data(as_text=True)
    assert "sponsor-select" not in html


def test_a_sponsored_booking_from_the_page_and_a_refusal_for_budget(client, emp):
    log_in(client, "camille@example.org")
    day = _weekday(emp["month"])
    done = _book_page(client, emp, day)  # a half-day: 15 €
    assert done.status_code == 302, done.get_data(as_text=True)[:300]
    detail = client.get(done.headers["Location"], headers=ENGLISH).get_data(as_text=True)
    assert "Paid by Touraine Logistique" in detail
    page = client.get(f"/units/{emp['pool']}/book?date={day}", headers=ENGLISH)
    assert "you have €15.00 left in" in page.get_data(as_text=True)
    # A whole day (25 €) is over what is left: a clear message next to "Paid by", no booking.
    refused = _book_page(client, emp, _weekday(emp["month"], 1), start="09:00", end="17:00")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'data-testid="sponsor-error"' in html and "15" in html
    mine = client.get("/bookings", headers=ENGLISH).get_data(as_text=True)
    assert mine.count('data-testid="paid-by"') == 1
    # The same day booked personally goes through.
    assert _book_page(client, emp, _weekday(emp["month"], 1), sponsor=False).status_code == 302


def test_staff_statement_csv_and_filters_show_the_sponsored_bookings(client, emp):
    log_in(client, "camille@example.org")
    first = emp["month"]
    assert _book_page(client, emp, _weekday(first)).status_code == 302  # 15 €
    assert _book_page(client, emp, _weekday(first, 1), sponsor=False).status_code == 302
    client.post("/logout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    log_in(client, "rh@example.org")
    employer, month = emp["employer"], f"{first:%Y-%m}"
    staff = client.get(f"/organisations/{employer}/staff?month={month}", headers=ENGLISH)
    html = staff.get_data(as_text=True)
    assert "Camille Martin" in html and "€15.00" in html and "50 % of the budget" in html
    listed = client.get(
        f"/organisations/{employer}/sponsored-bookings?month={month}", headers=ENGLISH
    ).get_data(as_text=True)
    assert listed.count('data-testid="sponsored-booking"') == 1  # never her personal booking
    link = listed.split('data-testid="sponsored-booking"')[1].split('href="')[1].split('"')[0]
    assert client.get(link).status_code == 200  # the employer reads the booking it pays for
    sam = find_user_by_email("sam@example.org").id
    filtered = client.get(
        f"/organisations/{employer}/sponsored-bookings?month={month}&member={sam}",
        headers=ENGLISH,
    ).get_data(as_text=True)
    assert 'data-testid="sponsored-booking"' not in filtered
    # The statement counts confirmed bookings; the CSV has a header and the one line.
    statement = client.get(
        f"/organisations/{employer}/statement?month={month}", headers=ENGLISH
    ).get_data(as_text=True)
    assert "Total: €15.00" in statement and 'data-testid="spend-chart"' in statement
    assert "<table" in statement.split('data-testid="spend-chart"')[1]
    download = client.get(f"/organisations/{employer}/statement/{month}.csv")
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [(r["member_name"], r["amount_cents"]) for r in rows] == [("Camille Martin", "1500")]
    assert client.get(f"/organisations/{employer}/statement?month=2101-01").status_code == 422
    assert client.get(f"/organisations/{employer}/statement/1999-12.csv").status_code == 422


def test_the_host_sees_who_pays_and_what_each_employer_owes(client, emp):
    log_in(client, "camille@example.org")
    first = emp["month"]
    assert _book_page(client, emp, _weekday(first)).status_code == 302
    client.post("/logout", data={"csrf_token": _csrf(client.get("/").get_data(as_text=True))})
    log_in(client, "host@example.org")
    inbox = client.get("/host/bookings", headers=ENGLISH).get_data(as_text=True)
    assert "Paid by Touraine Logistique" in inbox
    org, month = emp["organisation"], f"{first:%Y-%m}"
    dues = client.get(f"/organisations/{org}/dues?month={month}", headers=ENGLISH)
    html = dues.get_data(as_text=True)
    assert "Touraine Logistique — €15.00" in html
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/organisations/{org}/dues/{month}.csv").text))
    )
    assert [(r["employer"], r["amount_cents"]) for r in rows] == [("Touraine Logistique", "1500")]


def _csrf(html: str) -> str:
    from tests.factories import csrf_from

    return csrf_from(html)


def test_searching_a_commune_without_javascript_keeps_the_choices_and_saves_nothing(client, emp):
    log_in(client, "rh@example.org")
    url = f"/organisations/{emp['employer']}/sponsorship"
    response = post_form(
        client,
        url,
        {
            "monthly_budget_per_member": "55",
            "allowed_communes": "37003",
            "commune_query": "Loches",
            "find": "1",
        },
        headers=ENGLISH,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="37003" checked' in html  # Amboise stays chosen
    assert 'value="37132" data-testid="found-commune"' in html  # Loches is offered
    assert 'value="55"' in html  # what was typed is kept
    db.session.rollback()
    kept = db.session.query(Sponsorship).filter_by(organisation_id=emp["employer"]).one()
    assert kept.monthly_budget_per_member == 3000 and kept.allowed_communes is None


def test_a_place_outside_the_employer_rules_is_refused_on_the_form(client, emp):
    with transaction():
        sponsorship = db.session.query(Sponsorship).filter_by(organisation_id=emp["employer"])
        sponsorship.one().allowed_kinds = ["vacant_public"]
    log_in(client, "camille@example.org")
    refused = _book_page(client, emp, _weekday(emp["month"]))
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert 'data-testid="sponsor-error"' in html and "kind of place" in html
