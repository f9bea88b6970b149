"""A host organisation's overview: each of its spaces' supply and use over a period, from one
pass of ``usage`` over all their units (the definitions of ``services.space_stats``: a space's
figures are its units' added together)."""

from __future__ import annotations

from datetime import date, datetime

from spaces.listings.models import Space
from spaces.observatory import figures as fig
from spaces.observatory.usage import Tally, usage


def organisation_overview(
    organisation_id: int, first: date, last: date, now: datetime | None = None
) -> dict[int, dict]:
    """Space id → seat-hours offered and booked, occupancy (None when nothing is offered),
    bookings, cancellations and revenue over the local days [first, last], for every space of
    the organisation with an active unit (any status: a host watches its drafts too)."""
    used = usage(
        [Space.organisation_id == organisation_id],
        first,
        last,
        [("all", first, last)],
        cancellations=True,
        now=now,
    )
    by_space: dict[int, Tally] = {}
    for uid, tally in used.units.items():
        by_space.setdefault(used.facts[uid].space_id, Tally()).add(tally)
    return {
        space_id: {
            "seat_hours_offered": fig.seat_hours(tally.offered),
            "seat_hours_booked": fig.seat_hours(tally.booked),
            "occupancy": fig.occupancy(tally.booked, tally.offered),
            "bookings": tally.bookings,
            "cancellations": tally.cancellations,
            "revenue": tally.revenue,
        }
        for space_id, tally in by_space.items()
    }
