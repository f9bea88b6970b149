"""Booking e-mails carry the booking as an iCalendar invitation; the day-before reminder."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from spaces.availability.hours import Window
from spaces.db import transaction, utcnow
from tests.factories import make_space, make_unit, set_hours

PARIS = ZoneInfo("Europe/Paris")
BOOKER = "camille@example.org"
HOST = "host@example.org"


# Every day, all day: the reminder tests book around midnight.
pytestmark = pytest.mark.world(
    [Window(day, 0, 24 * 60) for day in range(7)],
    locale="en",
    people={"f": ("dominique@example.org", "Dominique", "fr")},
)


def book(client, world, who="b", unit="pool", start="2027-03-01T09:00", end="2027-03-01T13:00"):
    response = client.post(
        "/api/v1/bookings",
        json={"unit_id": world[unit], "start": start, "end": end},
        headers=world[who],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def invite_of(message):
    """(method parameter, the parsed VEVENT) of the message's text/calendar part."""
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    part = parts[0]
    assert part.get_filename() == "invite.ics"
    text = part.get_content()
    strict = IcsCalendarStream.calendar_from_ics(text)
    calendar = icalendar.Calendar.from_ical(text)
    assert str(calendar["METHOD"]) == part.get_param("method") == strict.method
    (event,) = calendar.walk("VEVENT")
    return part.get_param("method"), event


def calendar_parts(message) -> list:
    return [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]


def feed_uids(client, world, who="b") -> set[str]:
    token = client.post("/api/v1/calendar-tokens", json={"scope": "me"}, headers=world[who])
    path = "/calendars/" + token.get_json()["url"].rpartition("/calendars/")[2]
    calendar = icalendar.Calendar.from_ical(client.get(path).get_data())
    return {str(e["UID"]) for e in calendar.walk("VEVENT")}


def test_confirmation_invites_with_the_feeds_uid(client, world, outbox):
    booking = book(client, world)
    message = outbox.last(BOOKER)
    assert message["Subject"].startswith("Booking confirmed")
    method, event = invite_of(message)
    assert method == "REQUEST"
    assert str(event["UID"]) == f"booking-{booking['id']}@spaces.localhost"
    assert feed_uids(client, world) == {str(event["UID"])}
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART").isoformat() == "2027-03-01T08:00:00+00:00"
    assert str(event["ORGANIZER"]) == "mailto:no-reply@spaces.localhost"
    assert event["ORGANIZER"].params["CN"] == "La Cantine"
    assert str(event["ATTENDEE"]) == f"mailto:{BOOKER}"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    # The text is still there, and the host's copy has no invitation.
    assert booking["reference"] in outbox.body(message)
    assert calendar_parts(outbox.last(HOST)) == []


def test_cancellation_sends_cancel_with_a_higher_sequence(client, world, outbox):
    booking = book(client, world)
    _, confirmed = invite_of(outbox.last(BOOKER))
    response = client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=world["b"])
    assert response.status_code == 200
    message = outbox.last(BOOKER)
    assert message["Subject"].startswith("Booking cancelled")
    method, cancelled = invite_of(message)
    assert method == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["UID"]) == str(confirmed["UID"])
    assert cancelled["SEQUENCE"] > confirmed["SEQUENCE"]


def test_a_host_cancellation_cancels_too(client, world, outbox):
    booking = book(client, world)
    client.post(
        f"/api/v1/bookings/{booking['id']}/cancel",
        json={"reason": "Water leak"},
        headers=world["h"],
    )
    method, event = invite_of(outbox.last(BOOKER))
    assert method == "CANCEL" and event["SEQUENCE"] == 1


def test_request_then_approval(client, world, outbox):
    request = book(client, world, unit="room", start="2027-03-01T10:00", end="2027-03-01T12:00")
    method, requested = invite_of(outbox.last(BOOKER))
    assert method == "REQUEST" and str(requested["STATUS"]) == "TENTATIVE"
    assert requested["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert calendar_parts(outbox.last(HOST)) == []
    approved = client.post(f"/api/v1/bookings/{request['id']}/approve", headers=world["h"])
    assert approved.status_code == 200
    method, event = invite_of(outbox.last(BOOKER))
    assert method == "REQUEST" and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["UID"]) == str(requested["UID"])
    assert event["SEQUENCE"] > requested["SEQUENCE"]


def test_a_declined_request_is_cancelled(client, world, outbox):
    request = book(client, world, unit="room", start="2027-03-01T10:00", end="2027-03-01T12:00")
    _, requested = invite_of(outbox.last(BOOKER))
    client.post(f"/api/v1/bookings/{request['id']}/decline", json={}, headers=world["h"])
    method, event = invite_of(outbox.last(BOOKER))
    assert method == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] > requested["SEQUENCE"]


def test_an_expired_request_is_cancelled(client, world, outbox):
    from spaces.bookings.deciding import record_expired_requests

    book(client, world, unit="room", start="2027-03-01T10:00", end="2027-03-01T12:00")
    with transaction():
        expired = record_expired_requests(utcnow() + timedelta(days=3))
    assert len(expired) == 1
    method, event = invite_of(outbox.last(BOOKER))
    assert method == "CANCEL" and event["SEQUENCE"] == 1


def test_a_move_sends_an_updated_request(client, world, outbox):
    booking = book(client, world)
    _, before = invite_of(outbox.last(BOOKER))
    moved = client.patch(
        f"/api/v1/bookings/{booking['id']}",
        json={"start": "2027-03-29T09:00", "end": "2027-03-29T13:00"},
        headers=world["b"],
    )
    assert moved.status_code == 200, moved.get_json()
    method, after = invite_of(outbox.last(BOOKER))
    assert method == "REQUEST" and str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] > before["SEQUENCE"]
    # Summer time: 9:00 in Paris is 7:00 UTC.
    assert after.decoded("DTSTART").isoformat() == "2027-03-29T07:00:00+00:00"


def test_mails_stay_in_the_recipients_language(client, world, outbox):
    # (The booking strings get their French translation with the catalogue; greetings have it.)
    book(client, world, who="f")
    book(client, world, start="2027-03-02T09:00", end="2027-03-02T13:00")
    french = outbox.last("dominique@example.org")
    assert "Bonjour Dominique" in outbox.body(french)
    assert "Hello Camille Martin" in outbox.body(outbox.last(BOOKER))
    assert invite_of(french)[0] == "REQUEST"


# --- the day-before reminder ---------------------------------------------------------------------


def remind(now: datetime) -> int:
    from spaces.bookings.reminders import send_day_before_reminders

    with transaction():
        return send_day_before_reminders(now)


def reminders(outbox) -> list:
    return [m for m in outbox.messages() if str(m["Subject"]).startswith("Reminder")]


def test_reminder_the_day_before_with_the_invitation(client, world, outbox):
    booking = book(client, world, start="2027-03-02T09:00", end="2027-03-02T13:00")
    assert remind(datetime(2027, 2, 28, 10, tzinfo=PARIS)) == 0
    assert remind(datetime(2027, 3, 1, 10, tzinfo=PARIS)) == 1
    (message,) = reminders(outbox)
    assert message["To"] == BOOKER and booking["reference"] in message["Subject"]
    assert "Open space" in outbox.body(message)
    method, event = invite_of(message)
    assert method == "REQUEST" and str(event["UID"]) == f"booking-{booking['id']}@spaces.localhost"
    # The next day's run looks at the day after: no second reminder.
    assert remind(datetime(2027, 3, 2, 10, tzinfo=PARIS)) == 0
    assert len(reminders(outbox)) == 1


def test_reminder_window_is_the_next_local_day_exactly(client, world, outbox):
    # Around the spring clock change: Sunday 2027-03-28 has 23 hours in Paris.
    book(client, world, start="2027-03-28T23:30", end="2027-03-29T00:00")  # today: no
    first = book(client, world, start="2027-03-29T00:00", end="2027-03-29T01:00")  # yes
    last = book(client, world, start="2027-03-29T23:00", end="2027-03-30T00:00")  # yes
    book(client, world, start="2027-03-30T00:00", end="2027-03-30T01:00")  # the day after: no
    assert remind(datetime(2027, 3, 28, 12, tzinfo=PARIS)) == 2
    subjects = " ".join(str(m["Subject"]) for m in reminders(outbox))
    assert first["reference"] in subjects and last["reference"] in subjects


def test_only_confirmed_bookings_are_reminded(client, world, outbox):
    book(client, world, unit="room", start="2027-03-02T10:00", end="2027-03-02T12:00")  # request
    cancelled = book(client, world, start="2027-03-02T09:00", end="2027-03-02T13:00")
    client.post(f"/api/v1/bookings/{cancelled['id']}/cancel", headers=world["b"])
    assert remind(datetime(2027, 3, 1, 10, tzinfo=PARIS)) == 0
    assert reminders(outbox) == []


def test_each_space_uses_its_own_time_zone(client, world, outbox, app_ctx):
    host_email = HOST
    from spaces.accounts.models import User
    from spaces.extensions import db

    host = db.session.scalar(db.select(User).where(User.email == host_email))
    martinique = make_space(
        host,
        name="Case Martinique",
        units=0,
        publish=False,
        timezone="America/Martinique",
        commune="Fort-de-France",
        postal_code="97200",
        latitude=14.6,
        longitude=-61.07,
    )
    unit = make_unit(host, martinique, name="Bureau")
    set_hours(host, martinique, [Window(day, 0, 24 * 60) for day in range(7)])
    from spaces.listings import services

    with transaction():
        services.publish_space(host, martinique)
    world = {**world, "far": unit.id}
    # 2027-03-02 09:00 in Martinique (UTC-4) and in Paris (UTC+1).
    there = book(client, world, unit="far", start="2027-03-02T09:00", end="2027-03-02T12:00")
    here = book(client, world, start="2027-03-02T09:00", end="2027-03-02T12:00")
    # 23:30 UTC on 1 March: already 2 March in Paris, still 1 March in Martinique.
    now = datetime(2027, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert remind(now) == 1
    (message,) = reminders(outbox)
    assert there["reference"] in message["Subject"]
    assert here["reference"] not in message["Subject"]


@pytest.mark.parametrize(
    ("day", "season"),
    [("2027-03-01", "winter, UTC+1"), ("2027-07-06", "summer, UTC+2")],
)
def test_mail_text_shows_the_spaces_wall_clock(client, world, outbox, day, season):
    """A 09:00–13:00 booking reads 09:00 – 13:00 in every mail, whatever the season."""
    booking = book(client, world, start=f"{day}T09:00", end=f"{day}T13:00")
    request = book(client, world, unit="room", start=f"{day}T14:00", end=f"{day}T16:30")
    client.post(f"/api/v1/bookings/{request['id']}/approve", headers=world["h"])
    booked_day = datetime.fromisoformat(day).replace(tzinfo=PARIS)
    remind(booked_day - timedelta(hours=12))
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=world["b"])
    texts = {}
    for message in outbox.messages():
        body = outbox.body(message)
        if booking["reference"] in str(message["Subject"]) + body:
            texts.setdefault(message["To"] + " " + str(message["Subject"])[:12], body)
        if request["reference"] in str(message["Subject"]) + body:
            assert "14:00 – 16:30" in body, (season, message["Subject"], body)
    kinds = {key.split(" ", 1)[1] for key in texts}
    # Confirmation, host's notice, reminder and cancellation all name the booking.
    assert {"Booking conf", "Reminder: to", "Booking canc"} <= {k[:12] for k in kinds}, kinds
    assert any(key.startswith(HOST) for key in texts), texts.keys()
    for key, body in texts.items():
        assert "09:00 – 13:00" in body, (season, key, body)
        assert "10:00" not in body and "11:00" not in body, (season, key, body)


def test_booking_mails_are_seven_bit_clean_and_read_back_whole(client, world, outbox, outbox_dir):
    """Text beyond ASCII travels quoted-printable (headers RFC 2047-encoded): every byte of the
    message is ASCII (any mail server takes it), and a reader gets the text back."""
    book(client, world)
    files = sorted(outbox_dir.glob("*.eml"))
    assert len(files) >= 2  # the booker's confirmation and the host's notice
    for path in files:
        raw = path.read_bytes()
        assert max(raw) < 128, path.name
    confirmation = outbox.last("camille@example.org")
    assert "–" in outbox.body(confirmation)  # the en dash of "09:00 – 13:00"


def test_a_series_mail_lists_every_date_at_the_wall_clock_across_the_clock_change(
    client, world, outbox
):
    """Every Tuesday and Thursday 09:00–13:00 from 23 March to 1 April 2027 (the clocks go
    forward on 28 March): the booker's and the host's mails list the four dates, each at 09:00
    local, and the series' total; the invitation is the first date's."""
    response = client.post(
        "/api/v1/bookings",
        json={
            "unit_id": world["pool"],
            "start": "2027-03-23T09:00",
            "end": "2027-03-23T13:00",
            "repeat": {"weekdays": [1, 3], "until": "2027-04-01"},
        },
        headers=world["b"],
    )
    assert response.status_code == 201, response.get_json()
    first = response.get_json()
    booker = next(m for m in outbox.messages() if BOOKER in str(m["To"]))
    host = next(m for m in outbox.messages() if HOST in str(m["To"]))
    # The booker reads English; the host has no language set: the site's, French — dates too.
    for message, heading, days in (
        (booker, "Every date of the series:", ("23 March", "25 March", "30 March", "1 April")),
        (host, "Toutes les dates de la série :", ("23 mars", "25 mars", "30 mars", "1 avril")),
    ):
        body = outbox.body(message)
        assert heading in body, body
        dates = [line for line in body.splitlines() if line.startswith("- ")]
        assert len(dates) == 4, body
        assert all("09:00 – 13:00" in line for line in dates), dates
        assert [d for d in days if any(d in line for line in dates)] == list(days), body
        assert "08:00" not in body and "10:00" not in body
    total = outbox.body(booker).split("Total for the 4 dates:")[1].splitlines()[0].strip()
    assert total == "€" + f"{4 * first['price']['amount'] / 100:.2f}", total
    _method, event = invite_of(booker)
    assert event["DTSTART"].dt == datetime(2027, 3, 23, 9, tzinfo=PARIS)
