"""Call e-mails: each step reaches the right people, each in their own language.

A new application goes to every owner and manager of the call's organisation (the mayor's office
in French, its English-speaking deputy in English); shortlisting, declining (with the reason) and
accepting go to the applicant alone. The dates read the same in winter and in summer time.
"""

from __future__ import annotations

import pytest

from tests.call_factories import (
    APPLICANT,
    DEPUTY,
    MAIRIE,
    OTHER,
    STRANGER,
    applied,
    open_call,
)
from tests.call_factories import make_cast as _make_cast


@pytest.fixture
def cast(app_ctx):
    return _make_cast()


def recipients(outbox, since: int) -> list[str]:
    return [str(m["To"]) for m in outbox.messages()[since:]]


def test_a_new_application_goes_to_each_manager_in_their_language(client, cast, outbox):
    call = open_call(client, cast)
    before = len(outbox)
    applied(client, cast, call["id"], who="a")
    assert sorted(recipients(outbox, before)) == sorted([MAIRIE, DEPUTY])
    french, english = outbox.last(MAIRIE), outbox.last(DEPUTY)
    assert str(french["Subject"]) == "Nouvelle candidature à votre appel : École Jules-Ferry"
    assert str(english["Subject"]) == "New application to your call: École Jules-Ferry"
    assert "Alex Atelier a candidaté à votre appel" in outbox.body(french)
    assert "Dates demandées : 1 février 2027 – 30 avril 2027" in outbox.body(french)
    assert "Alex Atelier applied to your call" in outbox.body(english)
    assert "Dates asked for: February 1, 2027 – April 30, 2027" in outbox.body(english)
    assert not any(STRANGER in to or APPLICANT in to for to in recipients(outbox, before))


@pytest.mark.parametrize(
    ("dates", "french", "english"),
    [
        # Winter time (+01:00) and summer time (+02:00): whole days, never shifted by an hour.
        (
            ("2027-02-01", "2027-02-28"),
            "1 février 2027 – 28 février 2027",
            "February 1, 2027 – February 28, 2027",
        ),
        (
            ("2027-06-01", "2027-07-31"),
            "1 juin 2027 – 31 juillet 2027",
            "June 1, 2027 – July 31, 2027",
        ),
    ],
)
def test_each_decision_goes_to_the_applicant_alone_in_their_language(
    client, cast, outbox, dates, french, english
):
    call = open_call(client, cast)
    first, last = dates
    english_one = applied(client, cast, call["id"], who="a", start_date=first, end_date=last)
    french_one = applied(client, cast, call["id"], who="o", start_date=first, end_date=last)

    before = len(outbox)
    client.post(f"/api/v1/applications/{english_one['id']}/shortlist", headers=cast["m"])
    assert recipients(outbox, before) == [APPLICANT]
    mail = outbox.last(APPLICANT)
    assert str(mail["Subject"]) == "Your application is shortlisted: École Jules-Ferry"
    assert english in outbox.body(mail)

    before = len(outbox)
    client.post(
        f"/api/v1/applications/{french_one['id']}/decline",
        json={"reason": "Le projet ne correspond pas aux critères."},
        headers=cast["d"],
    )
    assert recipients(outbox, before) == [OTHER]
    mail = outbox.last(OTHER)
    assert str(mail["Subject"]) == "Votre candidature n'est pas retenue : École Jules-Ferry"
    assert "Motif : Le projet ne correspond pas aux critères." in outbox.body(mail)
    assert f"Dates demandées : {french}" in outbox.body(mail)

    before = len(outbox)
    accepted = client.post(f"/api/v1/applications/{english_one['id']}/accept", headers=cast["m"])
    assert accepted.status_code == 200, accepted.get_json()
    reference = accepted.get_json()["booking"]["reference"]
    # One message, to the applicant alone: the acceptance carries the booking (its reference,
    # price and calendar invitation) and the agreement; the hosts, who decided, get nothing.
    assert recipients(outbox, before) == [APPLICANT]
    accepted_mail = outbox.last(APPLICANT)
    assert str(accepted_mail["Subject"]) == "Your application is accepted: École Jules-Ferry"
    body = outbox.body(accepted_mail)
    assert f"Period: {english}" in body
    assert f"Booking reference: {reference}" in body
    assert "/convention.pdf" in body
    (invite,) = [
        p for p in accepted_mail.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert invite.get_filename() == "invite.ics" and "DTSTART;VALUE=DATE" in invite.get_content()
