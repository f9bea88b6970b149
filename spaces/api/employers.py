"""Employers over the API: sponsorship settings, a member's budget, statements, a host's dues."""

from __future__ import annotations

from flask import jsonify, request

from spaces.api.core import body, bp, require_user
from spaces.api.spec import json_body, path_id, query, responses
from spaces.db import transaction
from spaces.employers import budget, services, statements
from spaces.employers.forms import SponsorshipForm
from spaces.exports import csv_download
from spaces.forms import form_from_json
from spaces.organisations.services import get_organisation, require_manager


@bp.get("/organisations/<int:organisation_id>/sponsorship")
def get_sponsorship(organisation_id: int):
    organisation = services.managed_employer(require_user(), organisation_id)
    sponsorship = services.get_sponsorship(organisation)
    return jsonify(services.sponsorship_json(organisation, sponsorship))


@bp.put("/organisations/<int:organisation_id>/sponsorship")
def put_sponsorship(organisation_id: int):
    actor = require_user()
    services.managed_employer(actor, organisation_id)
    form = form_from_json(SponsorshipForm, body())
    with transaction(expire_on_commit=False):
        organisation = services.managed_employer(actor, organisation_id)
        sponsorship = services.set_sponsorship(organisation, form)
    return jsonify(services.sponsorship_json(organisation, sponsorship))


@bp.get("/organisations/<int:organisation_id>/budget")
def get_budget(organisation_id: int):
    """The caller's budget as a member of the employer, for a month (default: this one)."""
    actor = require_user()
    organisation = get_organisation(actor, organisation_id)
    services.require_employer(organisation)
    month = request.args.get("month") or budget.current_month()
    return jsonify(
        {"organisation_id": organisation.id, **budget.remaining(organisation, actor, month)}
    )


def _month_and_format(month: str) -> tuple[str, bool]:
    if month.endswith(".csv"):
        return month[: -len(".csv")], True
    return month, False


@bp.get("/organisations/<int:organisation_id>/statements/<month>")
def get_statement(organisation_id: int, month: str):
    month, as_csv = _month_and_format(month)
    organisation = services.managed_employer(require_user(), organisation_id)
    st = statements.statement(organisation, month)
    if as_csv:
        return csv_download(statements.statement_csv(st), f"statement-{st.month}.csv")
    return jsonify(st.as_json())


@bp.get("/organisations/<int:organisation_id>/statements/<month>.csv")
def get_statement_csv(organisation_id: int, month: str):
    return get_statement(organisation_id, f"{month}.csv")


@bp.get("/organisations/<int:organisation_id>/dues/<month>")
def get_dues(organisation_id: int, month: str):
    """What each employer owes a host organisation for a month (its owners and managers)."""
    month, as_csv = _month_and_format(month)
    actor = require_user()
    organisation = get_organisation(actor, organisation_id)
    require_manager(actor, organisation)
    first = budget.parse_month(month)
    dues = statements.host_dues(organisation, month)
    key = budget.month_key(first)
    if as_csv:
        return csv_download(statements.host_dues_csv(dues), f"dues-{key}.csv")
    return jsonify(
        {
            "organisation_id": organisation.id,
            "month": key,
            "currency": "EUR",
            "total": sum(entry["total"] for entry in dues),
            "employers": [
                {**entry, "lines": [statements.line_json(line) for line in entry["lines"]]}
                for entry in dues
            ],
        }
    )


@bp.get("/organisations/<int:organisation_id>/dues/<month>.csv")
def get_dues_csv(organisation_id: int, month: str):
    return get_dues(organisation_id, f"{month}.csv")


# --- OpenAPI -----------------------------------------------------------------------------------

ORG = [path_id("organisation_id")]
MONTH = {
    "name": "month",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
    "description": "YYYY-MM, from 2000-01 to 2100-12",
}
CENTS_OR_NULL = {"type": ["integer", "null"], "minimum": 0, "description": "cents; null: no limit"}
SPONSORSHIP_INPUT = {
    "type": "object",
    "properties": {
        "monthly_budget_per_member": CENTS_OR_NULL,
        "monthly_budget_total": CENTS_OR_NULL,
        "allowed_kinds": {
            "type": ["array", "null"],
            "items": {
                "type": "string",
                "enum": ["vacant_public", "private_premises", "coworking", "residence", "other"],
            },
            "description": "space kinds paid for; null or empty: any",
        },
        "allowed_communes": {
            "type": ["array", "null"],
            "maxItems": 500,
            "items": {"type": "string"},
            "description": "INSEE codes of the communes paid for; null or empty: any",
        },
    },
}
SPONSORSHIP = {
    "type": "object",
    "required": [
        "organisation_id",
        "monthly_budget_per_member",
        "monthly_budget_total",
        "allowed_kinds",
        "allowed_communes",
        "currency",
    ],
    "properties": {
        **SPONSORSHIP_INPUT["properties"],
        "organisation_id": {"type": "integer"},
        "currency": {"type": "string"},
        "updated_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
BUDGET = {
    "type": "object",
    "properties": {
        "organisation_id": {"type": "integer"},
        "month": {"type": "string"},
        "currency": {"type": "string"},
        "member_budget": CENTS_OR_NULL,
        "member_spent": {"type": "integer"},
        "member_remaining": CENTS_OR_NULL,
        "total_budget": CENTS_OR_NULL,
        "total_spent": {"type": "integer"},
        "total_remaining": CENTS_OR_NULL,
    },
}
PERSON = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
    },
}
NAMED = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
LINE = {
    "type": "object",
    "properties": {
        "booking_id": {"type": "integer"},
        "reference": {"type": "string"},
        "member": PERSON,
        "space": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "commune": {"type": "string"},
            },
        },
        "unit": NAMED,
        "host": NAMED,
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "seats": {"type": "integer"},
        "amount": {"type": "integer"},
    },
}
STATEMENT = {
    "type": "object",
    "required": ["organisation_id", "month", "currency", "total", "lines", "by_member", "by_host"],
    "properties": {
        "organisation_id": {"type": "integer"},
        "month": {"type": "string"},
        "currency": {"type": "string"},
        "total": {"type": "integer"},
        "lines": {"type": "array", "items": LINE},
        "by_member": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "member": PERSON,
                    "total": {"type": "integer"},
                    "budget": CENTS_OR_NULL,
                    "remaining": {"type": ["integer", "null"]},
                },
            },
        },
        "by_host": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"organisation": NAMED, "total": {"type": "integer"}},
            },
        },
    },
}
DUES = {
    "type": "object",
    "properties": {
        "organisation_id": {"type": "integer"},
        "month": {"type": "string"},
        "currency": {"type": "string"},
        "total": {"type": "integer"},
        "employers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "employer": NAMED,
                    "total": {"type": "integer"},
                    "lines": {"type": "array", "items": LINE},
                },
            },
        },
    },
}


def _csv_responses(description: str) -> dict:
    out = responses({}, 401, 403, 404, 422)
    out["200"] = {
        "description": description,
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
    return out


PATHS = {
    "/api/v1/organisations/{organisation_id}/sponsorship": {
        "get": {
            "summary": "An employer's budgets and policy (owners and managers)",
            "parameters": ORG,
            "responses": responses({200: SPONSORSHIP}, 401, 403, 404, 422),
        },
        "put": {
            "summary": "Set an employer's monthly budgets (cents) and the kinds of places and"
            " communes it pays for; null means no limit",
            "parameters": ORG,
            "requestBody": json_body(SPONSORSHIP_INPUT),
            "responses": responses({200: SPONSORSHIP}, 400, 401, 403, 404, 422),
        },
    },
    "/api/v1/organisations/{organisation_id}/budget": {
        "get": {
            "summary": "The caller's budget as a member of an employer for a month: budgets,"
            " spent (live sponsored bookings) and remaining; null where no limit",
            "parameters": [
                *ORG,
                query(
                    "month",
                    {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                    "YYYY-MM (default: this month)",
                ),
            ],
            "responses": responses({200: BUDGET}, 401, 404, 422),
        }
    },
    "/api/v1/organisations/{organisation_id}/statements/{month}": {
        "get": {
            "summary": "An employer's statement of a month: confirmed sponsored bookings"
            " starting in it, totals by member and by host (owners and managers)",
            "parameters": [*ORG, MONTH],
            "responses": responses({200: STATEMENT}, 401, 403, 404, 422),
        }
    },
    "/api/v1/organisations/{organisation_id}/statements/{month}.csv": {
        "get": {
            "summary": "The statement's lines as CSV. " + statements.CSV_DOC,
            "parameters": [*ORG, MONTH],
            "responses": _csv_responses("CSV, UTF-8, header row"),
        }
    },
    "/api/v1/organisations/{organisation_id}/dues/{month}": {
        "get": {
            "summary": "What each employer owes a host organisation for its bookings starting in"
            " a month (the host's owners and managers)",
            "parameters": [*ORG, MONTH],
            "responses": responses({200: DUES}, 401, 403, 404, 422),
        }
    },
    "/api/v1/organisations/{organisation_id}/dues/{month}.csv": {
        "get": {
            "summary": "The dues as CSV: employer_id, employer, then the statement's columns",
            "parameters": [*ORG, MONTH],
            "responses": _csv_responses("CSV, UTF-8, header row"),
        }
    },
}
