"""Test data for calls for temporary occupation: the town of Chinon, its vacant school wing, a
call and people who apply, built through the services and the API as the app would."""

from __future__ import annotations

from datetime import date

from spaces.db import transaction
from spaces.extensions import db
from tests.factories import api_token, bearer, make_space, make_unit, make_user

MAIRIE = "mairie@chinon.example"
DEPUTY = "adjoint@chinon.example"
APPLICANT = "atelier@example.org"
OTHER = "collectif@example.org"
STRANGER = "stranger@example.org"
CALL = {
    "title": "Aile de l'ancienne école Jules-Ferry",
    "description": "Trois salles de classe au rez-de-chaussée, chauffées.",
    "criteria": "Projets associatifs, artistiques ou d'économie sociale.",
    "visit_info": "Visite le 12 janvier à 14 h.",
    "occupation_from": "2027-02-01",
    "occupation_until": "2027-07-31",
    "apply_until": "2027-01-15T12:00",
}
APPLICATION = {
    "project": "Un atelier de réparation de vélos.",
    "planned_use": "Atelier ouvert trois jours par semaine.",
    "start_date": "2027-02-01",
    "end_date": "2027-04-30",
    "organisation_name": "Vélo Chinon",
    "contact_phone": "02 47 00 00 00",
}


def make_cast() -> dict:
    """The town of Chinon (a municipality) with a vacant school wing (whole premises, by the
    month, on request, available all 2027), its manager (French) and an English-speaking deputy
    manager, two applicants (English and French) and a stranger, each with a bearer header."""
    from spaces.listings import services as listings
    from spaces.listings.models import Space
    from spaces.organisations import services as organisations
    from spaces.organisations.models import Organisation

    mairie = make_user(MAIRIE, name="Mairie de Chinon", locale="fr")
    deputy = make_user(DEPUTY, name="Deputy Mayor", locale="en")
    applicant = make_user(APPLICANT, name="Alex Atelier", locale="en")
    other = make_user(OTHER, name="Collectif Vienne", locale="fr")
    stranger = make_user(STRANGER, name="Sam Stranger")
    with transaction():
        town = organisations.create_organisation(mairie, "Ville de Chinon", "municipality")
    with transaction():
        organisations.add_member(mairie, db.session.get(Organisation, town.id), DEPUTY, "manager")
    space = make_space(
        mairie,
        organisation=town,
        units=0,
        publish=False,
        name="École Jules-Ferry",
        kind="vacant_public",
        commune="Chinon",
        postal_code="37500",
        address="2 rue de l'École",
        latitude=47.1669,
        longitude=0.2424,
        available_from=date(2027, 1, 1),
        available_until=date(2027, 12, 31),
        house_rules="Entrée par la rue, jamais par la cour de l'école.",
    )
    unit = make_unit(
        mairie,
        space,
        name="Aile est",
        kind="whole_premises",
        capacity=20,
        prices={"month": 15000, "day": 800},
        booking_mode="request",
    )
    with transaction():
        listings.publish_space(mairie, db.session.get(Space, space.id))
    return {
        "unit": unit.id,
        "space": space.id,
        "m": bearer(api_token(mairie)),
        "d": bearer(api_token(deputy)),
        "a": bearer(api_token(applicant)),
        "o": bearer(api_token(other)),
        "s": bearer(api_token(stranger)),
    }


def create_call(client, cast, **changes):
    return client.post(
        f"/api/v1/units/{cast['unit']}/calls", json={**CALL, **changes}, headers=cast["m"]
    )


def open_call(client, cast, **changes) -> dict:
    created = create_call(client, cast, **changes)
    assert created.status_code == 201, created.get_json()
    published = client.post(f"/api/v1/calls/{created.get_json()['id']}/publish", headers=cast["m"])
    assert published.status_code == 200, published.get_json()
    return published.get_json()


def apply(client, cast, call_id, who="a", **changes):
    return client.post(
        f"/api/v1/calls/{call_id}/applications",
        json={**APPLICATION, **changes},
        headers=cast[who],
    )


def applied(client, cast, call_id, who="a", **changes) -> dict:
    response = apply(client, cast, call_id, who, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def pdf_info(data: bytes, key: str) -> str:
    """A text entry of a PDF's document information (``Title``, ``Subject``, ``Author``), as
    fpdf2 writes it: ``(text)`` when it is plain ASCII, UTF-16 in hexadecimal otherwise. (No
    text extractor is installed; the agreement puts its parties and premises there too.)"""
    import re

    match = re.search(rb"/" + key.encode() + rb" (?:<([0-9a-fA-F]+)>|\(([^)]*)\))", data)
    assert match, f"no /{key} in the PDF"
    if match[1] is not None:
        return bytes.fromhex(match[1].decode()).decode("utf-16")
    return match[2].decode("latin-1")
