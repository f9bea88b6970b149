"""The app's geocoder, built once per app from ``GEOCODER``, and the look-ups services need.

Geocoding may reach the network (BAN, Nominatim): call these before opening a transaction.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from spaces.geo.communes import normalize
from spaces.geo.geocoding import (
    AmbiguousPlace,
    GeocodingError,
    Place,
    UnknownPlace,
    make_geocoder,
    resolve_place,
)

__all__ = [
    "GeocodingError",
    "Place",
    "geocoder",
    "locate_address",
    "place_error_message",
    "resolve_query",
]


def place_error_message(error: GeocodingError) -> str:
    """A geocoding failure in the reader's language."""
    if isinstance(error, AmbiguousPlace):
        names = ", ".join(f"{c.name} ({c.departement})" for c in error.candidates[:5])
        return _(
            "Several communes are called “%(near)s”: %(names)s. Add a postal code or a département.",
            near=error.query,
            names=names,
        )
    return _(
        "We could not find “%(near)s”. Try a commune, a postal code or an address in France.",
        near=error.query,
    )


def geocoder():
    """The configured geocoder, shared by the app's requests (rate limits are per instance)."""
    extensions = current_app.extensions
    if "spaces_geocoder" not in extensions:
        extensions["spaces_geocoder"] = make_geocoder(
            current_app.config["GEOCODER"],
            current_app.config["GEOCODER_USER_AGENT"],
            timeout=5.0,
        )
    return extensions["spaces_geocoder"]


def resolve_query(query: str) -> Place:
    """The place a search names (commune, postal code or address); raises GeocodingError."""
    return resolve_place(query.strip()[:200], geocoder())


def locate_address(address: str, postal_code: str, commune: str) -> Place:
    """Where a listing's address is; raises GeocodingError with a message for the host.

    Offline, the commune (told apart by its postal code) gives the point; online geocoders get the
    full address.
    """
    offline = current_app.config["GEOCODER"] == "offline"
    parts = [postal_code, commune] if offline else [address, postal_code, commune]
    query = " ".join(p.strip() for p in parts if p and p.strip())
    place = resolve_place(query, geocoder())
    # Offline, a commune field that names another commune (a typo matching a part of a name)
    # must not place the listing far away: the name has to match.
    if offline and commune.strip() and normalize(commune) != normalize(place.name):
        found, given = normalize(place.name), normalize(commune)
        if not (found.startswith(given) or found.endswith(given)):
            raise UnknownPlace(commune.strip())
    return place


def location_fields() -> tuple[str, ...]:
    """The address fields whose change moves the pin: the offline geocoder reads only the
    postal code and commune, so a new street alone keeps a pin the host placed."""
    if current_app.config["GEOCODER"] == "offline":
        return ("postal_code", "commune")
    return ("address", "postal_code", "commune")
