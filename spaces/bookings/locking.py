"""One lock per unit: every writer of bookings (and of busy blocks) takes it first.

A row lock on PostgreSQL (``SELECT … FOR UPDATE``); on SQLite the write lock that
``transaction()`` takes at ``BEGIN IMMEDIATE`` already serialises every writer. Two requests for
the last seat therefore run one after the other, and the second sees the first's booking.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from spaces.errors import NotFound
from spaces.extensions import db
from spaces.listings.models import Space, Unit


def lock_unit(unit_id: int) -> Unit:
    """Serialise bookings of one unit for the rest of the transaction; NotFound if it is gone.

    One statement: the unit's row is locked and read with its space (and the space's
    organisation) once the lock is granted — ``populate_existing`` overwrites whatever was read
    before the lock, which may be stale. Everything read after it (the unit's bookings) sees the
    writes of the transaction that held the lock before.
    """
    unit = db.session.scalars(
        sa.select(Unit)
        .where(Unit.id == unit_id)
        .options(joinedload(Unit.space, innerjoin=True).lazyload(Space.service_rows))
        .with_for_update(of=Unit)
        .execution_options(populate_existing=True)
    ).first()
    if unit is None:
        raise NotFound()
    return unit
