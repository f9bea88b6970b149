"""The search page: a list and a map of what is free near a place."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from flask import (
    request,
    url_for,
)

from spaces.availability.filter import find, hydrate_matches
from spaces.errors import Invalid
from spaces.extensions import search_limit
from spaces.listings.search import Hit
from spaces.listings.search_input import parse_search_args
from spaces.listings.views.blueprint import bp
from spaces.listings.views.common import (
    PER_PAGE,
    RADII_KM,
    _map_settings,
    _page,
)

# --- search ------------------------------------------------------------------------------------


@dataclass
class Result:
    """One space in the results, with the units of it that matched."""

    space: object
    distance_km: float | None
    hits: list[Hit] = field(default_factory=list)


def _search_query():
    """The query (the API's rules, ``listings.search_input``) and the services it names."""
    query = parse_search_args(request.args)
    return query, list(query.services)


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
    spaces in all, the page number and the number of pages. Without a date window only the
    page's units are loaded (``rank`` then ``hydrate``); with one, the engine sees them all."""

    def paging(total: int) -> tuple[int, int]:
        pages = max(1, ceil(total / PER_PAGE))
        return min(max(requested or 1, 1), pages), pages

    matches = find(query)
    order = list(dict.fromkeys(m.space_id for m in matches))
    page, pages = paging(len(order))
    wanted = set(order[(page - 1) * PER_PAGE : page * PER_PAGE])
    hits = hydrate_matches(query, [m for m in matches if m.space_id in wanted])
    return _group(hits), len(order), page, pages


@bp.get("/search")
@search_limit()
def search():
    errors: dict[str, list[str]] = {}
    shown: list[Result] = []
    total, page, pages = 0, 1, 1
    query, codes = None, request.args.getlist("services")
    try:
        query, codes = _search_query()
    except Invalid as error:
        errors = _search_errors(error)
    else:
        shown, total, page, pages = _results_page(query, request.args.get("page", 1, type=int))
    markers = [
        {
            "lat": r.space.latitude,
            "lon": r.space.longitude,
            "name": r.space.name,
            "url": url_for("listings.space_page", space_id=r.space.id),
            "detail": r.space.commune,
        }
        for r in shown
    ]
    center = (query.latitude, query.longitude) if query is not None and query.located else None
    args = request.args.to_dict(flat=False)

    def page_url(number: int) -> str:
        return url_for("listings.search", **{**args, "page": [number]})

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
        selected_services=codes,
        radii=RADII_KM,
        map_data=_map_settings(markers, center=center, zoom=11),
        args=request.args,
        live_units=[hit.unit.id for result in shown for hit in result.hits],
        refresh_url=url_for("listings.search", **{**args, "partial": ["results"]}),
    )
