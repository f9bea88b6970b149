"""Security headers on every response: pages, API, errors, static files, feeds and exports.

The Content-Security-Policy allows only this site's own scripts and styles (the vendored Leaflet
and Pico included: no inline script, no CDN), images from this site and from the configured map
tile server, and no framing at all. HSTS is sent in production only, where the proxy serves TLS.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Flask

HSTS_SECONDS = 365 * 24 * 3600


def tile_source(tile_url: str) -> str | None:
    """The CSP source that covers a Leaflet tile URL template, or None when it is this site.

    ``https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png`` gives ``https://*.tile.openstreetmap.org``.
    """
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return None  # a path on this site: 'self' covers it
    host, _, port = parts.netloc.rpartition("@")[2].partition(":")
    labels = host.split(".")
    if any("{" in label for label in labels[1:]):
        return f"{parts.scheme}:"  # a placeholder deep in the name: allow the scheme only
    if "{" in labels[0]:
        labels[0] = "*"
    source = f"{parts.scheme}://{'.'.join(labels)}"
    if port and "{" not in port:
        source += f":{port}"
    return source


def content_security_policy(tile_url: str) -> str:
    images = ["'self'", "data:"]  # data: for the SVG icons in Pico's stylesheet
    tiles = tile_source(tile_url)
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(images),
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(config) -> dict[str, str]:
    return dict(_headers(config["MAP_TILE_URL"], bool(config.get("HSTS"))))


@functools.lru_cache(maxsize=8)
def _headers(tile_url: str, hsts: bool) -> tuple[tuple[str, str], ...]:
    """Built once per setting (every response sends them)."""
    headers = {
        "Content-Security-Policy": content_security_policy(tile_url),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        # Cross-origin requests (map tiles) carry the origin only: OSM's tile policy asks for it.
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    if hsts:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    return tuple(headers.items())


def init_app(app: Flask) -> None:
    @app.after_request
    def _security_headers(response):
        for name, value in _headers(app.config["MAP_TILE_URL"], bool(app.config.get("HSTS"))):
            response.headers.setdefault(name, value)
        return response
