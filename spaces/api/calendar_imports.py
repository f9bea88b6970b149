"""Hosts' calendar imports over the API: add an iCal address to a unit, list, sync now, remove.

``POST …/sync`` runs the sync in the request, whatever the configuration (the periodic syncs go
through the worker): it answers how many busy blocks the import now has and, when the feed failed,
why (the previous blocks are kept).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import jsonify

from spaces.api.core import body, bp, page_args, paginate, require_user
from spaces.api.serializers import iso
from spaces.api.spec import PAGINATION, json_body, page_of, path_id, responses
from spaces.calendars import sources, sync
from spaces.calendars.forms import SYNC_LIMIT, CalendarLinkForm
from spaces.db import transaction
from spaces.errors import NotFound
from spaces.extensions import limiter
from spaces.forms import form_from_json
from spaces.listings.services import get_unit


def serialize(calendar_import, tz) -> dict:
    return {
        "id": calendar_import.id,
        "unit_id": calendar_import.unit_id,
        "source": calendar_import.source,
        "url": calendar_import.url,
        "name": calendar_import.name,
        "blocks": calendar_import.blocks_count or 0,
        "last_attempt_at": iso(calendar_import.last_attempt_at, tz),
        "last_success_at": iso(calendar_import.last_success_at, tz),
        "last_error": calendar_import.last_error,
        "created_at": iso(calendar_import.created_at, tz),
    }


@bp.post("/units/<int:unit_id>/calendar-imports")
def create_calendar_import(unit_id: int):
    actor = require_user()
    unit = get_unit(actor, unit_id, edit=True)
    form = form_from_json(CalendarLinkForm, body())
    with transaction():
        calendar_import = sources.add_import(
            actor, unit, url=form.url.data.strip(), name=form.name.data or ""
        )
    return jsonify(serialize(calendar_import, ZoneInfo(unit.space.timezone))), 201


@bp.get("/units/<int:unit_id>/calendar-imports")
def list_calendar_imports(unit_id: int):
    actor = require_user()
    unit = get_unit(actor, unit_id, edit=True)
    tz = ZoneInfo(unit.space.timezone)
    page, per_page = page_args()
    items = sources.list_imports(actor, unit)
    return jsonify(paginate(items, page, per_page, lambda i: serialize(i, tz)))


@bp.post("/calendar-imports/<int:import_id>/sync")
@limiter.limit(SYNC_LIMIT)
def sync_calendar_import(import_id: int):
    actor = require_user()
    calendar_import = sources.get_import(actor, import_id)
    tz = ZoneInfo(calendar_import.unit.space.timezone)
    result = sync.sync_import(calendar_import.id)
    if result is None:
        raise NotFound()
    return jsonify(
        {
            "id": result.import_id,
            "blocks": result.blocks,
            "error": result.error,
            "last_success_at": iso(result.last_success_at, tz),
            "changed": result.changed,
            "not_modified": result.not_modified,
        }
    )


@bp.delete("/calendar-imports/<int:import_id>")
def delete_calendar_import(import_id: int):
    actor = require_user()
    calendar_import = sources.get_import(actor, import_id)
    with transaction():
        sources.delete_import(actor, calendar_import)
    return "", 204


# --- OpenAPI -----------------------------------------------------------------------------------

STAMP = {"type": ["string", "null"], "format": "date-time"}
CALENDAR_IMPORT = {
    "type": "object",
    "required": ["id", "unit_id", "source", "url", "name", "blocks", "last_success_at"],
    "properties": {
        "id": {"type": "integer"},
        "unit_id": {"type": "integer"},
        "source": {"type": "string", "enum": ["url", "file"]},
        "url": {"type": ["string", "null"]},
        "name": {"type": "string"},
        "blocks": {"type": "integer", "description": "busy blocks the import holds now"},
        "last_attempt_at": STAMP,
        "last_success_at": STAMP,
        "last_error": {"type": ["string", "null"]},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
CALENDAR_IMPORT_INPUT = {
    "type": "object",
    "required": ["url"],
    "properties": {
        "url": {
            "type": "string",
            "format": "uri",
            "maxLength": 2000,
            "description": "http or https",
        },
        "name": {"type": "string", "maxLength": 200},
    },
}
SYNC_RESULT = {
    "type": "object",
    "required": ["blocks", "error", "last_success_at"],
    "properties": {
        "id": {"type": "integer"},
        "blocks": {"type": "integer"},
        "error": {
            "type": ["string", "null"],
            "description": "why the feed failed (its previous blocks are kept); null on success",
        },
        "last_success_at": STAMP,
        "changed": {"type": "boolean"},
        "not_modified": {"type": "boolean", "description": "the server answered 304"},
    },
}

PATHS = {
    "/api/v1/units/{unit_id}/calendar-imports": {
        "post": {
            "summary": "Import an iCal calendar address: its events make the unit busy",
            "parameters": [path_id("unit_id")],
            "requestBody": json_body(CALENDAR_IMPORT_INPUT),
            "responses": responses({201: CALENDAR_IMPORT}, 400, 401, 403, 404, 409, 422),
        },
        "get": {
            "summary": "The calendars imported for a unit (its managers only)",
            "parameters": [path_id("unit_id"), *PAGINATION],
            "responses": responses({200: page_of(CALENDAR_IMPORT)}, 401, 403, 404),
        },
    },
    "/api/v1/calendar-imports/{import_id}/sync": {
        "post": {
            "summary": "Fetch and read an imported calendar now, in the request",
            "parameters": [path_id("import_id")],
            "responses": responses({200: SYNC_RESULT}, 401, 403, 404, 429),
        }
    },
    "/api/v1/calendar-imports/{import_id}": {
        "delete": {
            "summary": "Remove an imported calendar and its busy blocks",
            "parameters": [path_id("import_id")],
            "responses": responses({204: None}, 401, 403, 404),
        }
    },
}
