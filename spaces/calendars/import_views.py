"""The host's calendar imports page: ``/units/<id>/calendars``.

Add an iCal address, upload an .ics file, sync one now, remove one; each import shows when it
last worked and, clearly, why the last attempt failed; bookings that an imported busy time
overlaps are listed. The forms (``calendars.forms``) are also the API's
(``spaces/api/calendar_imports.py``), so an address follows one rule in both.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request
from flask import url_for as flask_url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from spaces import jobs
from spaces.calendars import sources
from spaces.calendars import sync as calendar_sync
from spaces.calendars.forms import SYNC_LIMIT, CalendarFileForm, CalendarLinkForm
from spaces.db import transaction, utcnow
from spaces.errors import Conflict, Invalid, NotFound
from spaces.extensions import limiter
from spaces.forms import attach_errors
from spaces.i18n import current_locale
from spaces.listings.services import get_unit

bp = Blueprint("calendar_imports", __name__)


def _formatter(timezone: str):
    tz = ZoneInfo(timezone)
    locale = current_locale()

    def local(value) -> str:
        if value is None:
            return ""
        day = babel_dates.format_skeleton("yMMMEd", value, tzinfo=tz, locale=locale, fuzzy=True)
        return f"{day} {babel_dates.format_skeleton('Hm', value, tzinfo=tz, locale=locale)}"

    return local


def _read_upload(form: CalendarFileForm) -> str | None:
    """The uploaded file's text, or None with the reason next to the field."""
    limit = calendar_sync.import_settings()["max_bytes"]
    raw = form.file.data.read(limit + 1)
    if len(raw) > limit:
        form.file.errors = [_("The file is larger than %(size)s MB.", size=limit // 2**20)]
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    form.file.errors = [_("The file is not a text calendar (.ics).")]
    return None


def _field_errors(form, error: Invalid | Conflict, default: str) -> None:
    """The error's messages next to their fields; any other next to ``default``."""
    leftover = attach_errors(form, error)
    form[default].errors = [*form[default].errors, *leftover]


@bp.route("/units/<int:unit_id>/calendars", methods=["GET", "POST"])
@login_required
def page(unit_id: int):
    user = current_user._get_current_object()
    unit = get_unit(user, unit_id, edit=True)
    link_form = CalendarLinkForm(prefix="link")
    file_form = CalendarFileForm(prefix="upload")
    status = 200
    if request.method == "POST":
        status = 422
        action = request.form.get("action")
        if action == "link" and link_form.validate_on_submit():
            try:
                with transaction():
                    sources.add_import(
                        user, unit, url=link_form.url.data.strip(), name=link_form.name.data or ""
                    )
            except (Invalid, Conflict) as error:
                _field_errors(link_form, error, "url")
            else:
                flash(
                    _("The calendar is added; its busy times appear once it has been read."),
                    "success",
                )
                return redirect(flask_url_for("calendar_imports.page", unit_id=unit.id))
        elif action == "upload" and file_form.validate_on_submit():
            text = _read_upload(file_form)
            if text is not None:
                name = file_form.name.data or (file_form.file.data.filename or "")
                try:
                    with transaction():
                        added = sources.add_import(user, unit, content=text, name=name)
                except (Invalid, Conflict) as error:
                    _field_errors(file_form, error, "file")
                else:
                    flash(
                        ngettext(
                            "The file is imported: %(num)d busy time.",
                            "The file is imported: %(num)d busy times.",
                            added.blocks_count,
                        ),
                        "success",
                    )
                    return redirect(flask_url_for("calendar_imports.page", unit_id=unit.id))
        elif action not in ("link", "upload"):
            status = 400
    now = utcnow()
    items = sources.list_imports(user, unit)
    collisions = calendar_sync.unit_collisions(unit, now)
    names = {item.id: item.name or item.url or "" for item in items}
    body = render_template(
        "calendars/imports.html",
        unit=unit,
        space=unit.space,
        imports=items,
        collisions=[
            (booking, block, names.get(block.import_id, "")) for booking, block in collisions
        ],
        link_form=link_form,
        file_form=file_form,
        local=_formatter(unit.space.timezone),
        sync_minutes=f"{jobs.setting(current_app, 'CALENDAR_SYNC_MINUTES', 15.0, float):g}",
    )
    return make_response(body, status)


def _import_of(unit_id: int, import_id: int):
    user = current_user._get_current_object()
    calendar_import = sources.get_import(user, import_id)
    if calendar_import.unit_id != unit_id:
        raise NotFound()
    return user, calendar_import


@bp.post("/units/<int:unit_id>/calendars/<int:import_id>/sync")
@login_required
@limiter.limit(SYNC_LIMIT)
def sync(unit_id: int, import_id: int):
    _user, calendar_import = _import_of(unit_id, import_id)
    result = calendar_sync.sync_import(calendar_import.id)
    if result is None:
        raise NotFound()
    if result.error:
        flash(
            _("The sync failed: %(error)s The previous busy times are kept.", error=result.error),
            "error",
        )
    elif result.not_modified:
        flash(_("The calendar has not changed since the last sync."), "success")
    else:
        flash(
            ngettext(
                "The calendar is synced: %(num)d busy time.",
                "The calendar is synced: %(num)d busy times.",
                result.blocks,
            ),
            "success",
        )
    return redirect(flask_url_for("calendar_imports.page", unit_id=unit_id))


@bp.post("/units/<int:unit_id>/calendars/<int:import_id>/delete")
@login_required
def delete(unit_id: int, import_id: int):
    user, calendar_import = _import_of(unit_id, import_id)
    with transaction():
        sources.delete_import(user, calendar_import)
    flash(_("The calendar is removed, with its busy times."), "success")
    return redirect(flask_url_for("calendar_imports.page", unit_id=unit_id))
