"""Listing services: spaces and units — create, edit, publish, archive — with access rules.

Visibility: a published space is public; drafts and archived spaces are seen only by members of
their organisation (and administrators). Editing needs the owner or manager role.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage, can_read
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.geo.geocoding import Place
from spaces.listings.models import Space, Unit
from spaces.organisations.models import Organisation
from spaces.organisations.services import role_of

SPACE_FIELDS = (
    "name",
    "kind",
    "description",
    "address",
    "postal_code",
    "commune",
    "accessibility",
    "house_rules",
    "contact_email",
    "contact_phone",
    "available_from",
    "available_until",
    "capacity_cap_percent",
    "closed_on_public_holidays",
)
UNIT_FIELDS = (
    "name",
    "kind",
    "description",
    "capacity",
    "booking_mode",
    "min_minutes",
    "max_minutes",
    "notice_minutes",
    "cancel_until_minutes",
    "min_term_days",
    "max_term_days",
    "request_expiry_hours",
    "part_of",
)
# Units that can hold parts: those booked whole (a desk pool shares its seats).
WHOLE_KINDS = ("office", "meeting_room", "whole_premises")


TEXT_FIELDS = ("description", "address", "postal_code", "accessibility", "house_rules")


def _clean(data: dict) -> dict:
    """Empty text is "", never NULL (a JSON null clears a text field)."""
    return {k: ("" if v is None and k in TEXT_FIELDS else v) for k, v in data.items()}


def _role(actor: User | None, space: Space) -> str | None:
    return role_of(actor, space.organisation_id)


def can_see(actor: User | None, space: Space) -> bool:
    if space.status == "published":
        return True
    return can_read(_role(actor, space)) or bool(getattr(actor, "is_admin", False))


def can_edit(actor: User | None, space: Space) -> bool:
    return can_manage(_role(actor, space))


def get_space(actor: User | None, space_id: int, *, edit: bool = False) -> Space:
    """The space if the actor may see it (NotFound otherwise) and, with ``edit``, change it
    (Forbidden otherwise)."""
    space = db.session.get(Space, space_id)
    if space is None or not can_see(actor, space):
        raise NotFound()
    if edit and not can_edit(actor, space):
        raise Forbidden(
            _l(
                "Only the owners and managers of %(name)s can change this place.",
                name=space.organisation.name,
            )
        )
    return space


def get_unit(actor: User | None, unit_id: int, *, edit: bool = False) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if (
        unit is None
        or not can_see(actor, unit.space)
        or (not unit.active and not can_edit(actor, unit.space))
    ):
        raise NotFound()
    if edit and not can_edit(actor, unit.space):
        raise Forbidden(
            _l(
                "Only the owners and managers of %(name)s can change this place.",
                name=unit.space.organisation.name,
            )
        )
    return unit


def managed_organisation(actor: User, organisation_id: int) -> Organisation:
    """An organisation the actor manages: NotFound if unknown to them, Forbidden if only member."""
    organisation = db.session.get(Organisation, organisation_id)
    role = role_of(actor, organisation_id) if organisation else None
    if organisation is None or role is None:
        raise NotFound(
            _l("This organisation does not exist or you are not a member of it."),
            fields={"organisation_id": [_l("Unknown organisation.")]},
        )
    if not can_manage(role):
        raise Forbidden(
            _l("Only the owners and managers of %(name)s can list places.", name=organisation.name)
        )
    return organisation


def _apply_place(space: Space, place: Place | None, latitude, longitude, timezone) -> None:
    if latitude is not None and longitude is not None:
        space.latitude, space.longitude = latitude, longitude
    elif place is not None:
        space.latitude, space.longitude = place.latitude, place.longitude
    if place is not None:
        space.insee_code = place.insee
        space.departement = place.departement
        if not space.postal_code and place.postal_code:
            space.postal_code = place.postal_code
    if timezone:
        space.timezone = timezone
    elif place is not None and not space.timezone:
        space.timezone = place.timezone


def create_space(actor: User, data: dict, place: Place | None) -> Space:
    """A draft space of an organisation the actor manages.

    ``place`` is the geocoded address (None when the host placed the pin by hand, in which case
    ``data`` has latitude and longitude)."""
    organisation = managed_organisation(actor, data["organisation_id"])
    data = _clean(data)
    space = Space(organisation=organisation, status="draft", timezone="")
    for field in SPACE_FIELDS:
        if field in data and data[field] is not None:
            setattr(space, field, data[field])
    space.services = data.get("services") or []
    _apply_place(space, place, data.get("latitude"), data.get("longitude"), data.get("timezone"))
    if not space.timezone:
        from spaces.geo.geocoding import timezone_at

        space.timezone = timezone_at(space.latitude, space.longitude)
    db.session.add(space)
    db.session.flush()
    return space


def update_space(actor: User, space: Space, data: dict, place: Place | None) -> Space:
    """Change a space's fields; ``place`` is given when the address was geocoded again."""
    if not can_edit(actor, space):
        raise Forbidden()
    data = _clean(data)
    for field in SPACE_FIELDS:
        if field in data:
            setattr(space, field, data[field])
    if "services" in data:
        space.services = data["services"] or []
    _apply_place(space, place, data.get("latitude"), data.get("longitude"), data.get("timezone"))
    db.session.flush()
    return space


def publish_space(actor: User, space: Space) -> Space:
    """Make a space public. Raises Conflict(invalid_state) without a bookable unit."""
    if not can_edit(actor, space):
        raise Forbidden()
    if not any(unit.active for unit in space.units):
        raise Conflict(
            _l("Add at least one bookable offer (desks, office, room…) before publishing."),
            code="invalid_state",
        )
    if space.available_until and space.available_until < date.today():
        raise Conflict(
            _l("The availability period is over: change it before publishing."),
            code="invalid_state",
        )
    space.status = "published"
    space.published_at = space.published_at or utcnow()
    db.session.flush()
    return space


def archive_space(actor: User, space: Space) -> Space:
    """Take a space off the map; it stays visible to its organisation."""
    if not can_edit(actor, space):
        raise Forbidden()
    space.status = "archived"
    db.session.flush()
    return space


def _unit_values(unit: Unit, data: dict) -> None:
    for field in UNIT_FIELDS:
        if field in data:
            setattr(
                unit, field, "" if data[field] is None and field == "description" else data[field]
            )
    if unit.notice_minutes is None:
        unit.notice_minutes = 0
    if unit.cancel_until_minutes is None:
        unit.cancel_until_minutes = 0
    for field, default in (
        ("min_term_days", 1),
        ("max_term_days", 1461),
        ("request_expiry_hours", 48),
    ):
        if getattr(unit, field) is None:
            setattr(unit, field, default)
    prices = data.get("prices")
    if prices is not None:
        unit.price_hour = prices.get("hour")
        unit.price_half_day = prices.get("half_day")
        unit.price_day = prices.get("day")
        unit.price_month = prices.get("month")


def _check_family(space: Space, unit: Unit | None, data: dict) -> None:
    """Invalid (``part_of``, or ``kind`` for a parent) unless the unit's family stays whole: its
    parent is another unit of the same space, booked whole, and not itself a part; a unit with
    parts is part of none and stays booked whole."""
    parent_id = data.get("part_of", unit.part_of if unit else None)
    kind = data.get("kind", unit.kind if unit else None)
    has_parts = unit is not None and unit.id is not None and bool(unit.parts)
    if has_parts and kind not in WHOLE_KINDS:
        message = _l(
            "This unit has parts: it must be booked whole "
            "(an office, a meeting room or whole premises)."
        )
        raise Invalid(message, fields={"kind": [message]})
    if parent_id is None:
        return
    message = None
    parent = db.session.get(Unit, parent_id)
    if unit is not None and parent_id == unit.id:
        message = _l("A unit cannot be part of itself.")
    elif parent is None or parent.space_id != space.id:
        message = _l("Choose another unit of this place.")
    elif parent.kind not in WHOLE_KINDS:
        message = _l(
            "Only a unit booked whole (an office, a meeting room or whole premises) can have parts."
        )
    elif parent.part_of is not None:
        message = _l(
            "%(name)s is itself part of another unit: a part has no parts.", name=parent.name
        )
    elif has_parts:
        message = _l("This unit has parts of its own: it cannot be part of another.")
    if message is not None:
        raise Invalid(message, fields={"part_of": [message]})


def create_unit(actor: User, space: Space, data: dict) -> Unit:
    """A bookable unit in a space the actor manages; Invalid if its ``part_of`` is not a unit
    of the space that can hold parts."""
    if not can_edit(actor, space):
        raise Forbidden()
    _check_family(space, None, data)
    position = 1 + max((u.position for u in space.units), default=0)
    unit = Unit(space=space, position=position, currency="EUR")
    _unit_values(unit, data)
    db.session.add(unit)
    db.session.flush()
    return unit


def update_unit(actor: User, unit: Unit, data: dict) -> Unit:
    """Change a unit; Invalid (nothing changes) if its family would no longer hold."""
    if not can_edit(actor, unit.space):
        raise Forbidden()
    _check_family(unit.space, unit, data)
    _unit_values(unit, data)
    db.session.flush()
    return unit


def deactivate_unit(actor: User, unit: Unit) -> Unit:
    """Stop offering a unit (it is kept for the bookings that refer to it)."""
    if not can_edit(actor, unit.space):
        raise Forbidden()
    unit.active = False
    db.session.flush()
    return unit


def spaces_of(actor: User, organisation_id: int | None = None) -> list[Space]:
    """Every space of the organisations the actor belongs to (all statuses), by name."""
    ids = [m.organisation_id for m in actor.memberships]
    if organisation_id is not None:
        ids = [i for i in ids if i == organisation_id]
    if not ids:
        return []
    query = (
        sa.select(Space)
        .where(Space.organisation_id.in_(ids))
        .order_by(sa.func.lower(Space.name), Space.id)
    )
    return list(db.session.scalars(query))


def published_spaces() -> list[Space]:
    query = sa.select(Space).where(Space.status == "published").order_by(Space.id)
    return list(db.session.scalars(query))
