"""The search page: a list and a map of what is free near a place.

The form (date, period or times, price in euros) becomes the API's query string
(``listings.search_form.api_args``), which is read by the API's own parser; links of the page
(paging, the live list, "widen the radius") carry that query string. A place that the offline
index cannot tell apart, does not know, or only knows as a former commune while a current one has
a close name ("Loche": Loché, a former commune of Saône-et-Loire, or Loches?) gets suggestions
instead of a silent match; an empty search says why and offers ways out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict

from spaces.availability.filter import find, hydrate_matches
from spaces.errors import Invalid
from spaces.extensions import limiter, search_limit
from spaces.geo.communes import CURRENT_KINDS, Commune, load_index
from spaces.i18n import current_locale, format_date_range, format_money
from spaces.listings import overview, search_form
from spaces.listings.headline import Headline, best, unit_headline, usable_rates
from spaces.listings.search import MAX_RADIUS_KM, Hit, SearchQuery, rank
from spaces.listings.search_input import parse_search_args
from spaces.listings.views.blueprint import bp
from spaces.listings.views.common import (
    PER_PAGE,
    RADII_KM,
    _map_settings,
    _page,
)
from spaces.listings.vocabulary import RATE_LABELS

MAX_SUGGESTIONS = 6


@dataclass
class Result:
    """One space in the results, with the units of it that matched."""

    space: object
    distance_km: float | None
    hits: list[Hit] = field(default_factory=list)
    headline: Headline | None = None  # without a date: "from €22 / day"
    photo: object | None = None  # the first Photo


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass
class PlaceCheck:
    """What the offline index says of ``near``: the place searched, or names to pick from."""

    label: str | None = None  # "Loches (37)"
    commune: Commune | None = None
    suggestions: list[Link] = field(default_factory=list)
    refusal: str | None = None  # a reason not to search at all


# --- the place -------------------------------------------------------------------------------


def _query_label(commune: Commune) -> str:
    """What to search for to get exactly this commune: its name and postal code."""
    code = commune.postal_codes[0] if commune.postal_codes else commune.departement
    return f"{commune.name} ({code})"


def _search_url(args: MultiDict) -> str:
    return url_for("listings.search", **args.to_dict(flat=False))


def _suggestion_links(args: MultiDict, communes: list[Commune]) -> list[Link]:
    links = []
    for commune in communes[:MAX_SUGGESTIONS]:
        label = f"{commune.name} ({commune.departement})"
        if commune.kind not in CURRENT_KINDS:
            label = _(
                "%(name)s (former commune, %(departement)s)",
                name=commune.name,
                departement=commune.departement,
            )
        near = _query_label(commune)
        links.append(Link(label, _search_url(search_form.without(args, "lat", "lon", near=near))))
    return links


def _check_place(args: MultiDict) -> PlaceCheck:
    near = (args.get("near") or "").strip()
    if not near or args.get("lat") or args.get("lon"):
        return PlaceCheck()
    index = load_index()
    found = index.lookup(near[:200])
    if not found.candidates:
        prefer = overview.territory_departements()
        return PlaceCheck(suggestions=_suggestion_links(args, index.suggest(near, prefer=prefer)))
    if found.ambiguous:
        return PlaceCheck(suggestions=_suggestion_links(args, list(found.candidates)))
    top = found.candidates[0]
    label = f"{top.name} ({top.departement})"
    if current_app.config["GEOCODER"] != "offline":
        return PlaceCheck()
    if top.kind not in CURRENT_KINDS and found.match == "name":
        # Only a former commune has that name: a current one with a close name is likelier.
        close = index.suggest(near, prefer=overview.territory_departements())
        if close:
            return PlaceCheck(
                suggestions=_suggestion_links(args, close[: MAX_SUGGESTIONS - 1] + [top]),
                refusal=_(
                    "“%(near)s” is only the name of a former commune (%(place)s). Did you mean another place?",
                    near=near,
                    place=label,
                ),
            )
    return PlaceCheck(label=label, commune=top)


# --- results ---------------------------------------------------------------------------------


def _search_errors(error: Invalid) -> dict[str, list[str]]:
    fields = {name: [str(m) for m in messages] for name, messages in (error.fields or {}).items()}
    if not fields:
        fields["near"] = [str(error.message)]
    return fields


def _group(hits: list[Hit]) -> list[Result]:
    results: dict[int, Result] = {}
    for hit in hits:
        result = results.setdefault(hit.space.id, Result(hit.space, hit.distance_km))
        result.hits.append(hit)
    return list(results.values())


def _results_page(query, requested: int | None) -> tuple[list[Result], int, int, int]:
    """One page of results (spaces with their matching units): the page's results, the number of
    spaces in all, the page number and the number of pages. Only the page's units become ORM
    objects (``find`` gives light matches, ``hydrate_matches`` loads a slice)."""

    def paging(total: int) -> tuple[int, int]:
        pages = max(1, ceil(total / PER_PAGE))
        return min(max(requested or 1, 1), pages), pages

    # Logged once per search: not for later pages, nor for the live refreshes of the results.
    fresh = (requested or 1) <= 1 and request.args.get("partial") != "results"
    matches = find(query, record=fresh)
    order = list(dict.fromkeys(m.space_id for m in matches))
    page, pages = paging(len(order))
    wanted = set(order[(page - 1) * PER_PAGE : page * PER_PAGE])
    hits = hydrate_matches(query, [m for m in matches if m.space_id in wanted])
    return _group(hits), len(order), page, pages


def _decorate(results: list[Result], dated: bool) -> None:
    """First photos (loaded with the page's units) and, without a date, the headline prices."""
    for result in results:
        photos = result.space.photos
        result.photo = photos[0] if photos else None
        if not dated:
            result.headline = best(unit_headline(hit.unit) for hit in result.hits)


PER_LABELS = {
    "day": lambda price: _("from %(price)s / day", price=price),
    "half_day": lambda price: _("from %(price)s / half-day", price=price),
    "hour": lambda price: _("from %(price)s / hour", price=price),
    "month": lambda price: _("from %(price)s / month", price=price),
}


def headline_text(headline: Headline | None, currency: str = "EUR") -> str:
    if headline is None:
        return ""
    if headline.amount == 0:
        return _("Free")
    return PER_LABELS[headline.per](format_money(headline.amount, currency))


def free_text(hit: Hit) -> str:
    """What is free for the dates: seats of a desk pool; a unit booked whole is just free."""
    if not hit.unit.is_pool:
        return _("Available (booked whole)")
    return ngettext("%(num)s seat free", "%(num)s seats free", hit.free_seats)


def _hit_text(hit: Hit) -> str:
    seats = free_text(hit)
    price = _("Free") if hit.price == 0 else format_money(hit.price, hit.unit.currency)
    return f"{hit.unit.name}: {seats} · {price}"


def _marker(result: Result, dated: bool) -> dict:
    space = result.space
    currency = result.hits[0].unit.currency if result.hits else "EUR"
    if dated:
        lines = [_hit_text(hit) for hit in result.hits[:3]]
        if len(result.hits) > 3:
            lines.append(_("and %(num)s more", num=len(result.hits) - 3))
    else:
        lines = [headline_text(result.headline, currency)] if result.headline else []
    return {
        "id": space.id,
        "lat": space.latitude,
        "lon": space.longitude,
        "name": space.name,
        "url": url_for("listings.space_page", space_id=space.id),
        "detail": space.commune,
        "lines": lines,
    }


# --- an empty search -------------------------------------------------------------------------


def _next_radius(radius: float) -> float | None:
    if radius >= MAX_RADIUS_KM:
        return None
    bigger = [km for km in RADII_KM if km > radius]
    return float(bigger[0]) if bigger else min(MAX_RADIUS_KM, radius * 2)


def _km(value: float) -> str:
    return f"{value:g}"


def _empty_search(query: SearchQuery, args: MultiDict, place: str) -> tuple[str, list[Link]]:
    """Why nothing matched, and links that widen the search (cheap: no availability walk)."""
    options: list[Link] = []
    everything = SearchQuery(query.latitude, query.longitude, query.radius_km)
    listed = len({r.space_id for r in rank(everything)})
    if listed == 0:
        why = (
            _(
                "No place is listed within %(km)s km of %(place)s.",
                km=_km(query.radius_km),
                place=place,
            )
            if query.located
            else _("No place is listed yet.")
        )
    else:
        undated = len({r.space_id for r in rank(query)})
        where = (
            _("within %(km)s km of %(place)s", km=_km(query.radius_km), place=place)
            if query.located
            else _("on the site")
        )
        if undated == 0:
            why = ngettext(
                "%(num)s place %(where)s, but it does not offer what you asked for (services, kind of offer or number of people).",
                "%(num)s places %(where)s, but none offers what you asked for (services, kind of offer or number of people).",
                listed,
                where=where,
            )
        else:
            why = ngettext(
                "%(num)s place %(where)s offers what you asked for, but it cannot be booked for that time within your conditions.",
                "%(num)s places %(where)s offer what you asked for, but none can be booked for that time within your conditions.",
                undated,
                where=where,
            )
    bigger = _next_radius(query.radius_km) if query.located else None
    if bigger:
        wider = search_form.without(args, radius_km=_km(bigger))
        options.append(Link(_("Search within %(km)s km", km=_km(bigger)), _search_url(wider)))
    drops = [
        ("start", _("Any date and time"), ("start", "end")),
        ("max_price", _("Any price"), ("max_price",)),
        ("instant", _("Include places that answer requests"), ("instant",)),
        ("services", _("Without the services"), ("services",)),
        ("kind", _("Any kind of offer"), ("kind",)),
        ("space_kind", _("Any kind of place"), ("space_kind",)),
    ]
    for key, text, names in drops:
        if args.get(key):
            options.append(Link(text, _search_url(search_form.without(args, *names))))
    if query.seats > 1:
        options.append(Link(_("For one person"), _search_url(search_form.without(args, "seats"))))
    return why, options


def _window_text(start_text: str, end_text: str) -> str:
    """ "Monday 1 March 2027, 09:00–13:00" (as given: each place reads it on its own clock)."""
    start, end = search_form.instant(start_text), search_form.instant(end_text)
    if start is None or end is None:
        return f"{start_text} – {end_text}"
    locale = current_locale()

    def day(value: datetime) -> str:
        return babel_dates.format_date(value.date(), format="full", locale=locale)

    if start.date() == end.date():
        return f"{day(start)}, {start:%H:%M}–{end:%H:%M}"
    return f"{day(start)} {start:%H:%M} – {day(end)} {end:%H:%M}"


def _query_when(query) -> str:
    """The searched window, or the searched term's days."""
    if query.first_day is not None:
        return format_date_range(query.first_day, query.last_day)
    return _window_text(query.start_text, query.end_text)


# --- the page --------------------------------------------------------------------------------


@bp.get("/search")
@search_limit()
def search():
    args, form_errors = search_form.api_args(request.args)
    submitted = "date" in request.args
    values = search_form.typed_values(request.args) if submitted else search_form.form_values(args)
    errors: dict[str, list[str]] = {k: [str(m) for m in v] for k, v in form_errors.items()}
    place = _check_place(args)
    if place.refusal:
        errors["near"] = [place.refusal]
    shown: list[Result] = []
    total, page, pages = 0, 1, 1
    query = None
    try:
        query = parse_search_args(args)
    except Invalid as error:
        for name, messages in _search_errors(error).items():
            errors.setdefault(name, messages)
    if errors:
        query = None
    else:
        shown, total, page, pages = _results_page(query, request.args.get("page", 1, type=int))
        _decorate(shown, query.dated)
    dated = bool(query and query.dated)
    place_label = place.label or args.get("near") or None
    why, options = "", []
    # Names for an unknown or ambiguous place are shown when the search refused it (an online
    # geocoder may know an address the offline index does not).
    suggestions = place.suggestions if "near" in errors else []
    if query is not None and not shown:
        why, options = _empty_search(query, args, place_label or _("your position"))
        territory = overview.territory_departements()
        if place.commune is not None and territory and place.commune.departement not in territory:
            found = load_index().suggest(args.get("near", ""), prefer=territory)
            suggestions = _suggestion_links(args, [c for c in found if c.departement in territory])
    markers = [_marker(r, dated) for r in shown]
    center = (query.latitude, query.longitude) if query is not None and query.located else None
    settings = _map_settings(markers, center=center, zoom=11)
    if center is not None:
        settings["radius_km"] = query.radius_km
    canonical = args.to_dict(flat=False)

    def page_url(number: int) -> str:
        return url_for("listings.search", **{**canonical, "page": [number]})

    template = (
        "listings/_results.html"
        if request.args.get("partial") == "results"
        else "listings/search.html"
    )
    return _page(
        template,
        422 if errors else 200,
        errors=errors,
        results=shown,
        total=total,
        page=page,
        pages=pages,
        page_url=page_url,
        query=query,
        dated=dated,
        window_text=_query_when(query) if dated else "",
        today=datetime.now(ZoneInfo("Europe/Paris")).date().isoformat(),
        values=values,
        periods=search_form.PERIODS,
        selected_services=list(query.services) if query else request.args.getlist("services"),
        radii=RADII_KM,
        map_data=settings,
        args=args,
        place_label=place_label,
        suggestions=suggestions,
        why=why,
        options=options,
        headline_text=headline_text,
        free_text=free_text,
        usable_rates=usable_rates,
        rate_labels=RATE_LABELS,
        live_units=[hit.unit.id for result in shown for hit in result.hits],
        refresh_url=url_for("listings.search", **{**canonical, "partial": ["results"]}),
    )


@bp.get("/search/places")
@limiter.limit(lambda: current_app.config.get("SUGGEST_RATE_LIMIT", "300 per minute"))
def place_suggestions():
    """Names for the place field's autocomplete: communes beginning with (or close to) what was
    typed, those of the territory first. JSON: ``{"items": [{"label", "value"}]}``."""
    text = (request.args.get("q") or "").strip()[:100]
    if len(text) < 2:
        return jsonify({"items": []})
    communes = load_index().complete(text, limit=8, prefer=overview.territory_departements())
    items = [{"label": f"{c.name} ({c.departement})", "value": _query_label(c)} for c in communes]
    return jsonify({"items": items})
