"""Linked units through the one loader: a building booked whole and the offices in it.

At any instant a live booking or busy block of the parent leaves every part with 0 free, one of
any part leaves the parent with 0 free, parts do not constrain each other, and a closure of the
parent closes its parts. Each case is read three ways — ``unit_state`` per unit, ``load_states``
of the whole family at once (the dated search's path), and the booking itself — on both backends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from spaces.availability import services as availability
from spaces.availability.closing import affected_bookings
from spaces.availability.engine import fit, timeline
from spaces.availability.filter import find
from spaces.availability.loading import facts_of, load_states, unit_state
from spaces.bookings import requesting, terms
from spaces.bookings.quotes import bookable
from spaces.calendars.models import BusyBlock, CalendarImport
from spaces.db import transaction
from spaces.errors import Conflict
from spaces.extensions import db
from spaces.listings.models import Unit
from spaces.listings.search import SearchQuery
from tests.factories import make_bookable, make_unit, make_user

NOW = datetime(2027, 2, 22, 9, 0, tzinfo=UTC)  # a Monday, a week before
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # Monday 9:00–11:00 in Paris
END = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
LATER = (datetime(2027, 3, 1, 12, 0, tzinfo=UTC), datetime(2027, 3, 1, 14, 0, tzinfo=UTC))
WHOLE = {"kind": "office", "capacity": 4, "prices": {"hour": 1500}}


@pytest.fixture
def family(app_ctx):
    """The building (whole premises), offices A and B in it, a desk pool beside (no family)."""
    host = make_user()
    space, (building, beside) = make_bookable(
        host,
        {"name": "Building", "kind": "whole_premises", "capacity": 15, "prices": {"hour": 5000}},
        {"name": "Beside", "capacity": 3},
    )
    a = make_unit(host, space, name="Office A", part_of=building.id, **WHOLE)
    b = make_unit(host, space, name="Office B", part_of=building.id, **WHOLE)
    return {"host": host, "building": building, "a": a, "b": b, "beside": beside}


def _book(unit, start=START, end=END, seats=1):
    with transaction():
        return requesting.request_booking(make_user(), unit.id, start, end, seats, now=NOW).first


def _block(unit, start=START, end=END):
    """A busy block as a calendar sync stores it (an imported calendar)."""
    with transaction():
        source = CalendarImport(unit_id=unit.id, source="file", content="", name="Agenda")
        db.session.add(source)
        db.session.flush()
        db.session.add(BusyBlock(import_id=source.id, unit_id=unit.id, start_at=start, end_at=end))


def _close(host, unit, start=START, end=END):
    with transaction():
        availability.add_closure(host, unit, start, end, "Travaux")


def _free(family, names=("building", "a", "b", "beside"), span=(START, END)):
    """Free seats of each unit over ``span``, by name, read one unit at a time and all at once;
    both readings must agree."""
    one = {n: fit(unit_state(family[n], *span, NOW), *span, 1).free for n in names}
    states = load_states([facts_of(family[n]) for n in names], *span, NOW)
    together = {n: fit(states[family[n].id], *span, 1).free for n in names}
    assert one == together
    return one


CASES = [
    # (what happens, on which unit, free seats then: building, A, B, beside)
    ("booking", "building", {"building": 0, "a": 0, "b": 0, "beside": 3}),
    ("booking", "a", {"building": 0, "a": 0, "b": 1, "beside": 3}),
    ("booking", "beside", {"building": 1, "a": 1, "b": 1, "beside": 2}),
    ("block", "building", {"building": 0, "a": 0, "b": 0, "beside": 3}),
    ("block", "b", {"building": 0, "a": 1, "b": 0, "beside": 3}),
    ("closure", "building", {"building": 0, "a": 0, "b": 0, "beside": 3}),
]


@pytest.mark.parametrize(("event", "on", "expected"), CASES)
def test_one_event_and_what_each_unit_has_free(family, event, on, expected):
    assert _free(family) == {"building": 1, "a": 1, "b": 1, "beside": 3}
    {"booking": _book, "block": _block, "closure": lambda u: _close(family["host"], u)}[event](
        family[on]
    )
    assert _free(family) == expected
    # Only at that time: later the same day, everything is free again.
    assert _free(family, span=LATER) == {"building": 1, "a": 1, "b": 1, "beside": 3}


@pytest.mark.parametrize(("event", "on", "expected"), CASES)
def test_the_booking_check_follows_the_rule(family, event, on, expected):
    {"booking": _book, "block": _block, "closure": lambda u: _close(family["host"], u)}[event](
        family[on]
    )
    for name, free in expected.items():
        if free:  # the quote says yes (booking it would change the others' answers)
            assert bookable(family[name], START, END, 1, NOW).ok, name
        else:
            with pytest.raises(Conflict) as caught:
                _book(family[name])
            # Its own block or closure says so; a linked unit's booking or block takes it whole.
            own = {"closure": "closure", "block": "blocked" if name == on else "full"}
            assert caught.value.extra["reason"] == own.get(event, "full"), name


def test_parts_do_not_constrain_each_other_and_together_fill_the_building(family):
    _book(family["a"])
    _book(family["b"])  # the other office, same time: fine
    outcome = bookable(family["building"], START, END, 1, NOW)
    assert not outcome.ok and outcome.status == 409 and outcome.reason == "full"
    # The building is taken exactly while either office is.
    _book(family["a"], *LATER)
    _book(family["b"], LATER[0] + timedelta(hours=1), LATER[1] + timedelta(hours=1))
    day = (START - timedelta(hours=1), LATER[1] + timedelta(hours=2))
    segments = timeline(unit_state(family["building"], *day, NOW), *day)
    busy = [(s.start, s.end) for s in segments if s.free == 0]
    assert busy == [(START, END), (LATER[0], LATER[1] + timedelta(hours=1))]


def test_a_part_booking_half_over_the_parent_one_is_refused(family):
    _book(family["building"], START, END)
    with pytest.raises(Conflict) as caught:
        _book(family["a"], END - timedelta(minutes=30), END + timedelta(hours=1))
    assert caught.value.extra["reason"] == "full"
    _book(family["a"], END, END + timedelta(hours=1))  # half-open: starts as the other ends


def test_a_cancelled_or_expired_family_booking_frees_the_others(family):
    from spaces.bookings import cancelling

    booking = _book(family["a"])
    with transaction():
        cancelling.cancel_booking(booking.user, booking, now=NOW)
    assert _free(family)["building"] == 1


def test_a_closure_of_a_part_leaves_its_siblings_free(family):
    _close(family["host"], family["a"])
    free = _free(family)
    assert free["a"] == 0 and free["b"] == 1


def test_closing_the_building_lists_the_offices_bookings(family):
    in_a = _book(family["a"])
    found = affected_bookings(family["host"], family["building"], START, END, now=NOW)
    assert [b.id for b in found] == [in_a.id]


def test_a_family_change_bumps_every_member_version(family):
    before = {n: family[n].availability_version for n in ("building", "a", "b", "beside")}
    _book(family["a"])
    db.session.expire_all()
    after = {n: family[n].availability_version for n in ("building", "a", "b", "beside")}
    # The office and its building changed (events, ETags); its sibling and the unit beside not.
    assert after["a"] > before["a"] and after["building"] > before["building"]
    assert after["b"] == before["b"] and after["beside"] == before["beside"]
    _book(family["building"], *LATER)
    db.session.expire_all()
    again = {n: family[n].availability_version for n in ("building", "a", "b", "beside")}
    # A booking of the building changes every office in it.
    assert again["a"] > after["a"] and again["b"] > after["b"]
    assert again["beside"] == before["beside"]


def test_a_parts_term_begun_long_before_still_takes_the_building_whole(family):
    """Older terms are read by their end (the loader bounds other bookings' starts to 92 days
    before the window): an office let for the year takes the building eight months in."""
    from datetime import date

    from spaces.bookings import terms

    office = make_unit(
        family["host"],
        family["building"].space,
        name="Office C",
        part_of=family["building"].id,
        **{**WHOLE, "prices": {"hour": 1500, "month": 90000}},
    )
    booker = make_user()
    with transaction():
        term = terms.request_term(booker, office.id, date(2027, 3, 1), date(2028, 2, 28), now=NOW)
    assert term.first.status == "confirmed"
    later = (START + timedelta(days=245), END + timedelta(days=245))
    assert _free(family, span=later) == {"building": 0, "a": 1, "b": 1, "beside": 3}


# --- terms: whole days, the same family rule ---------------------------------------------------

MARCH = (date(2027, 3, 1), date(2027, 3, 31))


def _offer_terms(family) -> None:
    """Every unit of the family (and the one beside) let by the month too."""
    with transaction():
        for name in ("building", "a", "b", "beside"):
            unit = db.session.get(Unit, family[name].id)
            unit.price_month, unit.price_day = 90000, 5000


def _term(unit, first=MARCH[0], last=MARCH[1]):
    with transaction():
        return terms.request_term(make_user(), unit.id, first, last, now=NOW).first


TERM_CASES = [
    # (what holds the time, on which unit, which units a term over March may still take)
    ("term", "building", {"beside"}),
    ("term", "a", {"b", "beside"}),
    ("booking", "building", {"beside"}),  # a 2-hour booking on 1 March is enough
    ("booking", "b", {"a", "beside"}),
    ("block", "a", {"b", "beside"}),
]


@pytest.mark.parametrize(("event", "on", "still_free"), TERM_CASES)
def test_a_term_follows_the_family_rule(family, event, on, still_free):
    """A building let for the month takes its offices whole, an office let (or booked for two
    hours, or busy) takes the building; siblings stay free. The dated term search says exactly
    what the booking then does."""
    _offer_terms(family)
    {"term": _term, "booking": _book, "block": _block}[event](family[on])
    query = SearchQuery(first_day=MARCH[0], last_day=MARCH[1])
    found = {m.unit_id for m in find(query, NOW)}
    names = {family[n].id: n for n in ("building", "a", "b", "beside")}
    assert {names[i] for i in found if i in names} == still_free
    for name in ("building", "a", "b", "beside"):
        if name == on:
            continue
        if name in still_free:
            assert _term(family[name], *MARCH).status == "confirmed", name
        else:
            with pytest.raises(Conflict) as caught:
                _term(family[name], date(2027, 3, 1), date(2027, 4, 15))
            assert caught.value.extra["reason"] == "full", name
