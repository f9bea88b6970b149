"""The iCalendar writer: every output parses with icalendar and with the strict ``ical`` parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream

from spaces.calendars import export
from spaces.calendars.export import CalendarEvent

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2027, 1, 15, 10, 30, tzinfo=UTC)


def event(**fields) -> CalendarEvent:
    values = {
        "uid": export.booking_uid(42, "spaces.example"),
        "start": datetime(2027, 3, 1, 9, tzinfo=PARIS),
        "end": datetime(2027, 3, 1, 17, tzinfo=PARIS),
        "summary": "Open space — La Cantine",
        "dtstamp": STAMP,
        "sequence": 2,
        "status": "CONFIRMED",
        "location": "La Cantine, 1 rue Nationale, 37000 Tours",
        "geo": (47.3941, 0.6848),
        "description": "Reference: ABCD2345\nSeats: 1",
        "url": "https://spaces.example/bookings/42",
        "organizer_email": "no-reply@spaces.example",
        "organizer_name": "La Cantine",
        "attendee_email": "camille@example.org",
        "attendee_name": "Camille",
    }
    values.update(fields)
    return CalendarEvent(**values)


def parse_both(data: bytes):
    """(icalendar Calendar, ical Calendar); each parser raises on what it cannot read."""
    text = data.decode("utf-8")
    return icalendar.Calendar.from_ical(data), IcsCalendarStream.calendar_from_ics(text)


def only_event(data: bytes):
    loose, strict = parse_both(data)
    (loose_event,) = loose.walk("VEVENT")
    (strict_event,) = strict.events
    return loose_event, strict_event


# --- the calendar ----------------------------------------------------------------------------


def test_feed_has_the_calendar_properties_and_no_method():
    data = export.feed([event()], "Mes réservations")
    loose, strict = parse_both(data)
    assert str(loose["PRODID"]) == export.PRODID and str(loose["VERSION"]) == "2.0"
    assert str(loose["CALSCALE"]) == "GREGORIAN"
    assert str(loose["X-WR-CALNAME"]) == "Mes réservations"
    assert "METHOD" not in loose
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in data
    assert b"\r\nX-PUBLISHED-TTL:PT15M\r\n" in data
    assert strict.prodid == export.PRODID and len(strict.events) == 1
    assert "VTIMEZONE" not in data.decode()


def test_every_line_ends_with_crlf_and_fits_75_octets():
    long = "Salle « Loire » — étage 2, " * 10
    data = export.feed([event(summary=long, description=long, location=long)], long)
    assert data.endswith(b"END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    for line in lines:
        line.decode("utf-8")  # no line was cut inside a character
    loose, strict = only_event(data)
    assert str(loose["SUMMARY"]) == long and strict.summary == long


def test_an_empty_feed_is_a_valid_calendar():
    loose, strict = parse_both(export.feed([], "Empty"))
    assert loose.walk("VEVENT") == [] and strict.events == []


# --- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start_utc", "end_utc"),
    [
        # Europe/Paris goes from +01:00 to +02:00 on Sunday 2027-03-28 (and back on 2027-10-31).
        (date(2027, 3, 26), "20270326T080000Z", "20270326T160000Z"),
        (date(2027, 3, 29), "20270329T070000Z", "20270329T150000Z"),
        (date(2027, 10, 29), "20271029T070000Z", "20271029T150000Z"),
        (date(2027, 11, 2), "20271102T080000Z", "20271102T160000Z"),
    ],
)
def test_local_hours_become_utc_instants_across_daylight_saving(day, start_utc, end_utc):
    start = datetime.combine(day, datetime.min.time(), tzinfo=PARIS).replace(hour=9)
    end = start.replace(hour=17)
    data = export.feed([event(start=start, end=end)], "Feed")
    assert f"\r\nDTSTART:{start_utc}\r\nDTEND:{end_utc}\r\n".encode() in data
    loose, strict = only_event(data)
    assert loose.decoded("DTSTART") == start and loose.decoded("DTEND") == end
    assert strict.dtstart == start and strict.dtend == end
    assert strict.dtstart.astimezone(PARIS).hour == 9


def test_an_event_over_the_clock_change_night_keeps_its_real_length():
    start = datetime(2027, 3, 27, 20, tzinfo=PARIS)
    end = datetime(2027, 3, 28, 8, tzinfo=PARIS)
    data = export.feed([event(start=start, end=end)], "Feed")
    assert b"DTSTART:20270327T190000Z" in data and b"DTEND:20270328T060000Z" in data
    _, strict = only_event(data)
    assert strict.dtend - strict.dtstart == timedelta(hours=11)


def test_all_day_events_use_dates_with_an_exclusive_end():
    one_day = event(uid="a@x", start=date(2027, 3, 1), end=date(2027, 3, 2))
    two_days = event(uid="b@x", start=date(2027, 12, 31), end=date(2028, 1, 2))
    data = export.feed([one_day, two_days], "Feed")
    assert b"DTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270302\r\n" in data
    assert b"DTSTART;VALUE=DATE:20271231\r\nDTEND;VALUE=DATE:20280102\r\n" in data
    loose, strict = parse_both(data)
    first = loose.walk("VEVENT")[0]
    assert first.decoded("DTSTART") == date(2027, 3, 1)
    assert first.decoded("DTEND") == date(2027, 3, 2)
    assert [(e.dtstart, e.dtend) for e in strict.events] == [
        (date(2027, 3, 1), date(2027, 3, 2)),
        (date(2027, 12, 31), date(2028, 1, 2)),
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 17)),  # naive
        (datetime(2027, 3, 1, 9, tzinfo=UTC), datetime(2027, 3, 1, 9, tzinfo=UTC)),  # empty
        (date(2027, 3, 1), date(2027, 3, 1)),  # an all-day end is exclusive
        (date(2027, 3, 1), datetime(2027, 3, 2, tzinfo=UTC)),  # mixed
    ],
)
def test_impossible_times_are_refused(start, end):
    with pytest.raises(ValueError):
        export.feed([event(start=start, end=end)], "Feed")


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Salle Loire, étage 2; lundi", "Salle Loire\\, étage 2\\; lundi"),
        ("Line one\nline two", "Line one\\nline two"),
        ("Windows\r\nline", "Windows\\nline"),
        ("C:\\dossier", "C:\\\\dossier"),
        ("bell\x07 and tab\t", "bell and tab\t"),
    ],
)
def test_text_values_are_escaped(text, written):
    assert export.escape_text(text) == written


def test_commas_semicolons_and_newlines_survive_both_parsers():
    summary = "Camille, Dupont; 2 seats\nsecond line"
    location = "La Cantine; 1, rue Nationale\n37000 Tours"
    description = 'Note: "bring a badge", please; thanks\\'
    data = export.feed(
        [event(summary=summary, location=location, description=description)], "A, B; C"
    )
    assert b"SUMMARY:Camille\\, Dupont\\; 2 seats\\nsecond line\r\n" in data
    assert b"LOCATION:La Cantine\\; 1\\, rue Nationale\\n37000 Tours\r\n" in data
    loose, strict = only_event(data)
    assert str(loose["SUMMARY"]) == summary and strict.summary == summary
    assert str(loose["LOCATION"]) == location and strict.location == location
    assert str(loose["DESCRIPTION"]) == description and strict.description == description
    # X-WR-CALNAME and NAME are TEXT too (icalendar hands them back raw; ical reads NAME).
    assert b"\r\nX-WR-CALNAME:A\\, B\\; C\r\nNAME:A\\, B\\; C\r\n" in data
    assert IcsCalendarStream.calendar_from_ics(data.decode()).name == ["A, B; C"]


def test_geo_url_sequence_status_and_stamps():
    data = export.feed([event()], "Feed")
    loose, strict = only_event(data)
    assert str(loose["UID"]) == "booking-42@spaces.example" == strict.uid
    assert strict.sequence == 2 and str(strict.status.value) == "CONFIRMED"
    assert (strict.geo.lat, strict.geo.lng) == pytest.approx((47.3941, 0.6848))
    assert strict.url == "https://spaces.example/bookings/42"
    assert strict.dtstamp == STAMP and strict.last_modified == STAMP
    assert b"TRANSP:OPAQUE" in data
    assert "ORGANIZER" not in loose and "ATTENDEE" not in loose


@pytest.mark.parametrize(
    ("booking_status", "ical_status"),
    [
        ("confirmed", "CONFIRMED"),
        ("requested", "TENTATIVE"),
        ("cancelled", "CANCELLED"),
        ("declined", "CANCELLED"),
        ("expired", "CANCELLED"),
    ],
)
def test_booking_statuses_map_to_ical_statuses(booking_status, ical_status):
    status = export.ical_status(booking_status)
    assert status == ical_status
    _, strict = only_event(export.feed([event(status=status)], "Feed"))
    assert strict.status.value == ical_status


def test_a_cancelled_event_is_transparent():
    data = export.feed([event(status="CANCELLED")], "Feed")
    assert b"STATUS:CANCELLED\r\nTRANSP:TRANSPARENT\r\n" in data


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError):
        export.feed([event(status="MAYBE")], "Feed")


# --- invitations -----------------------------------------------------------------------------


def test_request_invitation_has_method_organizer_and_attendee():
    data = export.invitation(event(), "REQUEST")
    loose, strict = parse_both(data)
    assert str(loose["METHOD"]) == "REQUEST" and strict.method == "REQUEST"
    (vevent,) = loose.walk("VEVENT")
    assert str(vevent["UID"]) == "booking-42@spaces.example"
    assert str(vevent["ORGANIZER"]) == "mailto:no-reply@spaces.example"
    assert vevent["ORGANIZER"].params["CN"] == "La Cantine"
    assert str(vevent["ATTENDEE"]) == "mailto:camille@example.org"
    params = vevent["ATTENDEE"].params
    assert (params["PARTSTAT"], params["RSVP"], params["CN"]) == ("ACCEPTED", "FALSE", "Camille")
    (strict_event,) = strict.events
    assert strict_event.organizer.uri == "mailto:no-reply@spaces.example"
    assert strict_event.attendees[0].status == "ACCEPTED"
    assert strict_event.attendees[0].rsvp is False


def test_a_tentative_invitation_needs_action():
    data = export.invitation(event(status="TENTATIVE"))
    (vevent,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(vevent["STATUS"]) == "TENTATIVE"


def test_cancel_invitation_is_cancelled_whatever_the_event_says():
    data = export.invitation(event(status="CONFIRMED", sequence=3), "CANCEL")
    loose, strict = parse_both(data)
    assert strict.method == "CANCEL"
    (vevent,) = loose.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED" and vevent["SEQUENCE"] == 3


def test_names_with_quotes_and_separators_are_quoted_parameters():
    data = export.invitation(
        event(organizer_name='Le "Lieu", Tours; 2ᵉ: ^', attendee_name="Dupont, Camille")
    )
    loose, strict = parse_both(data)
    (vevent,) = loose.walk("VEVENT")
    assert vevent["ORGANIZER"].params["CN"] == 'Le "Lieu", Tours; 2ᵉ: ^'
    assert vevent["ATTENDEE"].params["CN"] == "Dupont, Camille"
    assert strict.events[0].organizer.common_name == 'Le "Lieu", Tours; 2ᵉ: ^'


def test_invitation_needs_addresses_and_a_known_method():
    with pytest.raises(ValueError):
        export.invitation(event(attendee_email=""))
    with pytest.raises(ValueError):
        export.invitation(event(), "PUBLISH")


def test_feed_and_invitation_share_uid_and_sequence():
    item = event(sequence=5)
    feed_event, _ = only_event(export.feed([item], "Feed"))
    invite_event, _ = only_event(export.invitation(item))
    assert str(feed_event["UID"]) == str(invite_event["UID"])
    assert feed_event["SEQUENCE"] == invite_event["SEQUENCE"] == 5


def test_many_events_parse_with_both_parsers():
    start = datetime(2027, 3, 1, 8, tzinfo=UTC)
    events = [
        event(
            uid=export.booking_uid(i, "spaces.example"),
            start=start + timedelta(hours=i),
            end=start + timedelta(hours=i + 1),
            summary=f"Réservation n° {i}, salle; «{i}»",
        )
        for i in range(200)
    ]
    loose, strict = parse_both(export.feed(events, "Big"))
    assert len(loose.walk("VEVENT")) == len(strict.events) == 200
    assert len({e.uid for e in strict.events}) == 200
