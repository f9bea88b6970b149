"""Search: published units near a point (or everywhere), filtered, sorted by geodesic distance.

The database narrows candidates with a bounding box on indexed latitude/longitude columns; the
geodesic distance then refines and sorts them. A date window hands the candidates to the
availability engine (``availability`` argument), which keeps those that would accept the booking
now and gives free seats and price.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from spaces.extensions import db
from spaces.geo.distance import bounding_box, distance_km
from spaces.listings.models import Space, SpaceService, Unit

DEFAULT_RADIUS_KM = 10.0
MAX_RADIUS_KM = 1000.0


@dataclass(frozen=True)
class SearchQuery:
    latitude: float | None = None
    longitude: float | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    seats: int = 1
    services: tuple[str, ...] = ()
    kind: str | None = None
    space_kind: str | None = None
    # As given (ISO 8601): without an offset, each space reads them in its own zone.
    start_text: str | None = None
    end_text: str | None = None
    max_price: int | None = None

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass
class Hit:
    space: Space
    unit: Unit
    distance_km: float | None
    free_seats: int
    price: int | None = None
    breakdown: list = field(default_factory=list)


# Given the candidate hits and the query, keep those free for the window, setting seats and price.
AvailabilityFilter = Callable[[list[Hit], SearchQuery], list[Hit]]


def fits_people(unit: Unit, seats: int) -> bool:
    """Desk pools are booked by the seat; other units whole, for up to ``capacity`` people."""
    if unit.is_pool:
        return seats <= unit.effective_capacity
    return seats <= unit.capacity


def candidates(query: SearchQuery) -> list[tuple[Unit, Space]]:
    """Active units of published spaces matching the query's place, kind and services."""
    statement = (
        sa.select(Unit)
        .join(Unit.space)
        .options(contains_eager(Unit.space))
        .where(Space.status == "published", Unit.active.is_(True))
    )
    if query.located:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            query.latitude, query.longitude, query.radius_km
        )
        statement = statement.where(
            Space.latitude.between(min_lat, max_lat), Space.longitude.between(min_lon, max_lon)
        )
    if query.kind:
        statement = statement.where(Unit.kind == query.kind)
    if query.space_kind:
        statement = statement.where(Space.kind == query.space_kind)
    if query.services:
        having_all = (
            sa.select(SpaceService.space_id)
            .where(SpaceService.code.in_(query.services))
            .group_by(SpaceService.space_id)
            .having(sa.func.count() == len(set(query.services)))
        )
        statement = statement.where(Space.id.in_(having_all))
    return [(unit, unit.space) for unit in db.session.scalars(statement).unique()]


def search(query: SearchQuery, availability: AvailabilityFilter | None = None) -> list[Hit]:
    """Every unit that matches, nearest first (or by space and unit name without a place)."""
    hits: list[Hit] = []
    for unit, space in candidates(query):
        if not fits_people(unit, query.seats):
            continue
        distance = None
        if query.located:
            distance = distance_km(query.latitude, query.longitude, space.latitude, space.longitude)
            if distance > query.radius_km:
                continue
        hits.append(Hit(space, unit, distance, free_seats=unit.effective_capacity))
    if query.start_text is not None and availability is not None:
        hits = availability(hits, query)
        if query.max_price is not None:
            hits = [h for h in hits if h.price is not None and h.price <= query.max_price]
    if query.located:
        hits.sort(key=lambda h: (h.distance_km, h.space.name.lower(), h.unit.position, h.unit.id))
    else:
        hits.sort(key=lambda h: (h.space.name.lower(), h.space.id, h.unit.position, h.unit.id))
    return hits
