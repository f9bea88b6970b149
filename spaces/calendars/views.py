"""Calendar pages: private iCalendar feeds and the account's feed addresses.

The feed request's shape is ``calendars.forms.CalendarTokenForm`` and its links
``calendars.tokens.feed_links``, both shared with the API (spaces/api/calendars.py).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from spaces.calendars import feeds, tokens
from spaces.calendars.forms import CalendarTokenForm
from spaces.db import transaction, utcnow
from spaces.errors import DomainError, NotFound
from spaces.forms import BaseForm
from spaces.web import current_actor as _actor

bp = Blueprint("calendars", __name__)

CALENDAR_MIMETYPE = "text/calendar"


# --- the feed --------------------------------------------------------------------------------


def _not_found() -> Response:
    # Calendar clients show no HTML: a plain answer, and nothing that says whether it existed.
    return Response("Not found\n", status=404, mimetype="text/plain")


@bp.get("/calendars/<token>.ics")
def feed(token: str):
    now = utcnow()
    try:
        opened = feeds.open_token(token)
    except NotFound:
        return _not_found()
    # A conditional request is answered from the feed's validators (one light query); the feed
    # is built only when it changed. If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2);
    # a 304 carries the ETag, which is all a client revalidates with (§15.4.5).
    etag, last_modified, body = None, None, None
    if request.if_none_match:
        etag = feeds.feed_etag(opened, now)
        unchanged = request.if_none_match.contains_weak(etag.strip('"'))
    elif request.if_modified_since is not None:
        etag, last_modified = feeds.feed_validators(opened, now)
        unchanged = last_modified.replace(microsecond=0) <= request.if_modified_since
    else:
        unchanged = False
    if not unchanged:
        # Built without the write lock.
        body, etag, last_modified = feeds.feed(opened, now)
    stale = feeds.feed_use_is_stale(opened, now)
    response = Response(
        b"" if unchanged else body,
        status=304 if unchanged else 200,
        content_type=f"{CALENDAR_MIMETYPE}; charset=utf-8",
    )
    response.headers["ETag"] = etag
    if last_modified is not None:
        response.last_modified = last_modified
    # The address is a secret: no shared cache; clients revalidate (cheap with the ETag).
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    if stale:  # the use is noted (at most hourly) in a short transaction, once answered
        with transaction():
            feeds.note_feed_use(token, now)
    return response


# --- the account page ------------------------------------------------------------------------


@bp.get("/account/calendars")
@login_required
def index():
    actor = _actor()
    rows = []
    for token in tokens.list_tokens(actor):
        name = tokens.token_name(token)
        rows.append({"token": token, "name": name, **tokens.feed_links(token, name)})
    return render_template(
        "calendars/account.html",
        rows=rows,
        spaces=tokens.feed_targets(actor),
        created=request.args.get("created", type=int),
    )


@bp.post("/account/calendars")
@login_required
def create():
    form = CalendarTokenForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return redirect(url_for("calendars.index"))
    try:
        with transaction():
            token = tokens.create_token(_actor(), form.scope.data, form.id.data)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("calendars.index"))
    flash(_("Your calendar address is ready: add it to your calendar application."), "success")
    return redirect(url_for("calendars.index", created=token.id, _anchor=f"feed-{token.id}"))


def _token_action(token_id: int, action, message: str):
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        with transaction():
            token = action(_actor(), token_id)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("calendars.index"))
    flash(message, "success")
    anchor = f"feed-{token.id}" if token.revoked_at is None else None
    return redirect(url_for("calendars.index", _anchor=anchor))


@bp.post("/account/calendars/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    return _token_action(
        token_id,
        tokens.revoke_token,
        _("The address is revoked: calendars that use it get nothing more."),
    )


@bp.post("/account/calendars/<int:token_id>/regenerate")
@login_required
def regenerate(token_id: int):
    return _token_action(
        token_id,
        tokens.regenerate_token,
        _("New address made; the old one no longer works. Update your calendar application."),
    )
