"""Listing pages: the public space page, search, and the host's pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from spaces.listings import services

bp = Blueprint("listings", __name__)


def _actor():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.get("/spaces/<int:space_id>")
def space_page(space_id: int):
    space = services.get_space(_actor(), space_id)
    return render_template("listings/space.html", space=space)
