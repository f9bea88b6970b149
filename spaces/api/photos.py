"""Photos of a space over the API: upload (multipart), delete, reorder."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from spaces.api import serializers
from spaces.api.core import body, bp, require_user
from spaces.api.spec import json_body, page_of, path_id, responses
from spaces.db import transaction
from spaces.errors import Invalid
from spaces.listings import photos, services


@bp.post("/spaces/<int:space_id>/photos")
def upload_photo(space_id: int):
    actor = require_user()
    space = services.get_space(actor, space_id, edit=True)
    # A body over MAX_CONTENT_LENGTH raises a 413 here, answered in the error shape.
    data = photos.upload_bytes(request.files.get("file"))
    alt = request.form.get("alt", "")
    # The write lock is taken only after the image is decoded (see add_photo).
    with transaction():
        photo = photos.add_photo(actor, space, data, alt)
    return jsonify(serializers.photo(photo)), 201


@bp.delete("/photos/<int:photo_id>")
def delete_photo(photo_id: int):
    actor = require_user()
    photo = photos.get_photo(actor, photo_id)
    with transaction():
        photos.delete_photo(actor, photo)
    return "", 204


@bp.put("/spaces/<int:space_id>/photos/order")
def reorder_photos(space_id: int):
    actor = require_user()
    space = services.get_space(actor, space_id, edit=True)
    payload = body()
    if not isinstance(payload, dict) or "ids" not in payload:
        message = _l("Send the photo ids as a list of whole numbers.")
        raise Invalid(message, code="invalid_body", fields={"ids": [message]})
    with transaction():
        ordered = photos.reorder_photos(actor, space, payload["ids"])
    items = [serializers.photo(p) for p in ordered]
    return jsonify({"items": items, "total": len(items), "page": 1})


# --- OpenAPI -----------------------------------------------------------------------------------

PHOTO = {
    "type": "object",
    "required": ["id", "position", "width", "height", "alt", "url", "thumbnail_url"],
    "properties": {
        "id": {"type": "integer"},
        "position": {"type": "integer"},
        "width": {"type": "integer", "description": "of the display image, in pixels"},
        "height": {"type": "integer"},
        "alt": {"type": "string"},
        "url": {"type": "string", "description": "JPEG fitting 1600×1200"},
        "thumbnail_url": {"type": "string", "description": "JPEG fitting 400×300"},
    },
}
UPLOAD = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": f"JPEG, PNG or WebP, at most {photos.MAX_UPLOAD_BYTES // (1024 * 1024)} MB "
                        f"and {photos.MAX_PIXELS // 1_000_000} megapixels",
                    },
                    "alt": {"type": "string", "maxLength": photos.MAX_ALT_LENGTH},
                },
            }
        }
    },
}
ORDER = {
    "type": "object",
    "required": ["ids"],
    "properties": {
        "ids": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "every photo id of the space, once, in the new order",
        }
    },
}

PATHS = {
    "/api/v1/spaces/{space_id}/photos": {
        "post": {
            "summary": f"Add a photo to a place (at most {photos.MAX_PHOTOS_PER_SPACE}); "
            "it is resized and re-encoded as JPEG without metadata",
            "parameters": [path_id("space_id")],
            "requestBody": UPLOAD,
            "responses": responses({201: PHOTO}, 400, 401, 403, 404, 409, 413, 422),
        }
    },
    "/api/v1/photos/{photo_id}": {
        "delete": {
            "summary": "Delete a photo",
            "parameters": [path_id("photo_id")],
            "responses": responses({204: None}, 401, 403, 404),
        }
    },
    "/api/v1/spaces/{space_id}/photos/order": {
        "put": {
            "summary": "Reorder the photos of a place",
            "parameters": [path_id("space_id")],
            "requestBody": json_body(ORDER),
            "responses": responses({200: page_of(PHOTO)}, 400, 401, 403, 404, 422),
        }
    },
}
