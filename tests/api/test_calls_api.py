"""Calls for temporary occupation over the API: a municipality's call, applications, decisions.

Every transition and its refusals; who sees what; acceptance makes a confirmed term booking for
the applicant, or changes nothing when the premises are no longer free.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from spaces.bookings.models import Booking
from spaces.calls.models import Application, Call
from spaces.db import transaction, utcnow
from spaces.extensions import db
from tests.call_factories import (
    APPLICANT,
    CALL,
    DEPUTY,
    MAIRIE,
    OTHER,
    applied,
    apply,
    create_call,
    make_cast,
    open_call,
    pdf_info,
)
from tests.factories import log_in, make_user


@pytest.fixture
def cast(app_ctx):
    return make_cast()


# --- calls -----------------------------------------------------------------------------------


def test_a_call_is_a_draft_then_open_with_the_deadline_in_the_space_zone(client, cast):
    response = create_call(client, cast)
    assert response.status_code == 201, response.get_json()
    call = response.get_json()
    assert call["status"] == "draft"
    assert (call["unit_id"], call["space_id"]) == (cast["unit"], cast["space"])
    assert call["apply_until"] == "2027-01-15T12:00:00+01:00"
    assert (call["occupation_from"], call["occupation_until"]) == ("2027-02-01", "2027-07-31")
    # A draft is the organisation's: nobody else sees it, nor does it appear in the list.
    assert client.get(f"/api/v1/calls/{call['id']}").status_code == 404
    assert client.get(f"/api/v1/calls/{call['id']}", headers=cast["m"]).status_code == 200
    assert client.get("/api/v1/calls").get_json()["total"] == 0
    published = client.post(f"/api/v1/calls/{call['id']}/publish", headers=cast["m"])
    assert published.get_json()["status"] == "open"
    assert client.get(f"/api/v1/calls/{call['id']}").get_json()["status"] == "open"
    again = client.post(f"/api/v1/calls/{call['id']}/publish", headers=cast["m"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"apply_until": "2020-01-01T12:00"}, "apply_until"),
        ({"apply_until": "2027-01-15"}, "apply_until"),  # a bare date
        ({"occupation_from": "2027-08-01", "occupation_until": "2027-07-31"}, "occupation_until"),
        ({"occupation_until": "2028-03-31"}, "occupation_until"),  # after the space's window
        ({"occupation_from": "2026-12-01"}, "occupation_from"),  # before it
        ({"title": ""}, "title"),
    ],
)
def test_a_wrong_call_is_a_422_naming_the_field_and_nothing_is_made(client, cast, changes, field):
    response = create_call(client, cast, **changes)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count(Call.id))) == 0


def test_a_draft_is_changed_field_by_field_and_no_longer_once_published(client, cast):
    call = create_call(client, cast).get_json()
    url = f"/api/v1/calls/{call['id']}"
    changed = client.patch(url, json={"apply_until": "2027-01-20T18:00"}, headers=cast["m"])
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["apply_until"] == "2027-01-20T18:00:00+01:00"
    assert changed.get_json()["title"] == CALL["title"]
    wrong = client.patch(url, json={"occupation_until": "2027-01-01"}, headers=cast["m"])
    assert wrong.status_code == 422
    assert client.patch(url, json={"title": "X"}, headers=cast["s"]).status_code == 404
    client.post(f"{url}/publish", headers=cast["m"])
    late = client.patch(url, json={"title": "Autre titre"}, headers=cast["m"])
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "invalid_state"
    assert client.get(url).get_json()["title"] == CALL["title"]


def test_only_the_organisation_s_managers_create_and_publish_calls(client, cast):
    assert create_call(client, cast).status_code == 201
    stranger = client.post(f"/api/v1/units/{cast['unit']}/calls", json=CALL, headers=cast["s"])
    assert stranger.status_code == 403
    assert client.post(f"/api/v1/units/{cast['unit']}/calls", json=CALL).status_code == 401
    call_id = db.session.scalar(sa.select(Call.id))
    assert client.post(f"/api/v1/calls/{call_id}/publish", headers=cast["s"]).status_code == 404


def test_the_list_shows_open_calls_soonest_deadline_first_and_near_a_place(client, cast):
    later = open_call(client, cast)
    sooner = create_call(client, cast, title="Rez-de-chaussée", apply_until="2027-01-10T18:00")
    client.post(f"/api/v1/calls/{sooner.get_json()['id']}/publish", headers=cast["m"])
    draft = create_call(client, cast, title="Brouillon").get_json()
    listed = client.get("/api/v1/calls").get_json()
    assert [c["id"] for c in listed["items"]] == [sooner.get_json()["id"], later["id"]]
    assert listed["total"] == 2 and listed["page"] == 1
    assert draft["id"] not in [c["id"] for c in listed["items"]]
    near = client.get("/api/v1/calls?lat=47.17&lon=0.24&radius_km=5").get_json()
    assert near["total"] == 2 and near["items"][0]["distance_km"] < 1
    far = client.get("/api/v1/calls?lat=45.76&lon=4.83&radius_km=20").get_json()  # Lyon
    assert far["total"] == 0
    by_name = client.get("/api/v1/calls?near=Chinon").get_json()
    assert by_name["total"] == 2
    unknown = client.get("/api/v1/calls?near=Nullepart-sur-Rien")
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["code"] == "unknown_place"
    assert client.get("/api/v1/calls?per_page=1&page=2").get_json()["items"][0]["id"] == later["id"]


def test_closing_a_call_and_a_passed_deadline_both_read_closed(client, cast):
    first = open_call(client, cast)
    closed = client.post(f"/api/v1/calls/{first['id']}/close", headers=cast["m"])
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    refused = apply(client, cast, first["id"])
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_state"
    second = open_call(client, cast)
    with transaction():
        db.session.get(Call, second["id"]).apply_until = utcnow() - timedelta(minutes=1)
    assert client.get(f"/api/v1/calls/{second['id']}").get_json()["status"] == "closed"
    assert client.get("/api/v1/calls").get_json()["total"] == 0
    late = apply(client, cast, second["id"])
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "invalid_state"
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


# --- applications ------------------------------------------------------------------------------


def test_applying_tells_the_managers_and_a_second_live_application_is_refused(client, cast, outbox):
    call = open_call(client, cast)
    application = applied(client, cast, call["id"])
    assert application["status"] == "submitted"
    assert application["applicant"]["name"] == "Alex Atelier"
    assert (application["start_date"], application["end_date"]) == ("2027-02-01", "2027-04-30")
    mail = outbox.last(MAIRIE)
    assert str(mail["Subject"]) == "Nouvelle candidature à votre appel : École Jules-Ferry"
    body = outbox.body(mail)
    assert "Alex Atelier" in body and "Vélo Chinon" in body
    assert "1 février 2027 – 30 avril 2027" in body
    assert f"/calls/{call['id']}/applications" in body
    again = apply(client, cast, call["id"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"
    # Once withdrawn, the person may apply again.
    client.post(f"/api/v1/applications/{application['id']}/withdraw", headers=cast["a"])
    assert apply(client, cast, call["id"]).status_code == 201


def test_a_withdrawal_tells_the_managers_each_in_their_language(client, cast, outbox):
    call = open_call(client, cast)
    application = applied(client, cast, call["id"])
    client.post(f"/api/v1/applications/{application['id']}/shortlist", headers=cast["m"])
    before = len(outbox)
    response = client.post(f"/api/v1/applications/{application['id']}/withdraw", headers=cast["a"])
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    assert len(outbox) == before + 2  # the manager and the deputy, not the applicant
    mail = outbox.last(MAIRIE)
    assert str(mail["Subject"]) == "Candidature retirée : École Jules-Ferry"
    body = outbox.body(mail)
    assert "Alex Atelier a retiré sa candidature à votre appel" in body
    assert "1 février 2027 – 30 avril 2027" in body
    assert f"/calls/{call['id']}/applications" in body
    deputy = outbox.last(DEPUTY)
    assert str(deputy["Subject"]) == "Application withdrawn: École Jules-Ferry"
    assert "Alex Atelier withdrew the application to your call" in outbox.body(deputy)
    # Withdrawn once: a second withdrawal is refused and tells nobody again.
    again = client.post(f"/api/v1/applications/{application['id']}/withdraw", headers=cast["a"])
    assert again.status_code == 409 and len(outbox) == before + 2


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"start_date": "2027-01-20"}, {"start_date"}),
        ({"end_date": "2027-08-01"}, {"end_date"}),
        ({"start_date": "2027-03-01", "end_date": "2027-02-01"}, {"end_date"}),
        ({"project": ""}, {"project"}),
        ({"seats": 0}, {"seats"}),
        ({"start_date": "2027-02-30"}, {"start_date"}),
    ],
)
def test_application_dates_outside_the_call_s_period_are_a_422(client, cast, changes, fields):
    call = open_call(client, cast)
    response = apply(client, cast, call["id"], **changes)
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["error"]["fields"]) == fields
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_who_sees_an_application(client, cast):
    call = open_call(client, cast)
    application = applied(client, cast, call["id"])
    url = f"/api/v1/applications/{application['id']}"
    assert client.get(url, headers=cast["a"]).status_code == 200
    assert client.get(url, headers=cast["m"]).status_code == 200
    assert client.get(url, headers=cast["s"]).status_code == 404
    assert client.get(url).status_code == 401
    listing = f"/api/v1/calls/{call['id']}/applications"
    assert client.get(listing, headers=cast["m"]).get_json()["total"] == 1
    assert client.get(listing, headers=cast["s"]).status_code == 404
    assert client.get(listing, headers=cast["a"]).status_code == 404
    mine = client.get("/api/v1/applications?mine=1", headers=cast["a"]).get_json()
    assert [a["id"] for a in mine["items"]] == [application["id"]]
    assert client.get("/api/v1/applications?mine=1", headers=cast["s"]).get_json()["total"] == 0
    # Nobody but the organisation decides; a stranger does not learn the application exists.
    assert client.post(f"{url}/shortlist", headers=cast["s"]).status_code == 404
    assert client.post(f"{url}/accept", headers=cast["a"]).status_code == 403
    assert client.post(f"{url}/withdraw", headers=cast["m"]).status_code == 403
    assert (
        client.get("/api/v1/applications/99999999999999999999", headers=cast["a"]).status_code
        == 404
    )


def test_shortlist_then_decline_with_a_reason_in_the_applicant_s_language(client, cast, outbox):
    call = open_call(client, cast)
    application = applied(client, cast, call["id"])
    url = f"/api/v1/applications/{application['id']}"
    shortlisted = client.post(f"{url}/shortlist", headers=cast["m"])
    assert shortlisted.status_code == 200 and shortlisted.get_json()["status"] == "shortlisted"
    mail = outbox.last(APPLICANT)
    assert str(mail["Subject"]) == "Your application is shortlisted: École Jules-Ferry"
    assert "Visite le 12 janvier" in outbox.body(mail)
    twice = client.post(f"{url}/shortlist", headers=cast["m"])
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "invalid_state"
    no_reason = client.post(f"{url}/decline", json={}, headers=cast["m"])
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    declined = client.post(
        f"{url}/decline", json={"reason": "Le projet ne correspond pas."}, headers=cast["m"]
    )
    assert declined.status_code == 200
    assert declined.get_json()["status"] == "declined"
    assert declined.get_json()["reason"] == "Le projet ne correspond pas."
    mail = outbox.last(APPLICANT)
    assert str(mail["Subject"]) == "Your application was not selected: École Jules-Ferry"
    assert "Reason: Le projet ne correspond pas." in outbox.body(mail)
    for action in ("accept", "shortlist", "withdraw"):
        late = client.post(f"{url}/{action}", headers=cast["m" if action != "withdraw" else "a"])
        assert late.status_code == 409, action


def test_accepting_makes_a_confirmed_term_booking_for_the_applicant(client, cast, outbox):
    call = open_call(client, cast)
    application = applied(client, cast, call["id"], who="o")
    accepted = client.post(f"/api/v1/applications/{application['id']}/accept", headers=cast["m"])
    assert accepted.status_code == 200, accepted.get_json()
    data = accepted.get_json()
    assert data["status"] == "accepted"
    booking = data["booking"]
    assert booking["status"] == "confirmed"  # on a unit booked on request: the host decided
    # A term: whole local days, from midnight in winter time to midnight in summer time.
    assert booking["start"] == "2027-02-01T00:00:00+01:00"
    assert booking["end"] == "2027-05-01T00:00:00+02:00"
    assert db.session.get(Booking, booking["id"]).kind == "term"
    # 89 days: three months (cheaper than two months and 29 days).
    assert booking["price"]["amount"] == 45000
    theirs = client.get("/api/v1/bookings?mine=1", headers=cast["o"]).get_json()["items"]
    assert [b["id"] for b in theirs] == [booking["id"]]
    mail = outbox.last(OTHER)
    assert str(mail["Subject"]) == "Votre candidature est retenue : École Jules-Ferry"
    body = outbox.body(mail)
    assert booking["reference"] in body and "450,00" in body
    assert f"/applications/{application['id']}/convention.pdf" in body


def test_an_acceptance_that_no_longer_fits_changes_nothing(client, cast, outbox):
    call = open_call(client, cast)
    first = applied(client, cast, call["id"], who="a")
    second = applied(
        client, cast, call["id"], who="o", start_date="2027-04-01", end_date="2027-06-30"
    )
    assert (
        client.post(f"/api/v1/applications/{first['id']}/accept", headers=cast["m"]).status_code
        == 200
    )
    before = len(outbox)
    refused = client.post(f"/api/v1/applications/{second['id']}/accept", headers=cast["m"])
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "unavailable"
    again = client.get(f"/api/v1/applications/{second['id']}", headers=cast["m"]).get_json()
    assert again["status"] == "submitted" and again["booking"] is None
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
    assert len(outbox) == before
    # It can still be declined, and the other one is untouched.
    declined = client.post(
        f"/api/v1/applications/{second['id']}/decline",
        json={"reason": "Les locaux sont attribués."},
        headers=cast["m"],
    )
    assert declined.get_json()["status"] == "declined"


def test_the_convention_is_a_pdf_for_the_applicant_and_the_organisation_only(client, cast):
    call = open_call(client, cast)
    application = applied(client, cast, call["id"])
    url = f"/applications/{application['id']}/convention.pdf"
    log_in(client, APPLICANT)
    assert client.get(url).status_code == 404  # not accepted yet
    manager = client.application.test_client()
    accepted = manager.post(f"/api/v1/applications/{application['id']}/accept", headers=cast["m"])
    assert accepted.status_code == 200, accepted.get_json()
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF") and len(response.data) > 5000
    assert pdf_info(response.data, "Subject") == "École Jules-Ferry — Alex Atelier"
    assert pdf_info(response.data, "Author") == "Ville de Chinon"
    assert pdf_info(response.data, "Title") == "Temporary occupation agreement"  # her language
    client.post("/logout", data={})
    stranger = make_user("nosy@example.org")
    assert stranger
    other = client.application.test_client()
    log_in(other, "nosy@example.org")
    assert other.get(url).status_code == 404
    log_in(manager, MAIRIE)
    assert manager.get(url).status_code == 200
