"""The host's availability pages: weekly opening hours (of a space or a unit) and closures.

A closure over live bookings is previewed first: the host sees the bookings it covers and
chooses to cancel them (each booker told the reason) or keep them (``availability.closing``).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from spaces.availability import closing
from spaces.availability import services as availability
from spaces.availability.forms import ClosureForm, WeekHoursForm
from spaces.availability.hours_text import HoursTextError, format_day_windows, parse_day_windows
from spaces.db import transaction, utcnow
from spaces.errors import Conflict, Invalid, NotFound
from spaces.forms import attach_errors
from spaces.listings import services
from spaces.listings.views.common import (
    _page,
    _unit_of,
    _upcoming_closures,
)
from spaces.web import current_actor as _actor

bp = Blueprint("availability", __name__)


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
        attach_errors(form, error)
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
    return redirect(url_for("availability.closures", space_id=space.id))


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
    return redirect(url_for("availability.closures", space_id=space.id))
