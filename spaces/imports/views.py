"""The pages of a spreadsheet import: upload, preview (with every row's errors), progress, result.

Upload → preview: a file with errors is shown again with 422 and nothing is kept; a good file is
kept ("ready") and its preview shown at its own address, with the button that runs it. While it
runs, the page polls a small JSON status (``static/js/import-progress.js``) and, without
JavaScript, refreshes itself.
"""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from spaces.accounts.permissions import can_manage
from spaces.db import transaction
from spaces.errors import DomainError
from spaces.imports import reading, services
from spaces.imports.checking import COLUMN_LABELS
from spaces.imports.columns import COLUMNS
from spaces.imports.sample import template_csv, template_xlsx
from spaces.web import current_actor as _actor

bp = Blueprint("imports", __name__)

UNREADABLE = {
    "too_large": _l("This file is larger than %(megabytes)s MB. Split it into several files."),
    "empty": _l("This file is empty."),
    "no_rows": _l("This file has a header line but no rows: add one row per place."),
    "old_excel": _l(
        "This is an old Excel file (.xls). Save it as .xlsx or as CSV, then upload it again."
    ),
    "not_spreadsheet": _l(
        "This file is not a spreadsheet we can read. Upload a CSV file or an Excel .xlsx file."
    ),
    "too_many_rows": _l(
        "This file has more than %(limit)s rows. Split it into files of %(limit)s places at most."
    ),
    "too_many_columns": _l("This file has more than %(limit)s columns. Keep the template's."),
    "huge_cell": _l(
        "Line %(row)s has a cell of more than %(limit)s characters. Shorten it and upload again."
    ),
}


def _organisations(user) -> list:
    organisations = [m.organisation for m in user.memberships if can_manage(m.role)]
    return sorted(organisations, key=lambda o: o.name.lower())


def _upload_page(status: int = 200, **context):
    user = _actor()
    context.setdefault("file_errors", [])
    context.setdefault("preview", None)
    context.setdefault("organisation_id", None)
    page = render_template(
        "imports/upload.html",
        organisations=_organisations(user),
        max_megabytes=reading.MAX_BYTES // (1024 * 1024),
        max_rows=reading.MAX_ROWS,
        labels=COLUMN_LABELS,
        columns=COLUMNS,
        **context,
    )
    return make_response(page, status)


@bp.get("/my/spaces/import")
@login_required
def upload():
    organisations = _organisations(_actor())
    selected = organisations[0].id if len(organisations) == 1 else None
    return _upload_page(organisation_id=selected)


@bp.post("/my/spaces/import")
@login_required
def check():
    user = _actor()
    organisations = {o.id: o for o in _organisations(user)}
    raw_id = request.form.get("organisation_id", "")
    organisation_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 10 else None
    if organisation_id not in organisations:
        message = _("Choose one of your organisations.")
        return _upload_page(422, organisation_errors=[message], organisation_id=None)
    stream = request.files.get("file")
    data = stream.read(reading.MAX_BYTES + 1) if stream else b""
    filename = (stream.filename or "") if stream else ""
    try:
        preview = services.preview_upload(user, organisation_id, data)
    except reading.Unreadable as error:
        message = str(UNREADABLE[error.code]) % error.detail
        return _upload_page(422, file_errors=[message], organisation_id=organisation_id)
    except DomainError as error:
        return _upload_page(
            error.status, organisation_errors=[str(error.message)], organisation_id=organisation_id
        )
    if not preview.ok:
        return _upload_page(
            422, preview=preview, organisation_id=organisation_id, filename=filename[:200]
        )
    with transaction():
        record = services.stage_import(user, organisation_id, filename, preview)
    return redirect(url_for("imports.show", import_id=record.id))


@bp.get("/my/spaces/import/<int:import_id>")
@login_required
def show(import_id: int):
    record = services.get_import(_actor(), import_id)
    rows = record.rows
    for row in rows:  # the availability window as dates, for the page to word them
        for name in ("available_from", "available_until"):
            value = row["space"].get(name)
            row[name] = date.fromisoformat(value) if value else None
    return render_template(
        "imports/import.html",
        record=record,
        rows=rows,
        done=services.rows_done(record),
        labels=COLUMN_LABELS,
    )


@bp.post("/my/spaces/import/<int:import_id>/run")
@login_required
def run(import_id: int):
    user = _actor()
    record = services.get_import(user, import_id)
    with transaction():
        started = services.start_import(user, record)
    if not started:
        flash(_("This import has already been started."), "info")
    return redirect(url_for("imports.show", import_id=import_id))


@bp.get("/my/spaces/import/<int:import_id>/status")
@login_required
def status(import_id: int):
    record = services.get_import(_actor(), import_id)
    response = jsonify(
        status=record.status,
        total=record.total,
        done=services.rows_done(record),
        created=record.created_count,
        updated=record.updated_count,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/my/spaces/import/template.<fmt>")
@login_required
def template(fmt: str):
    name = _("places-template")
    if fmt == "csv":
        body, mimetype = template_csv(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = template_xlsx()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        return Response(status=404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A body over the app's MAX_CONTENT_LENGTH: said next to the file field, not a bare 413."""
    message = str(UNREADABLE["too_large"]) % {"megabytes": reading.MAX_BYTES // (1024 * 1024)}
    if request.endpoint == "imports.check" and current_user.is_authenticated:
        return _upload_page(413, file_errors=[message])
    return render_template("errors/error.html", status=413, code="too_large", message=message), 413
