"""The public page of a space."""

from __future__ import annotations

from flask import (
    current_app,
    render_template,
    request,
    url_for,
)

from spaces.availability import services as availability
from spaces.availability.hours import week_table
from spaces.bookings import strip
from spaces.listings import services
from spaces.listings.views.blueprint import bp
from spaces.listings.views.common import (
    _map_settings,
    _upcoming_closures,
)
from spaces.web import current_actor as _actor

# --- the space page ----------------------------------------------------------------------------


@bp.get("/spaces/<int:space_id>")
def space_page(space_id: int):
    actor = _actor()
    space = services.get_space(actor, space_id)
    units = [u for u in space.units if u.active]
    # Photos arrive with their own blueprint; until it is registered the page shows none.
    has_photos = "photos" in current_app.blueprints
    manage_photos = has_photos and "photos.manage" in current_app.view_functions
    marker = {"lat": space.latitude, "lon": space.longitude, "name": space.name}
    published = space.status == "published"
    # The week strips page together (``?from=``, bounded by strip.strip_page); each also pages
    # on its own in place with JavaScript.
    shown = strip.strip_page(space, strip.asked_day(request.args.get("from")))
    return render_template(
        "listings/space.html",
        space=space,
        units=units,
        editable=services.can_edit(actor, space),
        space_hours=week_table(availability.windows_of(space)),
        unit_hours={u.id: week_table(availability.windows_of(u)) for u in units if u.own_hours},
        closures=_upcoming_closures(space, units),
        photos=space.photos if has_photos else [],
        photos_url=url_for("photos.manage", space_id=space.id) if manage_photos else None,
        map_data=_map_settings([marker], zoom=14),
        coming={u.id: strip.week(u, shown.first) for u in units} if published else {},
        shown=shown,
        parts_of=_parts_of(units),
        by_id={u.id: u for u in units},
    )


def _parts_of(units) -> dict[int, list]:
    """The shown units that are part of each shown unit (linked units), in page order."""
    parts: dict[int, list] = {}
    for unit in units:
        if unit.part_of is not None:
            parts.setdefault(unit.part_of, []).append(unit)
    return parts
