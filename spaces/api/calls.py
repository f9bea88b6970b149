"""Calls for temporary occupation over the API: calls, applications, decisions (shared/API.md)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from spaces.api.bookings import BOOKING, booking_json
from spaces.api.core import body, bp, page_args, paginate, require_user
from spaces.api.search import PLACE
from spaces.api.serializers import iso
from spaces.api.spec import PAGINATION, json_body, page_of, path_id, query, responses
from spaces.calls import applications, services
from spaces.calls.forms import ApplicationForm, CallForm, DeclineForm
from spaces.calls.models import APPLICATION_STATUSES, CALL_STATUSES
from spaces.db import transaction, utcnow
from spaces.errors import Invalid
from spaces.forms import form_from_json
from spaces.listings import services as listings
from spaces.listings.search_input import parse_search_args
from spaces.mail import external_url
from spaces.web import current_actor


def call_json(call, now=None, *, distance_km: float | None = None) -> dict:
    now = now or utcnow()
    space = call.unit.space
    tz = ZoneInfo(space.timezone)
    return {
        "id": call.id,
        "status": call.effective_status(now),
        "unit_id": call.unit_id,
        "space_id": space.id,
        "title": call.title,
        "description": call.description,
        "criteria": call.criteria,
        "visit_info": call.visit_info,
        "occupation_from": call.occupation_from.isoformat(),
        "occupation_until": call.occupation_until.isoformat(),
        "apply_until": iso(call.apply_until, tz),
        "published_at": iso(call.published_at, tz),
        "space": {
            "id": space.id,
            "name": space.name,
            "commune": space.commune,
            "latitude": space.latitude,
            "longitude": space.longitude,
        },
        "unit": {"id": call.unit.id, "name": call.unit.name, "kind": call.unit.kind},
        "distance_km": round(distance_km, 2) if distance_km is not None else None,
        "url": external_url("calls.detail", call_id=call.id),
    }


def application_json(application, now=None) -> dict:
    now = now or utcnow()
    tz = ZoneInfo(application.call.unit.space.timezone)
    return {
        "id": application.id,
        "call_id": application.call_id,
        "status": application.status,
        "applicant": {"id": application.applicant.id, "name": application.applicant.name},
        "project": application.project,
        "planned_use": application.planned_use,
        "start_date": application.start_date.isoformat(),
        "end_date": application.end_date.isoformat(),
        "seats": application.seats,
        "organisation_name": application.organisation_name,
        "contact_phone": application.contact_phone,
        "reason": application.reason,
        "created_at": iso(application.created_at, tz),
        "decided_at": iso(application.decided_at, tz),
        "booking": booking_json(application.booking, now) if application.booking else None,
    }


# --- calls -------------------------------------------------------------------------------------


@bp.post("/units/<int:unit_id>/calls")
def create_call(unit_id: int):
    actor = require_user()
    form = form_from_json(CallForm, body())
    with transaction():
        unit = listings.get_unit(actor, unit_id, edit=True)
        call = services.create_call(actor, unit, form.values())
        data = call_json(call)
    return jsonify(data), 201


@bp.get("/calls")
def list_calls():
    page, per_page = page_args()
    search = parse_search_args(request.args)
    radius = search.radius_km if search.located else None
    listed = services.open_calls(search.latitude, search.longitude, radius)
    now = utcnow()
    return jsonify(
        paginate(
            listed,
            page,
            per_page,
            lambda item: call_json(item.call, now, distance_km=item.distance_km),
        )
    )


@bp.get("/calls/<int:call_id>")
def get_call(call_id: int):
    return jsonify(call_json(services.get_call(current_actor(), call_id)))


def _current_values(call) -> dict:
    """A call's editable fields as the API takes them (a PATCH changes only those it names)."""
    local = call.apply_until.astimezone(ZoneInfo(call.unit.space.timezone))
    return {
        "title": call.title,
        "description": call.description,
        "criteria": call.criteria,
        "visit_info": call.visit_info,
        "occupation_from": call.occupation_from.isoformat(),
        "occupation_until": call.occupation_until.isoformat(),
        "apply_until": local.isoformat(),
    }


@bp.patch("/calls/<int:call_id>")
def update_call(call_id: int):
    actor = require_user()
    patch = body()
    if not isinstance(patch, dict):
        raise Invalid(_l("The body must be a JSON object."), code="invalid_body")
    current = _current_values(services.get_call(actor, call_id, manage=True))
    form = form_from_json(CallForm, {**current, **patch})
    with transaction():
        call = services.get_call(actor, call_id, manage=True)
        services.update_call(actor, call, form.values())
        data = call_json(call)
    return jsonify(data)


@bp.post("/calls/<int:call_id>/publish")
def publish_call(call_id: int):
    actor = require_user()
    with transaction():
        call = services.get_call(actor, call_id, manage=True)
        services.publish_call(actor, call)
        data = call_json(call)
    return jsonify(data)


@bp.post("/calls/<int:call_id>/close")
def close_call(call_id: int):
    actor = require_user()
    with transaction():
        call = services.get_call(actor, call_id, manage=True)
        services.close_call(actor, call)
        data = call_json(call)
    return jsonify(data)


# --- applications ------------------------------------------------------------------------------


@bp.post("/calls/<int:call_id>/applications")
def apply_to_call(call_id: int):
    actor = require_user()
    form = form_from_json(ApplicationForm, body())
    with transaction():
        application = applications.apply(actor, call_id, form.values())
        data = application_json(application)
    return jsonify(data), 201


@bp.get("/calls/<int:call_id>/applications")
def call_applications(call_id: int):
    actor = require_user()
    page, per_page = page_args()
    items = applications.applications_of_call(actor, call_id)
    now = utcnow()
    return jsonify(paginate(items, page, per_page, lambda a: application_json(a, now)))


@bp.get("/applications")
def list_applications():
    actor = require_user()
    page, per_page = page_args()
    if request.args.get("mine", "1") not in ("1", "true"):
        raise Invalid(fields={"mine": [_l("Not a valid choice.")]})
    items = applications.my_applications(actor)
    now = utcnow()
    return jsonify(paginate(items, page, per_page, lambda a: application_json(a, now)))


@bp.get("/applications/<int:application_id>")
def get_application(application_id: int):
    actor = require_user()
    return jsonify(application_json(applications.get_application(actor, application_id)))


def _act(application_id: int, action, *args):
    actor = require_user()
    # The booking made by an acceptance stays loaded for the answer (and its e-mails).
    with transaction(expire_on_commit=False):
        application = action(actor, application_id, *args)
        data = application_json(application)
    return jsonify(data)


@bp.post("/applications/<int:application_id>/shortlist")
def shortlist_application(application_id: int):
    return _act(application_id, applications.shortlist)


@bp.post("/applications/<int:application_id>/decline")
def decline_application(application_id: int):
    form = form_from_json(DeclineForm, body())
    return _act(application_id, applications.decline, form.reason.data)


@bp.post("/applications/<int:application_id>/withdraw")
def withdraw_application(application_id: int):
    return _act(application_id, applications.withdraw)


@bp.post("/applications/<int:application_id>/accept")
def accept_application(application_id: int):
    return _act(application_id, applications.accept)


# --- OpenAPI -----------------------------------------------------------------------------------

TEXT = {"type": "string"}
DATE = {"type": "string", "format": "date"}
CALL = {
    "type": "object",
    "required": ["id", "status", "unit_id", "space_id", "title", "apply_until"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": list(CALL_STATUSES)},
        "unit_id": {"type": "integer"},
        "space_id": {"type": "integer"},
        "title": TEXT,
        "description": TEXT,
        "criteria": TEXT,
        "visit_info": TEXT,
        "occupation_from": DATE,
        "occupation_until": DATE,
        "apply_until": {"type": "string", "format": "date-time"},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "space": {"type": "object"},
        "unit": {"type": "object"},
        "distance_km": {"type": ["number", "null"]},
        "url": TEXT,
    },
}
CALL_INPUT = {
    "type": "object",
    "required": ["title", "description", "occupation_from", "occupation_until", "apply_until"],
    "properties": {
        "title": {"type": "string", "maxLength": 200},
        "description": {"type": "string", "maxLength": 10000},
        "criteria": {"type": "string", "maxLength": 5000},
        "visit_info": {"type": "string", "maxLength": 2000},
        "occupation_from": {**DATE, "description": "first day, inclusive"},
        "occupation_until": {**DATE, "description": "last day, inclusive"},
        "apply_until": {
            "type": "string",
            "format": "date-time",
            "description": "without an offset: the space's local time",
        },
    },
}
APPLICATION = {
    "type": "object",
    "required": ["id", "call_id", "status", "start_date", "end_date", "seats"],
    "properties": {
        "id": {"type": "integer"},
        "call_id": {"type": "integer"},
        "status": {"type": "string", "enum": list(APPLICATION_STATUSES)},
        "applicant": {"type": "object"},
        "project": TEXT,
        "planned_use": TEXT,
        "start_date": DATE,
        "end_date": DATE,
        "seats": {"type": "integer"},
        "organisation_name": TEXT,
        "contact_phone": TEXT,
        "reason": TEXT,
        "created_at": {"type": "string", "format": "date-time"},
        "decided_at": {"type": ["string", "null"], "format": "date-time"},
        "booking": {"oneOf": [BOOKING, {"type": "null"}]},
    },
}
APPLICATION_INPUT = {
    "type": "object",
    "required": ["project", "planned_use", "start_date", "end_date"],
    "properties": {
        "project": {"type": "string", "maxLength": 5000},
        "planned_use": {"type": "string", "maxLength": 2000},
        "start_date": {**DATE, "description": "within the call's period, inclusive"},
        "end_date": DATE,
        "seats": {"type": "integer", "minimum": 1, "maximum": 10000},
        "organisation_name": {"type": "string", "maxLength": 160},
        "contact_phone": {"type": "string", "maxLength": 40},
    },
}
CALL_ID = [path_id("call_id")]
APPLICATION_ID = [path_id("application_id")]


def _action(summary: str, *errors: int, request_body: dict | None = None) -> dict:
    operation = {
        "summary": summary,
        "parameters": APPLICATION_ID,
        "responses": responses({200: APPLICATION}, *errors),
    }
    if request_body is not None:
        operation["requestBody"] = request_body
    return {"post": operation}


PATHS = {
    "/api/v1/units/{unit_id}/calls": {
        "post": {
            "summary": "Open a draft call for temporary occupation of a unit (owner/manager)",
            "parameters": [path_id("unit_id")],
            "requestBody": json_body(CALL_INPUT),
            "responses": responses({201: CALL}, 400, 401, 403, 404, 422),
        }
    },
    "/api/v1/calls": {
        "get": {
            "summary": "Open calls, soonest deadline first; near a place as in search",
            "security": [],
            "parameters": [
                *PLACE,
                *PAGINATION,
            ],
            "responses": responses({200: page_of(CALL)}, 422),
        }
    },
    "/api/v1/calls/{call_id}": {
        "get": {
            "summary": "A call (public once published; drafts for its organisation)",
            "security": [],
            "parameters": CALL_ID,
            "responses": responses({200: CALL}, 404),
        },
        "patch": {
            "summary": "Change a draft call (owner/manager): the fields given",
            "parameters": CALL_ID,
            "requestBody": json_body({**CALL_INPUT, "required": []}),
            "responses": responses({200: CALL}, 400, 401, 403, 404, 409, 422),
        },
    },
    "/api/v1/calls/{call_id}/publish": {
        "post": {
            "summary": "Open a draft call to applications",
            "parameters": CALL_ID,
            "responses": responses({200: CALL}, 401, 403, 404, 409),
        }
    },
    "/api/v1/calls/{call_id}/close": {
        "post": {
            "summary": "Stop taking applications",
            "parameters": CALL_ID,
            "responses": responses({200: CALL}, 401, 403, 404, 409),
        }
    },
    "/api/v1/calls/{call_id}/applications": {
        "post": {
            "summary": "Apply to an open call (any signed-in person)",
            "parameters": CALL_ID,
            "requestBody": json_body(APPLICATION_INPUT),
            "responses": responses({201: APPLICATION}, 400, 401, 404, 409, 422),
        },
        "get": {
            "summary": "The applications to a call (its organisation)",
            "parameters": [*CALL_ID, *PAGINATION],
            "responses": responses({200: page_of(APPLICATION)}, 401, 404),
        },
    },
    "/api/v1/applications": {
        "get": {
            "summary": "The caller's applications, newest first",
            "parameters": [
                query("mine", {"type": "string", "enum": ["1", "true"]}),
                *PAGINATION,
            ],
            "responses": responses({200: page_of(APPLICATION)}, 401, 422),
        }
    },
    "/api/v1/applications/{application_id}": {
        "get": {
            "summary": "An application (the applicant or the call's organisation)",
            "parameters": APPLICATION_ID,
            "responses": responses({200: APPLICATION}, 401, 404),
        }
    },
    "/api/v1/applications/{application_id}/shortlist": _action(
        "Shortlist a submitted application", 401, 403, 404, 409
    ),
    "/api/v1/applications/{application_id}/decline": _action(
        "Decline an application, with the reason the applicant reads",
        400,
        401,
        403,
        404,
        409,
        422,
        request_body=json_body(
            {
                "type": "object",
                "required": ["reason"],
                "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
            }
        ),
    ),
    "/api/v1/applications/{application_id}/withdraw": _action(
        "Withdraw one's own pending application", 401, 403, 404, 409
    ),
    "/api/v1/applications/{application_id}/accept": _action(
        "Accept an application: a confirmed term booking for the applicant over its dates",
        401,
        403,
        404,
        409,
        422,
    ),
}
