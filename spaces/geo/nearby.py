"""Current communes by INSEE code, the nearest commune to a point, and communes within a radius,
from the offline index (standard library and ``distance`` only; no Flask, no database).

A grid of 0.1° cells is built once per process on first use: a point looks at its cell's
neighbourhood, ring by ring, so the nearest commune costs a few dozen distance computations.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict

from spaces.geo.communes import CURRENT_KINDS, Commune, load_index
from spaces.geo.distance import local_distance_km

CELL_DEGREES = 0.1
MAX_RINGS = 20  # about 200 km: beyond, no commune is "near" (the point is at sea or abroad)


@functools.cache
def communes_by_insee() -> dict[str, Commune]:
    """Every current commune (and municipal arrondissement) by INSEE code."""
    return {c.insee: c for c in load_index().communes if c.kind in CURRENT_KINDS}


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / CELL_DEGREES), math.floor(longitude / CELL_DEGREES)


@functools.cache
def _grid() -> dict[tuple[int, int], list[Commune]]:
    grid: dict[tuple[int, int], list[Commune]] = defaultdict(list)
    for commune in communes_by_insee().values():
        # Paris, Lyon and Marseille: their arrondissements, not the whole city, are nearest.
        if commune.kind == "COM" and commune.insee in {"75056", "69123", "13055"}:
            continue
        grid[_cell(commune.latitude, commune.longitude)].append(commune)
    return dict(grid)


def _ring(center: tuple[int, int], radius: int):
    row, col = center
    for dr in range(-radius, radius + 1):
        for dc in range(-radius, radius + 1):
            if max(abs(dr), abs(dc)) == radius:
                yield row + dr, col + dc


def nearest_commune(latitude: float, longitude: float) -> Commune | None:
    """The commune whose centre is nearest to the point; None when none lies within ~200 km."""
    grid, center = _grid(), _cell(latitude, longitude)
    best: tuple[float, Commune] | None = None
    for radius in range(MAX_RINGS + 1):
        for cell in _ring(center, radius):
            for commune in grid.get(cell, ()):
                d = local_distance_km(latitude, longitude, commune.latitude, commune.longitude)
                if best is None or d < best[0]:
                    best = (d, commune)
        # A cell is at least ~7 km wide (0.1° of longitude at 51°N): one more ring settles it.
        if best is not None and best[0] < radius * 7.0:
            break
    return best[1] if best else None


def communes_within(latitude: float, longitude: float, radius_km: float) -> list[Commune]:
    """Communes whose centre lies within ``radius_km`` of the point, nearest first (radius
    bounded by the caller)."""
    rings = min(MAX_RINGS, math.ceil(radius_km / 7.0) + 1)
    grid, center = _grid(), _cell(latitude, longitude)
    found = []
    for radius in range(rings + 1):
        for cell in _ring(center, radius):
            for commune in grid.get(cell, ()):
                d = local_distance_km(latitude, longitude, commune.latitude, commune.longitude)
                if d <= radius_km:
                    found.append((d, commune.insee, commune))
    return [c for _, _, c in sorted(found)]
