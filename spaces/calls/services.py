"""Calls: create and edit a draft, publish, close; who sees which; the open calls near a place.

Services flush and never commit: the caller's ``transaction()`` is the commit point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage, can_read
from spaces.calls.models import Call
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.geo.distance import distance_km
from spaces.i18n import time_error_message
from spaces.listings.models import Space, Unit
from spaces.organisations.services import role_of
from spaces.timeutils import TimeError, parse_instant

# What one person may list at once, whatever the query: open calls are few (one per site).
MAX_LISTED = 1000


def role_for_call(actor: User | None, call: Call) -> str | None:
    return role_of(actor, call.unit.space.organisation_id)


def can_manage_call(actor: User | None, call: Call) -> bool:
    """Owners and managers of the unit's organisation edit the call and decide applications."""
    return can_manage(role_for_call(actor, call))


def can_read_call(actor: User | None, call: Call) -> bool:
    """Every member of the unit's organisation reads the call, its drafts and applications."""
    return can_read(role_for_call(actor, call))


def get_call(actor: User | None, call_id: int, *, manage: bool = False) -> Call:
    """The call if the actor may see it: published (open or closed) for everyone, a draft for
    its organisation. NotFound otherwise; with ``manage``, Forbidden unless owner/manager."""
    call = db.session.get(Call, call_id) if 0 < call_id < 2**31 else None
    if call is None:
        raise NotFound()
    member = can_read_call(actor, call)
    if not member and (call.status == "draft" or call.unit.space.status != "published"):
        raise NotFound()
    if manage and not can_manage_call(actor, call):
        if not member:
            raise NotFound()
        raise Forbidden(
            _l(
                "Only the owners and managers of %(name)s can do this.",
                name=call.unit.space.organisation.name,
            )
        )
    return call


def parse_deadline(text: str, timezone: str) -> datetime:
    """``apply_until`` as given (local to the space without an offset) → aware UTC."""
    try:
        return parse_instant(text, ZoneInfo(timezone))
    except TimeError as error:
        raise Invalid(fields={"apply_until": [time_error_message(error)]}) from None


def _check_call(space: Space, values: dict, now: datetime) -> datetime:
    """The deadline, once the period and the deadline are right for the space; Invalid naming
    the field otherwise."""
    deadline = parse_deadline(values["apply_until"], space.timezone)
    errors: dict[str, list] = {}
    if deadline <= now:
        errors["apply_until"] = [_l("The deadline must be in the future.")]
    start, end = values["occupation_from"], values["occupation_until"]
    if end < start:
        errors["occupation_until"] = [_l("The last day must not be before the first.")]
    else:
        if space.available_from is not None and start < space.available_from:
            errors["occupation_from"] = [
                _l(
                    "The place is available from %(day)s only.",
                    day=space.available_from.isoformat(),
                )
            ]
        if space.available_until is not None and end > space.available_until:
            errors["occupation_until"] = [
                _l(
                    "The place is available until %(day)s only.",
                    day=space.available_until.isoformat(),
                )
            ]
        if deadline.astimezone(ZoneInfo(space.timezone)).date() > end:
            errors.setdefault("apply_until", []).append(
                _l("The deadline must come before the end of the occupation.")
            )
    if errors:
        raise Invalid(fields=errors)
    return deadline


def _fill(call: Call, values: dict, deadline: datetime) -> None:
    call.title = values["title"]
    call.description = values.get("description") or ""
    call.criteria = values.get("criteria") or ""
    call.visit_info = values.get("visit_info") or ""
    call.occupation_from = values["occupation_from"]
    call.occupation_until = values["occupation_until"]
    call.apply_until = deadline


def create_call(actor: User, unit: Unit, values: dict, now: datetime | None = None) -> Call:
    """A draft call for a unit whose organisation the actor manages (the caller checked it)."""
    now = now or utcnow()
    if not can_manage(role_of(actor, unit.space.organisation_id)):
        raise Forbidden()
    deadline = _check_call(unit.space, values, now)
    call = Call(unit=unit, status="draft", created_by_id=actor.id)
    _fill(call, values, deadline)
    db.session.add(call)
    db.session.flush()
    return call


def update_call(actor: User, call: Call, values: dict, now: datetime | None = None) -> Call:
    """Change a draft; Conflict(invalid_state) once it is published."""
    now = now or utcnow()
    if not can_manage_call(actor, call):
        raise Forbidden()
    if call.status != "draft":
        raise Conflict(_l("Only a draft call can be edited."), code="invalid_state")
    _fill(call, values, _check_call(call.unit.space, values, now))
    db.session.flush()
    return call


def publish_call(actor: User, call: Call, now: datetime | None = None) -> Call:
    """Open a draft to applications. Conflict(invalid_state) when it is not a draft, its place
    is not published or its deadline has passed."""
    now = now or utcnow()
    if not can_manage_call(actor, call):
        raise Forbidden()
    if call.status != "draft":
        raise Conflict(_l("This call is already published."), code="invalid_state")
    if call.unit.space.status != "published" or not call.unit.active:
        raise Conflict(_l("Publish the place first."), code="invalid_state")
    if call.apply_until <= now:
        raise Conflict(
            _l("The deadline has passed: change it before publishing."), code="invalid_state"
        )
    call.status = "open"
    call.published_at = now
    db.session.flush()
    return call


def close_call(actor: User, call: Call, now: datetime | None = None) -> Call:
    """Stop taking applications now (the decisions on those received go on)."""
    now = now or utcnow()
    if not can_manage_call(actor, call):
        raise Forbidden()
    if call.status == "closed":
        raise Conflict(_l("This call is already closed."), code="invalid_state")
    call.status = "closed"
    call.closed_at = now
    db.session.flush()
    return call


@dataclass
class Listed:
    """An open call as the list shows it, with its distance from the searched place."""

    call: Call
    distance_km: float | None


def open_calls(
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float | None = None,
    now: datetime | None = None,
) -> list[Listed]:
    """Open calls of published places, soonest deadline first; near a place, within the radius."""
    now = now or utcnow()
    calls = db.session.scalars(
        sa.select(Call)
        .join(Call.unit)
        .join(Unit.space)
        .where(Call.status == "open", Call.apply_until > now, Space.status == "published")
        .options(
            joinedload(Call.unit).joinedload(Unit.space).selectinload(Space.photos),
        )
        .order_by(Call.apply_until, Call.id)
        .limit(MAX_LISTED)
    ).unique()
    listed = []
    for call in calls:
        distance = None
        if latitude is not None and longitude is not None:
            space = call.unit.space
            distance = distance_km(latitude, longitude, space.latitude, space.longitude)
            if radius_km is not None and distance > radius_km:
                continue
        listed.append(Listed(call, distance))
    return listed


def calls_of_spaces(space_ids: list[int]) -> dict[int, list[Call]]:
    """Every call of these spaces (any status), newest first, by space id (for hosts' lists)."""
    if not space_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Call)
        .join(Call.unit)
        .where(Unit.space_id.in_(space_ids))
        .order_by(Call.created_at.desc(), Call.id.desc())
    ).unique()
    found: dict[int, list[Call]] = {}
    for call in rows:
        found.setdefault(call.unit.space_id, []).append(call)
    return found


def calls_of_organisations(actor: User) -> list[Call]:
    """The calls of every organisation the actor belongs to, newest first."""
    ids = [m.organisation_id for m in actor.memberships]
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Call)
            .join(Call.unit)
            .join(Unit.space)
            .where(Space.organisation_id.in_(ids))
            .options(selectinload(Call.applications))
            .order_by(Call.created_at.desc(), Call.id.desc())
        ).unique()
    )


def period_contains(call: Call, start: date, end: date) -> bool:
    return call.occupation_from <= start <= end <= call.occupation_until
