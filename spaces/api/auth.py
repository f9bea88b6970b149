"""Accounts over the API: register, get a token, who am I."""

from __future__ import annotations

from flask import g, jsonify

from spaces.accounts import services
from spaces.accounts.forms import LoginForm, RegisterForm
from spaces.accounts.login import REGISTER_LIMIT, check_login
from spaces.api import serializers
from spaces.api.core import body, bp, require_user
from spaces.api.spec import json_body, ref, responses
from spaces.db import transaction
from spaces.extensions import limiter
from spaces.forms import form_from_json
from spaces.i18n import current_locale
from spaces.organisations.services import accept_pending_invitation


@bp.post("/auth/register")
@limiter.limit(REGISTER_LIMIT)
def register():
    payload = body()
    form = form_from_json(RegisterForm, payload)
    invitation = payload.get("invitation") if isinstance(payload.get("invitation"), str) else None
    password = services.new_password(form.password.data)  # slow: before the write lock
    with transaction():
        user = services.register_user(form.email.data, password, form.name.data, current_locale())
        accept_pending_invitation(user, invitation)
    return jsonify(serializers.user(user)), 201


@bp.post("/auth/token")
def token():
    form = form_from_json(LoginForm, body())
    # Counted with the log-in page's attempts; verified before the (short) write transaction.
    user = check_login(form.email.data, form.password.data)
    with transaction():
        clear = services.create_api_token(user, name="api")
    return jsonify({"token": clear}), 200


@bp.delete("/auth/token")
def revoke_token():
    require_user()
    if g.get("bearer"):
        with transaction():
            services.revoke_api_token(g.bearer)
    return "", 204


@bp.get("/me")
def me():
    return jsonify(serializers.me(require_user()))


CREDENTIALS = {
    "type": "object",
    "required": ["email", "password"],
    "properties": {
        "email": {"type": "string", "format": "email"},
        "password": {"type": "string"},
    },
}

PATHS = {
    "/api/v1/auth/register": {
        "post": {
            "summary": "Create an account",
            "security": [],
            "requestBody": json_body(
                {
                    "type": "object",
                    "required": ["email", "password", "name"],
                    "properties": {
                        "email": {"type": "string", "format": "email"},
                        "password": {"type": "string", "minLength": 10, "maxLength": 128},
                        "name": {"type": "string", "maxLength": 120},
                        "invitation": {
                            "type": "string",
                            "description": "token of an invitation link",
                        },
                    },
                }
            ),
            "responses": responses({201: ref("User")}, 400, 409, 422, 429),
        }
    },
    "/api/v1/auth/token": {
        "post": {
            "summary": "Exchange credentials for a bearer token",
            "security": [],
            "requestBody": json_body(CREDENTIALS),
            "responses": responses(
                {
                    200: {
                        "type": "object",
                        "required": ["token"],
                        "properties": {"token": {"type": "string"}},
                    }
                },
                400,
                401,
                422,
                429,
            ),
        },
        "delete": {
            "summary": "Revoke the bearer token used for this request",
            "responses": responses({204: None}, 401),
        },
    },
    "/api/v1/me": {
        "get": {
            "summary": "The caller, with their organisations and roles",
            "responses": responses(
                {
                    200: {
                        "allOf": [
                            ref("User"),
                            {
                                "type": "object",
                                "properties": {
                                    "organisations": {
                                        "type": "array",
                                        "items": {
                                            "allOf": [
                                                ref("Organisation"),
                                                {
                                                    "type": "object",
                                                    "properties": {"role": {"type": "string"}},
                                                },
                                            ]
                                        },
                                    }
                                },
                            },
                        ]
                    }
                },
                401,
            ),
        }
    },
}
