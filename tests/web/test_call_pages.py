"""The call pages: the open calls for everyone, a call with its application form, the
municipality's editor and review page, "My applications", the host's list of places."""

from __future__ import annotations

import re

import pytest

from tests.call_factories import (
    APPLICANT,
    MAIRIE,
    OTHER,
    STRANGER,
    applied,
    create_call,
    make_cast,
    open_call,
)
from tests.factories import log_in, post_form


@pytest.fixture
def cast(app_ctx):
    return make_cast()


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_everyone_finds_the_open_calls_from_the_menu(client, cast):
    call = open_call(client, cast)
    draft = create_call(client, cast, title="Un brouillon").get_json()
    home = text_of(client.get("/", headers={"Accept-Language": "fr"}))
    assert 'href="/calls"' in home and "Appels en cours" in home
    page = client.get("/calls", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    html = text_of(page)
    assert "Aile de l&#39;ancienne école Jules-Ferry" in html and "Un brouillon" not in html
    assert "1 appel en cours" in html
    assert "Candidater avant le vendredi 15 janvier 2027, 12:00" in html
    assert 'id="calls-map"' in html
    detail = text_of(client.get(f"/calls/{call['id']}", headers={"Accept-Language": "en"}))
    assert "Log in to apply" in detail and "Friday 15 January 2027, 12:00" in detail
    assert client.get(f"/calls/{draft['id']}").status_code == 404
    near = text_of(client.get("/calls?near=Nullepart-sur-Rien"))
    assert 'aria-invalid="true"' in near


def test_a_municipality_writes_publishes_and_closes_a_call_from_its_place(client, cast):
    log_in(client, MAIRIE)
    space_page = text_of(client.get(f"/spaces/{cast['space']}"))
    assert f'href="/units/{cast["unit"]}/calls/new"' in space_page
    url = f"/units/{cast['unit']}/calls/new"
    wrong = post_form(
        client,
        url,
        {
            "title": "Aile est",
            "description": "Trois salles.",
            "occupation_from": "2027-02-01",
            "occupation_until": "2028-06-30",
            "apply_until": "2027-01-15T12:00",
        },
    )
    assert wrong.status_code == 422
    assert "disponible que jusqu" in text_of(wrong) or "available until" in text_of(wrong)
    made = post_form(
        client,
        url,
        {
            "title": "Aile est",
            "description": "Trois salles.",
            "occupation_from": "2027-02-01",
            "occupation_until": "2027-06-30",
            "apply_until": "2027-01-15T12:00",
        },
    )
    assert made.status_code == 302
    call_url = made.headers["Location"]
    call_id = int(re.search(r"/calls/(\d+)", call_url)[1])
    places = text_of(client.get("/my/spaces"))
    assert 'data-status="draft"' in places and "Aile est" in places
    published = post_form(client, f"/calls/{call_id}/publish", {}, page=call_url)
    assert published.status_code == 302
    assert 'data-status="open"' in text_of(client.get("/my/spaces"))
    post_form(client, f"/calls/{call_id}/close", {}, page=call_url)
    assert 'data-status="closed"' in text_of(client.get("/my/spaces"))
    assert 'data-testid="call-not-open"' in text_of(client.get(call_url))


def test_a_person_applies_through_the_form_and_sees_it_in_my_applications(client, cast):
    call = open_call(client, cast)
    log_in(client, APPLICANT)
    url = f"/calls/{call['id']}/apply"
    fields = {
        "project": "Un atelier vélo.",
        "planned_use": "Trois jours par semaine.",
        "start_date": "2027-01-20",
        "end_date": "2027-03-31",
        "seats": "1",
    }
    outside = post_form(client, url, fields, page=f"/calls/{call['id']}")
    assert outside.status_code == 422
    assert 'id="start_date-error"' in text_of(outside)
    sent = post_form(
        client, url, {**fields, "start_date": "2027-02-01"}, page=f"/calls/{call['id']}"
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/my/applications")
    mine = text_of(client.get("/my/applications"))
    assert 'data-status="submitted"' in mine and "Aile de l&#39;ancienne école" in mine
    assert 'data-testid="already-applied"' in text_of(client.get(f"/calls/{call['id']}"))


def test_the_review_page_decides_side_by_side_and_says_when_acceptance_no_longer_fits(
    client, cast, app
):
    call = open_call(client, cast)
    first = applied(client, cast, call["id"], who="a")
    second = applied(
        client, cast, call["id"], who="o", start_date="2027-04-01", end_date="2027-05-31"
    )
    third_client = app.test_client()
    log_in(client, MAIRIE)
    review = f"/calls/{call['id']}/applications"
    html = text_of(client.get(review))
    assert html.count('data-testid="application"') == 2
    assert "Alex Atelier" in html and "Collectif Vienne" in html
    post_form(client, f"/applications/{first['id']}/shortlist", {}, page=review)
    assert 'data-status="shortlisted"' in text_of(client.get(review))
    accepted = post_form(client, f"/applications/{first['id']}/accept", {}, page=review)
    assert accepted.status_code == 302
    html = text_of(client.get(review))
    assert 'data-status="accepted"' in html and "Candidature retenue" in html
    refused = post_form(client, f"/applications/{second['id']}/accept", {}, page=review)
    assert refused.status_code == 302
    html = text_of(client.get(review))
    assert "ne peut plus être retenue" in html and "Rien n&#39;a été modifié" in html
    assert html.count('data-status="submitted"') == 1
    declined = post_form(
        client,
        f"/applications/{second['id']}/decline",
        {"reason": "Les locaux sont attribués."},
        page=review,
    )
    assert declined.status_code == 302
    assert 'data-status="declined"' in text_of(client.get(review))
    # A stranger does not see the review page; the applicant sees only their own application.
    log_in(third_client, STRANGER)
    assert third_client.get(review).status_code == 404
    applicant_client = app.test_client()
    log_in(applicant_client, OTHER)
    assert applicant_client.get(review).status_code == 404
    assert "Les locaux sont attribués." in text_of(applicant_client.get("/my/applications"))


def test_the_applicant_withdraws_a_pending_application(client, cast):
    call = open_call(client, cast)
    application = applied(client, cast, call["id"], who="a")
    log_in(client, APPLICANT)
    done = post_form(
        client, f"/applications/{application['id']}/withdraw", {}, page="/my/applications"
    )
    assert done.status_code == 302
    assert 'data-status="withdrawn"' in text_of(client.get("/my/applications"))


def test_a_draft_is_edited_with_its_deadline_in_local_time(client, cast):
    call = create_call(client, cast).get_json()
    log_in(client, MAIRIE)
    url = f"/calls/{call['id']}/edit"
    form = text_of(client.get(url))
    assert 'value="2027-01-15T12:00"' in form and 'value="2027-02-01"' in form
    saved = post_form(
        client,
        url,
        {
            "title": "Aile est, nouvelle version",
            "description": "Trois salles.",
            "occupation_from": "2027-02-01",
            "occupation_until": "2027-06-30",
            "apply_until": "2027-01-20T18:30",
        },
    )
    assert saved.status_code == 302
    page = text_of(client.get(f"/calls/{call['id']}"))
    assert "Aile est, nouvelle version" in page and "20 janvier 2027, 18:30" in page


def test_the_space_page_says_how_to_occupy_the_premises_through_its_open_call(client, cast):
    """The public page of the place names its open call with its deadline and a link; a draft
    is not shown; the host's list of places shows when the premises stop being available."""
    call = open_call(client, cast)
    create_call(client, cast, title="Un brouillon")
    html = text_of(client.get(f"/spaces/{cast['space']}", headers={"Accept-Language": "fr"}))
    section = html[html.index('data-testid="space-open-calls"') :]
    assert "Appels à occupation en cours" in section
    assert f'href="/calls/{call["id"]}"' in section
    assert "candidatures jusqu’au vendredi 15 janvier 2027, 12:00" in section
    assert "Un brouillon" not in html
    log_in(client, MAIRIE)
    places = text_of(client.get("/my/spaces", headers={"Accept-Language": "fr"}))
    assert "disponible jusqu’au 31 décembre 2027" in places
