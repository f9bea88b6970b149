"""Closing a space or a unit over booked time: the closure and its cancellations, in one go.

Apart from ``availability.services`` because it acts on bookings: it takes the booking service's
unit lock and the host-cancel mail path, and ``spaces.bookings`` already imports
``availability.services`` (this way round there is no import cycle).

A closure never silently overlaps bookings: the caller learns which live bookings it covers
(``affected_bookings``) and either cancels them — each booker e-mailed with the reason after the
commit — or keeps them, and the host honours them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.availability.loading import live_bookings_query
from spaces.availability.models import Closure
from spaces.availability.services import add_closure, check_closure_times
from spaces.bookings import notifications
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.listings.services import can_edit


@dataclass
class ClosureResult:
    closure: Closure
    affected: list[Booking] = field(default_factory=list)
    cancelled: bool = False


def _units(owner: Space | Unit) -> list[Unit]:
    """The units a closure of ``owner`` closes: every unit of a space (active or not); a unit
    and its parts (a closure of the parent closes them)."""
    units = owner.units if isinstance(owner, Space) else [owner, *owner.parts]
    return sorted(units, key=lambda u: u.id)


def _space(owner: Space | Unit) -> Space:
    return owner if isinstance(owner, Space) else owner.space


def _live_overlapping(units: list[Unit], start: datetime, end: datetime, now: datetime):
    """Live slot bookings (as the engine counts them) of these units over [start, end), not yet
    over. Terms are not affected: closed days are part of a term."""
    found: list[Booking] = []
    for unit in units:
        query = live_bookings_query(unit.id, start, end, now).where(
            Booking.end_at > now, Booking.kind == "slot"
        )
        found += db.session.scalars(query)
    return sorted(found, key=lambda b: (b.start_at, b.id))


def affected_bookings(
    actor: User, owner: Space | Unit, start: datetime, end: datetime, now: datetime | None = None
) -> list[Booking]:
    """The live bookings a closure of ``owner`` over [start, end) would cover, soonest first.

    Reads only (the host's preview). Raises Forbidden, or Invalid for times a closure refuses."""
    now = now or utcnow()
    if not can_edit(actor, _space(owner)):
        raise Forbidden()
    check_closure_times(start, end, now)
    return _live_overlapping(_units(owner), start, end, now)


def close(
    actor: User,
    owner: Space | Unit,
    start: datetime,
    end: datetime,
    reason: str,
    *,
    cancel_bookings: bool = False,
    expected: set[int] | None = None,
    now: datetime | None = None,
) -> ClosureResult:
    """Close a space (all its units) or one unit over [start, end), with the units locked.

    Lists the live bookings it covers; with ``cancel_bookings`` they are cancelled (only those:
    a series loses just the dates under the closure) and each booker is e-mailed with the
    reason once the transaction commits; without it they stand. ``expected`` is the set of
    booking ids the host was shown: if it no longer matches, Conflict(affected_changed) and
    nothing is written. Raises Forbidden, Invalid (times, or no reason to give the bookers).
    """
    now = now or utcnow()
    if not can_edit(actor, _space(owner)):
        raise Forbidden()
    check_closure_times(start, end, now)
    units = [lock_unit(unit.id) for unit in _units(owner)]  # in id order: no deadlock
    affected = _live_overlapping(units, start, end, now)
    if expected is not None and {b.id for b in affected} != expected:
        raise Conflict(
            _l("The bookings during this closure changed meanwhile: check the list again."),
            code="affected_changed",
        )
    reason = (reason or "").strip()
    if cancel_bookings and affected and not reason:
        message = _l("Give the bookers a reason: it is in the e-mail telling them.")
        raise Invalid(message, fields={"reason": [message]})
    closure = add_closure(actor, owner, start, end, reason)  # the availability event, too
    if not (cancel_bookings and affected):
        return ClosureResult(closure, affected)
    for booking in affected:
        booking.status = "cancelled"
        booking.cancelled_at = now
        booking.cancelled_by_id = actor.id
        booking.reason = reason[:500]
        booking.sequence += 1
    db.session.flush()
    # One e-mail per booker and series (a series' dates in one, as when the host cancels them).
    groups: dict[tuple, list[Booking]] = {}
    for booking in affected:  # soonest first
        key = (booking.user_id, booking.series_id, None if booking.series_id else booking.id)
        groups.setdefault(key, []).append(booking)
    for group in groups.values():
        notifications.bookings_cancelled(group, by_host=True)
    return ClosureResult(closure, affected, cancelled=True)


def kept_counts(closures: list[Closure], now: datetime | None = None) -> dict[int, int]:
    """For each closure, how many live bookings it still covers (kept, for the host to honour)."""
    now = now or utcnow()
    counts = {}
    for closure in closures:
        if closure.space_id is not None:
            owner = db.session.get(Space, closure.space_id)
        else:
            owner = db.session.get(Unit, closure.unit_id)
        live = _live_overlapping(_units(owner), closure.start_at, closure.end_at, now)
        counts[closure.id] = len(live)
    return counts
