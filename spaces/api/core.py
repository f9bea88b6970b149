"""The API blueprint and what every resource module shares: auth, bodies, paging.

One blueprint at /api/v1, one module per resource. Authentication is a bearer token or the
browser session; writes with the session need the CSRF token (header X-CSRFToken).
"""

from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user

from spaces.errors import DomainError, Unauthorized
from spaces.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def _authenticate():
    # A bearer token carries no ambient authority, so only session-authenticated writes need CSRF.
    if request.method not in UNSAFE:
        return
    authenticated = current_user.is_authenticated  # loads the user, from a bearer token if any
    if authenticated and not g.get("bearer"):
        csrf.protect()


def body() -> object:
    """The request's JSON; a malformed body is a 400, a missing one an empty object."""
    if not request.data:
        return {}
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: no request needs that
        data = None
    if data is None:
        raise DomainError("The body is not valid JSON.", code="malformed_json")
    return data


def require_user():
    """The authenticated caller; raises Unauthorized (401) otherwise."""
    if not current_user.is_authenticated:
        raise Unauthorized()
    return current_user._get_current_object()


MAX_ID = 2**31 - 1


def query_id(name: str) -> int | None:
    """An id from the query string; None when absent. Garbage or an id beyond the database's
    integers names nothing: a 404, never a 500."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        from spaces.errors import Invalid

        raise Invalid(fields={name: ["Must be a whole number."]}) from None
    if not 0 < value <= MAX_ID:
        from spaces.errors import NotFound

        raise NotFound()
    return value


def page_args(default_per_page: int = 20) -> tuple[int, int]:
    """``?page=&per_page=`` clamped to sane values (per_page at most 100)."""

    def _int(name: str, default: int) -> int:
        try:
            return int(request.args.get(name, default))
        except (TypeError, ValueError):
            return default

    page = max(1, min(_int("page", 1), 10**6))
    per_page = max(1, min(_int("per_page", default_per_page), 100))
    return page, per_page


def paginate(items: list, page: int, per_page: int, serialize) -> dict:
    start = (page - 1) * per_page
    return {
        "items": [serialize(item) for item in items[start : start + per_page]],
        "total": len(items),
        "page": page,
    }
