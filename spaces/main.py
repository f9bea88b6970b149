"""The home page and health checks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from spaces.errors import Invalid
from spaces.extensions import db
from spaces.geo.provider import place_or_invalid
from spaces.listings import overview
from spaces.listings.views.common import _map_settings

bp = Blueprint("main", __name__)

NEAR_KM = 10  # "near you": the search's default radius


def _coordinate(name: str, bound: float) -> float | None:
    try:
        value = float(request.args.get(name, ""))
    except ValueError:
        return None
    return value if -bound <= value <= bound else None


@bp.get("/")
def index():
    """A search box, and every published place on a map with how many places and desks there are
    near the searched or located place (``near`` or ``lat``/``lon``), or in the whole territory."""
    near = (request.args.get("near") or "").strip()[:200]
    lat, lon = _coordinate("lat", 90), _coordinate("lon", 180)
    point, label, error = None, None, None
    if lat is not None and lon is not None:
        point = (lat, lon)
    elif near:
        try:
            place = place_or_invalid(near)
        except Invalid as invalid:
            error = str(invalid.message)
        else:
            point, label = (place.latitude, place.longitude), place.name
    counts = overview.counts(*point, radius_km=NEAR_KM) if point else overview.counts()
    markers = [
        {
            "id": pin.id,
            "lat": pin.latitude,
            "lon": pin.longitude,
            "name": pin.name,
            "url": url_for("listings.space_page", space_id=pin.id),
            "detail": pin.commune,
        }
        for pin in overview.pins()
    ]
    map_data = _map_settings(markers, center=point, zoom=11)
    if point:
        map_data["radius_km"] = NEAR_KM
    search_args = {"lat": point[0], "lon": point[1]} if point and not label else {"near": near}
    return render_template(
        "main/index.html",
        counts=counts,
        near=near,
        located=point is not None,
        place_label=label,
        near_error=error,
        near_km=NEAR_KM,
        map_data=map_data,
        search_url=url_for("listings.search", **search_args) if point else None,
        today=datetime.now(ZoneInfo("Europe/Paris")).date().isoformat(),
    )


@bp.get("/favicon.ico")
def favicon():
    """Clients that ask for the icon at its old address (pages link the SVG)."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/healthz")
def healthz():
    """The process is up (no dependency is checked)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers, and Redis when it is configured; 503 otherwise."""
    checks: dict[str, str] = {}
    try:
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # any failure means not ready
        checks["database"] = f"error: {type(error).__name__}"
    url = current_app.config.get("REDIS_URL")
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"error: {type(error).__name__}"
    ready = all(value == "ok" for value in checks.values())
    return jsonify(
        {"status": "ok" if ready else "unavailable", "checks": checks}
    ), 200 if ready else 503
