"""Sponsorship settings of employer organisations, and which employers a person may bill.

Services never commit: the caller's ``transaction()`` does.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.db import utcnow
from spaces.employers.forms import SponsorshipForm
from spaces.employers.models import Sponsorship
from spaces.errors import Invalid
from spaces.extensions import db
from spaces.organisations.models import Membership, Organisation
from spaces.organisations.services import get_organisation, require_manager, role_of


def require_employer(organisation: Organisation) -> None:
    """Invalid (422) unless the organisation is an employer."""
    if organisation.kind != "employer":
        raise Invalid(
            _l("Only an employer organisation pays for bookings."), code="not_an_employer"
        )


def managed_employer(actor: User, organisation_id: int) -> Organisation:
    """The employer the actor owns or manages: NotFound for non-members, Forbidden for plain
    members, Invalid (422) for an organisation of another kind."""
    organisation = get_organisation(actor, organisation_id)
    require_manager(actor, organisation)
    require_employer(organisation)
    return organisation


def can_see_sponsored(actor: User | None, organisation_id: int | None) -> bool:
    """Owners and managers of an employer see the bookings it pays for."""
    return organisation_id is not None and can_manage(role_of(actor, organisation_id))


def get_sponsorship(org: Organisation) -> Sponsorship | None:
    """The employer's settings, or None when it never set any (no limit at all)."""
    return db.session.scalar(sa.select(Sponsorship).where(Sponsorship.organisation_id == org.id))


def set_sponsorship(org: Organisation, form: SponsorshipForm) -> Sponsorship:
    """Replace the employer's settings with the validated form's (empty = no limit).

    Invalid (422) for an organisation that is not an employer. New limits apply to the next
    bookings; bookings already made stand."""
    require_employer(org)
    sponsorship = get_sponsorship(org)
    if sponsorship is None:
        sponsorship = Sponsorship(organisation_id=org.id, currency="EUR")
        db.session.add(sponsorship)
    values = form.settings()
    sponsorship.monthly_budget_per_member = values["monthly_budget_per_member"]
    sponsorship.monthly_budget_total = values["monthly_budget_total"]
    sponsorship.allowed_kinds = values["allowed_kinds"]
    sponsorship.allowed_communes = values["allowed_communes"]
    sponsorship.updated_at = utcnow()
    db.session.flush()
    return sponsorship


def sponsorship_json(org: Organisation, sponsorship: Sponsorship | None) -> dict:
    """The settings as the API gives them (null: no limit)."""
    return {
        "organisation_id": org.id,
        "monthly_budget_per_member": sponsorship.monthly_budget_per_member if sponsorship else None,
        "monthly_budget_total": sponsorship.monthly_budget_total if sponsorship else None,
        "allowed_kinds": sponsorship.allowed_kinds if sponsorship else None,
        "allowed_communes": sponsorship.allowed_communes if sponsorship else None,
        "currency": sponsorship.currency if sponsorship else "EUR",
        "updated_at": sponsorship.updated_at.isoformat() if sponsorship else None,
    }


def sponsors_for(user: User) -> list[Organisation]:
    """The employer organisations the user belongs to (any role), by name: who may pay."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Organisation.kind == "employer")
            .order_by(sa.func.lower(Organisation.name), Organisation.id)
        )
    )
