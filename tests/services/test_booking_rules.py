"""The booking rules, table by table, through the services and without HTTP: the rules of a unit
(order, length, past, seats, minimum and maximum duration, notice), seats in a pool against a unit
booked whole, series (weekdays, end date, the 200-date bound, all-or-nothing or skip_conflicts),
moves (re-checked, the booking itself left out, not once the unit is withdrawn), the cancel limit
(the booker before it, the host at any time with a reason), and the states of a request (approved,
declined, expired).

The clock is passed in (``now=``): the dates are fixed, 2027-03-01 is a Monday, and the world is
open Monday to Friday 8:00–19:00 (Europe/Paris), see ``tests.factories.make_world``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from spaces.bookings.cancelling import cancel_booking
from spaces.bookings.deciding import approve_booking, decline_booking, record_expired_requests
from spaces.bookings.models import Booking
from spaces.bookings.moving import move_booking
from spaces.bookings.requesting import request_booking
from spaces.bookings.rules import check_rules
from spaces.db import transaction
from spaces.errors import Conflict, Forbidden, Invalid
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from tests.factories import make_user

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=PARIS)  # four weeks before the Monday the tests book


def at(text: str) -> datetime:
    """'2027-03-01 09:00' in Paris."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def unit(world, which: str = "pool", **fields) -> Unit:
    """The world's pool or room, with ``fields`` set (and committed) first."""
    found = db.session.get(Unit, world[which])
    if fields:
        with transaction():
            for key, value in fields.items():
                setattr(found, key, value)
    return found


def booker(world):
    return world["booker"]


def book(world, start, end, seats=1, *, who=None, which="pool", now=NOW, **extra):
    with transaction():
        result = request_booking(
            who or world["booker"], world[which], at(start), at(end), seats, now=now, **extra
        )
    return result


def statuses(unit_id: int) -> list[tuple[str, str]]:
    """(local start, status) of a unit's bookings, by start."""
    db.session.rollback()
    rows = db.session.scalars(
        sa.select(Booking).where(Booking.unit_id == unit_id).order_by(Booking.start_at)
    )
    return [(b.start_at.astimezone(PARIS).strftime("%m-%d %H:%M"), b.status) for b in rows]


# --- the rules of a unit (check_rules) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "fields", "start", "end", "seats", "broken", "field"),
    [
        ("pool", {}, "2027-03-01 09:00", "2027-03-01 10:00", 1, None, None),
        ("pool", {}, "2027-03-01 10:00", "2027-03-01 10:00", 1, "order", "end"),
        ("pool", {}, "2027-03-01 10:00", "2027-03-01 09:00", 1, "order", "end"),
        ("pool", {}, "2027-03-01 09:00", "2027-06-01 10:00", 1, "too_long", "end"),
        ("pool", {}, "2027-01-31 09:00", "2027-01-31 10:00", 1, "past", "start"),
        ("pool", {}, "2027-03-01 09:00", "2027-03-01 10:00", 0, "seats", "seats"),
        ("pool", {}, "2027-03-01 09:00", "2027-03-01 10:00", 3, None, None),  # the whole pool
        ("pool", {}, "2027-03-01 09:00", "2027-03-01 10:00", 4, "seats", "seats"),
        ("room", {}, "2027-03-01 09:00", "2027-03-01 10:00", 1, None, None),
        ("room", {}, "2027-03-01 09:00", "2027-03-01 10:00", 2, "seats", "seats"),  # booked whole
        ("pool", {"min_minutes": 120}, "2027-03-01 09:00", "2027-03-01 10:59", 1, "min", "end"),
        ("pool", {"min_minutes": 120}, "2027-03-01 09:00", "2027-03-01 11:00", 1, None, None),
        ("pool", {"max_minutes": 240}, "2027-03-01 09:00", "2027-03-01 13:00", 1, None, None),
        ("pool", {"max_minutes": 240}, "2027-03-01 09:00", "2027-03-01 13:01", 1, "max", "end"),
        # notice: from NOW (1 February 9:00), 30 days lands on 3 March 9:00
        ("pool", {"notice_minutes": 30 * 1440}, "2027-03-03 08:59", "2027-03-03 10:00", 1,
         "notice", "start"),
        ("pool", {"notice_minutes": 30 * 1440}, "2027-03-03 09:00", "2027-03-03 10:00", 1,
         None, None),
    ],
)  # fmt: skip
def test_the_rules_of_a_unit(world, which, fields, start, end, seats, broken, field):
    subject = unit(world, which, **fields)
    if broken is None:
        check_rules(subject, at(start), at(end), seats, NOW)
        return
    with pytest.raises(Invalid) as caught:
        check_rules(subject, at(start), at(end), seats, NOW)
    assert caught.value.rule == broken
    assert list(caught.value.fields) == [field]


def test_a_capacity_cap_lowers_the_seats_of_a_pool(world):
    pool = unit(world)
    with transaction():
        db.session.get(Space, pool.space_id).capacity_cap_percent = 50
    db.session.refresh(pool)
    assert pool.effective_capacity == 1
    check_rules(pool, at("2027-03-01 09:00"), at("2027-03-01 10:00"), 1, NOW)
    with pytest.raises(Invalid) as caught:
        check_rules(pool, at("2027-03-01 09:00"), at("2027-03-01 10:00"), 2, NOW)
    assert caught.value.rule == "seats"


def test_a_broken_rule_writes_nothing(world):
    unit(world, min_minutes=120)
    with pytest.raises(Invalid):
        book(world, "2027-03-01 09:00", "2027-03-01 10:00")
    assert statuses(world["pool"]) == []


# --- seats: a pool shares them, a room is booked whole -------------------------------------------


@pytest.mark.parametrize(
    ("which", "taken", "asked", "fits"),
    [
        ("pool", [1, 1], 1, True),
        ("pool", [2], 1, True),
        ("pool", [2], 2, False),
        ("pool", [1, 1, 1], 1, False),
        ("room", [1], 1, False),  # one booking takes the whole room
    ],
)
def test_seats_of_a_pool_and_of_a_unit_booked_whole(world, which, taken, asked, fits):
    others = [make_user() for _ in taken]
    for person, seats in zip(others, taken, strict=True):
        book(world, "2027-03-01 09:00", "2027-03-01 12:00", seats, who=person, which=which)
    if fits:
        assert book(world, "2027-03-01 10:00", "2027-03-01 11:00", asked, which=which).bookings
        return
    with pytest.raises(Conflict) as caught:
        book(world, "2027-03-01 10:00", "2027-03-01 11:00", asked, which=which)
    assert caught.value.code == "unavailable" and caught.value.extra["reason"] == "full"
    assert len(statuses(world[which])) == len(taken)


@pytest.mark.parametrize("which", ["pool", "room"])
def test_back_to_back_bookings_do_not_overlap(world, which):
    seats = 3 if which == "pool" else 1
    book(world, "2027-03-01 09:00", "2027-03-01 12:00", seats, which=which)
    book(world, "2027-03-01 12:00", "2027-03-01 15:00", seats, which=which, who=make_user())
    assert len(statuses(world[which])) == 2


@pytest.mark.parametrize(
    ("which", "status", "expires"),
    [
        ("pool", "confirmed", None),
        ("room", "requested", NOW + timedelta(hours=48)),  # the host has 48 hours to answer
    ],
)
def test_instant_units_confirm_and_the_others_are_requested(world, which, status, expires):
    (made,) = book(world, "2027-03-01 09:00", "2027-03-01 10:00", which=which).bookings
    assert made.status == status and made.expires_at == expires


def test_a_request_expires_at_its_start_when_that_comes_first(world):
    (made,) = book(
        world, "2027-03-01 09:00", "2027-03-01 10:00", which="room", now=at("2027-02-28 12:00")
    ).bookings
    assert made.expires_at == at("2027-03-01 09:00")


# --- series ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekdays", "until", "dates"),
    [
        ([0], "2027-03-15", ["03-01", "03-08", "03-15"]),  # until is included
        ([0, 2], "2027-03-09", ["03-01", "03-03", "03-08"]),
        ([2, 0], "2027-03-03", ["03-01", "03-03"]),  # the order of the weekdays is free
        ([0, 1, 2, 3, 4], "2027-03-05", ["03-01", "03-02", "03-03", "03-04", "03-05"]),
    ],
)
def test_a_series_books_the_listed_weekdays_until_the_end_date(world, weekdays, until, dates):
    result = book(
        world,
        "2027-03-01 09:00",
        "2027-03-01 11:00",
        repeat={"weekdays": weekdays, "until": datetime.fromisoformat(until).date()},
    )
    assert result.series is not None and result.skipped == []
    assert statuses(world["pool"]) == [(f"{day} 09:00", "confirmed") for day in dates]


@pytest.mark.parametrize(
    ("weekdays", "until", "field"),
    [
        ([5, 6], "2027-03-05", "repeat.weekdays"),  # no Saturday or Sunday before the end
        ([0, 1, 2, 3, 4, 5, 6], "2027-09-17", "repeat.until"),  # 201 dates
        ([0], "2031-01-13", "repeat.until"),  # beyond 200 weeks: refused before the walk
    ],
)
def test_a_series_that_cannot_be_booked_is_invalid(world, weekdays, until, field):
    with pytest.raises(Invalid) as caught:
        book(
            world,
            "2027-03-01 09:00",
            "2027-03-01 11:00",
            repeat={"weekdays": weekdays, "until": datetime.fromisoformat(until).date()},
        )
    assert list(caught.value.fields) == [field]
    assert statuses(world["pool"]) == []


def test_a_series_of_exactly_200_dates_is_accepted(world):
    result = book(
        world,
        "2027-03-01 09:00",
        "2027-03-01 10:00",
        repeat={"weekdays": list(range(7)), "until": datetime(2027, 9, 16).date()},
        skip_conflicts=True,  # weekends are closed: skipped, not refused
    )
    assert len(result.bookings) + len(result.skipped) == 200


def test_a_series_is_all_or_nothing_unless_conflicts_are_skipped(world):
    book(world, "2027-03-08 09:00", "2027-03-08 12:00", 3, who=make_user())  # the pool is full
    repeat = {"weekdays": [0], "until": datetime(2027, 3, 15).date()}
    with pytest.raises(Conflict) as caught:
        book(world, "2027-03-01 10:00", "2027-03-01 11:00", repeat=repeat)
    assert caught.value.code == "unavailable"
    assert [(c["date"], c["reason"]) for c in caught.value.extra["conflicts"]] == [
        ("2027-03-08", "full")
    ]
    assert statuses(world["pool"]) == [("03-08 09:00", "confirmed")]  # nothing was written

    result = book(world, "2027-03-01 10:00", "2027-03-01 11:00", repeat=repeat, skip_conflicts=True)
    assert [s["date"] for s in result.skipped] == ["2027-03-08"]
    assert statuses(world["pool"]) == [
        ("03-01 10:00", "confirmed"),
        ("03-08 09:00", "confirmed"),
        ("03-15 10:00", "confirmed"),
    ]


def test_skipping_conflicts_still_refuses_a_series_where_nothing_fits(world):
    book(world, "2027-03-01 09:00", "2027-03-01 12:00", 3, who=make_user())
    repeat = {
        "weekdays": [0, 5],
        "until": datetime(2027, 3, 6).date(),
    }  # Monday full, Saturday shut
    with pytest.raises(Conflict) as caught:
        book(world, "2027-03-01 10:00", "2027-03-01 11:00", repeat=repeat, skip_conflicts=True)
    assert [c["date"] for c in caught.value.extra["conflicts"]] == ["2027-03-01", "2027-03-06"]
    assert len(statuses(world["pool"])) == 1


# --- moves -------------------------------------------------------------------------------------


def test_a_move_leaves_the_booking_itself_out_of_the_check(world):
    (mine,) = book(world, "2027-03-01 09:00", "2027-03-01 11:00", 3).bookings
    before = mine.sequence
    with transaction():  # the whole pool, an hour later: it overlaps only itself
        moved = move_booking(
            booker(world), mine, at("2027-03-01 10:00"), at("2027-03-01 12:00"), now=NOW
        )
    assert (moved.start_at, moved.end_at, moved.seats) == (
        at("2027-03-01 10:00"),
        at("2027-03-01 12:00"),
        3,
    )
    assert moved.sequence == before + 1


@pytest.mark.parametrize(
    ("start", "end", "seats", "error", "why"),  # why: the refusal's reason, or the bad field
    [
        ("2027-03-01 13:00", "2027-03-01 14:00", 1, Conflict, "full"),  # someone else's 3 seats
        ("2027-03-01 18:00", "2027-03-01 20:00", 1, Conflict, "hours"),  # closes at 19:00
        ("2027-03-06 09:00", "2027-03-06 10:00", 1, Conflict, "hours"),  # a Saturday
        ("2027-03-01 09:00", "2027-03-01 10:00", 4, Invalid, "seats"),
        ("2027-01-29 09:00", "2027-01-29 10:00", 1, Invalid, "start"),  # in the past
    ],
)
def test_a_move_is_re_checked_like_a_new_booking(world, start, end, seats, error, why):
    book(world, "2027-03-01 13:00", "2027-03-01 15:00", 3, who=make_user())
    (mine,) = book(world, "2027-03-01 09:00", "2027-03-01 10:00").bookings
    with pytest.raises(error) as caught, transaction():
        move_booking(booker(world), mine, at(start), at(end), seats, now=NOW)
    if error is Conflict:
        assert caught.value.extra["reason"] == why
    else:
        assert list(caught.value.fields) == [why]
    assert statuses(world["pool"]) == [("03-01 09:00", "confirmed"), ("03-01 13:00", "confirmed")]


def test_a_booking_of_a_withdrawn_unit_cannot_be_moved(world):
    from spaces.listings.services import deactivate_unit

    (mine,) = book(world, "2027-03-01 09:00", "2027-03-01 10:00").bookings
    with transaction():
        deactivate_unit(world["host"], unit(world))
    with pytest.raises(Conflict) as caught, transaction():
        move_booking(booker(world), mine, at("2027-03-01 11:00"), at("2027-03-01 12:00"), now=NOW)
    assert caught.value.extra["reason"] == "withdrawn"
    assert statuses(world["pool"]) == [("03-01 09:00", "confirmed")]


def test_only_the_booker_and_the_host_move_a_booking(world):
    (mine,) = book(world, "2027-03-01 09:00", "2027-03-01 10:00").bookings
    with pytest.raises(Forbidden), transaction():
        move_booking(make_user(), mine, at("2027-03-01 11:00"), at("2027-03-01 12:00"), now=NOW)
    with transaction():
        move_booking(world["host"], mine, at("2027-03-01 11:00"), at("2027-03-01 12:00"), now=NOW)
    assert statuses(world["pool"]) == [("03-01 11:00", "confirmed")]


# --- cancelling --------------------------------------------------------------------------------

START = "2027-03-01 09:00"  # the booking's start in the cancel table


@pytest.mark.parametrize(
    ("who", "before_start", "reason", "outcome"),
    [
        ("booker", timedelta(hours=25), "", "cancelled"),
        ("booker", timedelta(hours=24), "", "cancelled"),  # right at the limit
        ("booker", timedelta(hours=23), "", Conflict),  # too late: contact the host
        ("host", timedelta(hours=1), "Dégât des eaux", "cancelled"),  # the host at any time
        ("host", timedelta(days=10), "", Invalid),  # with a reason for the booker
        ("host", timedelta(days=10), "   ", Invalid),
        ("stranger", timedelta(days=10), "", Forbidden),
    ],
)
def test_the_cancel_limit(world, who, before_start, reason, outcome):
    unit(world, cancel_until_minutes=24 * 60)
    (made,) = book(world, START, "2027-03-01 10:00").bookings
    actor = {"booker": world["booker"], "host": world["host"], "stranger": make_user()}[who]
    now = at(START) - before_start
    if isinstance(outcome, str):
        with transaction():
            (cancelled,) = cancel_booking(actor, made, reason=reason, now=now)
        assert cancelled.cancelled_by_id == actor.id and cancelled.reason == reason
    else:
        with pytest.raises(outcome), transaction():
            cancel_booking(actor, made, reason=reason, now=now)
    assert statuses(world["pool"]) == [("03-01 09:00", outcome if isinstance(outcome, str) else
                                        "confirmed")]  # fmt: skip


def test_a_cancelled_booking_cannot_be_cancelled_again(world):
    (made,) = book(world, START, "2027-03-01 10:00").bookings
    with transaction():
        cancel_booking(world["booker"], made, now=NOW)
    with pytest.raises(Conflict) as caught, transaction():
        cancel_booking(world["booker"], made, now=NOW)
    assert caught.value.code == "invalid_state"


@pytest.mark.parametrize(
    ("scope", "from_date", "left"),
    [
        ("one", "03-08", ["confirmed", "cancelled", "confirmed"]),
        ("following", "03-08", ["confirmed", "cancelled", "cancelled"]),
        ("series", "03-08", ["cancelled", "cancelled", "cancelled"]),
    ],
)
def test_cancelling_a_series(world, scope, from_date, left):
    repeat = {"weekdays": [0], "until": datetime(2027, 3, 15).date()}
    result = book(world, START, "2027-03-01 10:00", repeat=repeat)
    chosen = next(
        b for b in result.bookings if b.start_at.astimezone(PARIS).strftime("%m-%d") == from_date
    )
    with transaction():
        cancel_booking(world["booker"], chosen, scope=scope, now=NOW)
    assert [status for _, status in statuses(world["pool"])] == left


def test_the_cancel_limit_keeps_the_late_dates_of_a_series(world):
    unit(world, cancel_until_minutes=24 * 60)
    repeat = {"weekdays": [0], "until": datetime(2027, 3, 15).date()}
    result = book(world, START, "2027-03-01 10:00", repeat=repeat)
    with transaction():  # Sunday noon: Monday's date is within the limit, the others are not
        cancelled = cancel_booking(
            world["booker"], result.first, scope="series", now=at("2027-02-28 12:00")
        )
    assert len(cancelled) == 2
    assert [status for _, status in statuses(world["pool"])] == [
        "confirmed",
        "cancelled",
        "cancelled",
    ]


# --- requests: approve, decline, expire --------------------------------------------------------


def request(world, start="2027-03-01 09:00", end="2027-03-01 10:00", **kw) -> Booking:
    return book(world, start, end, which="room", **kw).first


@pytest.mark.parametrize(
    ("decide", "status"),
    [
        (lambda host, b: approve_booking(host, b, now=NOW), "confirmed"),
        (lambda host, b: decline_booking(host, b, "Salle prise", now=NOW), "declined"),
    ],
    ids=["approve", "decline"],
)
def test_the_host_answers_a_request_once(world, decide, status):
    pending = request(world)
    with pytest.raises(Forbidden), transaction():
        decide(world["booker"], pending)  # the booker cannot answer their own request
    with transaction():
        decided = decide(world["host"], pending)
    assert decided.status == status and decided.decided_by_id == world["host"].id
    for again in (approve_booking, decline_booking):
        with pytest.raises(Conflict) as caught, transaction():
            again(world["host"], pending, now=NOW)
        assert caught.value.code == "invalid_state"
    assert statuses(world["room"]) == [("03-01 09:00", status)]


def test_a_declined_request_gives_the_reason_and_frees_the_room(world):
    pending = request(world)
    with transaction():
        decline_booking(world["host"], pending, "Salle prise", now=NOW)
    assert pending.reason == "Salle prise"
    assert request(world, who=make_user()).status == "requested"


def test_a_request_holds_the_room_until_it_expires(world):
    request(world)  # expires 48 hours after NOW
    with pytest.raises(Conflict):
        request(world, who=make_user(), now=NOW + timedelta(hours=47))
    assert request(world, who=make_user(), now=NOW + timedelta(hours=48)).status == "requested"


@pytest.mark.parametrize(
    ("hours_later", "expired"),
    [(47, False), (48, True), (72, True)],
)
def test_unanswered_requests_are_recorded_as_expired(world, hours_later, expired):
    pending = request(world)
    confirmed = book(world, "2027-03-01 09:00", "2027-03-01 10:00").first
    with transaction():
        recorded = record_expired_requests(NOW + timedelta(hours=hours_later))
    assert [b.id for b in recorded] == ([pending.id] if expired else [])
    db.session.rollback()
    assert db.session.get(Booking, pending.id).status == ("expired" if expired else "requested")
    assert db.session.get(Booking, confirmed.id).status == "confirmed"


def test_an_expired_request_can_no_longer_be_answered_or_moved(world):
    pending = request(world)
    later = NOW + timedelta(hours=49)  # past its expiry, recorded or not
    for answer in (
        lambda: approve_booking(world["host"], pending, now=later),
        lambda: decline_booking(world["host"], pending, now=later),
        lambda: move_booking(
            world["booker"], pending, at("2027-03-02 09:00"), at("2027-03-02 10:00"), now=later
        ),
        lambda: cancel_booking(world["booker"], pending, now=later),
    ):
        with pytest.raises(Conflict) as caught, transaction():
            answer()
        assert caught.value.code == "invalid_state"
    assert statuses(world["room"]) == [("03-01 09:00", "requested")]
