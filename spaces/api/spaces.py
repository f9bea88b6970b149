"""Spaces over the API: create, read, edit, publish, archive, list; open-data exports."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from spaces.api import serializers
from spaces.api.core import body, bp, page_args, paginate, query_id, require_user
from spaces.api.spec import PAGINATION, json_body, page_of, path_id, query, responses
from spaces.db import transaction
from spaces.errors import Invalid
from spaces.exports import csv_response
from spaces.forms import form_from_json
from spaces.geo.provider import locate_or_invalid, location_fields
from spaces.listings import services
from spaces.listings.forms import SpaceForm
from spaces.listings.vocabulary import SERVICES
from spaces.mail import external_url
from spaces.web import current_actor as _actor


def space_json(space, **kwargs) -> dict:
    url = external_url("listings.space_page", space_id=space.id)
    return serializers.space(space, url=url, **kwargs)


def editable_values(space) -> dict:
    """A space's current values in the API's input shape, so a PATCH re-validates the whole."""
    data = {field: getattr(space, field) for field in services.SPACE_FIELDS}
    for field in ("available_from", "available_until"):
        data[field] = data[field].isoformat() if data[field] else None
    data.update(
        organisation_id=space.organisation_id, services=space.services, timezone=space.timezone
    )
    return data


def locate(data: dict, *, required: bool):
    """Geocode the address before the transaction; None when the host placed the pin by hand.

    Raises Invalid(unknown_place) when no coordinates are given and the place is unknown.
    """
    return locate_or_invalid(
        data.get("address") or "",
        data.get("postal_code") or "",
        data.get("commune") or "",
        required=required,
    )


@bp.post("/spaces")
def create_space():
    actor = require_user()
    form = form_from_json(SpaceForm, body())
    data = form.data
    place = locate(data, required=data.get("latitude") is None)
    with transaction():
        space = services.create_space(actor, data, place)
    return jsonify(space_json(space)), 201


@bp.get("/spaces")
def list_spaces():
    """Published spaces; ``?mine=1`` (or ``organisation_id``) lists the caller's, any status."""
    page, per_page = page_args()
    organisation_id = query_id("organisation_id")
    if request.args.get("mine") or organisation_id is not None:
        items = services.spaces_of(require_user(), organisation_id)
    else:
        items = services.published_spaces()
    return jsonify(paginate(items, page, per_page, lambda s: space_json(s, include_units=False)))


@bp.get("/spaces/<int:space_id>")
def get_space(space_id: int):
    return jsonify(space_json(services.get_space(_actor(), space_id)))


@bp.patch("/spaces/<int:space_id>")
def update_space(space_id: int):
    actor = require_user()
    space = services.get_space(actor, space_id, edit=True)
    patch = body()
    if not isinstance(patch, dict):
        raise Invalid(_l("The body must be a JSON object."), code="invalid_body")
    current = editable_values(space)
    form = form_from_json(SpaceForm, {**current, **patch})
    data = {key: value for key, value in form.data.items() if key in patch}
    if "organisation_id" in data and data["organisation_id"] != space.organisation_id:
        raise Invalid(
            _l("A place cannot move to another organisation."),
            fields={"organisation_id": [_l("Cannot be changed.")]},
        )
    changed = [key for key in location_fields() if key in patch and patch[key] != current.get(key)]
    moved = bool(changed) and "latitude" not in patch
    place = locate(form.data, required=True) if moved else None
    if "latitude" in patch:
        data["latitude"], data["longitude"] = form.latitude.data, form.longitude.data
    with transaction():
        space = services.update_space(actor, space, data, place)
    return jsonify(space_json(space))


@bp.post("/spaces/<int:space_id>/publish")
def publish_space(space_id: int):
    actor = require_user()
    space = services.get_space(actor, space_id, edit=True)
    with transaction():
        services.publish_space(actor, space)
    return jsonify(space_json(space))


@bp.post("/spaces/<int:space_id>/archive")
def archive_space(space_id: int):
    actor = require_user()
    space = services.get_space(actor, space_id, edit=True)
    with transaction():
        services.archive_space(actor, space)
    return jsonify(space_json(space))


@bp.get("/services")
def list_services():
    return jsonify(
        {"items": [{"code": code, "label": str(label)} for code, label in SERVICES.items()]}
    )


# --- open data ---------------------------------------------------------------------------------


def _feature(space) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [space.longitude, space.latitude]},
        "properties": {
            "id": space.id,
            "name": space.name,
            "kind": space.kind,
            "commune": space.commune,
            "postal_code": space.postal_code,
            "insee_code": space.insee_code,
            "services": space.services,
            "available_from": space.available_from.isoformat() if space.available_from else None,
            "available_until": space.available_until.isoformat() if space.available_until else None,
            "url": external_url("listings.space_page", space_id=space.id),
        },
    }


@bp.get("/spaces.geojson")
def spaces_geojson():
    collection = {
        "type": "FeatureCollection",
        "features": [_feature(s) for s in services.published_spaces()],
    }
    response = jsonify(collection)
    response.mimetype = "application/geo+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


CSV_COLUMNS = (
    "id",
    "name",
    "kind",
    "address",
    "postal_code",
    "commune",
    "insee_code",
    "latitude",
    "longitude",
    "services",
    "available_from",
    "available_until",
    "url",
)


@bp.get("/spaces.csv")
def spaces_csv():
    rows = []
    for space in services.published_spaces():
        feature = _feature(space)["properties"]
        rows.append(
            [
                space.id,
                space.name,
                space.kind,
                space.address,
                space.postal_code,
                space.commune,
                space.insee_code or "",
                space.latitude,
                space.longitude,
                " ".join(space.services),
                feature["available_from"] or "",
                feature["available_until"] or "",
                feature["url"],
            ]
        )
    response = csv_response(CSV_COLUMNS, rows, "spaces.csv")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- OpenAPI -----------------------------------------------------------------------------------

SPACE_KIND_ENUM = ["vacant_public", "private_premises", "coworking", "residence", "other"]
SPACE_INPUT = {
    "type": "object",
    "properties": {
        "organisation_id": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "minLength": 1, "maxLength": 160},
        "kind": {"type": "string", "enum": SPACE_KIND_ENUM},
        "description": {"type": "string", "maxLength": 5000},
        "address": {"type": "string", "maxLength": 300},
        "postal_code": {"type": "string", "pattern": "^[0-9]{5}$"},
        "commune": {"type": "string", "minLength": 1, "maxLength": 120},
        "latitude": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "longitude": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "timezone": {
            "type": ["string", "null"],
            "maxLength": 64,
            "description": "an IANA zone, e.g. Europe/Paris",
        },
        "services": {"type": "array", "items": {"type": "string", "enum": list(SERVICES)}},
        "available_from": {"type": ["string", "null"], "format": "date"},
        "available_until": {
            "type": ["string", "null"],
            "format": "date",
            "description": "inclusive",
        },
        "capacity_cap_percent": {"type": "integer", "minimum": 1, "maximum": 100},
        "closed_on_public_holidays": {"type": "boolean"},
        "accessibility": {"type": "string", "maxLength": 2000},
        "house_rules": {"type": "string", "maxLength": 5000},
        "contact_email": {"type": ["string", "null"], "format": "email", "maxLength": 254},
        "contact_phone": {"type": ["string", "null"], "maxLength": 40},
    },
}
SPACE = {
    "type": "object",
    "required": ["id", "name", "kind", "status", "latitude", "longitude", "timezone"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["draft", "published", "archived"]},
    },
}

PATHS = {
    "/api/v1/spaces": {
        "post": {
            "summary": "List a place (a draft); coordinates and time zone come from the address when not given",
            "requestBody": json_body(
                {**SPACE_INPUT, "required": ["organisation_id", "name", "kind", "commune"]}
            ),
            "responses": responses({201: SPACE}, 400, 401, 403, 404, 422),
        },
        "get": {
            "summary": "Published places, or the caller's (mine=1 or organisation_id) in any status",
            "security": [],
            "parameters": [
                query("mine", {"type": "integer", "enum": [0, 1]}),
                query("organisation_id", {"type": "integer", "minimum": 1}),
                *PAGINATION,
            ],
            "responses": responses({200: page_of(SPACE)}, 401),
        },
    },
    "/api/v1/spaces/{space_id}": {
        "get": {
            "summary": "A place with its units (published, or any status for its organisation)",
            "security": [],
            "parameters": [path_id("space_id")],
            "responses": responses({200: SPACE}, 404),
        },
        "patch": {
            "summary": "Change some fields of a place",
            "parameters": [path_id("space_id")],
            "requestBody": json_body(SPACE_INPUT),
            "responses": responses({200: SPACE}, 400, 401, 403, 404, 422),
        },
    },
    "/api/v1/spaces/{space_id}/publish": {
        "post": {
            "summary": "Publish a place (it needs a bookable unit)",
            "parameters": [path_id("space_id")],
            "responses": responses({200: SPACE}, 401, 403, 404, 409),
        }
    },
    "/api/v1/spaces/{space_id}/archive": {
        "post": {
            "summary": "Take a place off the map",
            "parameters": [path_id("space_id")],
            "responses": responses({200: SPACE}, 401, 403, 404),
        }
    },
    "/api/v1/services": {
        "get": {
            "summary": "The services vocabulary",
            "security": [],
            "responses": responses(
                {200: {"type": "object", "properties": {"items": {"type": "array"}}}}
            ),
        }
    },
    "/api/v1/spaces.geojson": {
        "get": {
            "summary": "Every published place as a GeoJSON FeatureCollection (open data)",
            "security": [],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/geo+json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
    "/api/v1/spaces.csv": {
        "get": {
            "summary": "Every published place as CSV (UTF-8, header row)",
            "security": [],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                }
            },
        }
    },
}
