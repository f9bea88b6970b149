"""Availability over the API: opening hours, closures, the timeline of free seats, quotes, and
the Server-Sent Event streams that announce every change. The OpenAPI description of these
paths is ``availability_openapi``.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from spaces.api import serializers
from spaces.api.bookings import booking_json
from spaces.api.core import body, bp, require_user
from spaces.availability import closing
from spaces.availability import services as availability
from spaces.availability.forms import ClosureForm, OpeningHoursForm
from spaces.availability.hours import Window
from spaces.bookings.quotes import Assessment, quote, quote_term
from spaces.db import transaction, utcnow
from spaces.errors import Invalid, NotFound
from spaces.extensions import db
from spaces.forms import form_from_json
from spaces.inputs import parse_dates, parse_window
from spaces.listings import services
from spaces.listings.models import Unit
from spaces.timeutils import parse_hhmm
from spaces.web import current_actor as _actor

# --- opening hours -----------------------------------------------------------------------------


def _windows_from_body() -> list[Window]:
    payload = body()
    if not isinstance(payload, list):
        raise Invalid(
            _l("Send a list of windows: [{weekday, start, end}, …]."), code="invalid_body"
        )
    form = form_from_json(OpeningHoursForm, {"windows": payload})
    return [
        Window(entry.weekday.data, parse_hhmm(entry.start.data), parse_hhmm(entry.end.data))
        for entry in form.windows
    ]


def _hours_json(windows) -> list:
    return [serializers.window(w) for w in windows]


@bp.get("/spaces/<int:space_id>/opening-hours")
def get_space_hours(space_id: int):
    space = services.get_space(_actor(), space_id)
    return jsonify(_hours_json(availability.windows_of(space)))


def _put_hours(actor, owner):
    windows = _windows_from_body()
    with transaction():
        saved = availability.set_opening_hours(actor, owner, windows)
    return jsonify(_hours_json(saved))


@bp.put("/spaces/<int:space_id>/opening-hours")
def put_space_hours(space_id: int):
    actor = require_user()
    return _put_hours(actor, services.get_space(actor, space_id, edit=True))


@bp.get("/units/<int:unit_id>/opening-hours")
def get_unit_hours(unit_id: int):
    unit = services.get_unit(_actor(), unit_id)
    return jsonify(_hours_json(availability.effective_windows(unit)))


@bp.put("/units/<int:unit_id>/opening-hours")
def put_unit_hours(unit_id: int):
    actor = require_user()
    return _put_hours(actor, services.get_unit(actor, unit_id, edit=True))


@bp.delete("/units/<int:unit_id>/opening-hours")
def delete_unit_hours(unit_id: int):
    actor = require_user()
    unit = services.get_unit(actor, unit_id, edit=True)
    with transaction():
        availability.use_space_hours(actor, unit)
    return "", 204


# --- availability -----------------------------------------------------------------------------


@bp.get("/units/<int:unit_id>/availability")
def unit_availability(unit_id: int):
    """Free seats over [start, end) in consecutive constant pieces; closed time is 0."""
    from spaces.availability.summaries import unit_timeline

    unit = services.get_unit(_actor(), unit_id)
    tz = ZoneInfo(unit.space.timezone)
    start, end = parse_window(request.args.get("start"), request.args.get("end"), tz)
    segments = unit_timeline(unit, start, end)
    return jsonify(
        {
            "unit_id": unit.id,
            "capacity": unit.effective_capacity,
            "version": unit.availability_version,
            "items": [
                {
                    "start": serializers.iso(s.start, tz),
                    "end": serializers.iso(s.end, tz),
                    "free": s.free,
                }
                for s in segments
            ],
        }
    )


@bp.get("/units/<int:unit_id>/availability/stream")
def unit_availability_stream(unit_id: int):
    """Server-Sent Events: an ``availability`` event after every committed change of the unit."""
    from spaces.db import utcnow
    from spaces.streams import last_event_id, stream_response

    unit = services.get_unit(_actor(), unit_id)
    version = unit.availability_version
    seen = last_event_id()
    catch_up = []
    if seen is not None and seen < version:
        catch_up.append(
            {"unit_id": unit.id, "version": version, "changed_at": utcnow().isoformat()}
        )
    return stream_response(
        {unit.id: version}, catch_up, state_version=version, current_versions=_committed_versions
    )


MAX_STREAM_UNITS = 100


@bp.get("/availability/stream")
def availability_stream():
    """Server-Sent Events for the units of a page (``?units=1,2,3``, 100 at most): one
    ``availability`` event per committed change, with the unit in its data.

    A unit may carry the version the page shows (``units=12:5``): if it has moved on since, an
    event is sent at once, so a change committed between the page and its stream is not lost."""
    from spaces.db import utcnow
    from spaces.streams import stream_response

    raw = [part.strip() for part in (request.args.get("units") or "").split(",") if part.strip()]
    shown: dict[int, int | None] = {}
    for part in raw:
        unit_id, colon, version = part.partition(":")
        if not unit_id.isdigit() or (colon and not version.isdigit()):
            shown = {}
            break
        shown[int(unit_id)] = int(version) if colon else None
    if not shown or len(raw) > MAX_STREAM_UNITS:
        raise Invalid(fields={"units": [_l("Give 1 to 100 unit ids, separated by commas.")]})
    actor = _actor()
    versions, catch_up = {}, []
    for unit_id, seen in shown.items():
        if not 0 < unit_id < 2**31:
            raise NotFound()
        unit = services.get_unit(actor, unit_id)
        versions[unit.id] = unit.availability_version
        if seen is not None and seen < unit.availability_version:
            catch_up.append(
                {
                    "unit_id": unit.id,
                    "version": unit.availability_version,
                    "changed_at": utcnow().isoformat(),
                }
            )
    return stream_response(versions, catch_up, current_versions=_committed_versions)


def _committed_versions(unit_ids: list[int]) -> dict[int, int]:
    """The units' versions as committed now (a connection of its own: the request's session
    may hold an older snapshot)."""
    import sqlalchemy as sa

    from spaces.extensions import db
    from spaces.listings.models import Unit

    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.select(Unit.id, Unit.availability_version).where(Unit.id.in_(unit_ids))
        )
        return {row.id: row.availability_version for row in rows}


# --- closures ----------------------------------------------------------------------------------


def _closure_input(tz: ZoneInfo):
    payload = body()
    form = form_from_json(ClosureForm, payload)
    times = form.instants(tz)
    errors = {name: [str(m) for m in form[name].errors] for name in ("start", "end")}
    cancel = payload.get("cancel_bookings", False)
    if cancel is None:
        cancel = False
    if not isinstance(cancel, bool):
        errors["cancel_bookings"] = [_l("Must be true or false.")]
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise Invalid(fields=errors)
    return times["start"], times["end"], form.reason.data or "", cancel


def _create_closure(owner, space):
    actor = require_user()
    tz = ZoneInfo(space.timezone)
    start, end, reason, cancel = _closure_input(tz)
    now = utcnow()
    with transaction():
        result = closing.close(actor, owner, start, end, reason, cancel_bookings=cancel, now=now)
    data = serializers.closure(result.closure, tz)
    data["affected_bookings"] = [booking_json(b, now, host_view=True) for b in result.affected]
    data["cancelled_bookings"] = result.cancelled
    return jsonify(data), 201


@bp.post("/spaces/<int:space_id>/closures")
def create_space_closure(space_id: int):
    space = services.get_space(require_user(), space_id, edit=True)
    return _create_closure(space, space)


@bp.post("/units/<int:unit_id>/closures")
def create_unit_closure(unit_id: int):
    unit = services.get_unit(require_user(), unit_id, edit=True)
    return _create_closure(unit, unit.space)


@bp.get("/spaces/<int:space_id>/closures")
def list_space_closures(space_id: int):
    space = services.get_space(_actor(), space_id)
    tz = ZoneInfo(space.timezone)
    return jsonify({"items": [serializers.closure(c, tz) for c in availability.closures_of(space)]})


@bp.get("/units/<int:unit_id>/closures")
def list_unit_closures(unit_id: int):
    unit = services.get_unit(_actor(), unit_id)
    tz = ZoneInfo(unit.space.timezone)
    items = availability.closures_of(unit.space) + availability.closures_of(unit)
    items.sort(key=lambda c: (c.start_at, c.id))
    return jsonify({"items": [serializers.closure(c, tz) for c in items]})


@bp.delete("/closures/<int:closure_id>")
def delete_closure(closure_id: int):
    actor = require_user()
    closure = availability.get_closure(actor, closure_id)
    with transaction():
        availability.delete_closure(actor, closure)
    return "", 204


# --- quotes ------------------------------------------------------------------------------------

MAX_SEATS = 10000


def _refused(error: Invalid) -> Assessment:
    return Assessment(
        False, 0, status=422, code=error.code, message=error.message, fields=error.fields
    )


def _assessment(unit: Unit) -> Assessment:
    """Parse the query as the booking parses its body; a bad input is the booking's 422."""
    errors = {}
    term = "start_date" in request.args or "end_date" in request.args
    if term and ("start" in request.args or "end" in request.args):
        message = _l("Give either a start and an end, or a first and a last day.")
        return _refused(Invalid(message, fields={"start": [message]}))
    if term:
        try:
            first, last = parse_dates(request.args.get("start_date"), request.args.get("end_date"))
        except Invalid as error:
            errors.update(error.fields or {})
    else:
        tz = ZoneInfo(unit.space.timezone)
        try:
            start, end = parse_window(
                request.args.get("start"), request.args.get("end"), tz, ordered=False
            )
        except Invalid as error:
            errors.update(error.fields or {})
    raw_seats = request.args.get("seats") or "1"
    try:
        seats = int(raw_seats)
        if not 1 <= seats <= MAX_SEATS:
            raise ValueError
    except ValueError:
        errors["seats"] = [_l("Book at least one seat.")]
    if errors:
        return _refused(Invalid(fields=errors))
    if term:
        return quote_term(unit, first, last, seats)
    return quote(unit, start, end, seats)


@bp.get("/units/<int:unit_id>/quote")
def unit_quote(unit_id: int):
    """200 for every published unit: ``available`` and the booking's code, seats and price."""
    unit = db.session.get(Unit, unit_id) if 0 < unit_id < 2**31 else None
    if unit is None or not unit.active or unit.space.status != "published":
        raise NotFound()
    outcome = _assessment(unit)
    price = outcome.price
    answer = {
        "unit_id": unit.id,
        "available": outcome.ok,
        "code": outcome.code,
        "message": str(outcome.message) if outcome.message else None,
        "free_seats": outcome.free,
        "price": {
            "amount": price.amount,
            "currency": unit.currency,
            "breakdown": price.breakdown(),
        }
        if price
        else None,
    }
    if outcome.reason:
        answer["reason"] = outcome.reason
    if outcome.fields:
        answer["fields"] = {k: [str(m) for m in v] for k, v in outcome.fields.items()}
    return jsonify(answer)
