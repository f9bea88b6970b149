"""Organisations over the API: create, read, members and invitations."""

from __future__ import annotations

from flask import jsonify

from spaces.api import serializers
from spaces.api.core import body, bp, page_args, paginate, require_user
from spaces.api.spec import PAGINATION, json_body, page_of, path_id, ref, responses
from spaces.db import transaction
from spaces.forms import form_from_json
from spaces.organisations import services
from spaces.organisations.forms import MemberForm, OrganisationForm


@bp.post("/organisations")
def create_organisation():
    actor = require_user()
    form = form_from_json(OrganisationForm, body())
    with transaction():
        organisation = services.create_organisation(actor, form.name.data, form.kind.data)
    return jsonify(serializers.organisation(organisation)), 201


@bp.get("/organisations")
def list_organisations():
    actor = require_user()
    page, per_page = page_args()
    return jsonify(
        paginate(services.list_organisations(actor), page, per_page, serializers.organisation)
    )


@bp.get("/organisations/<int:organisation_id>")
def get_organisation(organisation_id: int):
    organisation = services.get_organisation(require_user(), organisation_id)
    return jsonify(serializers.organisation(organisation))


@bp.get("/organisations/<int:organisation_id>/members")
def list_members(organisation_id: int):
    organisation = services.get_organisation(require_user(), organisation_id)
    page, per_page = page_args()
    return jsonify(
        paginate(services.members_of(organisation), page, per_page, serializers.membership)
    )


@bp.post("/organisations/<int:organisation_id>/members")
def add_member(organisation_id: int):
    actor = require_user()
    organisation = services.get_organisation(actor, organisation_id)
    form = form_from_json(MemberForm, body())
    with transaction():
        outcome, obj = services.add_member(actor, organisation, form.email.data, form.role.data)
    if outcome == "member":
        return jsonify(serializers.membership(obj)), 201
    return jsonify(serializers.invitation(obj)), 202


@bp.delete("/organisations/<int:organisation_id>/members/me")
def leave_organisation(organisation_id: int):
    """Leave an organisation (409 for its last owner)."""
    actor = require_user()
    organisation = services.get_organisation(actor, organisation_id)
    with transaction():
        services.remove_member(actor, organisation, actor.id)
    return "", 204


@bp.delete("/organisations/<int:organisation_id>/members/<int:user_id>")
def remove_member(organisation_id: int, user_id: int):
    actor = require_user()
    organisation = services.get_organisation(actor, organisation_id)
    with transaction():
        services.remove_member(actor, organisation, user_id)
    return "", 204


MEMBERSHIP = {
    "type": "object",
    "required": ["user", "role"],
    "properties": {"user": ref("User"), "role": {"type": "string"}, "since": {"type": "string"}},
}
INVITATION = {
    "type": "object",
    "required": ["id", "email", "role", "status"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "role": {"type": "string"},
        "status": {"type": "string", "enum": ["invited"]},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}

PATHS = {
    "/api/v1/organisations": {
        "post": {
            "summary": "Create an organisation; the caller becomes its owner",
            "requestBody": json_body(
                {
                    "type": "object",
                    "required": ["name", "kind"],
                    "properties": {
                        "name": {"type": "string", "maxLength": 160},
                        "kind": {
                            "type": "string",
                            "enum": ["municipality", "landlord", "coworking", "employer"],
                        },
                    },
                }
            ),
            "responses": responses({201: ref("Organisation")}, 400, 401, 403, 422),
        },
        "get": {
            "summary": "The caller's organisations",
            "parameters": PAGINATION,
            "responses": responses({200: page_of(ref("Organisation"))}, 401),
        },
    },
    "/api/v1/organisations/{organisation_id}": {
        "get": {
            "summary": "One organisation (members only)",
            "parameters": [path_id("organisation_id")],
            "responses": responses({200: ref("Organisation")}, 401, 404),
        }
    },
    "/api/v1/organisations/{organisation_id}/members": {
        "get": {
            "summary": "Members and their roles",
            "parameters": [path_id("organisation_id"), *PAGINATION],
            "responses": responses({200: page_of(MEMBERSHIP)}, 401, 404),
        },
        "post": {
            "summary": "Add an existing account (201) or e-mail an invitation (202)",
            "parameters": [path_id("organisation_id")],
            "requestBody": json_body(
                {
                    "type": "object",
                    "required": ["email", "role"],
                    "properties": {
                        "email": {"type": "string", "format": "email"},
                        "role": {"type": "string", "enum": ["owner", "manager", "member"]},
                    },
                }
            ),
            "responses": responses(
                {201: MEMBERSHIP, 202: INVITATION}, 400, 401, 403, 404, 409, 422, 429
            ),
        },
    },
    "/api/v1/organisations/{organisation_id}/members/me": {
        "delete": {
            "summary": "Leave an organisation (the last owner cannot: 409). Bookings an"
            " employer already pays for stay booked and paid by it",
            "parameters": [path_id("organisation_id")],
            "responses": responses({204: None}, 401, 404, 409),
        }
    },
    "/api/v1/organisations/{organisation_id}/members/{user_id}": {
        "delete": {
            "summary": "Remove a member, or leave",
            "parameters": [path_id("organisation_id"), path_id("user_id")],
            "responses": responses({204: None}, 401, 403, 404, 409),
        }
    },
}
