"""Calendar feed tokens over the API: create, list, revoke (regenerating is revoke + create)."""

from __future__ import annotations

from flask import jsonify

from spaces.api.core import body, bp, page_args, paginate, require_user
from spaces.api.serializers import iso
from spaces.api.spec import PAGINATION, json_body, page_of, path_id, responses
from spaces.calendars import tokens
from spaces.calendars.forms import CalendarTokenForm
from spaces.calendars.models import TOKEN_SCOPES
from spaces.db import transaction
from spaces.forms import form_from_json


def token_json(token) -> dict:
    name = tokens.token_name(token)
    links = tokens.feed_links(token, name)
    return {
        "id": token.id,
        "scope": token.scope,
        "unit_id": token.unit_id,
        "space_id": token.space_id,
        "name": name,
        "token": token.token,
        "url": links["url"],
        "webcal_url": links["webcal_url"],
        "created_at": iso(token.created_at),
        "last_used_at": iso(token.last_used_at),
    }


@bp.post("/calendar-tokens")
def create_calendar_token():
    actor = require_user()
    form = form_from_json(CalendarTokenForm, body())
    with transaction():
        token = tokens.create_token(actor, form.scope.data, form.id.data)
    return jsonify(token_json(token)), 201


@bp.get("/calendar-tokens")
def list_calendar_tokens():
    actor = require_user()
    page, per_page = page_args()
    return jsonify(paginate(tokens.list_tokens(actor), page, per_page, token_json))


@bp.delete("/calendar-tokens/<int:token_id>")
def revoke_calendar_token(token_id: int):
    actor = require_user()
    with transaction():
        tokens.revoke_token(actor, token_id)
    return "", 204


TOKEN = {
    "type": "object",
    "required": ["id", "scope", "token", "url", "webcal_url"],
    "properties": {
        "id": {"type": "integer"},
        "scope": {"type": "string", "enum": list(TOKEN_SCOPES)},
        "unit_id": {"type": ["integer", "null"]},
        "space_id": {"type": ["integer", "null"]},
        "name": {"type": "string"},
        "token": {"type": "string"},
        "url": {"type": "string", "format": "uri", "description": "the private iCalendar feed"},
        "webcal_url": {"type": "string", "description": "the same feed as a webcal:// address"},
        "created_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
TOKEN_INPUT = {
    "type": "object",
    "required": ["scope"],
    "properties": {
        "scope": {"type": "string", "enum": list(TOKEN_SCOPES)},
        "id": {
            "type": ["integer", "null"],
            "description": "the unit or space (required for those scopes; none for me)",
        },
    },
}

PATHS = {
    "/api/v1/calendar-tokens": {
        "post": {
            "summary": "Make a private feed address: the caller's bookings, or a unit's or "
            "space's bookings (owners and managers)",
            "requestBody": json_body(TOKEN_INPUT),
            "responses": responses({201: TOKEN}, 400, 401, 403, 404, 409, 422),
        },
        "get": {
            "summary": "The caller's feed addresses that are not revoked",
            "parameters": PAGINATION,
            "responses": responses({200: page_of(TOKEN)}, 401),
        },
    },
    "/api/v1/calendar-tokens/{token_id}": {
        "delete": {
            "summary": "Revoke a feed address: its feed answers 404 at once",
            "parameters": [path_id("token_id")],
            "responses": responses({204: None}, 401, 404),
        }
    },
}
