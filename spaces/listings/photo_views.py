"""Photo pages: the image files themselves, and the host's page to add, order and delete photos.

The files are served by the app (with long-lived caching) so that a draft space's photos stay
private. A photo of a published space is looked up as a stranger first, so the common case never
loads the visitor's account.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from spaces.db import transaction
from spaces.errors import Conflict, DomainError, Invalid, NotFound
from spaces.listings import photos, services
from spaces.web import current_actor as _user

bp = Blueprint("photos", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/photos/<key>/<size>.jpg")
def photo_file(key: str, size: str):
    if size not in photos.SIZES:
        abort(404)
    try:
        # As a stranger first: a public photo needs no account lookup.
        photo = photos.get_photo_by_key(None, key)
        cache = f"public, max-age={ONE_YEAR}, immutable"
    except NotFound:
        actor = _user()
        photo = photos.get_photo_by_key(actor, key)
        # Only the space's members see it: no shared cache may keep a copy.
        cache = f"private, max-age={ONE_YEAR}, immutable"
    etag = f"{photo.key}-{size}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        data = photos.storage().open(photo.key, size)
        if data is None:
            abort(404)
        response = Response(data, mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _page(space, errors: dict | None = None, alt: str = "", status: int = 200):
    page = render_template(
        "listings/photos.html",
        space=space,
        photos=list(space.photos),
        errors=errors or {},
        alt=alt,
        max_photos=photos.MAX_PHOTOS_PER_SPACE,
        max_megabytes=photos.MAX_UPLOAD_BYTES // (1024 * 1024),
        max_alt=photos.MAX_ALT_LENGTH,
    )
    return page, status


@bp.route("/spaces/<int:space_id>/photos", methods=["GET", "POST"])
@login_required
def manage(space_id: int):
    space = services.get_space(_user(), space_id, edit=True)
    if request.method == "GET":
        return _page(space)
    alt = request.form.get("alt", "")
    data = photos.upload_bytes(request.files.get("file"))
    try:
        # The write lock is taken only after the image is decoded (see add_photo).
        with transaction():
            photos.add_photo(_user(), space, data, alt)
    except Invalid as error:
        return _page(space, error.fields or {"file": [error.message]}, alt, error.status)
    except Conflict as error:
        return _page(space, {"file": [error.message]}, alt, error.status)
    flash(_("The photo has been added."), "success")
    return redirect(url_for("photos.manage", space_id=space_id))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A body over the app's MAX_CONTENT_LENGTH: say so next to the file field, not a bare 413."""
    message = _l(
        "This file is larger than %(size)s MB. Choose a smaller photo.",
        size=photos.MAX_UPLOAD_BYTES // (1024 * 1024),
    )
    space_id = (request.view_args or {}).get("space_id")
    if request.endpoint == "photos.manage" and space_id and current_user.is_authenticated:
        try:
            space = services.get_space(_user(), space_id, edit=True)
        except DomainError:
            pass  # not theirs: the plain 413 page below, which tells nothing about the space
        else:
            return _page(space, {"file": [message]}, status=413)
    return render_template(
        "errors/error.html", status=413, code="too_large", message=str(message)
    ), 413


@bp.post("/spaces/<int:space_id>/photos/<int:photo_id>/delete")
@login_required
def delete(space_id: int, photo_id: int):
    space, photo = _photo_of(space_id, photo_id)
    with transaction():
        photos.delete_photo(_user(), photo)
    flash(_("The photo has been deleted."), "success")
    return redirect(url_for("photos.manage", space_id=space.id))


@bp.post("/spaces/<int:space_id>/photos/<int:photo_id>/move")
@login_required
def move(space_id: int, photo_id: int):
    space, photo = _photo_of(space_id, photo_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        raise Invalid(fields={"direction": [_l("Choose up or down.")]})
    ids = [p.id for p in space.photos]
    index = ids.index(photo.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
        with transaction():
            photos.reorder_photos(_user(), space, ids)
        flash(_("The order of the photos has been saved."), "success")
    return redirect(url_for("photos.manage", space_id=space_id))


def _photo_of(space_id: int, photo_id: int):
    space = services.get_space(_user(), space_id, edit=True)
    photo = photos.get_photo(_user(), photo_id)
    if photo.space_id != space.id:
        raise NotFound()
    return space, photo
