"""Geocoding: from what a person typed to one ``Place`` (coordinates, time zone, and for French
communes their INSEE code, postal code and département).

``OfflineGeocoder`` answers from the bundled index of French communes (``spaces.geo.communes``),
with no network; ``make_geocoder`` also builds the online ones (BAN, Nominatim), France only and
rate-limited per instance, their errors raised. ``resolve_place`` returns the one place a query
names or raises ``UnknownPlace`` / ``AmbiguousPlace`` (a bare name shared by several communes).
``timezone_at`` gives the IANA zone of a point. No network access happens at import or
construction time.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import BANFrance, Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from tzfpy import get_tz

from spaces.geo.communes import DATA_FILE, Commune, Lookup, load_index

DEFAULT_TIMEZONE = "Europe/Paris"


def timezone_at(latitude: float, longitude: float) -> str:
    """IANA time zone at a point (tzfpy), "Europe/Paris" where tzfpy knows none."""
    return get_tz(longitude, latitude) or DEFAULT_TIMEZONE


class OfflineGeocoder(Geocoder):
    """French communes and postal codes from the bundled data file, no network."""

    def __init__(self, *, path: Path = DATA_FILE, user_agent: str | None = None, **kwargs: Any):
        super().__init__(user_agent=user_agent, **kwargs)  # the adapter is never used
        self.path = path

    def lookup(self, query: str) -> Lookup:
        """Candidates for a query, best first, with how they matched and whether it's ambiguous."""
        return load_index(self.path).lookup(query)

    def geocode(
        self, query: str, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        """The best commune (or all candidates, best first, if not exactly_one); None if unknown.

        ``raw`` holds the Commune's fields (insee, name, departement, postal_codes, population,
        timezone, kind, ...), match, and ambiguous (a shared name, no commune 5x the next)."""
        result = self.lookup(query)
        if not result.candidates:
            return None
        locations = [self._location(c, result) for c in result.candidates]
        return locations[0] if exactly_one else locations

    @staticmethod
    def _location(commune: Commune, result: Lookup) -> Location:
        raw = commune._asdict() | {"postal_codes": list(commune.postal_codes)}
        raw |= {"match": result.match, "ambiguous": result.ambiguous}
        postal_code = result.postal_code_of(commune)
        address = f"{commune.name} ({postal_code})" if postal_code else commune.name
        return Location(address, (commune.latitude, commune.longitude), raw)


class SupportsGeocode(Protocol):
    def geocode(
        self, query: str, exactly_one: bool = True, timeout: float | None = None
    ) -> Any: ...


_RETRY = {"max_retries": 1, "error_wait_seconds": 2.0, "swallow_exceptions": False}


class RateLimitedGeocoder:
    """An online geocoder whose calls go through geopy's RateLimiter; errors are raised."""

    def __init__(self, geocoder: Geocoder, min_delay_seconds: float = 1.0, **fixed: Any) -> None:
        self.geocoder = geocoder
        self.fixed = fixed  # e.g. country_codes="fr" for Nominatim
        self._geocode = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds, **_RETRY)

    def geocode(
        self, query: str, exactly_one: bool = True, timeout: float | None = None
    ) -> Location | list[Location] | None:
        kwargs = dict(self.fixed, exactly_one=exactly_one)
        if timeout is not None:
            kwargs["timeout"] = timeout
        return self._geocode(query, **kwargs)


def make_geocoder(name: str, user_agent: str, timeout: float) -> SupportsGeocode:
    """A geocoder by name: offline, ban or nominatim (online ones rate-limited, France only).

    Build it once and share it: the rate limit is per instance. Raises ValueError."""
    key = name.strip().lower()
    if key == "offline":
        return OfflineGeocoder(user_agent=user_agent, timeout=timeout)
    if key == "ban":  # the Base Adresse Nationale covers France only
        return RateLimitedGeocoder(BANFrance(user_agent=user_agent, timeout=timeout))
    if key == "nominatim":
        geocoder = Nominatim(user_agent=user_agent, timeout=timeout)
        return RateLimitedGeocoder(geocoder, country_codes="fr")
    raise ValueError(f"Unknown geocoder {name!r}: expected 'offline', 'ban' or 'nominatim'.")


class GeocodingError(ValueError):
    """A place could not be resolved to one location."""

    def __init__(self, query: str, message: str) -> None:
        super().__init__(message)
        self.query = query


class UnknownPlace(GeocodingError):
    def __init__(self, query: str) -> None:
        super().__init__(query, f"No French commune or postal code matches {query!r}.")


class AmbiguousPlace(GeocodingError):
    def __init__(self, query: str, candidates: list[Place]) -> None:
        names = ", ".join(f"{c.name} ({c.departement})" for c in candidates[:5])
        more = f" and {len(candidates) - 5} more" if len(candidates) > 5 else ""
        message = f"Several communes are called {query!r}: {names}{more}. "
        super().__init__(query, message + "Add a postal code or a département.")
        self.candidates = candidates


@dataclass(frozen=True)
class Place:
    """A resolved location; insee, postal code and département are None from online geocoders."""

    name: str
    postal_code: str | None
    departement: str | None
    latitude: float
    longitude: float
    timezone: str
    insee: str | None
    candidates_count: int


@functools.cache
def _default_geocoder() -> OfflineGeocoder:
    return OfflineGeocoder()


def resolve_place(query: str, geocoder: SupportsGeocode | None = None) -> Place:
    """The one place a query names (offline geocoder by default).

    Raises UnknownPlace, or AmbiguousPlace for a bare name shared by several communes none of
    which is 5x more populous than the next (a postal code or département settles it)."""
    geocoder = geocoder or _default_geocoder()
    if not isinstance(geocoder, OfflineGeocoder):
        locations = geocoder.geocode(query, exactly_one=False) if query.strip() else None
        if not locations:
            raise UnknownPlace(query)
        top = locations[0]
        lat, lon, count = top.latitude, top.longitude, len(locations)
        return Place(top.address, None, None, lat, lon, timezone_at(lat, lon), None, count)
    result = geocoder.lookup(query)
    places = [_place(result, c) for c in result.candidates]
    if not places:
        raise UnknownPlace(query)
    if result.ambiguous:
        raise AmbiguousPlace(query, places)
    return places[0]


def _place(result: Lookup, c: Commune) -> Place:
    count = len(result.candidates)
    zone, code = c.timezone, result.postal_code_of(c)
    return Place(c.name, code, c.departement, c.latitude, c.longitude, zone, c.insee, count)
