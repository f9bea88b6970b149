"""The main menu: which items a person sees, from what they do on the site.

Everyone who logs in books (a teleworker: their bookings and calendars). A *host* belongs to an
organisation that lists places, or manages a municipality, landlord or coworking organisation
that has listed none yet (so that "My places" leads to its first one); *requests* go to those who
manage an organisation with places. An *employer* owns or manages an ``employer`` organisation
(its pages: staff budgets, sponsored bookings, statements; a plain member of an employer only
chooses it as "Paid by" on the booking form). An *administrator* moderates. Every member of a
``municipality`` sees its *observatory*.

``roles`` is pure; ``menu_roles`` asks the database once per request, and only for a logged-in
person with memberships.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, g
from flask_login import current_user

from spaces.accounts.permissions import can_manage
from spaces.extensions import db
from spaces.listings.models import Space

HOSTING_KINDS = frozenset({"municipality", "landlord", "coworking"})


@dataclass(frozen=True)
class Membership:
    """What the menu needs of a membership: the organisation, its kind, the person's role."""

    organisation_id: int
    kind: str
    role: str


@dataclass(frozen=True)
class MenuRoles:
    """The groups of items a person sees; all False for a visitor."""

    teleworker: bool = False
    host: bool = False
    requests: bool = False
    organisations: bool = False
    employer: bool = False
    admin: bool = False
    observatory: bool = False


def roles(
    memberships: Iterable[Membership], listing_ids: set[int], *, admin: bool = False
) -> MenuRoles:
    """A logged-in person's menu groups, from their memberships and the ids of those of their
    organisations that have at least one place (any status)."""
    memberships = list(memberships)
    host = any(
        m.organisation_id in listing_ids or (can_manage(m.role) and m.kind in HOSTING_KINDS)
        for m in memberships
    )
    return MenuRoles(
        teleworker=True,
        host=host,
        requests=any(m.organisation_id in listing_ids and can_manage(m.role) for m in memberships),
        organisations=bool(memberships),
        employer=any(m.kind == "employer" and can_manage(m.role) for m in memberships),
        admin=admin,
        observatory=any(m.kind == "municipality" for m in memberships),
    )


def menu_roles() -> MenuRoles:
    """The current person's menu groups, computed once per request."""
    if not current_user.is_authenticated:
        return MenuRoles()
    cached = g.get("menu_roles")
    if cached is not None:
        return cached
    memberships = [
        Membership(m.organisation_id, m.organisation.kind, m.role) for m in current_user.memberships
    ]
    listing_ids: set[int] = set()
    if memberships:
        ids = {m.organisation_id for m in memberships}
        listing_ids = set(
            db.session.scalars(
                sa.select(Space.organisation_id).where(Space.organisation_id.in_(ids)).distinct()
            )
        )
    g.menu_roles = roles(memberships, listing_ids, admin=bool(current_user.is_admin))
    return g.menu_roles


def init_app(app: Flask) -> None:
    app.jinja_env.globals["menu_roles"] = menu_roles
