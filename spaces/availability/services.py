"""Availability services: opening hours and closures of spaces and units.

Every change that moves a unit's availability goes through ``availability_changed`` so the
unit's version goes up in the same transaction (events and ETags follow it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from spaces.accounts.models import User
from spaces.availability.hours import Window, normalised, overlapping
from spaces.availability.models import Closure, OpeningWindow
from spaces.db import utcnow
from spaces.errors import Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.inputs import check_order
from spaces.listings.models import Space, Unit
from spaces.listings.services import can_edit, can_see
from spaces.timeutils import format_hhmm


def day_name(weekday: int) -> str:
    """Monday is 0, in the current language."""
    from babel import dates as babel_dates

    from spaces.i18n import current_locale

    return babel_dates.get_day_names("wide", locale=current_locale())[weekday]


@functools.cache
def _bump_statement(dialect: str):
    """Built once per dialect (its cache key too): the ids and the parents are bound lists."""
    table = Unit.__table__
    ids = sa.bindparam("ids", expanding=True, type_=sa.Integer)
    family = sa.or_(
        table.c.id.in_(ids), table.c.part_of.in_(sa.bindparam("parts_of", expanding=True))
    )
    if dialect == "postgresql":
        # Rows locked as ``locking.lock_unit`` does, roots first: a writer holding a building
        # and one bumping its offices never wait on each other.
        locked = (
            sa.select(table.c.id)
            .where(family)
            .order_by(table.c.part_of.is_not(None), table.c.id)
            .with_for_update()
            .subquery()
        )
        family = table.c.id == locked.c.id
    return (
        table.update()
        .where(family)
        .values(availability_version=table.c.availability_version + 1)
        .returning(table.c.id, table.c.availability_version)
    )


def availability_changed(units: Iterable[Unit]) -> None:
    """Record that these units' availability changed — and their linked units' (the parent of a
    part, the parts of a parent): version bump in this transaction, and an event to every open
    stream once it commits.

    One statement whatever the number of units: the versions are incremented in SQL (two
    concurrent changes never produce the same version) and returned, so the event needs no read
    after the commit.
    """
    units = list(units)
    if not units:
        return
    ids = sorted({unit.id for unit in units})
    parents = sorted({unit.part_of for unit in units if unit.part_of is not None})
    connection = db.session.connection()
    statement = _bump_statement(connection.dialect.name)
    rows = connection.execute(statement, {"ids": ids + parents, "parts_of": ids}).all()
    versions = dict(rows)
    identities = db.session.identity_map
    for unit_id, version in versions.items():
        unit = identities.get(identity_key(Unit, unit_id))
        if unit is not None:
            set_committed_value(unit, "availability_version", version)
    from spaces.events import publish_after_commit

    publish_after_commit(db.session, versions)


def _owner_filter(owner: Space | Unit):
    column = OpeningWindow.space_id if isinstance(owner, Space) else OpeningWindow.unit_id
    return column == owner.id


def windows_of(owner: Space | Unit) -> list[Window]:
    """The owner's own weekly windows (for a unit, not falling back to its space)."""
    rows = db.session.scalars(sa.select(OpeningWindow).where(_owner_filter(owner)))
    return sorted(Window(r.weekday, r.start_minute, r.end_minute) for r in rows)


def effective_windows(unit: Unit) -> list[Window]:
    """The windows that apply to a unit: its own if it has them, else its space's."""
    return windows_of(unit) if unit.own_hours else windows_of(unit.space)


def set_opening_hours(actor: User, owner: Space | Unit, windows: list[Window]) -> list[Window]:
    """Replace the weekly windows of a space or unit. An empty list means closed.

    Raises Invalid when two windows of a day overlap (touching windows are merged)."""
    space = owner if isinstance(owner, Space) else owner.space
    if not can_edit(actor, space):
        raise Forbidden()
    clashes = overlapping(windows)
    if clashes:
        first, second = clashes[0]
        message = _l(
            "Two windows overlap on %(day)s: %(a)s and %(b)s.",
            day=day_name(first.weekday),
            a=f"{format_hhmm(first.start)}–{format_hhmm(first.end)}",
            b=f"{format_hhmm(second.start)}–{format_hhmm(second.end)}",
        )
        raise Invalid(message, code="overlapping_windows", fields={"windows": [message]})
    db.session.execute(sa.delete(OpeningWindow).where(_owner_filter(owner)))
    kwargs = {"space_id": owner.id} if isinstance(owner, Space) else {"unit_id": owner.id}
    merged = normalised(windows)
    for window in merged:
        db.session.add(
            OpeningWindow(
                weekday=window.weekday, start_minute=window.start, end_minute=window.end, **kwargs
            )
        )
    if isinstance(owner, Unit):
        owner.own_hours = True
        availability_changed([owner])
    else:
        availability_changed(u for u in owner.units if not u.own_hours)
    db.session.flush()
    return merged


def use_space_hours(actor: User, unit: Unit) -> None:
    """Let a unit follow its space's hours again."""
    if not can_edit(actor, unit.space):
        raise Forbidden()
    db.session.execute(sa.delete(OpeningWindow).where(OpeningWindow.unit_id == unit.id))
    unit.own_hours = False
    availability_changed([unit])
    db.session.flush()


def closures_of(owner: Space | Unit, since: datetime | None = None) -> list[Closure]:
    column = Closure.space_id if isinstance(owner, Space) else Closure.unit_id
    query = sa.select(Closure).where(column == owner.id)
    if since is not None:
        query = query.where(Closure.end_at > since)
    return list(db.session.scalars(query.order_by(Closure.start_at, Closure.id)))


# A closure must be servable back: every page shows its ends in the place's zone, and the engine
# walks the days it covers. So it starts in 2000 or later (local time: a day of margin for any
# zone) and ends within ten years of now.
CLOSURE_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC) - timedelta(days=1)
CLOSURE_MAX_YEARS = 10


def closure_latest_end(now: datetime) -> datetime:
    return now + timedelta(days=365 * CLOSURE_MAX_YEARS + CLOSURE_MAX_YEARS // 4)


def check_closure_times(start: datetime, end: datetime, now: datetime | None = None) -> None:
    """Raise Invalid (naming the field) unless [start, end) is a closure we can store and show."""
    now = now or utcnow()
    if start < CLOSURE_EARLIEST:
        message = _l("A closure starts in the year 2000 or later.")
        raise Invalid(message, fields={"start": [message]})
    check_order(start, end)
    if end > closure_latest_end(now):
        message = _l("A closure ends at most %(years)s years from now.", years=CLOSURE_MAX_YEARS)
        raise Invalid(message, fields={"end": [message]})


def add_closure(
    actor: User, owner: Space | Unit, start: datetime, end: datetime, reason: str
) -> Closure:
    """Close a space (all its units) or one unit over [start, end); bookings are not looked at
    (``spaces.availability.closing.close`` is the one that handles them).

    Raises Forbidden, or Invalid when the times are out of order or out of bounds."""
    space = owner if isinstance(owner, Space) else owner.space
    if not can_edit(actor, space):
        raise Forbidden()
    check_closure_times(start, end)
    closure = Closure(start_at=start, end_at=end, reason=(reason or "").strip()[:200])
    if isinstance(owner, Space):
        closure.space_id = owner.id
        availability_changed(space.units)
    else:
        closure.unit_id = owner.id
        availability_changed([owner])
    db.session.add(closure)
    db.session.flush()
    return closure


def _closure_owner(closure: Closure) -> tuple[Space | Unit, Space]:
    """The space or unit a closure belongs to, and its space."""
    if closure.space_id:
        space = db.session.get(Space, closure.space_id)
        return space, space
    unit = db.session.get(Unit, closure.unit_id)
    return unit, unit.space


def get_closure(actor: User, closure_id: int) -> Closure:
    closure = db.session.get(Closure, closure_id)
    if closure is None:
        raise NotFound()
    _owner, space = _closure_owner(closure)
    if not can_see(actor, space):
        raise NotFound()
    return closure


def delete_closure(actor: User, closure: Closure) -> None:
    owner, space = _closure_owner(closure)
    if not can_edit(actor, space):
        raise Forbidden()
    availability_changed(space.units if isinstance(owner, Space) else [owner])
    db.session.delete(closure)
    db.session.flush()
