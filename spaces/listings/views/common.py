"""Helpers shared by the listing pages: settings of maps, form errors, template filters."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import (
    current_app,
    make_response,
    render_template,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import escape

from spaces.accounts.permissions import can_manage
from spaces.availability import services as availability
from spaces.db import utcnow
from spaces.errors import NotFound
from spaces.i18n import current_locale
from spaces.listings import services
from spaces.listings.views.blueprint import bp
from spaces.listings.vocabulary import (
    BOOKING_MODES,
    RATE_LABELS,
    RATES,
    SERVICES,
    SPACE_KINDS,
    UNIT_KINDS,
)

PER_PAGE = 20
RADII_KM = (2, 5, 10, 20, 50)
DEFAULT_TILES = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_COPYRIGHT = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
FRANCE = (46.6, 2.4)


# --- helpers -------------------------------------------------------------------------------------


def _page(template: str, status: int = 200, **context):
    return make_response(render_template(template, **context), status)


def _map_settings(markers: list[dict], center=None, zoom: int = 13) -> dict:
    return {
        "tiles": current_app.config.get("MAP_TILE_URL", DEFAULT_TILES),
        "attribution": current_app.config.get("MAP_TILE_ATTRIBUTION")
        or f"{OSM_COPYRIGHT} {escape(_('contributors'))}",
        "markers": markers,
        "center": list(center) if center else None,
        "zoom": zoom,
    }


def _managed_organisations(user) -> list:
    organisations = [m.organisation for m in user.memberships if can_manage(m.role)]
    return sorted(organisations, key=lambda o: o.name.lower())


def _unit_of(actor, space_id: int, unit_id: int):
    unit = services.get_unit(actor, unit_id, edit=True)
    if unit.space_id != space_id:
        raise NotFound()
    return unit


@bp.app_template_filter("km")
def km_filter(distance: float | None) -> str:
    return "" if distance is None else f"{format_decimal(distance, format='#,##0.0')} km"


@bp.app_template_filter("local_datetime")
def local_datetime_filter(instant, timezone: str) -> str:
    """An instant as the space's wall clock shows it, in the reader's language."""
    tz, locale = ZoneInfo(timezone), current_locale()
    day = babel_dates.format_skeleton("yMMMEd", instant, tzinfo=tz, locale=locale, fuzzy=True)
    return f"{day} {babel_dates.format_skeleton('Hm', instant, tzinfo=tz, locale=locale)}"


@bp.app_context_processor
def listing_vocabulary():
    names = babel_dates.get_day_names("wide", locale=current_locale())
    return {
        "SPACE_KINDS": SPACE_KINDS,
        "UNIT_KINDS": UNIT_KINDS,
        "SERVICES": SERVICES,
        "BOOKING_MODES": BOOKING_MODES,
        "RATES": RATES,
        "RATE_LABELS": RATE_LABELS,
        "DAY_NAMES": [names[d].capitalize() for d in range(7)],
    }


def _upcoming_closures(space, units) -> list[tuple]:
    """(closure, unit or None for the whole place) not yet over, soonest first."""
    now = utcnow()
    items = [(c, None) for c in availability.closures_of(space, since=now)]
    for unit in units:
        items += [(c, unit) for c in availability.closures_of(unit, since=now)]
    return sorted(items, key=lambda pair: (pair[0].start_at, pair[0].id))
