"""Distances on the WGS84 ellipsoid and bounding boxes for "within a radius" prefilters.

Pure: no Flask, no database.
"""

from __future__ import annotations

import math

from geopy.distance import geodesic

_A_KM = 6378.137  # WGS84 semi-major axis
_E2 = 0.00669437999014  # WGS84 first eccentricity squared
# The shortest degree of latitude, at the equator (meridional radius of curvature a(1 - e²)).
_KM_PER_DEGREE_LATITUDE_MIN = math.radians(_A_KM * (1 - _E2))  # 110.574 km
_PAD = 1.001  # relative, on top of bounds that are already exact or conservative
_EPSILON_DEGREES = 1e-9


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance between two points on the WGS84 ellipsoid, in kilometres."""
    return geodesic((lat1, lon1), (lat2, lon2)).km


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) containing every point within ``radius_km``
    (geodesic, WGS84) of (lat, lon), slightly padded.

    Latitudes are clamped to [-90, 90]. When the circle reaches a pole or crosses the
    antimeridian, the box spans every longitude [-180, 180], so the guarantee still holds.
    Raises ValueError for an invalid point or a negative radius.
    """
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"Invalid point ({lat}, {lon}).")
    if not (radius_km >= 0 and math.isfinite(radius_km)):
        raise ValueError(f"Invalid radius {radius_km} km.")
    radius = radius_km * _PAD
    # Any path between two latitudes is at least as long as the meridian arc between them.
    dlat = radius / _KM_PER_DEGREE_LATITUDE_MIN + _EPSILON_DEGREES
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    poleward = max(abs(min_lat), abs(max_lat))
    if poleward >= 90:
        return min_lat, max_lat, -180.0, 180.0
    # The shortest path stays inside that latitude band, where a parallel is at its smallest
    # at the poleward edge: it bounds the longitude a path of this length can cover.
    phi = math.radians(poleward)
    parallel_radius = _A_KM * math.cos(phi) / math.sqrt(1 - _E2 * math.sin(phi) ** 2)
    dlon = math.degrees(radius / parallel_radius) + _EPSILON_DEGREES
    if lon - dlon < -180 or lon + dlon > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lon - dlon, lon + dlon
