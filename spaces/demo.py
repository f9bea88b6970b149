"""The Touraine demo data: accounts and organisations (listings and bookings come on top).

Idempotent: each object is looked up by a natural key before it is created. Demo accounts share
one public password, printed by the command; they are for trying the site, never for production.
"""

from __future__ import annotations

import sqlalchemy as sa

from spaces.accounts import services as accounts
from spaces.extensions import db
from spaces.organisations import services as organisations
from spaces.organisations.models import Membership, Organisation

DEMO_PASSWORD = "touraine-demo-2027"  # public demo password, shown in the README

PEOPLE = [
    ("camille.martin@example.org", "Camille Martin", "fr"),
    ("hugo.bernard@example.org", "Hugo Bernard", "fr"),
    ("accueil@la-cantine-tours.example.org", "Léa Petit (La Cantine)", "fr"),
    ("patrimoine@mairie-loches.example.org", "Service patrimoine de Loches", "fr"),
    ("rh@touraine-logistique.example.org", "Nadia Roux (RH)", "en"),
]

ORGANISATIONS = [
    ("Ville de Loches", "municipality", "patrimoine@mairie-loches.example.org"),
    ("La Cantine Tours", "coworking", "accueil@la-cantine-tours.example.org"),
    ("Touraine Logistique", "employer", "rh@touraine-logistique.example.org"),
]


def load() -> str:
    """Create what is missing of the demo data; returns a one-line summary."""
    created = 0
    users = {}
    for email, name, locale in PEOPLE:
        user = accounts.find_user_by_email(email)
        if user is None:
            user = accounts.register_user(email, DEMO_PASSWORD, name, locale)
            created += 1
        users[email] = user
    for name, kind, owner_email in ORGANISATIONS:
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
        if organisation is None:
            organisation = organisations.create_organisation(users[owner_email], name, kind)
            created += 1
        elif not db.session.scalar(
            sa.select(Membership).where(Membership.organisation_id == organisation.id)
        ):
            db.session.add(
                Membership(organisation=organisation, user=users[owner_email], role="owner")
            )
    db.session.flush()
    return f"Demo data ready ({created} objects created). Demo password: {DEMO_PASSWORD}"
