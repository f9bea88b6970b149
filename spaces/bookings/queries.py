"""Reading bookings: who may see which, and the lists people and hosts see."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.bookings.models import Booking
from spaces.errors import Forbidden, NotFound
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.organisations.services import role_of


def role_for_unit(actor: User | None, unit: Unit) -> str | None:
    return role_of(actor, unit.space.organisation_id)


def can_handle(actor: User | None, booking: Booking) -> bool:
    """Owners and managers of the unit's organisation handle its bookings."""
    return can_manage(role_for_unit(actor, booking.unit))


def sponsors_it(actor: User | None, booking: Booking) -> bool:
    """Owners and managers of the employer paying for a booking read it (only those it pays
    for: the staff's other bookings stay private)."""
    return booking.sponsor_organisation_id is not None and can_manage(
        role_of(actor, booking.sponsor_organisation_id)
    )


def get_booking(actor: User, booking_id: int) -> Booking:
    """A booking the actor made, or handles, or reads as a member of the host or as a manager
    of the employer paying for it; NotFound otherwise."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise NotFound()
    if (
        booking.user_id != actor.id
        and role_for_unit(actor, booking.unit) is None
        and not sponsors_it(actor, booking)
        and not actor.is_admin
    ):
        raise NotFound()
    return booking


def sponsored_bookings(actor: User, organisation_id: int) -> list[Booking]:
    """The bookings an employer pays for, by start, for its owners and managers: NotFound for
    anyone outside it, Forbidden for its plain members (colleagues' bookings stay private)."""
    role = role_of(actor, organisation_id)
    if role is None:
        raise NotFound()
    if not can_manage(role):
        raise Forbidden(
            _l("Only the owners and managers of the employer see the bookings it pays for.")
        )
    return list(
        db.session.scalars(
            sa.select(Booking)
            .where(Booking.sponsor_organisation_id == organisation_id)
            .order_by(Booking.start_at, Booking.id)
        )
    )


def list_bookings(
    actor: User, *, unit_id: int | None = None, space_id: int | None = None
) -> list[Booking]:
    """The actor's own bookings, or a unit's / space's bookings for its organisation's members."""
    query = sa.select(Booking).order_by(Booking.start_at, Booking.id)
    if unit_id is not None or space_id is not None:
        if unit_id is not None:
            unit = db.session.get(Unit, unit_id)
            if unit is None or role_of(actor, unit.space.organisation_id) is None:
                raise NotFound()
            query = query.where(Booking.unit_id == unit_id)
        if space_id is not None:
            space = db.session.get(Space, space_id)
            if space is None or role_of(actor, space.organisation_id) is None:
                raise NotFound()
            query = query.join(Booking.unit).where(Unit.space_id == space_id)
    else:
        query = query.where(Booking.user_id == actor.id)
    return list(db.session.scalars(query))


def require_handler(actor: User, booking: Booking) -> None:
    if not can_handle(actor, booking):
        raise Forbidden(_l("Only the host's owners and managers can do this."))
