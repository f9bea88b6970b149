"""Search: published units near a point (or everywhere), filtered, sorted by geodesic distance.

The database narrows candidates with a bounding box on indexed latitude/longitude columns; the
geodesic distance then refines and sorts them. Dates are the availability domain's part
(``spaces.availability.filter``), on top of ``rank``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from spaces.extensions import db
from spaces.geo.distance import bounding_box, distance_for_radius, distance_km
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
    instant: bool = False  # only units booked instantly (no host approval)
    sort: str = "distance"  # or "price" (with dates): by price, then as by distance

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


def _filtered(statement, query: SearchQuery):
    statement = statement.where(Space.status == "published", Unit.active.is_(True))
    if query.located:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            query.latitude, query.longitude, query.radius_km
        )
        statement = statement.where(
            Space.latitude.between(min_lat, max_lat), Space.longitude.between(min_lon, max_lon)
        )
    if query.kind:
        statement = statement.where(Unit.kind == query.kind)
    if query.instant:
        statement = statement.where(Unit.booking_mode == "instant")
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
    return statement


def candidates(query: SearchQuery) -> list[tuple[Unit, Space]]:
    """Active units of published spaces matching the query's place, kind and services."""
    statement = _filtered(
        sa.select(Unit).join(Unit.space).options(contains_eager(Unit.space)), query
    )
    return [(unit, unit.space) for unit in db.session.scalars(statement).unique()]


class Ranked(NamedTuple):
    """A matching unit, light: what ordering and counting need, no ORM object."""

    unit_id: int
    space_id: int
    distance_km: float | None  # within 2 m of the geodesic (exact in hydrated hits)


def rank(query: SearchQuery) -> list[Ranked]:
    """Every matching unit in result order, from plain rows: nearest first (or by space and unit
    name without a place). Distances are computed once per space."""
    return rank_with(query)[0]


def rank_with(query: SearchQuery, extra: tuple = ()) -> tuple[list[Ranked], dict[int, tuple]]:
    """``rank``, and the ``extra`` columns (of units and spaces) of every ranked unit by id, from
    the same query. (Hot loop: plain tuples.)"""
    # Through the session's connection: plain rows, without the ORM's result processing.
    rows = (
        db.session.connection()
        .execute(
            _filtered(
                sa.select(
                    Unit.id,
                    Unit.space_id,
                    Unit.kind,
                    Unit.capacity,
                    Unit.position,
                    Space.capacity_cap_percent,
                    Space.latitude,
                    Space.longitude,
                    Space.name,
                    *extra,
                ).join(Unit.space),
                query,
            )
        )
        .all()
    )
    located, seats, radius = query.located, query.seats, query.radius_km
    latitude, longitude = query.latitude, query.longitude
    distances: dict[int, float] = {}
    keyed = []
    extras: dict[int, tuple] = {}
    for row in rows:
        unit_id, space_id, kind, capacity, position, cap, lat, lon, name = row[:9]
        if extra:
            extras[unit_id] = row[9:]
        # Desk pools are booked by the seat (under the space's cap); other units whole, for up
        # to ``capacity`` people.
        if seats > (capacity * cap // 100 if kind == "desk_pool" else capacity):
            continue
        if located:
            distance = distances.get(space_id)
            if distance is None:
                distance = distances[space_id] = distance_for_radius(
                    latitude, longitude, lat, lon, radius
                )
            if distance <= radius:
                keyed.append((distance, name.lower(), position, unit_id, space_id))
        else:
            keyed.append((name.lower(), space_id, position, unit_id, space_id))
    keyed.sort()
    if located:
        return [Ranked(k[3], k[4], k[0]) for k in keyed], extras
    return [Ranked(k[3], k[4], None) for k in keyed], extras


def hydrate(query: SearchQuery, ranked: list[Ranked], chunk: int = 1000) -> list[Hit]:
    """Hits (units and spaces loaded, exact geodesic distances) for ranked units, same order."""
    units: dict[int, Unit] = {}
    ids = [r.unit_id for r in ranked]
    for start in range(0, len(ids), chunk):
        statement = (
            sa.select(Unit)
            .join(Unit.space)
            # Results show each space's photos: one query for the page, not one per space.
            .options(contains_eager(Unit.space).selectinload(Space.photos))
            .where(Unit.id.in_(ids[start : start + chunk]))
        )
        units.update((u.id, u) for u in db.session.scalars(statement).unique())
    hits = []
    for r in ranked:
        unit = units[r.unit_id]
        space = unit.space
        distance = (
            distance_km(query.latitude, query.longitude, space.latitude, space.longitude)
            if query.located
            else None
        )
        hits.append(Hit(space, unit, distance, free_seats=unit.effective_capacity))
    return hits


def search(query: SearchQuery) -> list[Hit]:
    """Every unit that matches the place, kind and services, nearest first (or by space and unit
    name without a place); dates are not looked at (``availability.filter.find`` does).

    For one page of results, ``hydrate(query, rank(query)[start:end])`` is much cheaper: only
    the page's units become ORM objects (the total is ``len(rank(query))``)."""
    return hydrate(query, rank(query))
