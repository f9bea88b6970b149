"""Search: published units near a point (or everywhere), filtered, sorted by geodesic distance.

The database narrows candidates with a bounding box on indexed latitude/longitude columns; the
geodesic distance then refines and sorts them. Dates are the availability domain's part
(``spaces.availability.filter``), on top of ``rank``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
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
    # A term (whole local days, inclusive) instead of a window: units that would accept it.
    first_day: date | None = None
    last_day: date | None = None
    max_price: int | None = None
    instant: bool = False  # only units booked instantly (no host approval)
    sort: str = "distance"  # or "price" (with dates): by price, then as by distance
    insee_code: str | None = None  # the commune a place name resolved to (the search log's)

    @property
    def dated(self) -> bool:
        """Whether a window or a term is asked for (results then carry free seats and price)."""
        return self.start_text is not None or self.first_day is not None

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
    if query.first_day is not None:
        # Cheap before expensive: a unit without a month rate offers no term (the term rules'
        # first refusal, ``term_not_offered``), so a term search does not read it at all.
        statement = statement.where(Unit.price_month.is_not(None))
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


def rank(query: SearchQuery) -> Sequence[Ranked]:
    """Every matching unit in result order: nearest first, or without a place by space name.

    Near a place, a list ranked in Python (``rank_in_memory``); without one, a ``ByName``
    sequence that the database orders, counts and slices, so that a page costs a page."""
    if not query.located:
        return ByName(query)
    return rank_in_memory(query)


def rank_in_memory(query: SearchQuery) -> list[Ranked]:
    """Every matching unit in result order, from plain rows: nearest first (or by space and unit
    name without a place). Distances are computed once per space.

    Without a place, the reference ``ByName`` is tested against."""
    return rank_with(query)[0]


def rank_with(query: SearchQuery, extra: tuple = ()) -> tuple[list[Ranked], dict[int, tuple]]:
    """``rank_in_memory``, and the ``extra`` columns (of units and spaces) of every ranked unit
    by id, from the same query. (Hot loop: plain tuples.)"""
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


def _seats_fit(seats: int):
    """``fits`` in SQL: integer division, as in Python (the values are positive)."""
    bookable = sa.case(
        (Unit.kind == "desk_pool", Unit.capacity * Space.capacity_cap_percent // 100),
        else_=Unit.capacity,
    )
    return bookable >= seats


# Without a place: by space name (``Space.name_key``, Python's ``str.lower()`` of the name,
# compared by code point on both backends), then space, unit position, unit — ``rank_in_memory``'s
# order.
BY_NAME = (Space.name_key, Space.id, Unit.position, Unit.id)


class ByName(Sequence[Ranked]):
    """The matches of a query without a place, by name, left in the database until read:
    ``len()`` is one COUNT, a slice (or an index) one ``ORDER BY … LIMIT/OFFSET`` query, and
    iterating reads every match once, in the same order (then kept).

    Each match is ``factory(unit_id, space_id, None)``: a ``Ranked``, or any tuple that starts
    the same way (the dated search's ``Match``)."""

    def __init__(self, query: SearchQuery, factory: Callable[[int, int, None], tuple] = Ranked):
        self.query = query
        self.factory = factory
        self._count: int | None = None
        self._all: list | None = None

    def _where(self, statement):
        return _filtered(statement, self.query).where(_seats_fit(self.query.seats))

    def _rows(self, offset: int = 0, limit: int | None = None) -> list[Ranked]:
        statement = self._where(
            sa.select(Unit.id, Unit.space_id).join(Unit.space).order_by(*BY_NAME)
        )
        if offset:
            statement = statement.offset(offset)
        if limit is not None:
            statement = statement.limit(limit)
        rows = db.session.connection().execute(statement)
        make = self.factory
        return [make(unit_id, space_id, None) for unit_id, space_id in rows]

    def __len__(self) -> int:
        if self._all is not None:
            return len(self._all)
        if self._count is None:
            statement = self._where(
                sa.select(sa.func.count(Unit.id)).select_from(Unit).join(Unit.space)
            )
            self._count = db.session.connection().execute(statement).scalar_one()
        return self._count

    def __iter__(self) -> Iterator[Ranked]:
        if self._all is None:
            self._all = self._rows()
        return iter(self._all)

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            start, stop, step = index.start or 0, index.stop, index.step
            if start < 0 or (stop is not None and stop < 0) or step not in (None, 1):
                return list(self)[index]
            if stop is not None and stop <= start:
                return []
            return self._rows(start, None if stop is None else stop - start)
        if index < 0:
            return list(self)[index]
        found = self._rows(index, 1)
        if not found:
            raise IndexError("no such match")
        return found[0]

    def __repr__(self) -> str:
        return f"<ByName {self.query!r}>"


def hydrate(query: SearchQuery, ranked: Sequence[Ranked], chunk: int = 1000) -> list[Hit]:
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
