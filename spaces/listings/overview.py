"""What the home page shows of the listings: every published place on a map, and how many places
and desks there are near a point (or in the whole territory). Reads plain rows, never commits."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from spaces.extensions import db
from spaces.geo.distance import bounding_box, distance_km
from spaces.listings.models import Space, Unit

MAX_PINS = 2000  # a territory's places; beyond that the map shows the first ones


@dataclass(frozen=True)
class Pin:
    id: int
    name: str
    commune: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Counts:
    places: int
    desks: int  # seats bookable at once in shared-desk pools (the place's cap applied)


def pins(limit: int = MAX_PINS) -> list[Pin]:
    """Published places that have an active unit, by name."""
    statement = (
        sa.select(Space.id, Space.name, Space.commune, Space.latitude, Space.longitude)
        .where(
            Space.status == "published",
            sa.exists().where(Unit.space_id == Space.id, Unit.active.is_(True)),
        )
        .order_by(Space.name, Space.id)
        .limit(limit)
    )
    return [Pin(*row) for row in db.session.execute(statement)]


def counts(latitude: float | None = None, longitude: float | None = None, radius_km=10.0) -> Counts:
    """Published places with an active unit, and their desks, within ``radius_km`` of a point
    (everywhere without one)."""
    statement = (
        sa.select(
            Space.id,
            Space.latitude,
            Space.longitude,
            Space.capacity_cap_percent,
            Unit.kind,
            Unit.capacity,
        )
        .join(Unit, Unit.space_id == Space.id)
        .where(Space.status == "published", Unit.active.is_(True))
    )
    located = latitude is not None and longitude is not None
    if located:
        min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
        statement = statement.where(
            Space.latitude.between(min_lat, max_lat), Space.longitude.between(min_lon, max_lon)
        )
    places: set[int] = set()
    desks = 0
    inside: dict[int, bool] = {}
    for space_id, lat, lon, cap, kind, capacity in db.session.execute(statement):
        if located:
            if space_id not in inside:
                inside[space_id] = distance_km(latitude, longitude, lat, lon) <= radius_km
            if not inside[space_id]:
                continue
        places.add(space_id)
        if kind == "desk_pool":
            desks += capacity * cap // 100
    return Counts(len(places), desks)


def territory_departements() -> frozenset[str]:
    """The départements that have a published place (suggestions prefer their communes)."""
    statement = (
        sa.select(Space.departement)
        .where(Space.status == "published", Space.departement.is_not(None))
        .distinct()
        .limit(20)
    )
    return frozenset(db.session.scalars(statement))
