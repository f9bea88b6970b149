"""The OpenAPI description of the availability endpoints (``spaces.api.availability``)."""

from __future__ import annotations

from spaces.api.availability import MAX_SEATS
from spaces.api.bookings import BOOKING
from spaces.api.spec import json_body, path_id, query, responses

HHMM = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
WINDOWS = {
    "type": "array",
    "maxItems": 7 * 12,
    "items": {
        "type": "object",
        "required": ["weekday", "start", "end"],
        "properties": {
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday"},
            "start": {"type": "string", "pattern": HHMM},
            "end": {"type": "string", "pattern": HHMM, "description": "after start; may be 24:00"},
        },
    },
}
CLOSURE_INPUT = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "reason": {"type": "string", "maxLength": 200},
        "cancel_bookings": {
            "type": "boolean",
            "default": False,
            "description": "cancel the live bookings the closure covers, e-mailing each booker"
            " the reason (required then); without it they stand and the host honours them",
        },
    },
}
CLOSURE = {
    "type": "object",
    "required": ["id", "start", "end"],
    "properties": {"id": {"type": "integer"}},
}
CLOSURE_CREATED = {
    "type": "object",
    "required": ["id", "start", "end", "affected_bookings", "cancelled_bookings"],
    "properties": {
        "id": {"type": "integer"},
        "affected_bookings": {
            "type": "array",
            "description": "the live bookings the closure covers (cancelled ones if asked)",
            "items": BOOKING,
        },
        "cancelled_bookings": {"type": "boolean"},
    },
}
CLOSURE_LIST = {"type": "object", "properties": {"items": {"type": "array", "items": CLOSURE}}}


def _hours_ops(owner: str, param: str) -> dict:
    return {
        "get": {
            "summary": f"Weekly opening windows of a {owner}"
            + (" (its own, or its space's)" if owner == "unit" else ""),
            "security": [],
            "parameters": [path_id(param)],
            "responses": responses({200: WINDOWS}, 404),
        },
        "put": {
            "summary": f"Replace the weekly opening windows of a {owner} (an empty list means closed)",
            "parameters": [path_id(param)],
            "requestBody": json_body(WINDOWS),
            "responses": responses({200: WINDOWS}, 400, 401, 403, 404, 422),
        },
    }


def _closure_ops(owner: str, param: str) -> dict:
    return {
        "get": {
            "summary": f"Dated closures of a {owner}",
            "security": [],
            "parameters": [path_id(param)],
            "responses": responses({200: CLOSURE_LIST}, 404),
        },
        "post": {
            "summary": f"Close a {owner} over [start, end) (local time without an offset)",
            "parameters": [path_id(param)],
            "requestBody": json_body(CLOSURE_INPUT),
            "responses": responses({201: CLOSURE_CREATED}, 400, 401, 403, 404, 422),
        },
    }


_TIME = {"type": "string", "format": "date-time"}
QUOTE = {
    "type": "object",
    "required": ["available", "code", "message", "free_seats", "price"],
    "properties": {
        "unit_id": {"type": "integer"},
        "available": {"type": "boolean"},
        "code": {"type": ["string", "null"], "description": "the booking's 409/422 error code"},
        "message": {"type": ["string", "null"]},
        "reason": {"type": "string", "description": "why not, as a machine word"},
        "free_seats": {"type": "integer", "minimum": 0},
        "price": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "amount": {"type": "integer"},
                        "currency": {"type": "string"},
                        "breakdown": {"type": "array"},
                    },
                },
            ]
        },
        "fields": {"type": "object"},
    },
}


PATHS = {
    "/api/v1/spaces/{space_id}/opening-hours": _hours_ops("space", "space_id"),
    "/api/v1/units/{unit_id}/opening-hours": {
        **_hours_ops("unit", "unit_id"),
        "delete": {
            "summary": "Let the unit follow its space's opening hours again",
            "parameters": [path_id("unit_id")],
            "responses": responses({204: None}, 401, 403, 404),
        },
    },
    "/api/v1/spaces/{space_id}/closures": _closure_ops("space", "space_id"),
    "/api/v1/units/{unit_id}/closures": _closure_ops("unit", "unit_id"),
    "/api/v1/units/{unit_id}/availability": {
        "get": {
            "summary": "Free seats over [start, end): consecutive pieces where the number is constant",
            "security": [],
            "parameters": [
                path_id("unit_id"),
                {
                    "name": "start",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "end",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "date-time"},
                },
            ],
            "responses": responses(
                {
                    200: {
                        "type": "object",
                        "required": ["unit_id", "capacity", "items"],
                        "properties": {
                            "unit_id": {"type": "integer"},
                            "capacity": {"type": "integer"},
                            "items": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "start": {"type": "string"},
                                        "end": {"type": "string"},
                                        "free": {"type": "integer"},
                                    },
                                },
                            },
                        },
                    }
                },
                404,
                422,
            ),
        }
    },
    "/api/v1/units/{unit_id}/availability/stream": {
        "get": {
            "summary": "Server-Sent Events: 'availability' after every committed change (id = version)",
            "security": [],
            "parameters": [
                path_id("unit_id"),
                {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "An event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "404": responses({}, 404)["404"],
                "429": responses({}, 429)["429"],
            },
            "x-streaming": True,
        }
    },
    "/api/v1/availability/stream": {
        "get": {
            "summary": "Server-Sent Events for several units (a page of results)",
            "security": [],
            "parameters": [
                {
                    "name": "units",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "comma-separated unit ids, 100 at most; `12:5` (unit:version "
                    "shown) sends an event at once if unit 12 has moved past version 5",
                }
            ],
            "responses": {
                "200": {
                    "description": "An event stream",
                    "content": {"text/event-stream": {"schema": {"type": "string"}}},
                },
                "404": responses({}, 404)["404"],
                "422": responses({}, 422)["422"],
                "429": responses({}, 429)["429"],
            },
            "x-streaming": True,
        }
    },
    "/api/v1/closures/{closure_id}": {
        "delete": {
            "summary": "Remove a closure",
            "parameters": [path_id("closure_id")],
            "responses": responses({204: None}, 401, 403, 404),
        }
    },
    "/api/v1/units/{unit_id}/quote": {
        "get": {
            "summary": "What booking this slot (start, end) or term (start_date, end_date)"
            " would answer now, without booking",
            "security": [],
            "parameters": [
                path_id("unit_id"),
                query("start", _TIME, "local time of the space without an offset"),
                query("end", _TIME),
                query("seats", {"type": "integer", "minimum": 1, "maximum": MAX_SEATS}),
                query(
                    "start_date",
                    {"type": "string", "format": "date"},
                    "a term's first day (instead of start and end)",
                ),
                query("end_date", {"type": "string", "format": "date"}, "a term's last day"),
            ],
            "responses": responses({200: QUOTE}, 404),
        }
    },
}
