"""One lock per unit: every writer of bookings (and of busy blocks) takes it first.

A row lock on PostgreSQL (``SELECT … FOR UPDATE``); on SQLite the write lock that
``transaction()`` takes at ``BEGIN IMMEDIATE`` already serialises every writer. Two requests for
the last seat therefore run one after the other, and the second sees the first's booking.
"""

from __future__ import annotations

import sqlalchemy as sa

from spaces.errors import NotFound
from spaces.extensions import db
from spaces.listings.models import Unit


def lock_unit(unit_id: int) -> Unit:
    """Serialise bookings of one unit for the rest of the transaction; NotFound if it is gone."""
    locked = db.session.execute(
        sa.select(Unit.id).where(Unit.id == unit_id).with_for_update()
    ).first()
    if locked is None:
        raise NotFound()
    unit = db.session.get(Unit, unit_id)
    db.session.refresh(unit)  # what was read before the lock may be stale
    return unit
