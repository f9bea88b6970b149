"""Employer pages (owners and managers of an ``employer`` organisation): sponsorship settings,
staff with their month's spend against the budget, sponsored bookings (filters, pages), the
statement of a month (CSV, and a chart of the year); and the host's page of what each employer
owes it for a month (CSV).

Every page reads through ``spaces.employers`` (services, budget, statements); the only queries
here are the sponsored-bookings list and its filters, which nothing else needs. A month is
``YYYY-MM`` between 2000-01 and 2100-12; the current month is that of the site's zone
(``BABEL_DEFAULT_TIMEZONE``), and the list's month filter uses that zone too (statements use each
place's own zone; every demo place is in Europe/Paris).
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_required

from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.bookings.models import Booking
from spaces.db import transaction, utcnow
from spaces.employers import budget, services, statements
from spaces.employers.forms import SponsorshipForm
from spaces.errors import Invalid, NotFound
from spaces.exports import csv_download
from spaces.extensions import db
from spaces.forms import attach_errors
from spaces.geo.communes import CURRENT_KINDS, load_index
from spaces.listings.models import Space, Unit
from spaces.listings.vocabulary import SPACE_KINDS
from spaces.organisations import services as organisations
from spaces.organisations.models import Membership, Organisation
from spaces.web import current_actor as _actor

bp = Blueprint("employers", __name__)

PER_PAGE = 25
STAFF_PER_PAGE = 50
MAX_PAGE = 10_000
MAX_SUGGESTIONS = 8
DEFAULT_TILES = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
SHOWN_COMMUNES = 200  # communes with places offered as a list (the territory has far fewer)


# --- months (the rules and words of spaces.employers.budget) ----------------------------------


def parse_month(text: str | None) -> str:
    """``YYYY-MM`` within 2000-01..2100-12 (else Invalid: a 422 page); none is this month."""
    return (
        budget.month_key(budget.parse_month(text.strip()[:7])) if text else budget.current_month()
    )


def month_start(month: str) -> date:
    return budget.parse_month(month)


def shift_month(month: str, months: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + months
    shifted = f"{index // 12:04d}-{index % 12 + 1:02d}"
    return min(max(shifted, budget.MIN_MONTH), budget.MAX_MONTH)


def month_label(month: str) -> str:
    return budget.month_name(month_start(month))


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the site's zone."""
    return budget.month_bounds(month_start(month), budget.default_zone())


def month_context(month: str, endpoint: str, **values) -> dict:
    """What the month picker needs: the month, its label, the previous and next links."""
    return {
        "month": month,
        "month_label": month_label(month),
        "previous_url": url_for(endpoint, month=shift_month(month, -1), **values),
        "next_url": url_for(endpoint, month=shift_month(month, 1), **values),
    }


# --- access -----------------------------------------------------------------------------------


def _employer(organisation_id: int) -> Organisation:
    """An employer organisation the current user owns or manages; 404 for others (members see
    the organisation page, not its employer pages), 403 for its plain members."""
    organisation = organisations.get_organisation(_actor(), organisation_id)
    if organisation.kind != "employer":
        raise NotFound()
    organisations.require_manager(_actor(), organisation)
    return organisation


def _host(organisation_id: int) -> Organisation:
    organisation = organisations.get_organisation(_actor(), organisation_id)
    organisations.require_manager(_actor(), organisation)
    return organisation


def _managed_employers(user: User) -> list[Organisation]:
    return [
        m.organisation
        for m in user.memberships
        if m.organisation.kind == "employer" and can_manage(m.role)
    ]


@bp.get("/employer")
@login_required
def home():
    """The menu's "Employer" item: the one employer's staff page, or a choice of them."""
    employers = sorted(_managed_employers(_actor()), key=lambda o: o.name.lower())
    if len(employers) == 1:
        return redirect(url_for("employers.staff", organisation_id=employers[0].id))
    return render_template("employers/home.html", employers=employers)


# --- settings ---------------------------------------------------------------------------------


@functools.cache
def _communes_by_insee() -> dict:
    """Current communes of the offline index by INSEE code (built once per process)."""
    return {c.insee: c for c in load_index().communes if c.kind in CURRENT_KINDS}


def _commune_rows(codes) -> list[dict]:
    """INSEE codes → {insee, name, departement, latitude, longitude} of the offline index
    (unknown codes are dropped: they were never offered)."""
    by_code = _communes_by_insee()
    return [_commune_row(by_code[code]) for code in codes or [] if code in by_code]


def _commune_row(commune) -> dict:
    return {
        "insee": commune.insee,
        "name": commune.name,
        "departement": commune.departement,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
    }


def communes_with_places(limit: int = SHOWN_COMMUNES) -> list[dict]:
    """The communes where published places are, by name: the quick list of the settings page."""
    codes = db.session.scalars(
        sa.select(Space.insee_code)
        .where(Space.status == "published", Space.insee_code.is_not(None))
        .distinct()
        .limit(limit)
    )
    return sorted(_commune_rows(list(codes)), key=lambda row: row["name"])


@bp.route("/organisations/<int:organisation_id>/sponsorship", methods=["GET", "POST"])
@login_required
def settings(organisation_id: int):
    """Budgets (typed in euros), allowed kinds (boxes) and communes (from the offline list,
    a search, or the map): the API's SponsorshipForm, with CSRF."""
    organisation = _employer(organisation_id)
    sponsorship = services.get_sponsorship(organisation)
    status = 200
    query = (request.values.get("commune_query") or "").strip()[:100]
    found = []
    if query:
        found = [_commune_row(c) for c in load_index().complete(query, limit=MAX_SUGGESTIONS)]
    if request.method == "POST" and request.form.get("find") is None:
        form = SponsorshipForm()
        if form.validate_on_submit():
            try:
                with transaction():
                    services.set_sponsorship(organisation, form)
            except Invalid as error:
                form.form_errors.extend(attach_errors(form, error))
                status = 422
            else:
                flash(_("The budgets and rules are saved."), "success")
                return redirect(url_for("employers.settings", organisation_id=organisation.id))
        else:
            status = 422
    elif request.method == "POST":  # "Search" without JavaScript: keep what was chosen
        form = SponsorshipForm()
    else:
        form = SponsorshipForm(obj=sponsorship) if sponsorship is not None else SponsorshipForm()
    chosen_codes = _chosen_communes(form)
    chosen = _commune_rows(chosen_codes)
    chosen_set = {row["insee"] for row in chosen}
    page = render_template(
        "employers/settings.html",
        organisation=organisation,
        form=form,
        sponsorship=sponsorship,
        kinds=SPACE_KINDS,
        chosen_kinds=set(_list_data(form.allowed_kinds)),
        chosen=chosen,
        offered=[row for row in communes_with_places() if row["insee"] not in chosen_set],
        found=[row for row in found if row["insee"] not in chosen_set],
        query=query,
        map_data=_map_data(chosen),
    )
    return make_response(page, status)


def _map_data(chosen: list[dict]) -> dict:
    """The communes map's settings: tiles, and Touraine's centre when nothing is chosen."""
    return {
        "tiles": current_app.config.get("MAP_TILE_URL", DEFAULT_TILES),
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION") or OSM_ATTRIBUTION,
        "center": [47.25, 0.8] if not chosen else None,
        "zoom": 9,
    }


def _list_data(field) -> list[str]:
    data = field.data
    if data is None:
        return []
    return [str(item) for item in (data if isinstance(data, list | tuple) else [data]) if item]


def _chosen_communes(form) -> list[str]:
    return _list_data(form.allowed_communes)


@bp.get("/organisations/<int:organisation_id>/sponsorship/communes")
@login_required
def commune_suggestions(organisation_id: int):
    """The settings page's search as you type: ``{"items": [{insee, name, departement,
    latitude, longitude}]}`` for at most 8 current communes; with ``lat`` and ``lon`` (a click
    on the map), the one nearest commune."""
    _employer(organisation_id)
    lat, lon = request.args.get("lat", type=float), request.args.get("lon", type=float)
    if lat is not None and lon is not None:
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return jsonify({"items": []})
        return jsonify({"items": [_commune_row(nearest_commune(lat, lon))]})
    text = (request.args.get("q") or "").strip()[:100]
    if len(text) < 2:
        return jsonify({"items": []})
    return jsonify(
        {"items": [_commune_row(c) for c in load_index().complete(text, limit=MAX_SUGGESTIONS)]}
    )


def nearest_commune(latitude: float, longitude: float):
    """The current commune whose centre is nearest (an equirectangular distance: exact enough
    to tell neighbours apart, one pass over the index)."""
    scale = math.cos(math.radians(latitude)) ** 2
    return min(
        (c for c in load_index().communes if c.kind in CURRENT_KINDS),
        key=lambda c: (c.latitude - latitude) ** 2 + scale * (c.longitude - longitude) ** 2,
    )


# --- staff ------------------------------------------------------------------------------------


@bp.get("/organisations/<int:organisation_id>/staff")
@login_required
def staff(organisation_id: int):
    """Each member with the month's sponsored spend against the per-member budget."""
    organisation = _employer(organisation_id)
    month = parse_month(request.args.get("month"))
    members = organisations.members_of(organisation)
    pages = max(1, -(-len(members) // STAFF_PER_PAGE))
    page = max(1, min(request.args.get("page", default=1, type=int) or 1, pages))
    shown = members[(page - 1) * STAFF_PER_PAGE : page * STAFF_PER_PAGE]
    # The page's members' figures in three queries (their sums grouped), a page at a time.
    figures = budget.remaining_of_members(organisation, [m.user.id for m in shown], month)
    rows = [{"membership": m, "figures": figures[m.user.id]} for m in shown]
    totals = rows[0]["figures"] if rows else budget.remaining(organisation, _actor(), month)
    return render_template(
        "employers/staff.html",
        organisation=organisation,
        rows=rows,
        page=page,
        pages=pages,
        totals=totals,
        sponsorship=services.get_sponsorship(organisation),
        **month_context(month, "employers.staff", organisation_id=organisation.id),
    )


# --- sponsored bookings ---------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value < 2**31 else None


@bp.get("/organisations/<int:organisation_id>/sponsored-bookings")
@login_required
def bookings(organisation_id: int):
    """The bookings the organisation pays for (any status), newest first, filtered by month
    (of the site's zone), member and place, 25 a page."""
    organisation = _employer(organisation_id)
    month = parse_month(request.args["month"]) if request.args.get("month") else None
    member_id, space_id = _int_arg("member"), _int_arg("space")
    query = (
        sa.select(Booking)
        .join(Booking.unit)
        .where(Booking.sponsor_organisation_id == organisation.id)
    )
    if month:
        start, end = month_bounds(month)
        query = query.where(Booking.start_at >= start, Booking.start_at < end)
    if member_id:
        query = query.where(Booking.user_id == member_id)
    if space_id:
        query = query.where(Unit.space_id == space_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = max(1, min(request.args.get("page", default=1, type=int) or 1, pages, MAX_PAGE))
    shown = list(
        db.session.scalars(
            query.order_by(Booking.start_at.desc(), Booking.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    filters = {"month": month or "", "member": member_id or "", "space": space_id or ""}
    return render_template(
        "employers/bookings.html",
        organisation=organisation,
        bookings=shown,
        now=utcnow(),
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        query_args={k: v for k, v in filters.items() if v},
        members=_booker_choices(organisation),
        places=_place_choices(organisation),
        month_label=month_label(month) if month else None,
    )


def _booker_choices(organisation: Organisation) -> list[tuple[int, str]]:
    """Members and former members who booked on the organisation's account, by name."""
    rows = db.session.execute(
        sa.select(User.id, User.name)
        .where(
            User.id.in_(
                sa.select(Membership.user_id).where(Membership.organisation_id == organisation.id)
            )
            | User.id.in_(
                sa.select(Booking.user_id).where(Booking.sponsor_organisation_id == organisation.id)
            )
        )
        .order_by(User.name)
        .limit(2000)
    )
    return [(row.id, row.name) for row in rows]


def _place_choices(organisation: Organisation) -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Space.id, Space.name, Space.commune)
        .where(
            Space.id.in_(
                sa.select(Unit.space_id)
                .join(Booking, Booking.unit_id == Unit.id)
                .where(Booking.sponsor_organisation_id == organisation.id)
            )
        )
        .order_by(Space.name)
        .limit(2000)
    )
    return [(row.id, f"{row.name} ({row.commune})") for row in rows]


# --- statements -------------------------------------------------------------------------------


@bp.get("/organisations/<int:organisation_id>/statement")
@login_required
def statement(organisation_id: int):
    """The month's statement: totals by member and by host, its lines, the CSV; and the spend
    of each month of the year as a chart with its table."""
    organisation = _employer(organisation_id)
    month = parse_month(request.args.get("month"))
    year = int(month[:4])
    spend = statements.spend_by_month(organisation, year)
    return render_template(
        "employers/statement.html",
        organisation=organisation,
        statement=statements.statement(organisation, month),
        chart_labels=[format_date(month_start(m), "LLL") for m, _cents in spend],
        chart_long_labels=[month_label(m) for m, _cents in spend],
        chart_values=[cents for _m, cents in spend],
        year=year,
        **month_context(month, "employers.statement", organisation_id=organisation.id),
    )


@bp.get("/organisations/<int:organisation_id>/statement/<month>.csv")
@login_required
def statement_csv(organisation_id: int, month: str):
    organisation = _employer(organisation_id)
    month = parse_month(month)
    text = statements.statement_csv(statements.statement(organisation, month))
    return csv_download(text, f"statement-{organisation.id}-{month}.csv")


# --- hosts: what employers owe -----------------------------------------------------------------


@bp.get("/organisations/<int:organisation_id>/dues")
@login_required
def dues(organisation_id: int):
    """A host organisation's month: what each employer owes it, with the lines, and the CSV."""
    organisation = _host(organisation_id)
    month = parse_month(request.args.get("month"))
    return render_template(
        "employers/dues.html",
        organisation=organisation,
        dues=statements.host_dues(organisation, month),
        **month_context(month, "employers.dues", organisation_id=organisation.id),
    )


@bp.get("/organisations/<int:organisation_id>/dues/<month>.csv")
@login_required
def dues_csv(organisation_id: int, month: str):
    organisation = _host(organisation_id)
    month = parse_month(month)
    text = statements.host_dues_csv(statements.host_dues(organisation, month))
    return csv_download(text, f"dues-{organisation.id}-{month}.csv")
