"""The ``listings`` blueprint, shared by the page modules of this package."""

from flask import Blueprint

bp = Blueprint("listings", __name__)
