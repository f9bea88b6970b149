"""Administrator pages."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from spaces.accounts import services
from spaces.accounts.models import User
from spaces.db import transaction
from spaces.errors import Conflict
from spaces.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


@bp.get("/users")
@admin_required
def users():
    q = (request.args.get("q") or "").strip().lower()[:100]
    query = sa.select(User).where(User.deleted_at.is_(None)).order_by(User.created_at.desc())
    if q:
        like = f"%{q}%"
        query = query.where(
            sa.or_(sa.func.lower(User.email).like(like), sa.func.lower(User.name).like(like))
        )
    people = db.session.scalars(query.limit(200)).all()
    return render_template("admin/users.html", users=people, q=q)


@bp.post("/users/<int:user_id>/suspend")
@admin_required
def suspend(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    suspended = request.form.get("suspended") == "1"
    try:
        with transaction():
            services.set_suspended(current_user._get_current_object(), user, suspended)
    except Conflict as error:
        flash(str(error.message), "error")
    else:
        flash(
            _("%(email)s is suspended.", email=user.email)
            if suspended
            else _("%(email)s is restored.", email=user.email),
            "success",
        )
    return redirect(url_for("admin.users"))
