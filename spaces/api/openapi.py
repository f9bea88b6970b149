"""The OpenAPI 3.1 document, assembled from the paths each resource module declares."""

from __future__ import annotations

from flask import jsonify

from spaces.api import (
    auth,
    availability_openapi,
    bookings,
    calendar_imports,
    calendars,
    calls,
    employers,
    observatory,
    organisations,
    photos,
    search,
    spaces,
    units,
)
from spaces.api.core import bp
from spaces.api.spec import COMPONENTS, responses

MODULES = [
    auth,
    organisations,
    spaces,
    units,
    availability_openapi,
    photos,
    search,
    bookings,
    calendars,
    calendar_imports,
    calls,
    employers,
    observatory,
]

SELF = {
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": responses({200: {"type": "object"}}),
        }
    }
}


def document() -> dict:
    paths: dict = dict(SELF)
    for module in MODULES:
        for path, operations in module.PATHS.items():
            paths.setdefault(path, {}).update(operations)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Spaces API",
            "version": "1.0.0",
            "description": "Vacant premises and shared workspaces: listings, availability, bookings, calendars.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": COMPONENTS,
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
