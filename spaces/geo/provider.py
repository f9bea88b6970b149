"""The app's geocoder, built once per app from ``GEOCODER``, and the look-ups services need.

Geocoding may reach the network (BAN, Nominatim): call these before opening a transaction.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from spaces.errors import Invalid
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
    "locate_or_invalid",
    "place_error_message",
    "place_or_invalid",
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


def place_or_invalid(query: str) -> Place:
    """The place a search names; raises Invalid(unknown_place) on ``near`` when there is none."""
    try:
        return resolve_query(query)
    except GeocodingError as error:
        message = place_error_message(error)
        raise Invalid(message, code="unknown_place", fields={"near": [message]}) from error


def locate_or_invalid(
    address: str, postal_code: str, commune: str, *, required: bool
) -> Place | None:
    """Where a listing's address is, or None when it cannot be found and the host placed the pin
    (not ``required``); else Invalid(unknown_place) on ``commune``, for the page and the API."""
    try:
        return locate_address(address, postal_code, commune)
    except GeocodingError as error:
        if not required:
            return None
        message = _l(
            "We could not find this place: %(reason)s Give latitude and longitude, or place the pin on the map.",
            reason=place_error_message(error),
        )
        raise Invalid(message, code="unknown_place", fields={"commune": [message]}) from error


def location_fields() -> tuple[str, ...]:
    """The address fields whose change moves the pin: the offline geocoder reads only the
    postal code and commune, so a new street alone keeps a pin the host placed."""
    if current_app.config["GEOCODER"] == "offline":
        return ("postal_code", "commune")
    return ("address", "postal_code", "commune")
