"""The app's geocoder, built once per app from ``GEOCODER``, and the look-ups services need.

Geocoding may reach the network (BAN, Nominatim): call these before opening a transaction.
"""

from __future__ import annotations

from flask import current_app

from spaces.geo.geocoding import GeocodingError, Place, make_geocoder, resolve_place

__all__ = ["GeocodingError", "Place", "geocoder", "locate_address", "resolve_query"]


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
    return resolve_place(query, geocoder())
