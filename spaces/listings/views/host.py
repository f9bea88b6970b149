"""The host's pages: spaces, units, opening hours and closures."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from spaces.availability import closing
from spaces.availability import services as availability
from spaces.availability.hours_text import HoursTextError, format_day_windows, parse_day_windows
from spaces.db import transaction, utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.geo.provider import (
    GeocodingError,
    locate_address,
    location_fields,
    place_error_message,
    resolve_query,
)
from spaces.listings import services
from spaces.listings.forms import ClosureForm, SpaceForm, UnitForm
from spaces.listings.views.blueprint import bp
from spaces.listings.views.common import (
    FRANCE,
    WeekHoursForm,
    _attach_errors,
    _managed_organisations,
    _map_settings,
    _page,
    _unit_of,
    _upcoming_closures,
)
from spaces.web import current_actor as _actor
from spaces.web import safe_next

# --- host pages: spaces ------------------------------------------------------------------------


@bp.get("/my/spaces")
@login_required
def my_spaces():
    user = _actor()
    spaces = services.spaces_of(user)
    return render_template(
        "listings/my_spaces.html",
        spaces=spaces,
        editable={s.id for s in spaces if services.can_edit(user, s)},
        can_create=bool(_managed_organisations(user)),
    )


def _locate(form, *, required: bool):
    """Geocode the form's address; on failure put the message next to the commune if required."""
    try:
        return locate_address(
            form.address.data or "", form.postal_code.data or "", form.commune.data
        )
    except GeocodingError as error:
        if required:
            message = _(
                "We could not find this place: %(reason)s Give latitude and longitude, or place the pin on the map.",
                reason=place_error_message(error),
            )
            form.commune.errors = list(form.commune.errors) + [message]
        return None


def _picker_center(form, space=None):
    """Where the pin-picking map opens: the pin, else the postal code or commune, else France."""
    if form.latitude.data is not None and form.longitude.data is not None:
        return (form.latitude.data, form.longitude.data), 15
    if space is not None:
        return (space.latitude, space.longitude), 15
    for text in (form.postal_code.data, form.commune.data):
        if text:
            try:
                place = resolve_query(text)
            except GeocodingError:
                continue
            return (place.latitude, place.longitude), 12
    return FRANCE, 5


def _space_form_page(
    form, status: int, *, space=None, organisations=(), errors=(), picker_open=False
):
    center, zoom = _picker_center(form, space)
    return _page(
        "listings/space_form.html",
        status,
        form=form,
        space=space,
        organisations=organisations,
        errors=errors,
        picker_open=picker_open or bool(form.latitude.errors or form.longitude.errors),
        picker_data=_map_settings([], center=center, zoom=zoom),
    )


TEXT_COLUMNS = ("description", "address", "postal_code", "accessibility", "house_rules")


def _space_values(form) -> dict:
    """The form's values as the services take them: text never None (update_space would write it
    into a NOT NULL column) and the capacity cap 100 when left empty."""
    data = dict(form.data)
    for name in TEXT_COLUMNS:
        data[name] = data.get(name) or ""
    if data.get("capacity_cap_percent") is None:
        data["capacity_cap_percent"] = 100
    return data


@bp.route("/spaces/new", methods=["GET", "POST"])
@login_required
def new_space():
    user = _actor()
    organisations = _managed_organisations(user)
    form = SpaceForm()
    if request.method == "GET" and len(organisations) == 1:
        form.organisation_id.data = organisations[0].id
    errors: list[str] = []
    failed_place = False
    if form.validate_on_submit():
        place = _locate(form, required=form.latitude.data is None)
        failed_place = bool(form.commune.errors)
        if not failed_place:
            try:
                with transaction():
                    space = services.create_space(user, _space_values(form), place)
            except (NotFound, Forbidden) as error:
                form.organisation_id.errors = list(form.organisation_id.errors) + [
                    str(error.message)
                ]
            except Invalid as error:
                errors = _attach_errors(form, error)
            else:
                flash(
                    _(
                        "%(name)s is saved as a draft. Add what can be booked there, then publish it.",
                        name=space.name,
                    ),
                    "success",
                )
                return redirect(url_for("listings.space_page", space_id=space.id))
    status = 422 if request.method == "POST" else 200
    return _space_form_page(
        form, status, organisations=organisations, errors=errors, picker_open=failed_place
    )


@bp.route("/spaces/<int:space_id>/edit", methods=["GET", "POST"])
@login_required
def edit_space(space_id: int):
    user = _actor()
    space = services.get_space(user, space_id, edit=True)
    form = SpaceForm(obj=space)
    del form.organisation_id  # a place never moves to another organisation
    errors: list[str] = []
    failed_place = False
    if form.validate_on_submit():
        data = _space_values(form)
        pin = (form.latitude.data, form.longitude.data)
        pin_moved = None not in pin and pin != (space.latitude, space.longitude)
        moved = any((data[f] or "") != (getattr(space, f) or "") for f in location_fields())
        place = _locate(form, required=not pin_moved) if moved else None
        failed_place = bool(form.commune.errors)
        if not pin_moved:
            data["latitude"] = data["longitude"] = None
        if not failed_place:
            try:
                with transaction():
                    services.update_space(user, space, data, place)
            except Invalid as error:
                errors = _attach_errors(form, error)
            else:
                flash(_("Your changes to %(name)s are saved.", name=space.name), "success")
                return redirect(url_for("listings.space_page", space_id=space.id))
    status = 422 if request.method == "POST" else 200
    return _space_form_page(form, status, space=space, errors=errors, picker_open=failed_place)


def _back_to(space):
    target = request.form.get("next")
    return redirect(
        safe_next(target) if target else url_for("listings.space_page", space_id=space.id)
    )


@bp.post("/spaces/<int:space_id>/publish")
@login_required
def publish_space(space_id: int):
    user = _actor()
    space = services.get_space(user, space_id, edit=True)
    try:
        with transaction():
            services.publish_space(user, space)
    except Conflict as error:
        flash(str(error.message), "error")
    else:
        flash(_("%(name)s is published: it is on the map.", name=space.name), "success")
    return _back_to(space)


@bp.post("/spaces/<int:space_id>/archive")
@login_required
def archive_space(space_id: int):
    user = _actor()
    space = services.get_space(user, space_id, edit=True)
    with transaction():
        services.archive_space(user, space)
    flash(_("%(name)s is archived: it is no longer on the map.", name=space.name), "success")
    return _back_to(space)


# --- host pages: units -------------------------------------------------------------------------


def _unit_form_page(form, space, unit, status: int, errors=()):
    return _page(
        "listings/unit_form.html", status, form=form, space=space, unit=unit, errors=errors
    )


@bp.route("/spaces/<int:space_id>/units/new", methods=["GET", "POST"])
@login_required
def new_unit(space_id: int):
    user = _actor()
    space = services.get_space(user, space_id, edit=True)
    form = UnitForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            with transaction():
                unit = services.create_unit(user, space, form.data)
        except Invalid as error:
            errors = _attach_errors(form, error)
        else:
            flash(_("%(name)s is added to %(space)s.", name=unit.name, space=space.name), "success")
            return redirect(
                url_for("listings.space_page", space_id=space.id, _anchor=f"unit-{unit.id}")
            )
    return _unit_form_page(form, space, None, 422 if request.method == "POST" else 200, errors)


@bp.route("/spaces/<int:space_id>/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_unit(space_id: int, unit_id: int):
    user = _actor()
    unit = _unit_of(user, space_id, unit_id)
    values = {name: getattr(unit, name) for name in services.UNIT_FIELDS}
    form = UnitForm(data={**values, "prices": unit.prices})
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            with transaction():
                services.update_unit(user, unit, form.data)
        except Invalid as error:
            errors = _attach_errors(form, error)
        else:
            flash(_("Your changes to %(name)s are saved.", name=unit.name), "success")
            return redirect(
                url_for("listings.space_page", space_id=space_id, _anchor=f"unit-{unit.id}")
            )
    return _unit_form_page(form, unit.space, unit, 422 if request.method == "POST" else 200, errors)


# --- host pages: opening hours -----------------------------------------------------------------


def _hours_error(error: HoursTextError) -> str:
    if error.reason == "time":
        return _("“%(text)s” is not a time of day (e.g. 09:00, 9h30, 24:00).", text=error.fragment)
    if error.reason == "order":
        return _(
            "“%(text)s” closes before it opens; split a night opening at midnight.",
            text=error.fragment,
        )
    return _(
        "Write each opening as start-end, e.g. 09:00-12:00 (not “%(text)s”).", text=error.fragment
    )


def _hours(owner, space, unit=None):
    """The weekly hours editor of a space or a unit: one line of text per weekday."""
    user = _actor()
    form = WeekHoursForm()
    if request.method == "POST" and unit is not None and request.form.get("action") == "use_space":
        if form.validate_on_submit():
            with transaction():
                availability.use_space_hours(user, unit)
            flash(_("%(name)s follows the place's opening hours again.", name=unit.name), "success")
            return redirect(
                url_for("listings.space_page", space_id=space.id, _anchor=f"unit-{unit.id}")
            )
    elif form.validate_on_submit():
        windows = []
        for day in range(7):
            day_field = form[f"day_{day}"]
            try:
                windows += parse_day_windows(day_field.data or "", day)
            except HoursTextError as error:
                day_field.errors = list(day_field.errors) + [_hours_error(error)]
        errors: list[str] = []
        if not any(form[f"day_{day}"].errors for day in range(7)):
            try:
                with transaction():
                    availability.set_opening_hours(user, owner, windows)
            except Invalid as error:
                errors = [str(m) for messages in (error.fields or {}).values() for m in messages]
            else:
                flash(_("The opening hours of %(name)s are saved.", name=owner.name), "success")
                anchor = f"unit-{unit.id}" if unit is not None else "hours"
                return redirect(url_for("listings.space_page", space_id=space.id, _anchor=anchor))
        return _page("listings/hours.html", 422, form=form, space=space, unit=unit, errors=errors)
    current = (
        availability.effective_windows(unit) if unit is not None else availability.windows_of(space)
    )
    for day in range(7):
        form[f"day_{day}"].data = format_day_windows(current, day)
    status = 422 if request.method == "POST" else 200
    return _page("listings/hours.html", status, form=form, space=space, unit=unit, errors=[])


@bp.route("/spaces/<int:space_id>/hours", methods=["GET", "POST"])
@login_required
def space_hours(space_id: int):
    space = services.get_space(_actor(), space_id, edit=True)
    return _hours(space, space)


@bp.route("/spaces/<int:space_id>/units/<int:unit_id>/hours", methods=["GET", "POST"])
@login_required
def unit_hours(space_id: int, unit_id: int):
    unit = _unit_of(_actor(), space_id, unit_id)
    return _hours(unit, unit.space, unit)


# --- host pages: closures ----------------------------------------------------------------------


@bp.route("/spaces/<int:space_id>/closures", methods=["GET", "POST"])
@login_required
def closures(space_id: int):
    """Add a closure in two steps when it covers bookings: the first POST lists them (nothing is
    saved), the second (``action`` = ``cancel`` or ``keep``) saves the closure and does that."""
    user = _actor()
    space = services.get_space(user, space_id, edit=True)
    units = [u for u in space.units if u.active]
    form = ClosureForm()
    preview, status = None, 200
    if form.validate_on_submit():
        owner = space
        unit_id = request.form.get("unit_id", type=int)
        if unit_id:
            owner = next((u for u in units if u.id == unit_id), None)
            if owner is None:
                raise NotFound()
        times = form.instants(ZoneInfo(space.timezone))
        if len(times) == 2:
            saved = _save_closure(user, space, owner, form, times["start"], times["end"])
            if saved is not None:
                return saved
            if not (form.start.errors or form.end.errors):
                preview = {
                    "bookings": closing.affected_bookings(
                        user, owner, times["start"], times["end"]
                    ),
                    "start": times["start"],
                    "end": times["end"],
                    "unit": owner if owner is not space else None,
                }
    if request.method == "POST" and (form.errors or preview is None):
        status = 422
    listed = _upcoming_closures(space, units)
    return _page(
        "listings/closures.html",
        status,
        form=form,
        space=space,
        units=units,
        closures=listed,
        kept=closing.kept_counts([closure for closure, _unit in listed]),
        preview=preview,
        now=utcnow(),
    )


def _save_closure(user, space, owner, form, start, end):
    """Save at once when nothing is booked then, or as the host chose after the preview; the
    redirect when saved, else None (the form's errors say why, or the preview is to be shown)."""
    action = request.form.get("action", "")
    if action not in ("cancel", "keep"):
        action, expected = "", set()  # first step: save only if no booking is affected
    else:
        expected = {int(i) for i in request.form.getlist("booking_id") if i.isdigit()}
    try:
        with transaction():
            result = closing.close(
                user,
                owner,
                start,
                end,
                form.reason.data or "",
                cancel_bookings=action == "cancel",
                expected=expected,
            )
    except Invalid as error:
        _attach_errors(form, error)
        return None
    except Conflict as error:
        if action:  # the bookings changed since the preview: show the new list
            flash(str(error.message), "warning")
        return None
    count = len(result.affected)
    if not count:
        flash(_("The closure is saved: nothing can be booked during it."), "success")
    elif result.cancelled:
        flash(
            ngettext(
                "The closure is saved; %(num)s booking is cancelled and its booker e-mailed.",
                "The closure is saved; %(num)s bookings are cancelled and their bookers e-mailed.",
                count,
            ),
            "success",
        )
    else:
        flash(
            ngettext(
                "The closure is saved; %(num)s booking is kept: you honour it.",
                "The closure is saved; %(num)s bookings are kept: you honour them.",
                count,
            ),
            "success",
        )
    return redirect(url_for("listings.closures", space_id=space.id))


@bp.post("/spaces/<int:space_id>/closures/<int:closure_id>/delete")
@login_required
def delete_closure(space_id: int, closure_id: int):
    user = _actor()
    space = services.get_space(user, space_id, edit=True)
    closure = availability.get_closure(user, closure_id)
    unit_ids = {u.id for u in space.units}
    if closure.space_id != space.id and closure.unit_id not in unit_ids:
        raise NotFound()
    with transaction():
        availability.delete_closure(user, closure)
    flash(_("The closure is removed."), "success")
    return redirect(url_for("listings.closures", space_id=space.id))
