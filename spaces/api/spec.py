"""Building blocks for the OpenAPI document; each resource module declares its own paths."""

from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}

COMPONENTS = {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {
                            "type": "object",
                            "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                }
            },
        },
        "User": {
            "type": "object",
            "required": ["id", "email", "name"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string", "format": "email"},
                "name": {"type": "string"},
            },
        },
        "Organisation": {
            "type": "object",
            "required": ["id", "name", "kind"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "kind": {
                    "type": "string",
                    "enum": ["municipality", "landlord", "coworking", "employer"],
                },
            },
        },
    },
}

DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    304: "Not modified",
    400: "Malformed JSON",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict with the current state",
    413: "Too large",
    422: "Invalid request",
    429: "Rate limited",
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def responses(ok: dict[int, dict | None], *errors: int) -> dict:
    """Response objects: ``ok`` maps success statuses to a JSON schema (or None for no body)."""
    out: dict = {}
    for status, schema in ok.items():
        entry: dict = {"description": DESCRIPTIONS.get(status, "OK")}
        if schema is not None:
            entry["content"] = {"application/json": {"schema": schema}}
        out[str(status)] = entry
    for status in errors:
        out[str(status)] = {
            "description": DESCRIPTIONS[status],
            "content": {"application/json": {"schema": ERROR}},
        }
    return out


def json_body(schema: dict, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def path_id(name: str = "id") -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }


def query(name: str, schema: dict, description: str = "") -> dict:
    item = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        item["description"] = description
    return item


PAGINATION = [
    query("page", {"type": "integer", "minimum": 1}),
    query("per_page", {"type": "integer", "minimum": 1, "maximum": 100}),
]


def page_of(item_schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["items", "total", "page"],
        "properties": {
            "items": {"type": "array", "items": item_schema},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
        },
    }
