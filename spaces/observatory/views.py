"""The observatory's pages: a municipality's figures by commune (map, table, chart of seat-hours
by month, CSV), its territory picker, the administrators' platform-wide view, the public open
data page and a person's home commune.

Every figure comes from ``spaces.observatory.services`` (the API's answers), every input goes
through ``spaces.observatory.forms`` and ``territory``; nothing is recomputed here. Forms post with the site-wide CSRF check (``extensions.csrf``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from spaces.accounts.permissions import can_manage
from spaces.db import transaction
from spaces.errors import Invalid, NotFound
from spaces.exports import csv_response
from spaces.geo.communes import load_index
from spaces.geo.nearby import communes_by_insee, communes_within, nearest_commune
from spaces.geo.provider import place_or_invalid
from spaces.observatory import services, territory
from spaces.observatory.forms import MAX_COMMUNES, HomeForm, TerritoryForm, parse_period
from spaces.organisations import services as organisations
from spaces.organisations.models import Organisation
from spaces.web import current_actor as _actor

bp = Blueprint("observatory", __name__)

MAX_SUGGESTIONS = 8
DEFAULT_TILES = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
DEFAULT_RADIUS_KM = 10.0

# Each figure of the contract: its column header, and what it means in plain words.
COLUMNS = {
    "insee_code": (_l("INSEE code"), _l("The commune's official code (INSEE).")),
    "name": (_l("Commune"), _l("The commune's name.")),
    "spaces": (_l("Places"), _l("Published places in the commune.")),
    "units": (_l("Units"), _l("Bookable units of these places (desk pools, offices, rooms…).")),
    "seats": (_l("Seats"), _l("Seats of these units; a unit booked whole counts one seat.")),
    "seat_hours_offered": (
        _l("Seat-hours offered"),
        _l(
            "Seats × opening hours in the period, minus closures and public holidays when the"
            " place closes on them."
        ),
    ),
    "seat_hours_booked": (
        _l("Seat-hours booked"),
        _l("Seats × hours of confirmed bookings within opening hours in the period."),
    ),
    "occupancy": (
        _l("Occupancy"),
        _l("Seat-hours booked ÷ seat-hours offered; “—” when nothing is offered."),
    ),
    "bookings": (_l("Bookings"), _l("Confirmed bookings starting in the period.")),
    "bookers": (_l("Bookers"), _l("Distinct people who made these bookings.")),
    "revenue": (_l("Revenue"), _l("What these bookings cost, taxes included.")),
    "searches": (
        _l("Searches"),
        _l("Searches on the site near a place in the commune (anonymous: no person is recorded)."),
    ),
    "searches_without_result": (
        _l("Searches without result"),
        _l("Those searches that found no place: demand the supply does not meet."),
    ),
    "vacant_premises": (
        _l("Vacant premises"),
        _l("Published vacant public premises offered for temporary occupation."),
    ),
    "vacant_premises_occupied": (
        _l("Vacant premises occupied"),
        _l("Those held by a confirmed term booking on the last day of the period."),
    ),
    "windows_ending_soon": (
        _l("Availabilities ending soon"),
        _l("Availability windows ending within 180 days after the period."),
    ),
    "residents_booking": (
        _l("Residents booking"),
        _l(
            "People living in the commune (their optional home commune) who booked in the"
            " period; “—” below 3 people, so that nobody can be recognised."
        ),
    ),
    "median_home_distance_km": (
        _l("Median distance from home (km)"),
        _l("Median distance between these residents' home commune and the place they booked."),
    ),
}


# --- numbers in the page's language ----------------------------------------------------------------


@bp.app_template_filter("figure")
def figure(value) -> str:
    """A count or seat-hours in the locale (at most one decimal); None is "—"."""
    if value is None:
        return "—"
    return format_decimal(value, format="#,##0.#")


@bp.app_template_filter("share")
def share(value) -> str:
    """A ratio (0.42) as a percentage in the locale ("42 %"); None is "—"."""
    if value is None:
        return "—"
    return format_percent(value, format="#,##0.#%")


@bp.app_template_global("home_commune_name")
def home_commune_name(code: str | None) -> str | None:
    """The name of a home commune's INSEE code (None without one), for the account page."""
    return territory.commune_name(code) if code else None


@bp.app_template_filter("month_label")
def month_label(month: str, long: bool = False) -> str:
    """``YYYY-MM`` in the locale: short for a chart's axis (« sept. 26 »), else in full
    (« septembre 2026 »)."""
    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMMM yyyy" if long else "MMM yy")


# --- the period -------------------------------------------------------------------------------


def _today() -> date:
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")
    return datetime.now(zone).date()


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def quick_periods(today: date) -> dict[str, tuple[date, date]]:
    """The picker's quick choices: the last full month, the last 3 and the last 12 full months
    (each ends on the last day of the month before ``today``'s)."""
    last = _month_start(today, 0) - timedelta(days=1)
    return {
        "month": (_month_start(today, 1), last),
        "quarter": (_month_start(today, 3), last),
        "year": (_month_start(today, 12), last),
    }


def read_period(args: MultiDict) -> tuple[date, date]:
    """The period of ``?from=&to=`` through the API's ``parse_period`` (Invalid on bad input);
    neither given: the last 3 full months."""
    today = _today()
    if not (args.get("from") or args.get("to")):
        return quick_periods(today)["quarter"]
    return parse_period(args, today)


# --- access -----------------------------------------------------------------------------------


def _municipality(organisation_id: int) -> Organisation:
    """A municipality the current person belongs to (or any, for an administrator): 404 for
    others, as the API."""
    organisation = organisations.get_organisation(_actor(), organisation_id)
    if organisation.kind != "municipality":
        raise NotFound()
    return organisation


def _is_manager(organisation: Organisation) -> bool:
    return can_manage(organisations.role_of(_actor(), organisation.id))


def _require_admin() -> None:
    if not current_user.is_admin:
        abort(403)


def _municipalities() -> list[Organisation]:
    return sorted(
        (m.organisation for m in _actor().memberships if m.organisation.kind == "municipality"),
        key=lambda o: o.name.lower(),
    )


@bp.get("/observatory")
@login_required
def home():
    """The menu's "Observatory": the one municipality's page, or a choice (administrators also
    see the platform's)."""
    towns = _municipalities()
    if len(towns) == 1 and not current_user.is_admin:
        return redirect(url_for("observatory.page", organisation_id=towns[0].id))
    if not towns and current_user.is_admin:
        return redirect(url_for("observatory.platform"))
    if not towns:
        abort(404)
    return render_template("observatory/home.html", towns=towns)


# --- the observatory page ---------------------------------------------------------------------


def _map_settings() -> dict:
    return {
        "tiles": current_app.config.get("MAP_TILE_URL", DEFAULT_TILES),
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or OSM_ATTRIBUTION,
        "center": [47.25, 0.8],
        "zoom": 9,
    }


def _map_points(rows: list[dict]) -> list[dict]:
    """The map's circles: each commune's centre with the figures it draws."""
    known = communes_by_insee()
    points = []
    for row in rows:
        commune = known.get(row["insee_code"])
        if commune is None:
            continue
        points.append(
            {
                "insee": row["insee_code"],
                "name": row["name"],
                "latitude": commune.latitude,
                "longitude": commune.longitude,
                "seats": row["seats"],
                "occupancy": row["occupancy"],
                "searches": row["searches"],
                "searches_without_result": row["searches_without_result"],
                "unmet": bool(row["searches"]) and not row["seats"],
            }
        )
    return points


def _render(template: str, *, scope: dict, codes: list[str] | None, csv_endpoint: str):
    """The observatory page for ``codes`` (None: the platform), or the picker with its error
    (422) when the period is refused."""
    today = _today()
    status, errors, answer = 200, {}, None
    try:
        first, last = read_period(request.args)
    except Invalid as error:
        status, errors = 422, {k: [str(m) for m in v] for k, v in (error.fields or {}).items()}
        first, last = quick_periods(today)["quarter"]
    else:
        answer = services.observatory(codes, first, last)
    page = render_template(
        template,
        **scope,
        answer=answer,
        first=first,
        last=last,
        typed={"from": request.args.get("from", "")[:20], "to": request.args.get("to", "")[:20]},
        errors=errors,
        quick=quick_periods(today),
        quick_urls={
            key: url_for(scope["endpoint"], **scope["url_args"], **{"from": a, "to": b})
            for key, (a, b) in quick_periods(today).items()
        },
        points=_map_points(answer["communes"]) if answer else [],
        map_data=_map_settings(),
        csv_url=url_for(csv_endpoint, **scope.get("url_args", {}), **{"from": first, "to": last}),
        fields=services.COMMUNE_FIELDS,
        columns=COLUMNS,
    )
    return make_response(page, status)


@bp.get("/organisations/<int:organisation_id>/observatory")
@login_required
def page(organisation_id: int):
    """A municipality's observatory (its members; administrators too)."""
    organisation = _municipality(organisation_id)
    codes = territory.territory_codes(organisation)
    return _render(
        "observatory/page.html",
        scope={
            "organisation": organisation,
            "manager": _is_manager(organisation),
            "url_args": {"organisation_id": organisation.id},
            "endpoint": "observatory.page",
        },
        codes=codes,
        csv_endpoint="observatory.page_csv",
    )


def _csv(answer: dict, filename: str):
    """The table as CSV: one row per commune with the API's fields, through the site's one
    spreadsheet-safe writer."""
    fields = services.COMMUNE_FIELDS
    return csv_response(
        fields, ([row.get(k) for k in fields] for row in answer["communes"]), filename
    )


@bp.get("/organisations/<int:organisation_id>/observatory.csv")
@login_required
def page_csv(organisation_id: int):
    organisation = _municipality(organisation_id)
    first, last = read_period(request.args)  # Invalid: the site's 422
    answer = services.observatory(territory.territory_codes(organisation), first, last)
    return _csv(answer, f"observatory-{organisation.id}-{first}-{last}.csv")


@bp.get("/admin/observatory")
@login_required
def platform():
    """The observatory of the whole platform (administrators)."""
    _require_admin()
    return _render(
        "observatory/page.html",
        scope={
            "organisation": None,
            "manager": False,
            "url_args": {},
            "endpoint": "observatory.platform",
        },
        codes=None,
        csv_endpoint="observatory.platform_csv",
    )


@bp.get("/admin/observatory.csv")
@login_required
def platform_csv():
    _require_admin()
    first, last = read_period(request.args)
    return _csv(services.observatory(None, first, last), f"observatory-{first}-{last}.csv")


# --- the territory picker ---------------------------------------------------------------------


def _commune_row(commune) -> dict:
    return {
        "insee": commune.insee,
        "name": commune.name,
        "departement": commune.departement,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
    }


def _manageable(organisation_id: int) -> Organisation:
    organisation = _municipality(organisation_id)
    organisations.require_manager(_actor(), organisation)  # 403 for plain members
    return organisation


@bp.route("/organisations/<int:organisation_id>/territory", methods=["GET", "POST"])
@login_required
def territory_page(organisation_id: int):
    """The territory's communes with remove buttons; add one by name (a search without
    JavaScript, suggestions and map clicks with it), or every commune within N km of a place."""
    organisation = _manageable(organisation_id)
    codes = territory.territory_codes(organisation)
    status, errors = 200, {}
    query = (request.values.get("commune_query") or "").strip()[:100]
    found = (
        [_commune_row(c) for c in load_index().complete(query, limit=MAX_SUGGESTIONS)]
        if query
        else []
    )
    near_form = TerritoryForm(
        MultiDict({k: request.form.get(k, "") for k in ("near", "radius_km")})
        if request.method == "POST"
        else MultiDict({"radius_km": str(int(DEFAULT_RADIUS_KM))})
    )
    if request.method == "POST":
        action = request.form.get("action")
        new_codes = None
        try:
            if action == "add":
                new_codes = [*codes, (request.form.get("insee") or "").strip()[:5]]
            elif action == "remove":
                gone = request.form.get("insee")
                new_codes = [c for c in codes if c != gone]
            elif action == "near":
                if not near_form.validate() or not near_form.near.data:
                    errors = dict(near_form.errors)
                    if not near_form.near.data:
                        errors["near"] = [_("Give a place.")]
                    raise Invalid(fields=errors)
                place = place_or_invalid(near_form.near.data)
                radius = near_form.radius_km.data
                radius = DEFAULT_RADIUS_KM if radius is None else radius
                around = [c.insee for c in communes_within(place.latitude, place.longitude, radius)]
                new_codes = [*codes, *around]
            if new_codes is not None:
                if len(dict.fromkeys(new_codes)) > MAX_COMMUNES:
                    raise Invalid(
                        fields={"communes": [_("At most %(n)s communes.", n=MAX_COMMUNES)]}
                    )
                new_codes = territory.check_codes(new_codes)  # before the write lock
                with transaction():
                    territory.set_territory(organisation, new_codes)
                flash(_("The territory is saved."), "success")
                return redirect(
                    url_for("observatory.territory_page", organisation_id=organisation.id)
                )
        except Invalid as error:
            status = 422
            errors = {k: [str(m) for m in v] for k, v in (error.fields or {}).items()}
            if not errors:
                errors = {"communes": [str(error.message)]}
    known = communes_by_insee()
    chosen = [_commune_row(known[c]) for c in codes if c in known]
    chosen.sort(key=lambda row: row["name"].lower())
    chosen_set = set(codes)
    page = render_template(
        "observatory/territory.html",
        organisation=organisation,
        chosen=chosen,
        found=[row for row in found if row["insee"] not in chosen_set],
        query=query,
        near_form=near_form,
        errors=errors,
        map_data=_map_settings(),
    )
    return make_response(page, status)


@bp.get("/organisations/<int:organisation_id>/territory/communes")
@login_required
def commune_suggestions(organisation_id: int):
    """Search as you type: ``{"items": [{insee, name, departement, latitude, longitude}]}`` for
    at most 8 communes; with ``lat`` and ``lon`` (a click on the map), the nearest commune."""
    _manageable(organisation_id)
    lat, lon = request.args.get("lat", type=float), request.args.get("lon", type=float)
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return jsonify({"items": []})
        commune = nearest_commune(lat, lon)
        return jsonify({"items": [_commune_row(commune)] if commune else []})
    text = (request.args.get("q") or "").strip()[:100]
    if len(text) < 2:
        return jsonify({"items": []})
    return jsonify(
        {"items": [_commune_row(c) for c in load_index().complete(text, limit=MAX_SUGGESTIONS)]}
    )


# --- open data ----------------------------------------------------------------------------------


@bp.get("/open-data")
def open_data():
    """What the site publishes for everyone, and what each column of communes.csv means."""
    return render_template(
        "observatory/open_data.html", public_fields=services.PUBLIC_FIELDS, columns=COLUMNS
    )


# --- a person's home commune --------------------------------------------------------------------


@bp.route("/account/home-commune", methods=["GET", "POST"])
@login_required
def home_commune():
    """Set (by name, postal code or INSEE code: a choice when several match) or remove the
    person's home commune, through HomeForm and ``territory.set_home_commune``."""
    user = current_user._get_current_object()
    status, error, choices = 200, None, []
    query = (request.values.get("home_query") or "").strip()[:100]
    if request.method == "POST":
        if request.form.get("action") == "remove":
            code = None
        else:
            code = (request.form.get("home_commune") or "").strip()
            if not code and query:
                if query in communes_by_insee():
                    code = query
                else:
                    matches = load_index().complete(query, limit=MAX_SUGGESTIONS)
                    if len(matches) == 1:
                        code = matches[0].insee
                    else:
                        choices = [_commune_row(c) for c in matches]
            if not code and not choices:
                error = (
                    _("No commune found for “%(query)s”.", query=query)
                    if query
                    else _("Give a commune.")
                )
        if not error and not (choices and not code):
            form = HomeForm(MultiDict({"home_commune": code or ""}))
            try:
                if not form.validate():
                    raise Invalid(fields={"home_commune": form.home_commune.errors})
                value = (form.home_commune.data or "").strip() or None
                if value:
                    territory.check_codes([value], "home_commune")  # before the write lock
                with transaction():
                    territory.set_home_commune(user, value)
            except Invalid as refused:
                error = "; ".join(str(m) for v in (refused.fields or {}).values() for m in v)
                error = error or str(refused.message)
            else:
                saved = _("Your home commune is saved.")
                flash(saved if value else _("Your home commune is removed."), "success")
                return redirect(url_for("accounts.account"))
        if error:
            status = 422
    current = user.home_commune
    page = render_template(
        "observatory/home_commune.html",
        current=territory.commune_name(current) if current else None,
        query=query,
        choices=choices,
        error=error,
    )
    return make_response(page, status)
