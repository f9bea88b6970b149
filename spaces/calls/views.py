"""The pages of calls for temporary occupation: the open calls (map and list), a call and its
application form, the organisation's editor and review page, "My applications", the agreement.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import escape

from spaces.calls import applications, services
from spaces.calls.convention import convention_pdf
from spaces.calls.display import format_deadline, format_period
from spaces.calls.forms import ApplicationForm, CallForm, DeclineForm
from spaces.db import transaction, utcnow
from spaces.errors import Conflict, DomainError, Invalid
from spaces.forms import BaseForm, attach_errors
from spaces.listings import services as listings
from spaces.listings.search_input import parse_search_args
from spaces.web import current_actor as _actor
from spaces.web import safe_next

bp = Blueprint("calls", __name__)

DEFAULT_TILES = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_COPYRIGHT = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
FRANCE = (46.6, 2.4)
PER_PAGE = 20


@bp.app_template_filter("call_period")
def call_period_filter(start, end) -> str:
    return format_period(start, end)


@bp.app_template_filter("call_deadline")
def call_deadline_filter(call) -> str:
    return format_deadline(call.apply_until, call.unit.space.timezone)


@bp.app_template_global("calls_of_spaces")
def calls_of_spaces_global(space_ids) -> dict:
    """(call, status) pairs of these spaces by space id: the host's list of places shows them."""
    now = utcnow()
    return {
        space_id: [(call, call.effective_status(now)) for call in calls]
        for space_id, calls in services.calls_of_spaces(list(space_ids)).items()
    }


@bp.app_context_processor
def call_vocabulary():
    return {
        "CALL_STATUS_LABELS": {
            "draft": _("Draft"),
            "open": _("Open"),
            "closed": _("Closed"),
        },
        "APPLICATION_STATUS_LABELS": {
            "submitted": _("Submitted"),
            "shortlisted": _("Shortlisted"),
            "accepted": _("Accepted"),
            "declined": _("Not selected"),
            "withdrawn": _("Withdrawn"),
        },
    }


def _map(markers: list[dict], center=None, zoom: int = 8) -> dict:
    return {
        "tiles": current_app.config.get("MAP_TILE_URL", DEFAULT_TILES),
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION")
        or f"{OSM_COPYRIGHT} {escape(_('contributors'))}",
        "markers": markers,
        "center": list(center) if center else None,
        "zoom": zoom,
    }


# --- the open calls ----------------------------------------------------------------------------


@bp.get("/calls")
def index():
    errors: list[str] = []
    near = (request.args.get("near") or "").strip()[:200]
    try:
        search = parse_search_args(request.args)
        latitude, longitude = search.latitude, search.longitude
        radius = search.radius_km if search.located else None
    except Invalid as error:
        errors = [str(m) for messages in (error.fields or {}).values() for m in messages]
        latitude = longitude = radius = None
    listed = services.open_calls(latitude, longitude, radius)
    try:
        page = max(1, min(int(request.args.get("page", 1)), 10**6))
    except ValueError:
        page = 1
    pages = max(1, -(-len(listed) // PER_PAGE))
    page = min(page, pages)
    shown = listed[(page - 1) * PER_PAGE : page * PER_PAGE]
    markers = [
        {
            "id": item.call.unit.space_id,
            "lat": item.call.unit.space.latitude,
            "lon": item.call.unit.space.longitude,
            "name": item.call.title,
            "url": url_for("calls.detail", call_id=item.call.id),
            "detail": item.call.unit.space.name,
            "lines": [_("Apply by %(when)s", when=call_deadline_filter(item.call))],
        }
        for item in shown
    ]
    center = (latitude, longitude) if latitude is not None else (None if markers else FRANCE)
    return render_template(
        "calls/index.html",
        listed=shown,
        total=len(listed),
        page=page,
        pages=pages,
        near=near,
        errors=errors,
        map_data=_map(markers, center, zoom=10 if latitude is not None else 7),
    )


# --- a call and its application form ------------------------------------------------------------


def _call_page(call, form=None, status: int = 200, errors=()):
    actor = _actor()
    now = utcnow()
    mine = None
    if actor is not None:
        mine = next(
            (a for a in applications.my_applications(actor) if a.call_id == call.id and a.is_live),
            None,
        )
    if form is None:
        form = ApplicationForm()
        if request.method == "GET":
            form.start_date.data = call.occupation_from
            form.end_date.data = call.occupation_until
    space = call.unit.space
    return make_response(
        render_template(
            "calls/detail.html",
            call=call,
            space=space,
            unit=call.unit,
            status=call.effective_status(now),
            form=form,
            errors=errors,
            mine=mine,
            manage=services.can_manage_call(actor, call),
            member=services.can_read_call(actor, call),
            photos=space.photos if "photos" in current_app.blueprints else [],
            map_data=_map(
                [{"lat": space.latitude, "lon": space.longitude, "name": space.name}],
                zoom=14,
            ),
            action_form=BaseForm(),
        ),
        status,
    )


@bp.get("/calls/<int:call_id>")
def detail(call_id: int):
    return _call_page(services.get_call(_actor(), call_id))


@bp.post("/calls/<int:call_id>/apply")
@login_required
def apply(call_id: int):
    actor = _actor()
    call = services.get_call(actor, call_id)
    form = ApplicationForm()
    if not form.validate_on_submit():
        return _call_page(call, form, 422)
    try:
        with transaction():
            applications.apply(actor, call_id, form.values())
    except (Invalid, Conflict) as error:
        return _call_page(call, form, error.status, attach_errors(form, error))
    flash(_("Your application is sent. The organisation will answer by e-mail."), "success")
    return redirect(url_for("calls.my_applications"))


# --- the organisation's editor -------------------------------------------------------------------


def _editor(form, unit, call=None, status: int = 200, errors=()):
    return make_response(
        render_template(
            "calls/form.html",
            form=form,
            unit=unit,
            space=unit.space,
            call=call,
            errors=errors,
        ),
        status,
    )


@bp.route("/units/<int:unit_id>/calls/new", methods=["GET", "POST"])
@login_required
def new_call(unit_id: int):
    actor = _actor()
    unit = listings.get_unit(actor, unit_id, edit=True)
    form = CallForm()
    if request.method == "GET":
        space = unit.space
        form.occupation_from.data = space.available_from
        form.occupation_until.data = space.available_until
        return _editor(form, unit)
    if not form.validate_on_submit():
        return _editor(form, unit, status=422)
    try:
        with transaction():
            call = services.create_call(
                actor, listings.get_unit(actor, unit_id, edit=True), form.values()
            )
            call_id = call.id
    except (Invalid, Conflict) as error:
        return _editor(form, unit, status=error.status, errors=attach_errors(form, error))
    flash(_("Draft saved. Publish it when it is ready."), "success")
    return redirect(url_for("calls.detail", call_id=call_id))


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit_call(call_id: int):
    actor = _actor()
    call = services.get_call(actor, call_id, manage=True)
    if call.status != "draft":
        flash(_("Only a draft call can be edited."), "error")
        return redirect(url_for("calls.detail", call_id=call_id))
    form = CallForm(obj=call)
    if request.method == "GET":
        tz_deadline = call.apply_until.astimezone(_zone(call))
        form.apply_until.data = tz_deadline.strftime("%Y-%m-%dT%H:%M")
        return _editor(form, call.unit, call)
    if not form.validate_on_submit():
        return _editor(form, call.unit, call, status=422)
    try:
        with transaction():
            services.update_call(
                actor, services.get_call(actor, call_id, manage=True), form.values()
            )
    except (Invalid, Conflict) as error:
        return _editor(form, call.unit, call, error.status, attach_errors(form, error))
    flash(_("Call saved."), "success")
    return redirect(url_for("calls.detail", call_id=call_id))


def _zone(call):
    from zoneinfo import ZoneInfo

    return ZoneInfo(call.unit.space.timezone)


def _call_action(call_id: int, action, done: str):
    if not BaseForm().validate_on_submit():
        abort(400)
    actor = _actor()
    try:
        with transaction():
            action(actor, services.get_call(actor, call_id, manage=True))
        flash(done, "success")
    except Conflict as error:
        flash(str(error.message), "error")
    return redirect(safe_next(request.form.get("next"), "calls.detail", call_id=call_id))


@bp.post("/calls/<int:call_id>/publish")
@login_required
def publish(call_id: int):
    return _call_action(call_id, services.publish_call, _("The call is open to applications."))


@bp.post("/calls/<int:call_id>/close")
@login_required
def close(call_id: int):
    return _call_action(call_id, services.close_call, _("The call is closed."))


# --- the review page ----------------------------------------------------------------------------


@bp.get("/calls/<int:call_id>/applications")
@login_required
def review(call_id: int):
    actor = _actor()
    call = services.get_call(actor, call_id)
    items = applications.applications_of_call(actor, call_id)
    return render_template(
        "calls/review.html",
        call=call,
        space=call.unit.space,
        status=call.effective_status(utcnow()),
        applications=items,
        manage=services.can_manage_call(actor, call),
        action_form=BaseForm(),
        decline_form=DeclineForm(),
    )


def _decision(application_id: int, run, form=None):
    form = form or BaseForm()
    actor = _actor()
    application = applications.get_application(actor, application_id)
    back = url_for("calls.review", call_id=application.call_id) + f"#application-{application_id}"
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(back)
    try:
        with transaction(expire_on_commit=False):
            run(actor)
    except DomainError as error:
        if error.status >= 500 or error.status == 404:
            raise
        flash(str(error.message), "error")
    return redirect(back)


@bp.post("/applications/<int:application_id>/shortlist")
@login_required
def shortlist(application_id: int):
    def run(actor):
        applications.shortlist(actor, application_id)
        flash(_("Application shortlisted. The applicant is told by e-mail."), "success")

    return _decision(application_id, run)


@bp.post("/applications/<int:application_id>/decline")
@login_required
def decline(application_id: int):
    form = DeclineForm()

    def run(actor):
        applications.decline(actor, application_id, form.reason.data)
        flash(_("Application declined. The applicant is told why by e-mail."), "success")

    return _decision(application_id, run, form)


@bp.post("/applications/<int:application_id>/accept")
@login_required
def accept(application_id: int):
    def run(actor):
        try:
            application = applications.accept(actor, application_id)
        except Conflict as error:
            if error.code == "unavailable":
                raise Conflict(
                    _(
                        "This application can no longer be accepted: the premises are not free "
                        "for all of its dates any more. Nothing was changed."
                    ),
                    code="unavailable",
                ) from error
            raise
        flash(
            _(
                "Application accepted: the premises are booked for %(name)s (%(reference)s).",
                name=application.applicant.name,
                reference=application.booking.reference,
            ),
            "success",
        )

    return _decision(application_id, run)


@bp.post("/applications/<int:application_id>/withdraw")
@login_required
def withdraw(application_id: int):
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            applications.withdraw(_actor(), application_id)
        flash(_("Your application is withdrawn."), "success")
    except Conflict as error:
        flash(str(error.message), "error")
    return redirect(url_for("calls.my_applications"))


# --- the applicant's and the organisation's lists -----------------------------------------------


@bp.get("/my/applications")
@login_required
def my_applications():
    actor = _actor()
    return render_template(
        "calls/mine.html",
        applications=applications.my_applications(actor),
        action_form=BaseForm(),
    )


@bp.get("/my/calls")
@login_required
def my_calls():
    actor = _actor()
    now = utcnow()
    return render_template(
        "calls/organisation.html",
        calls=services.calls_of_organisations(actor),
        now=now,
    )


@bp.get("/applications/<int:application_id>/convention.pdf")
@login_required
def convention(application_id: int):
    application = applications.get_application(_actor(), application_id)
    if application.status != "accepted":
        abort(404)
    response = make_response(convention_pdf(application))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="convention-{application.id}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
