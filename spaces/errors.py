"""Domain errors and how they reach people: JSON under /api/, a friendly page elsewhere.

Services raise these; they never build responses. Every status >= 400 under /api/ has the shape
``{"error": {"code", "message", "fields"?}}`` (shared/API.md).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A refusal a person can act on; ``message`` is a sentence for them."""

    status = 400
    code = "bad_request"
    default_message = _l("The request could not be handled.")

    def __init__(
        self,
        message=None,
        *,
        code: str | None = None,
        fields: dict | None = None,
        extra: dict | None = None,
    ):
        # A lazy message stays lazy (``or`` would translate it): a dated search makes and drops
        # thousands of these without showing one.
        if message is None or (isinstance(message, str) and not message):
            message = self.default_message
        self.message = message
        if code:
            self.code = code
        self.fields = fields
        self.extra = extra or {}  # more machine-readable detail, e.g. the dates that did not fit
        super().__init__(self.message)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    default_message = _l("You need to log in.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Conflict(DomainError):
    """Right request, but the state of the world says no (``unavailable``, ``invalid_state``...)."""

    status = 409
    code = "conflict"
    default_message = _l("This conflicts with the current state.")


class Invalid(DomainError):
    """The request is wrong whatever the state of the world; ``fields`` says where."""

    status = 422
    code = "invalid"
    default_message = _l("Some fields are not valid.")


class RateLimited(DomainError):
    """Too many requests of one kind; ``retry_after`` seconds until the counter resets."""

    status = 429
    code = "rate_limited"
    default_message = _l("Too many attempts. Please wait a minute and try again.")

    def __init__(self, message=None, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.headers = [("Retry-After", str(retry_after))] if retry_after else []


class Unavailable(DomainError):
    status = 503
    code = "busy"
    default_message = _l("The service is busy. Please try again in a moment.")


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal_error",
    503: "busy",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_body(
    code: str, message: str, fields: dict | None = None, extra: dict | None = None
) -> dict:
    error = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = {k: [str(m) for m in v] for k, v in fields.items()}
    error.update(extra or {})
    return {"error": error}


def _respond(status: int, code: str, message, fields=None, headers=None, extra=None):
    if wants_json():
        response = jsonify(error_body(code, message, fields, extra))
    else:
        page = render_template("errors/error.html", status=status, code=code, message=str(message))
        response = make_response(page)
    response.status_code = status
    for key, value in headers or ():
        response.headers[key] = value
    return response


def _http_message(status: int) -> str:
    messages = {
        400: _("The request is malformed."),
        401: _("You need to log in."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist, or you are not allowed to see it."),
        405: _("This method is not allowed here."),
        413: _("The upload is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. It has been logged."),
    }
    return messages.get(status, _("The request could not be handled."))


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        headers = getattr(error, "headers", None)
        return _respond(
            error.status, error.code, error.message, error.fields, headers, extra=error.extra
        )

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        return _respond(
            400,
            "csrf_failed",
            _(
                "The form has expired or was not sent from this site. Reload the page and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        status = error.code or 500
        headers = [(k, v) for k, v in error.get_headers() if k.lower() in {"allow", "retry-after"}]
        message = _http_message(status)
        return _respond(status, HTTP_CODES.get(status, "error"), message, headers=headers)

    @app.errorhandler(DataError)
    def handle_data_error(error: DataError):
        # The database refused a value the forms let through (a NUL byte, a number out of range).
        log.warning("database refused a value: %s", error.orig)
        return _respond(
            422,
            "invalid",
            _("A value is not acceptable (a forbidden character or a number out of range)."),
        )

    @app.errorhandler(OperationalError)
    def handle_operational(error: OperationalError):
        text = str(error.orig).lower() if error.orig else ""
        if "locked" in text or "lock timeout" in text or "could not obtain lock" in text:
            log.warning("database busy: %s", text)
            return _respond(
                503, "busy", Unavailable.default_message, headers=[("Retry-After", "2")]
            )
        log.exception("database error")
        return _respond(500, "internal_error", _http_message(500))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("unhandled error")
        return _respond(500, "internal_error", _http_message(500))
