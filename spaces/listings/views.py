"""Listing pages: search with a map, the public space page, and the host's pages.

The host's pages use the same forms and services as the API (``spaces/api/spaces.py`` and
``units.py``): geocoding happens before the transaction, each POST makes one service call inside
``transaction()``, then flashes and redirects; a form with errors is shown again with 422.
Maps are progressive enhancement: the list and the inputs work without JavaScript or tiles.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import ceil
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import Length, Optional

from spaces.accounts.permissions import can_manage
from spaces.api.search import parse_search_args, run_search
from spaces.availability import services as availability
from spaces.availability.hours import week_table
from spaces.availability.hours_text import HoursTextError, format_day_windows, parse_day_windows
from spaces.bookings.availability import coming_days
from spaces.db import transaction, utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.forms import BaseForm
from spaces.geo.geocoding import AmbiguousPlace
from spaces.geo.provider import (
    GeocodingError,
    locate_address,
    location_fields,
    place_error_message,
    resolve_query,
)
from spaces.i18n import current_locale, time_error_message
from spaces.listings import services
from spaces.listings.forms import ClosureForm, SpaceForm, UnitForm
from spaces.listings.search import Hit, hydrate, rank
from spaces.listings.vocabulary import (
    BOOKING_MODES,
    RATE_LABELS,
    RATES,
    SERVICES,
    SPACE_KINDS,
    UNIT_KINDS,
)
from spaces.timeutils import TimeError, parse_instant
from spaces.web import safe_next

bp = Blueprint("listings", __name__)

PER_PAGE = 20
RADII_KM = (2, 5, 10, 20, 50)
DEFAULT_TILES = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
FRANCE = (46.6, 2.4)
WeekHoursForm = type(
    "WeekHoursForm",
    (BaseForm,),
    {f"day_{d}": StringField(validators=[Optional(), Length(max=300)]) for d in range(7)},
)


# --- helpers -------------------------------------------------------------------------------------


def _actor():
    return current_user._get_current_object() if current_user.is_authenticated else None


def _page(template: str, status: int = 200, **context):
    return make_response(render_template(template, **context), status)


def _map_settings(markers: list[dict], center=None, zoom: int = 13) -> dict:
    return {
        "tiles": current_app.config.get("MAP_TILE_URL", DEFAULT_TILES),
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION", DEFAULT_ATTRIBUTION),
        "markers": markers,
        "center": list(center) if center else None,
        "zoom": zoom,
    }


def _form_field(form, path: str):
    """The field a domain error names: ``commune``, or ``prices.hour`` inside a FormField."""
    target = form
    for part in path.split("."):
        target = getattr(getattr(target, "form", target), part, None)
        if target is None:
            return None
    return None if hasattr(target, "form") else target


def _attach_errors(form, error) -> list[str]:
    """Put a domain error's field messages next to the fields; returns those without a field."""
    leftover = []
    for name, messages in (error.fields or {}).items():
        target = _form_field(form, name)
        if target is None:
            leftover.extend(str(m) for m in messages)
        else:
            target.errors = list(target.errors) + [str(m) for m in messages]
    if not error.fields:
        leftover.append(str(error.message))
    return leftover


def _managed_organisations(user) -> list:
    organisations = [m.organisation for m in user.memberships if can_manage(m.role)]
    return sorted(organisations, key=lambda o: o.name.lower())


def _unit_of(actor, space_id: int, unit_id: int):
    unit = services.get_unit(actor, unit_id, edit=True)
    if unit.space_id != space_id:
        raise NotFound()
    return unit


@bp.app_template_filter("km")
def km_filter(distance: float | None) -> str:
    return "" if distance is None else f"{format_decimal(distance, format='#,##0.0')} km"


@bp.app_template_filter("local_datetime")
def local_datetime_filter(instant, timezone: str) -> str:
    """An instant as the space's wall clock shows it, in the reader's language."""
    tz, locale = ZoneInfo(timezone), current_locale()
    day = babel_dates.format_skeleton("yMMMEd", instant, tzinfo=tz, locale=locale, fuzzy=True)
    return f"{day} {babel_dates.format_skeleton('Hm', instant, tzinfo=tz, locale=locale)}"


@bp.app_template_filter("duration")
def duration_filter(minutes: int | None) -> str:
    if not minutes:
        return ""
    if minutes % 1440 == 0:
        return ngettext("%(num)d day", "%(num)d days", minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    if minutes > 60:
        return _("%(hours)d h %(minutes)02d", hours=minutes // 60, minutes=minutes % 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


@bp.context_processor
def listing_vocabulary():
    names = babel_dates.get_day_names("wide", locale=current_locale())
    return {
        "SPACE_KINDS": SPACE_KINDS,
        "UNIT_KINDS": UNIT_KINDS,
        "SERVICES": SERVICES,
        "BOOKING_MODES": BOOKING_MODES,
        "RATES": RATES,
        "RATE_LABELS": RATE_LABELS,
        "DAY_NAMES": [names[d].capitalize() for d in range(7)],
    }


# --- search ------------------------------------------------------------------------------------


@dataclass
class Result:
    """One space in the results, with the units of it that matched."""

    space: object
    distance_km: float | None
    hits: list[Hit] = field(default_factory=list)


def _search_query():
    """The API's query rules, plus services sent as repeated ``services=`` (checkboxes)."""
    query = parse_search_args()
    codes = [c.strip() for raw in request.args.getlist("services") for c in raw.split(",")]
    codes = list(dict.fromkeys(c for c in codes if c))
    unknown = [c for c in codes if c not in SERVICES]
    if unknown:
        message = _l("Unknown service: %(codes)s.", codes=", ".join(unknown[:5]))
        raise Invalid(fields={"services": [message]})
    return replace(query, services=tuple(codes)), codes


def _search_errors(error: Invalid) -> dict[str, list[str]]:
    fields = {name: [str(m) for m in messages] for name, messages in (error.fields or {}).items()}
    near = (request.args.get("near") or "").strip()
    cause = error.__cause__
    if isinstance(cause, AmbiguousPlace):
        names = ", ".join(f"{c.name} ({c.departement})" for c in cause.candidates[:5])
        fields["near"] = [
            _(
                "Several communes are called “%(near)s”: %(names)s. Add a postal code or a département.",
                near=near,
                names=names,
            )
        ]
    elif isinstance(cause, GeocodingError):
        fields["near"] = [
            _(
                "We could not find “%(near)s”. Try a commune, a postal code or an address in France.",
                near=near,
            )
        ]
    if not fields:
        fields["near"] = [str(error.message)]
    return fields


def _group(hits: list[Hit]) -> list[Result]:
    results: dict[int, Result] = {}
    for hit in hits:
        result = results.setdefault(hit.space.id, Result(hit.space, hit.distance_km))
        result.hits.append(hit)
    return list(results.values())


def _results_page(query, requested: int | None) -> tuple[list[Result], int, int, int]:
    """One page of results (spaces with their matching units): the page's results, the number of
    spaces in all, the page number and the number of pages. Without a date window only the
    page's units are loaded (``rank`` then ``hydrate``); with one, the engine sees them all."""

    def paging(total: int) -> tuple[int, int]:
        pages = max(1, ceil(total / PER_PAGE))
        return min(max(requested or 1, 1), pages), pages

    if query.start_text:
        results = _group(run_search(query))
        page, pages = paging(len(results))
        return results[(page - 1) * PER_PAGE : page * PER_PAGE], len(results), page, pages
    ranked = rank(query)
    order = list(dict.fromkeys(r.space_id for r in ranked))
    page, pages = paging(len(order))
    wanted = set(order[(page - 1) * PER_PAGE : page * PER_PAGE])
    hits = hydrate(query, [r for r in ranked if r.space_id in wanted])
    return _group(hits), len(order), page, pages


@bp.get("/search")
def search():
    errors: dict[str, list[str]] = {}
    shown: list[Result] = []
    total, page, pages = 0, 1, 1
    query, codes = None, request.args.getlist("services")
    try:
        query, codes = _search_query()
    except Invalid as error:
        errors = _search_errors(error)
    else:
        shown, total, page, pages = _results_page(query, request.args.get("page", 1, type=int))
    markers = [
        {
            "lat": r.space.latitude,
            "lon": r.space.longitude,
            "name": r.space.name,
            "url": url_for("listings.space_page", space_id=r.space.id),
            "detail": r.space.commune,
        }
        for r in shown
    ]
    center = (query.latitude, query.longitude) if query is not None and query.located else None
    args = request.args.to_dict(flat=False)

    def page_url(number: int) -> str:
        return url_for("listings.search", **{**args, "page": [number]})

    template = (
        "listings/_results.html"
        if request.args.get("partial") == "results"
        else "listings/search.html"
    )
    return _page(
        template,
        422 if errors else 200,
        errors=errors,
        results=shown,
        total=total,
        page=page,
        pages=pages,
        page_url=page_url,
        query=query,
        selected_services=codes,
        radii=RADII_KM,
        map_data=_map_settings(markers, center=center, zoom=11),
        args=request.args,
        live_units=[hit.unit.id for result in shown for hit in result.hits],
        refresh_url=url_for("listings.search", **{**args, "partial": ["results"]}),
    )


# --- the space page ----------------------------------------------------------------------------


def _upcoming_closures(space, units) -> list[tuple]:
    """(closure, unit or None for the whole place) not yet over, soonest first."""
    now = utcnow()
    items = [(c, None) for c in availability.closures_of(space, since=now)]
    for unit in units:
        items += [(c, unit) for c in availability.closures_of(unit, since=now)]
    return sorted(items, key=lambda pair: (pair[0].start_at, pair[0].id))


@bp.get("/spaces/<int:space_id>")
def space_page(space_id: int):
    actor = _actor()
    space = services.get_space(actor, space_id)
    units = [u for u in space.units if u.active]
    # Photos arrive with their own blueprint; until it is registered the page shows none.
    has_photos = "photos" in current_app.blueprints
    manage_photos = has_photos and "photos.manage" in current_app.view_functions
    marker = {"lat": space.latitude, "lon": space.longitude, "name": space.name}
    return render_template(
        "listings/space.html",
        space=space,
        units=units,
        editable=services.can_edit(actor, space),
        space_hours=week_table(availability.windows_of(space)),
        unit_hours={u.id: week_table(availability.windows_of(u)) for u in units if u.own_hours},
        closures=_upcoming_closures(space, units),
        photos=space.photos if has_photos else [],
        photos_url=url_for("photos.manage", space_id=space.id) if manage_photos else None,
        map_data=_map_settings([marker], zoom=14),
        coming={u.id: coming_days(u) for u in units} if space.status == "published" else {},
    )


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
    user = _actor()
    space = services.get_space(user, space_id, edit=True)
    units = [u for u in space.units if u.active]
    form = ClosureForm()
    if form.validate_on_submit():
        tz = ZoneInfo(space.timezone)
        owner = space
        unit_id = request.form.get("unit_id", type=int)
        if unit_id:
            owner = next((u for u in units if u.id == unit_id), None)
            if owner is None:
                raise NotFound()
        times = {}
        for name in ("start", "end"):
            try:
                times[name] = parse_instant(form[name].data, tz)
            except TimeError as error:
                form[name].errors = list(form[name].errors) + [time_error_message(error)]
        if len(times) == 2:
            try:
                with transaction():
                    availability.add_closure(
                        user, owner, times["start"], times["end"], form.reason.data or ""
                    )
            except Invalid as error:
                _attach_errors(form, error)
            else:
                flash(_("The closure is saved: nothing can be booked during it."), "success")
                return redirect(url_for("listings.closures", space_id=space.id))
    status = 422 if request.method == "POST" else 200
    return _page(
        "listings/closures.html",
        status,
        form=form,
        space=space,
        units=units,
        closures=_upcoming_closures(space, units),
    )


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
