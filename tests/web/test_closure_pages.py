"""The host's closure form over booked time: a preview lists the bookings the closure covers, then
the host cancels them (each booker e-mailed the reason) or keeps them; without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from spaces.availability.hours import Window
from spaces.availability.models import Closure
from spaces.bookings.models import Booking
from spaces.bookings.requesting import request_booking
from spaces.db import transaction, utcnow
from spaces.extensions import db
from spaces.timeutils import parse_instant
from tests.factories import csrf_from, log_in, make_space, make_unit, make_user, set_hours

HOST = "host@example.org"
REASON = "Water leak"


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def place(app_ctx):
    host = make_user(HOST, name="Léa Hôte")
    booker = make_user("camille@example.org", name="Camille Martin", locale="en")
    space = make_space(host, name="La Cantine", units=0, publish=False)
    pool = make_unit(host, space, name="Open space", capacity=3)
    room = make_unit(host, space, name="Salle Loire", kind="meeting_room", capacity=8)
    set_hours(host, space, [Window(day, 8 * 60, 20 * 60) for day in range(7)])
    from spaces.listings import services

    with transaction():
        services.publish_space(host, space)
    return {"host": host, "booker": booker, "space": space, "pool": pool, "room": room}


def book(place, unit, start, end, seats=1) -> int:
    zone = ZoneInfo(place["space"].timezone)
    with transaction():
        result = request_booking(
            place["booker"],
            place[unit].id,
            parse_instant(start, zone),
            parse_instant(end, zone),
            seats,
        )
    return result.first.id


def status(booking_id: int) -> str:
    db.session.rollback()  # a fresh read
    return db.session.get(Booking, booking_id).status


def closures() -> list[Closure]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Closure)))


def html_of(response) -> str:
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def submit(client, url, data, html=None):
    """POST like a browser: the CSRF token of the page the form is on."""
    page = html if html is not None else html_of(client.get(url))
    return client.post(url, data={"csrf_token": csrf_from(page), **data})


def preview_rows(html: str) -> list[str]:
    return [
        text_of(row)
        for row in re.findall(r'<tr data-testid="affected-booking">(.*?)</tr>', html, re.S)
    ]


def confirm(client, url: str, html: str, **fields):
    """Press a button of the preview's form: its hidden fields go back as they are, with
    ``fields`` (the reason typed, the button pressed)."""
    form = html[html.index('id="closure-preview"') :]
    data: dict[str, list[str]] = {}
    for tag in re.findall(r"<input [^>]*>", form[: form.index("</form>")]):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden":
            data.setdefault(attributes["name"], []).append(unescape(attributes.get("value", "")))
    return client.post(url, data={**data, **fields})


def test_preview_lists_the_bookings_then_cancel_cancels_and_tells(client, place, outbox):
    winter = book(place, "pool", "2027-01-12T09:00", "2027-01-12T13:00", seats=2)
    other = book(place, "room", "2027-01-12T14:00", "2027-01-12T15:00")
    outside = book(place, "pool", "2027-01-13T09:00", "2027-01-13T10:00")
    log_in(client, HOST)
    url = f"/spaces/{place['space'].id}/closures"

    preview = submit(client, url, {"start": "2027-01-12T00:00", "end": "2027-01-13T00:00"})

    assert preview.status_code == 200
    html = html_of(preview)
    rows = preview_rows(html)
    assert len(rows) == 2  # a closure of the place covers both units
    assert "Jan 12, 2027" in rows[0] and "09:00" in rows[0] and "13:00" in rows[0]
    assert "Camille Martin" in rows[0] and " 2 " in f" {rows[0]} " and "Confirmed" in rows[0]
    assert "Salle Loire" in rows[1] and "14:00" in rows[1]
    assert "Cancel them and e-mail each booker the reason" in html
    assert closures() == []  # nothing saved yet
    before = len(outbox)

    done = confirm(client, url, html, reason=REASON, action="cancel")

    assert done.status_code == 302
    assert (status(winter), status(other), status(outside)) == (
        "cancelled",
        "cancelled",
        "confirmed",
    )
    [closure] = closures()
    assert closure.reason == REASON
    assert len(outbox) == before + 2  # one per booking (two different bookings of one booker)
    assert REASON in outbox.body(outbox.last("camille@example.org"))
    page = html_of(client.get(url))
    assert "2 bookings are cancelled and their bookers e-mailed" in text_of(page)
    assert 'data-testid="kept"' not in page


def test_keep_keeps_the_bookings_and_the_list_says_how_many(client, place, outbox):
    kept = book(place, "pool", "2027-01-12T09:00", "2027-01-12T13:00")
    log_in(client, HOST)
    url = f"/spaces/{place['space'].id}/closures"
    form = {"start": "2027-01-12T00:00", "end": "2027-01-13T00:00", "unit_id": place["pool"].id}
    html = html_of(submit(client, url, form))
    assert len(preview_rows(html)) == 1
    before = len(outbox)

    done = confirm(client, url, html, reason=REASON, action="keep")

    assert done.status_code == 302
    assert status(kept) == "confirmed" and len(outbox) == before
    [closure] = closures()
    assert closure.unit_id == place["pool"].id
    page = text_of(html_of(client.get(url)))
    assert "1 booking is kept: you honour it" in page
    assert "1 booking kept" in page


def test_without_affected_bookings_it_saves_at_once(client, place):
    book(place, "pool", "2027-01-13T09:00", "2027-01-13T10:00")  # the day after
    log_in(client, HOST)
    url = f"/spaces/{place['space'].id}/closures"
    done = submit(client, url, {"start": "2027-01-12T00:00", "end": "2027-01-13T00:00"})
    assert done.status_code == 302 and len(closures()) == 1


def test_cancel_without_a_reason_asks_for_one_and_keeps_the_list(client, place):
    booking = book(place, "pool", "2027-01-12T09:00", "2027-01-12T13:00")
    log_in(client, HOST)
    url = f"/spaces/{place['space'].id}/closures"
    form = {"start": "2027-01-12T00:00", "end": "2027-01-13T00:00"}
    html = html_of(submit(client, url, form))

    again = confirm(client, url, html, action="cancel")

    assert again.status_code == 422
    page = html_of(again)
    assert 'id="reason-error"' in page and "Give the bookers a reason" in page
    assert len(preview_rows(page)) == 1
    assert status(booking) == "confirmed" and closures() == []


def test_a_booking_made_after_the_preview_is_shown_before_anything_is_cancelled(client, place):
    first = book(place, "pool", "2027-01-12T09:00", "2027-01-12T10:00")
    log_in(client, HOST)
    url = f"/spaces/{place['space'].id}/closures"
    form = {"start": "2027-01-12T00:00", "end": "2027-01-13T00:00"}
    html = html_of(submit(client, url, form))
    second = book(place, "pool", "2027-01-12T11:00", "2027-01-12T12:00")  # meanwhile

    again = confirm(client, url, html, reason=REASON, action="cancel")

    assert again.status_code == 200
    assert len(preview_rows(html_of(again))) == 2
    assert "changed meanwhile" in html_of(again)
    assert (status(first), status(second)) == ("confirmed", "confirmed") and closures() == []


def test_the_preview_speaks_french(app, place):
    book(place, "pool", "2027-01-12T09:00", "2027-01-12T13:00")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    log_in(client, HOST)
    url = f"/spaces/{place['space'].id}/closures"
    html = html_of(submit(client, url, {"start": "2027-01-12T00:00", "end": "2027-01-13T00:00"}))
    text = text_of(html)
    assert "Réservations pendant cette fermeture" in text
    assert "janv. 2027" in preview_rows(html)[0] and "Confirmée" in preview_rows(html)[0]
    assert "Les annuler et écrire le motif à chaque personne" in text


def test_a_closure_past_the_bound_is_a_form_error(client, place):
    log_in(client, HOST)
    url = f"/spaces/{place['space'].id}/closures"
    for start, end, field in (
        ("2027-01-12T00:00", "9999-12-31T23:00", "end"),
        ("0001-01-01T00:00", "2027-01-12T00:00", "start"),
    ):
        response = submit(client, url, {"start": start, "end": end})
        assert response.status_code == 422
        assert f'id="{field}-error"' in html_of(response)
    assert closures() == []


def test_a_closure_at_the_bound_renders_every_page_of_the_place(client, place):
    space, pool = place["space"], place["pool"]
    last_day = (utcnow() + timedelta(days=3650)).date()
    log_in(client, HOST)
    url = f"/spaces/{space.id}/closures"
    done = submit(client, url, {"start": "2000-01-01T00:00", "end": f"{last_day}T23:00"})
    assert done.status_code == 302, text_of(html_of(done))[:500]
    assert len(closures()) == 1
    dated = "start=2027-01-12T09:00&end=2027-01-12T10:00"
    for path in (
        url,
        f"/spaces/{space.id}",
        f"/spaces/{space.id}/edit",
        f"/spaces/{space.id}/hours",
        f"/spaces/{space.id}/units/{pool.id}/edit",
        f"/spaces/{space.id}/units/{pool.id}/hours",
        f"/units/{pool.id}/book",
        f"/units/{pool.id}/coming-days",
        "/my/spaces",
        "/host/bookings",
        f"/search?near=Tours&{dated}",
        f"/api/v1/units/{pool.id}/availability?{dated}",
    ):
        assert client.get(path).status_code == 200, path
