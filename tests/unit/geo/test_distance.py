"""Geodesic distances and the bounding boxes used to prefilter "within a radius" searches."""

import math

import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from spaces.geo.distance import bounding_box, distance_km

TOURS = (47.39122, 0.68922)
BLERE = (47.32615, 0.99157)
PARIS = (48.85659, 2.34292)
SAINT_DENIS_REUNION = (-20.87897, 55.44863)


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [
        (TOURS, TOURS, 0.0),
        (TOURS, BLERE, 23.96),
        (TOURS, PARIS, 204.2),
        (PARIS, SAINT_DENIS_REUNION, 9344.2),
        ((0.0, 0.0), (0.0, 1.0), 111.32),  # a degree of longitude at the equator
        ((0.0, 0.0), (1.0, 0.0), 110.57),  # the shortest degree of latitude
    ],
)
def test_distance_km_matches_known_distances(a, b, expected_km):
    assert distance_km(*a, *b) == pytest.approx(expected_km, rel=1e-3, abs=0.01)
    # within 0.7% of the great-circle distance on a sphere of the mean Earth radius
    assert distance_km(*a, *b) == pytest.approx(haversine_km(*a, *b), rel=7e-3, abs=0.01)


def haversine_km(lat1, lon1, lat2, lon2):
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_distance_km_is_geopy_geodesic_and_symmetric(lat1, lon1, lat2, lon2):
    expected = geodesic((lat1, lon1), (lat2, lon2)).km
    assert distance_km(lat1, lon1, lat2, lon2) == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert distance_km(lat2, lon2, lat1, lon1) == pytest.approx(expected, rel=1e-6, abs=1e-6)


@settings(max_examples=500, deadline=None)
@given(
    lat=st.floats(-90, 90),
    lon=st.floats(-180, 180),
    radius_km=st.floats(0, 3000),
    bearing=st.floats(0, 360),
    fraction=st.floats(0, 1),
)
def test_bounding_box_contains_every_point_within_the_radius(
    lat, lon, radius_km, bearing, fraction
):
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    point = geodesic(kilometers=radius_km * fraction).destination((lat, lon), bearing)
    assert distance_km(lat, lon, point.latitude, point.longitude) <= radius_km + 1e-6
    assert min_lat <= point.latitude <= max_lat
    assert min_lon <= point.longitude <= max_lon


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-80, 80), lon=st.floats(-170, 170), radius_km=st.floats(0.01, 500))
def test_bounding_box_corners_of_the_circle_touch_the_box(lat, lon, radius_km):
    """Every point exactly on the circle is inside, and the box is not much bigger than it."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    north = geodesic(kilometers=radius_km).destination((lat, lon), 0)
    east = geodesic(kilometers=radius_km).destination((lat, lon), 90)
    assert north.latitude <= max_lat <= 90
    lat_span = max_lat - north.latitude
    assert lat_span <= 0.02 * (north.latitude - lat) + 1e-6 or max_lat == 90
    if max_lon - min_lon < 360:
        assert min_lon <= lon <= east.longitude <= max_lon


def test_bounding_box_of_a_typical_search():
    min_lat, max_lat, min_lon, max_lon = bounding_box(*TOURS, 10)
    assert min_lat < TOURS[0] < max_lat and min_lon < TOURS[1] < max_lon
    assert max_lat - TOURS[0] == pytest.approx(10 / 110.574, rel=0.01)
    # 10 km east at Tours' latitude is about 0.1326 degrees of longitude
    assert max_lon - TOURS[1] == pytest.approx(0.1326, rel=0.01)


@pytest.mark.parametrize(
    ("lat", "lon", "radius_km"),
    [(89.99, 10.0, 5.0), (-89.5, 0.0, 100.0), (90.0, 0.0, 0.0), (0.0, 179.99, 5.0)],
)
def test_bounding_box_spans_all_longitudes_near_a_pole_or_the_antimeridian(lat, lon, radius_km):
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    assert (min_lon, max_lon) == (-180.0, 180.0)
    assert -90 <= min_lat <= lat <= max_lat <= 90


def test_bounding_box_of_zero_radius_is_the_point_itself():
    min_lat, max_lat, min_lon, max_lon = bounding_box(*PARIS, 0)
    assert math.isclose(min_lat, PARIS[0]) and math.isclose(max_lat, PARIS[0])
    assert math.isclose(min_lon, PARIS[1]) and math.isclose(max_lon, PARIS[1])


@pytest.mark.parametrize(
    ("lat", "lon", "radius_km"),
    [(91.0, 0.0, 1.0), (0.0, 181.0, 1.0), (0.0, 0.0, -1.0), (0.0, 0.0, math.inf), (math.nan, 0, 1)],
)
def test_bounding_box_rejects_invalid_input(lat, lon, radius_km):
    with pytest.raises(ValueError):
        bounding_box(lat, lon, radius_km)
