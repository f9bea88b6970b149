"""The host's pages: spaces and units (opening hours and closures are ``availability.views``)."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from spaces.db import transaction
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.forms import attach_errors
from spaces.geo.provider import (
    GeocodingError,
    locate_or_invalid,
    location_fields,
    resolve_query,
)
from spaces.listings import services
from spaces.listings.forms import SpaceForm, UnitForm
from spaces.listings.views.blueprint import bp
from spaces.listings.views.common import (
    FRANCE,
    _managed_organisations,
    _map_settings,
    _page,
    _unit_of,
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
        return locate_or_invalid(
            form.address.data or "",
            form.postal_code.data or "",
            form.commune.data,
            required=required,
        )
    except Invalid as error:
        attach_errors(form, error)
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
                errors = attach_errors(form, error)
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
                errors = attach_errors(form, error)
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
    # The units it can be part of: the space's others booked whole that are no part themselves.
    parents = [
        u
        for u in space.units
        if u.kind in services.WHOLE_KINDS
        and u.part_of is None
        and (unit is None or u.id != unit.id)
    ]
    return _page(
        "listings/unit_form.html",
        status,
        form=form,
        space=space,
        unit=unit,
        errors=errors,
        parents=parents,
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
            errors = attach_errors(form, error)
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
            errors = attach_errors(form, error)
        else:
            flash(_("Your changes to %(name)s are saved.", name=unit.name), "success")
            return redirect(
                url_for("listings.space_page", space_id=space_id, _anchor=f"unit-{unit.id}")
            )
    return _unit_form_page(form, unit.space, unit, 422 if request.method == "POST" else 200, errors)
