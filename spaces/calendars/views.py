"""Calendar pages: private iCalendar feeds and the account's feed addresses.

``CalendarTokenForm`` is the one definition of a feed request's shape, shared with the API
(spaces/api/calendars.py), as the domain has no forms module of its own yet.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, Optional

from spaces.calendars import feeds, tokens
from spaces.calendars.models import CalendarToken
from spaces.db import transaction, utcnow
from spaces.errors import DomainError, NotFound
from spaces.forms import BaseForm, choices
from spaces.mail import external_url
from spaces.web import current_actor as _actor

bp = Blueprint("calendars", __name__)

CALENDAR_MIMETYPE = "text/calendar"


class CalendarTokenForm(BaseForm):
    """A new feed address: ``scope`` me|unit|space and, for a unit or space, its ``id``."""

    scope = SelectField(
        _l("Feed"),
        choices=choices(
            [
                ("me", _l("My bookings")),
                ("unit", _l("A unit's bookings")),
                ("space", _l("A space's bookings")),
            ]
        ),
        validators=[InputRequired(message=_l("Choose me, unit or space."))],
    )
    id = IntegerField(_l("Unit or space"), validators=[Optional()])


def feed_links(token: CalendarToken, name: str | None = None) -> dict[str, str]:
    """The feed's https address and the ways to subscribe to it."""
    url = external_url("calendars.feed", token=token.token)
    webcal = "webcal://" + url.partition("://")[2]
    name = name if name is not None else tokens.token_name(token)
    return {
        "url": url,
        "webcal_url": webcal,
        "google_url": "https://calendar.google.com/calendar/r?cid=" + quote(webcal, safe=""),
        "outlook_url": "https://outlook.live.com/calendar/0/addfromweb?url="
        + quote(url, safe="")
        + "&name="
        + quote(name, safe=""),
    }


# --- the feed --------------------------------------------------------------------------------


def _not_found() -> Response:
    # Calendar clients show no HTML: a plain answer, and nothing that says whether it existed.
    return Response("Not found\n", status=404, mimetype="text/plain")


@bp.get("/calendars/<token>.ics")
def feed(token: str):
    now = utcnow()
    try:
        # Built without the write lock; the use is noted (at most hourly) in a short transaction.
        body, etag, last_modified = feeds.feed_for_token(token, now)
    except NotFound:
        return _not_found()
    if feeds.feed_use_is_stale(token, now):
        with transaction():
            feeds.note_feed_use(token, now)
    if request.if_none_match:
        # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
        unchanged = request.if_none_match.contains_weak(etag.strip('"'))
    else:
        since = request.if_modified_since
        unchanged = since is not None and last_modified.replace(microsecond=0) <= since
    response = Response(
        b"" if unchanged else body,
        status=304 if unchanged else 200,
        content_type=f"{CALENDAR_MIMETYPE}; charset=utf-8",
    )
    response.headers["ETag"] = etag
    response.last_modified = last_modified
    # The address is a secret: no shared cache; clients revalidate (cheap with the ETag).
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the account page ------------------------------------------------------------------------


@bp.get("/account/calendars")
@login_required
def index():
    actor = _actor()
    rows = []
    for token in tokens.list_tokens(actor):
        name = tokens.token_name(token)
        rows.append({"token": token, "name": name, **feed_links(token, name)})
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
