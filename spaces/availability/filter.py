"""The dated search: exactly the units that would accept the booking now, at any scale.

Reads only (no lock): what people see; the booking re-checks under the lock with the same
``bookings.quotes.assess`` on the same loader's state. Set-based and cheap before expensive:
the place search ranks candidates as light rows; their facts come in one query; the rules
drop what they refuse without touching bookings; ``load_states`` reads the inputs of all the
rest with one query per kind; the engine and the price decide per unit on plain data; only
the page that is shown becomes ORM objects (``hydrate_matches``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from spaces.availability.engine import term_span
from spaces.availability.loading import FACT_COLUMNS, UnitFacts, facts_from_row, load
from spaces.bookings.pricing import NoPrice, Price, price_interval
from spaces.bookings.quotes import Assessment, assess
from spaces.bookings.rules import MAX_SLOT_DAYS, MAX_TERM_DAYS, check_rules, check_term_rules
from spaces.db import utcnow
from spaces.errors import Invalid
from spaces.i18n import format_duration
from spaces.inputs import parse_dates, parse_window
from spaces.listings.search import ByName, Hit, Ranked, SearchQuery, hydrate, rank, rank_with
from spaces.observatory.searchlog import record_search
from spaces.timeutils import TimeError, parse_instant


class Match(NamedTuple):
    """A unit in the results, light: no ORM object. Without dates, ``price`` is None and
    ``free_seats`` is None (the unit's capacity is shown)."""

    unit_id: int
    space_id: int
    distance_km: float | None
    free_seats: int | None = None
    price: Price | None = None


def find(
    query: SearchQuery, now: datetime | None = None, *, record: bool = False
) -> Sequence[Match]:
    """Every unit that matches the query, in result order, as light tuples.

    Without dates: the place search's ranking. With dates: only the units that would accept
    ``query.seats`` (1 for units booked whole) over the window at ``now`` (default: the present),
    with free seats and price; ``max_price`` applies to that price; ``sort="price"`` orders by
    price, then as without. ``record``: log the search, once the answer is known (the page and
    the API ask it for the first page of results only: one row per search, not per page)."""
    matches = _find(query, now or utcnow())
    if record:
        record_search(
            query.insee_code,
            query.latitude,
            query.longitude,
            query.radius_km,
            query.dated,
            len(matches),
        )
    return matches


def _find(query: SearchQuery, now: datetime) -> Sequence[Match]:
    if not query.dated:
        if not query.located:  # left in the database: a page costs a page
            return ByName(query, Match)
        return [Match(r.unit_id, r.space_id, r.distance_km) for r in rank(query)]
    ranked, rows = rank_with(query, FACT_COLUMNS)  # the facts come with the ranking
    facts = {unit_id: facts_from_row(row) for unit_id, row in rows.items()}
    matches = _available(query, ranked, facts, now)
    if query.sort == "price":
        order = {m.unit_id: i for i, m in enumerate(matches)}
        matches.sort(key=lambda m: (m.price.amount, order[m.unit_id]))
    return matches


def _available(
    query: SearchQuery, ranked: list[Ranked], facts: dict[int, UnitFacts], now: datetime
) -> list[Match]:
    windows: dict[str, tuple[datetime, datetime] | None] = {}
    wanted = []  # (ranked, facts, start, end, seats) that pass the rules
    for r in ranked:
        f = facts[r.unit_id]
        window = windows.get(f.timezone, False)
        if window is False:
            window = windows[f.timezone] = _window(query, f.timezone)
        if window is None:
            continue
        start, end = window
        seats = query.seats if f.is_pool else 1
        try:
            if query.first_day is not None:
                check_term_rules(
                    f, query.first_day, query.last_day, seats, now, ZoneInfo(f.timezone)
                )
            else:
                check_rules(f, start, end, seats, now)
        except Invalid:
            continue
        wanted.append((r, f, start, end, seats))
    if not wanted:
        return []
    # One load for every zone's window: the union covers each unit's own interval. A term is
    # decided by whole days (``engine.fit_term``): its units' hours and closures are not read.
    term = query.first_day is not None
    loaded = load(
        [w[1] for w in wanted],
        min(w[2] for w in wanted),
        max(w[3] for w in wanted),
        now,
        taken_only=term,
    )
    prices: dict[tuple, Price | NoPrice] = {}

    def price_of(start, end, tz, rates, seats) -> Price:
        """``price_interval``, once per distinct rate card, zone and seats."""
        key = (start, end, tz, tuple(rates.values()), seats)
        if key not in prices:
            try:
                prices[key] = price_interval(start, end, tz, rates, seats)
            except NoPrice as error:
                prices[key] = error
        if isinstance(prices[key], NoPrice):
            raise prices[key]
        return prices[key]

    # A unit with no booking, closure or busy block in the window is decided by its settings
    # alone: units with the same settings (a network's identical desks) share one assessment.
    quiet: dict[tuple, Assessment] = {}
    matches = []
    for r, f, start, end, seats in wanted:
        if not loaded.quiet(f):
            outcome = assess(f, loaded.state(f), start, end, seats, now, price_of, term=term)
        else:
            key = (
                start,
                end,
                seats,
                f.timezone,
                tuple(loaded.windows(f)),
                f.available_from,
                f.available_until,
                f.closed_on_public_holidays and f.departement,
                f.effective_capacity,
                f.is_pool,
                f.min_minutes,
                f.max_minutes,
                f.notice_minutes,
                f.price_hour,
                f.price_half_day,
                f.price_day,
                f.price_month,
                f.min_term_days,
                f.max_term_days,
            )
            outcome = quiet.get(key)
            if outcome is None:
                outcome = quiet[key] = assess(
                    f, loaded.state(f), start, end, seats, now, price_of, term=term
                )
        if not outcome.ok:
            continue
        if query.max_price is not None and outcome.price.amount > query.max_price:
            continue
        matches.append(Match(r.unit_id, r.space_id, r.distance_km, outcome.free, outcome.price))
    return matches


def _window(query: SearchQuery, timezone: str) -> tuple[datetime, datetime] | None:
    """The query's window read in a space's zone (None when it does not exist there); a
    term's is from the local midnight of its first day to the one after its last."""
    tz = ZoneInfo(timezone)
    if query.first_day is not None:
        return term_span(query.first_day, query.last_day, tz)
    try:
        return parse_instant(query.start_text, tz), parse_instant(query.end_text, tz)
    except TimeError:  # e.g. a local time skipped by that zone's clock change
        return None


def hydrate_matches(query: SearchQuery, matches: list[Match]) -> list[Hit]:
    """Hits (ORM objects, exact distances, free seats and price) for these matches, same order."""
    hits = hydrate(query, [Ranked(m.unit_id, m.space_id, m.distance_km) for m in matches])
    for hit, match in zip(hits, matches, strict=True):
        if match.price is not None:
            hit.free_seats, hit.price = match.free_seats, match.price.amount
            hit.breakdown = match.price.breakdown()
    return hits


def run_search(query: SearchQuery) -> list[Hit]:
    """Every matching unit as hits (for a page of them, ``hydrate_matches`` of a slice)."""
    return hydrate_matches(query, find(query))


def validate_window(start_text: str | None, end_text: str | None) -> dict:
    """Field errors of a search window (checked in Paris time; each space re-reads it)."""
    errors: dict = {}
    if bool(start_text) != bool(end_text):
        errors["end" if start_text else "start"] = [_l("Give both start and end.")]
        return errors
    if not start_text:
        return errors
    try:
        start, end = parse_window(start_text, end_text, ZoneInfo("Europe/Paris"))
    except Invalid as error:
        return dict(error.fields or {})
    if end - start > timedelta(days=MAX_SLOT_DAYS):
        errors["end"] = [
            _l(
                "Search a window of %(duration)s at most.",
                duration=format_duration(MAX_SLOT_DAYS * 1440),
            )
        ]
    return errors


def validate_term(first_text: str | None, last_text: str | None) -> tuple[dict, tuple | None]:
    """Field errors of a searched term (``start_date``/``end_date``), and its days when right:
    both days, in order, at most ``MAX_TERM_DAYS`` long (each unit's rules do the rest)."""
    if not first_text and not last_text:
        return {}, None
    try:
        first, last = parse_dates(first_text, last_text)
    except Invalid as error:
        return dict(error.fields or {}), None
    if last < first:
        return {"end_date": [_l("The end date must not be before the start date.")]}, None
    if (last - first).days + 1 > MAX_TERM_DAYS:
        return {
            "end_date": [
                lazy_ngettext(
                    "A period lasts %(num)s day at most.",
                    "A period lasts %(num)s days at most.",
                    MAX_TERM_DAYS,
                )
            ]
        }, None
    if last > utcnow().date() + timedelta(days=2 * MAX_TERM_DAYS):
        return {"end_date": [_l("This date is too far from today.")]}, None
    return {}, (first, last)
