"""Closures over booked time (API): the 201 lists the live bookings the closure covers; with
``cancel_bookings`` they are cancelled and each booker is told, in their language and local time;
closures are bounded so that whatever is stored can be shown back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from spaces.availability.hours import Window
from spaces.availability.models import Closure
from spaces.bookings.models import Booking
from spaces.db import transaction, utcnow
from spaces.extensions import db

HOST = "host@example.org"
BOOKER = "camille@example.org"  # reads English
FRENCH = "dominique@example.org"  # reads French
REASON = "Dégât des eaux"


# Open every day 8:00–20:00.
pytestmark = pytest.mark.world(
    [Window(day, 8 * 60, 20 * 60) for day in range(7)],
    locale="en",
    people={"f": (FRENCH, "Dominique Petit", "fr")},
)


def book(client, world, start, end, who="b", unit="pool", **extra):
    response = client.post(
        "/api/v1/bookings",
        json={"unit_id": world[unit], "start": start, "end": end, **extra},
        headers=world[who],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def close(client, world, start, end, *, on="pool", reason=REASON, **extra):
    owner, target = ("spaces", world["space"].id) if on == "space" else ("units", world[on])
    return client.post(
        f"/api/v1/{owner}/{target}/closures",
        json={"start": start, "end": end, "reason": reason, **extra},
        headers=world["h"],
    )


def status_of(client, world, booking, who="b") -> str:
    return client.get(f"/api/v1/bookings/{booking['id']}", headers=world[who]).get_json()["status"]


def free_at(client, world, start, end, unit="pool") -> list[int]:
    response = client.get(
        f"/api/v1/units/{world[unit]}/availability", query_string={"start": start, "end": end}
    )
    assert response.status_code == 200, response.get_json()
    return [item["free"] for item in response.get_json()["items"]]


def closures_count() -> int:
    db.session.rollback()  # a fresh read (SQLite keeps the test's snapshot otherwise)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Closure))


def test_the_201_lists_affected_bookings_and_leaves_them_confirmed(client, world, outbox):
    inside = book(client, world, "2027-01-12T09:00", "2027-01-12T13:00")
    outside = book(client, world, "2027-01-14T09:00", "2027-01-14T13:00")
    other_unit = book(client, world, "2027-01-12T09:00", "2027-01-12T10:00", unit="room")
    cancelled = book(client, world, "2027-01-12T14:00", "2027-01-12T15:00", who="f")
    client.post(f"/api/v1/bookings/{cancelled['id']}/cancel", headers=world["f"])
    mails_before = len(outbox)

    response = close(client, world, "2027-01-12T00:00", "2027-01-13T00:00")

    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["cancelled_bookings"] is False
    [affected] = data["affected_bookings"]
    assert affected["id"] == inside["id"]
    assert (affected["start"], affected["end"]) == (
        "2027-01-12T09:00:00+01:00",
        "2027-01-12T13:00:00+01:00",
    )
    assert affected["status"] == "confirmed"
    assert affected["booker"]["name"] == "Camille Martin"
    # Kept: nothing changes for anyone, and nobody is told.
    assert status_of(client, world, inside) == "confirmed"
    assert status_of(client, world, outside) == "confirmed"
    assert status_of(client, world, other_unit) == "requested"
    assert len(outbox) == mails_before
    # The closure stands: the rest of the day is closed, the kept booking still holds its seat.
    assert free_at(client, world, "2027-01-12T14:00", "2027-01-12T15:00") == [0]
    client.delete(f"/api/v1/closures/{data['id']}", headers=world["h"])
    assert free_at(client, world, "2027-01-12T09:00", "2027-01-12T10:00") == [2]


def test_cancel_bookings_cancels_tells_the_booker_and_frees_the_seats(client, world, outbox, app):
    inside = book(client, world, "2027-01-12T09:00", "2027-01-12T13:00", seats=2)
    outside = book(client, world, "2027-01-14T09:00", "2027-01-14T13:00")
    other_unit = book(client, world, "2027-01-12T09:00", "2027-01-12T10:00", unit="room")
    already = book(client, world, "2027-01-12T14:00", "2027-01-12T15:00", who="f")
    client.post(f"/api/v1/bookings/{already['id']}/cancel", headers=world["f"])
    subscription = app.extensions["spaces_events"].subscribe([world["pool"]])
    before = len(outbox)

    response = close(client, world, "2027-01-12T00:00", "2027-01-13T00:00", cancel_bookings=True)

    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["cancelled_bookings"] is True
    assert [(b["id"], b["status"]) for b in data["affected_bookings"]] == [
        (inside["id"], "cancelled")
    ]
    assert status_of(client, world, inside) == "cancelled"
    booking = client.get(f"/api/v1/bookings/{inside['id']}", headers=world["b"]).get_json()
    assert booking["reason"] == REASON
    # Untouched: outside the closure, another unit's, and the one cancelled before.
    assert status_of(client, world, outside) == "confirmed"
    assert status_of(client, world, other_unit) == "requested"
    assert status_of(client, world, already, who="f") == "cancelled"
    # One mail, to that booker, with the reason and a cancellation for their calendar.
    assert len(outbox) == before + 1
    message = outbox.last(BOOKER)
    assert message["Subject"].startswith("Booking cancelled")
    body = outbox.body(message)
    assert REASON in body and "The host cancelled your booking." in body
    assert inside["reference"] in message["Subject"]
    # An availability event went out to the pool's watchers.
    event = subscription.get(timeout=2)
    subscription.close()
    assert event is not None and event["unit_id"] == world["pool"]
    # The seats are free again once the closure is lifted.
    client.delete(f"/api/v1/closures/{data['id']}", headers=world["h"])
    assert free_at(client, world, "2027-01-12T09:00", "2027-01-12T13:00") == [3]


def test_cancel_mails_show_the_booking_in_local_time_winter_and_summer(client, world, outbox):
    winter = book(client, world, "2027-01-12T09:00", "2027-01-12T13:00")  # UTC+1
    summer = book(client, world, "2027-07-13T09:00", "2027-07-13T13:00", who="f")  # UTC+2
    assert close(client, world, "2027-01-12T00:00", "2027-01-13T00:00", cancel_bookings=True)
    assert close(client, world, "2027-07-13T00:00", "2027-07-14T00:00", cancel_bookings=True)
    english = outbox.body(outbox.last(BOOKER))
    french = outbox.body(outbox.last(FRENCH))
    assert winter["reference"] in outbox.last(BOOKER)["Subject"]
    assert summer["reference"] in outbox.last(FRENCH)["Subject"]
    assert "January" in english and "juillet" in french  # each in their language
    assert "Motif" in french and REASON in french
    for body in (english, french):
        assert "09:00" in body and "13:00" in body, body
        assert not {"10:00", "11:00", "14:00", "15:00"} & set(body.split()), body


def test_a_space_closure_covers_every_unit(client, world):
    desk = book(client, world, "2027-01-12T09:00", "2027-01-12T13:00")
    room = book(client, world, "2027-01-12T15:00", "2027-01-12T16:00", unit="room", who="f")
    later = book(client, world, "2027-01-13T09:00", "2027-01-13T13:00")

    response = close(
        client, world, "2027-01-12T00:00", "2027-01-13T00:00", on="space", cancel_bookings=True
    )

    assert response.status_code == 201, response.get_json()
    affected = response.get_json()["affected_bookings"]
    assert [b["id"] for b in affected] == [desk["id"], room["id"]]  # soonest first
    assert {b["booker"]["name"] for b in affected} == {"Camille Martin", "Dominique Petit"}
    assert status_of(client, world, desk) == "cancelled"
    assert status_of(client, world, room, who="f") == "cancelled"
    assert status_of(client, world, later) == "confirmed"


def test_only_the_covered_dates_of_a_series_are_cancelled(client, world, outbox):
    first = book(
        client,
        world,
        "2027-02-01T09:00",
        "2027-02-01T13:00",
        repeat={"weekdays": [0], "until": "2027-02-22"},  # four Mondays
    )
    dates = {o["start"][:10]: o["id"] for o in first["occurrences"]}
    before = len(outbox)

    response = close(client, world, "2027-02-07T00:00", "2027-02-16T00:00", cancel_bookings=True)

    assert [b["id"] for b in response.get_json()["affected_bookings"]] == [
        dates["2027-02-08"],
        dates["2027-02-15"],
    ]
    statuses = {
        day: status_of(client, world, {"id": booking_id}) for day, booking_id in dates.items()
    }
    assert statuses == {
        "2027-02-01": "confirmed",
        "2027-02-08": "cancelled",
        "2027-02-15": "cancelled",
        "2027-02-22": "confirmed",
    }
    assert len(outbox) == before + 1  # one mail for the series' two dates
    assert "(and 1 more date)" in outbox.body(outbox.last(BOOKER))


def test_requests_count_until_they_expire(client, world, app_ctx):
    pending = book(client, world, "2027-01-12T09:00", "2027-01-12T10:00", unit="room")
    lapsed = book(client, world, "2027-01-12T11:00", "2027-01-12T12:00", unit="room", who="f")
    with transaction():
        db.session.get(Booking, lapsed["id"]).expires_at = utcnow() - timedelta(minutes=1)

    response = close(client, world, "2027-01-12T00:00", "2027-01-13T00:00", on="room")

    assert [(b["id"], b["status"]) for b in response.get_json()["affected_bookings"]] == [
        (pending["id"], "requested")
    ]


def test_cancelling_bookings_needs_a_reason_for_the_bookers(client, world):
    inside = book(client, world, "2027-01-12T09:00", "2027-01-12T13:00")
    response = close(
        client, world, "2027-01-12T00:00", "2027-01-13T00:00", reason=" ", cancel_bookings=True
    )
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    assert status_of(client, world, inside) == "confirmed" and closures_count() == 0


@pytest.mark.parametrize("value", ["yes", 1, ["true"]])
def test_cancel_bookings_must_be_a_boolean(client, world, value):
    response = close(client, world, "2027-01-12T00:00", "2027-01-13T00:00", cancel_bookings=value)
    assert response.status_code == 422
    assert "cancel_bookings" in response.get_json()["error"]["fields"]
    assert closures_count() == 0


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2027-01-12T00:00", "9999-12-31T00:00", "end"),
        ("2027-01-12T00:00", "9999-12-31T23:59:00Z", "end"),  # once stored: 500 on every page
        ("0001-01-01T00:00", "2027-01-12T00:00", "start"),
        ("1999-12-31T00:00", "2027-01-12T00:00", "start"),
        ("2050-01-01T00:00", "2050-01-02T00:00", "end"),
    ],
)
def test_closures_out_of_bounds_are_422_and_store_nothing(client, world, start, end, field):
    for on in ("pool", "space"):
        response = close(client, world, start, end, on=on)
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["error"]["fields"]
    assert closures_count() == 0


def test_a_closure_at_the_bounds_is_served_back_everywhere(client, world):
    """The longest closures accepted still show on every page and API that reads them."""
    last_day = (utcnow() + timedelta(days=3650)).date()  # just inside ten years
    long = close(client, world, "2000-01-01T00:00", f"{last_day.isoformat()}T23:00", on="space")
    assert long.status_code == 201, long.get_json()
    unit = close(client, world, "2027-01-12T00:00", f"{last_day.isoformat()}T23:00")
    assert unit.status_code == 201, unit.get_json()
    assert long.get_json()["end"].startswith(last_day.isoformat())
    space, pool = world["space"].id, world["pool"]

    for path in (f"/api/v1/spaces/{space}/closures", f"/api/v1/units/{pool}/closures"):
        assert client.get(path).status_code == 200, path
    around_end = {
        "start": f"{(last_day - timedelta(days=3)).isoformat()}T00:00",
        "end": f"{(last_day + timedelta(days=3)).isoformat()}T00:00",
    }
    items = client.get(f"/api/v1/units/{pool}/availability", query_string=around_end)
    assert items.status_code == 200, items.get_json()
    assert items.get_json()["items"][0]["free"] == 0  # closed until the end
    search = client.get(
        "/api/v1/search",
        query_string={"start": "2027-01-12T09:00", "end": "2027-01-12T10:00", "near": "Tours"},
    )
    assert search.status_code == 200 and search.get_json()["total"] == 0
    assert client.get(f"/api/v1/spaces/{space}").status_code == 200
    assert client.get(f"/spaces/{space}").status_code == 200
    assert (
        client.get("/search?near=Tours&start=2027-01-12T09:00&end=2027-01-12T10:00").status_code
        == 200
    )
