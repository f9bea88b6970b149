"""Calendar pages: private iCalendar feeds, the account's feed addresses, hosts' imports."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("calendars", __name__)
