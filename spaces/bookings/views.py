"""Booking pages: book a unit, my bookings, one booking (cancel, approve, decline), host inbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from spaces.accounts.permissions import can_manage
from spaces.bookings import cancelling, deciding, queries, requesting
from spaces.bookings.forms import BookingForm, CancelForm, DecisionForm, page_formdata
from spaces.db import transaction, utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.forms import attach_errors, flatten_errors
from spaces.inputs import parse_window
from spaces.listings.services import get_unit
from spaces.organisations.services import role_of
from spaces.web import current_actor as _actor
from spaces.web import safe_next

bp = Blueprint("bookings", __name__)

PRESETS = {
    "morning": ("09:00", "13:00"),
    "afternoon": ("13:00", "17:00"),
    "day": ("09:00", "17:00"),
}


# The booking form's fields the page shows next to their inputs; other messages go on top.
SHOWN_FIELDS = ("start", "end", "seats", "note", "skip_conflicts")


def _show_errors(form, error: Invalid) -> None:
    """Field messages next to the shown fields; the rest, then the error's message, on top."""
    form.form_errors.extend(attach_errors(form, error, shown=SHOWN_FIELDS))
    if error.fields:
        form.form_errors.append(str(error.message))


@bp.route("/units/<int:unit_id>/book", methods=["GET", "POST"])
@login_required
def book(unit_id: int):
    unit = get_unit(_actor(), unit_id)
    tz = ZoneInfo(unit.space.timezone)
    # The page's repeat inputs (``weekdays`` boxes, ``until``) go through the API's RepeatForm.
    formdata = page_formdata(request.form) if request.method == "POST" else None
    form = BookingForm(formdata=formdata, unit_id=unit.id)
    if request.method == "GET":
        day = request.args.get("date") or (datetime.now(tz).date() + timedelta(days=1)).isoformat()
        start_time, end_time = PRESETS.get(request.args.get("preset", "day"), PRESETS["day"])
        form.start.data = request.args.get("start") or f"{day}T{start_time}"
        form.end.data = request.args.get("end") or f"{day}T{end_time}"
        if request.args.get("seats", "").isdigit():
            form.seats.data = int(request.args["seats"])
    conflicts = []
    status = 200
    requested = bool(request.form.getlist("weekdays") or request.form.get("until"))
    if form.validate_on_submit():
        try:
            repeat_errors = form.validate_repeat_presence(requested)
            if repeat_errors:
                raise Invalid(fields=repeat_errors)
            # The order is the service's rule (bookings.rules), as over the API.
            start, end = parse_window(form.start.data, form.end.data, tz, ordered=False)
            repeat = form.repeat_data(requested)
            with transaction():
                result = requesting.request_booking(
                    _actor(),
                    unit.id,
                    start,
                    end,
                    form.seats.data or 1,
                    note=form.note.data or "",
                    repeat=repeat,
                    skip_conflicts=form.skip_conflicts.data,
                )
        except Invalid as error:
            _show_errors(form, error)
            status = 422
        except Conflict as error:
            form.form_errors.append(str(error.message))
            conflicts = error.extra.get("conflicts", [])
            status = 409
        else:
            first = result.first
            if first.status == "confirmed":
                flash(_("Booked! Reference %(ref)s.", ref=first.reference), "success")
            else:
                flash(
                    _("Request sent to the host. Reference %(ref)s.", ref=first.reference),
                    "success",
                )
            return redirect(url_for("bookings.detail", booking_id=first.id))
    elif request.method == "POST":
        # The repeat rule is not shown as fields of its own: its messages go on top.
        form.form_errors.extend(
            message
            for messages in flatten_errors(form.repeat.errors).values()
            for message in messages
        )
        status = 422
    page = render_template(
        "bookings/book.html",
        unit=unit,
        space=unit.space,
        form=form,
        conflicts=conflicts,
        presets=PRESETS,
    )
    return make_response(page, status)


@bp.get("/units/<int:unit_id>/coming-days")
def coming_days_fragment(unit_id: int):
    """The coming days of a unit as an HTML fragment (live refresh; polled with ETag)."""
    from spaces.availability.summaries import coming_days
    from spaces.i18n import current_locale

    actor = _actor()
    unit = get_unit(actor, unit_id)
    tz = ZoneInfo(unit.space.timezone)
    etag = f"{unit.id}-{unit.availability_version}-{datetime.now(tz).date()}-{current_locale()}"
    if request.if_none_match.contains(etag):
        return "", 304
    response = make_response(
        render_template("bookings/_coming_days.html", unit=unit, days=coming_days(unit))
    )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/bookings")
@login_required
def mine():
    now = utcnow()
    bookings = queries.list_bookings(_actor())
    upcoming = [b for b in bookings if b.end_at > now]
    past = [b for b in bookings if b.end_at <= now][-50:]
    return render_template(
        "bookings/mine.html", upcoming=upcoming, past=list(reversed(past)), now=now
    )


@bp.get("/bookings/<int:booking_id>")
@login_required
def detail(booking_id: int):
    booking = queries.get_booking(_actor(), booking_id)
    return render_template(
        "bookings/detail.html",
        booking=booking,
        now=utcnow(),
        is_host=queries.can_handle(_actor(), booking),
        cancel_form=CancelForm(),
        decision_form=DecisionForm(),
    )


def _action(booking_id: int, action):
    booking = queries.get_booking(_actor(), booking_id)
    try:
        with transaction():
            booking = queries.get_booking(_actor(), booking_id)
            action(booking)
    except (Conflict, Forbidden, Invalid) as error:
        flash(str(error.message), "error")
    return redirect(safe_next(request.form.get("next"), "bookings.detail", booking_id=booking.id))


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)

    def run(booking):
        done = cancelling.cancel_booking(_actor(), booking, form.scope.data, form.reason.data or "")
        flash(
            ngettext("%(num)s booking cancelled.", "%(num)s bookings cancelled.", len(done)),
            "success",
        )

    return _action(booking_id, run)


@bp.post("/bookings/<int:booking_id>/approve")
@login_required
def approve(booking_id: int):
    if not DecisionForm().validate_on_submit():
        abort(400)

    def run(booking):
        deciding.approve_booking(_actor(), booking)
        flash(_("Request accepted."), "success")

    return _action(booking_id, run)


@bp.post("/bookings/<int:booking_id>/decline")
@login_required
def decline(booking_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)

    def run(booking):
        deciding.decline_booking(_actor(), booking, form.reason.data or "")
        flash(_("Request declined."), "success")

    return _action(booking_id, run)


@bp.get("/host/bookings")
@login_required
def host_inbox():
    """Bookings of the places the user's organisations list: requests first."""
    from spaces.listings.services import spaces_of

    now = utcnow()
    spaces = [s for s in spaces_of(_actor()) if can_manage(role_of(_actor(), s.organisation_id))]
    bookings = []
    for space in spaces:
        try:
            bookings.extend(queries.list_bookings(_actor(), space_id=space.id))
        except NotFound:
            continue
    pending = [b for b in bookings if b.effective_status(now) == "requested"]
    upcoming = [b for b in bookings if b.status == "confirmed" and b.end_at > now]
    return render_template("bookings/host.html", pending=pending, upcoming=upcoming, now=now)
