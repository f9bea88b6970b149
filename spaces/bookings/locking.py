"""One lock per unit: every writer of bookings (and of busy blocks) takes it first.

A row lock on PostgreSQL (``SELECT … FOR UPDATE``); on SQLite the write lock that
``transaction()`` takes at ``BEGIN IMMEDIATE`` already serialises every writer. Two requests for
the last seat therefore run one after the other, and the second sees the first's booking.

Linked units share one lock: a part's lock takes its parent's row first (the family root; a
unit that is no part is its own root), so a booking of the building and one of a room in it run
one after the other. Every family is locked root first, so no two transactions wait on each other.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, with_expression

from spaces.errors import NotFound
from spaces.extensions import db
from spaces.listings.models import Space, Unit

SPACE_COLUMNS = (
    "organisation_id",
    "name",
    "kind",
    "commune",
    "insee_code",
    "departement",
    "timezone",
    "status",
    "available_from",
    "available_until",
    "capacity_cap_percent",
    "closed_on_public_holidays",
)


@functools.cache
def _lock_query():
    """Built once (its cache key too): the unit id is a bound value."""
    this, child = aliased(Unit), aliased(Unit)
    unit_id = sa.bindparam("unit_id", type_=sa.Integer)
    parent = sa.select(this.part_of).where(this.id == unit_id).scalar_subquery()
    # Of the space, what the checks and the write read (rules, engine facts, budget); its
    # texts, address and organisation load on first access, if a caller wants them.
    space = joinedload(Unit.space, innerjoin=True)
    return (
        sa.select(Unit)
        .where(sa.or_(Unit.id == unit_id, Unit.id == parent))
        .options(
            space.load_only(*(getattr(Space, name) for name in SPACE_COLUMNS)),
            space.lazyload(Space.service_rows),
            space.lazyload(Space.organisation),
            with_expression(Unit.has_parts, sa.exists().where(child.part_of == Unit.id)),
        )
        .order_by(Unit.part_of.is_not(None))  # the root (never a part) first
        .with_for_update(of=Unit)
        .execution_options(populate_existing=True)
    )


def lock_unit(unit_id: int) -> Unit:
    """Serialise bookings of one unit and its family for the rest of the transaction; NotFound
    if it is gone.

    One statement: the unit's row — and first its parent's, when it is part of one — is locked
    and read with its space (``SPACE_COLUMNS``) and whether it has parts (``Unit.has_parts``)
    once the lock is granted —
    ``populate_existing`` overwrites whatever was read before the lock, which may be stale.
    PostgreSQL locks the rows in the ORDER BY's order (root first). Everything read after it
    (the family's bookings) sees the writes of the transaction that held the lock before.
    """
    rows = db.session.scalars(_lock_query(), {"unit_id": unit_id}).all()
    unit = next((row for row in rows if row.id == unit_id), None)
    if unit is None:
        raise NotFound()
    return unit
