"""The pure importer (iCalendar text → busy blocks) and the fetcher's pure checks, without an app."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spaces.calendars.addresses import check_url_shape, is_public
from spaces.calendars.errors import CalendarError, FetchError
from spaces.calendars.importer import own_booking_id, parse_blocks

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ics"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
PARIS = "Europe/Paris"


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def spans(blocks) -> list[tuple[datetime, datetime]]:
    return [(b.start, b.end) for b in blocks]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def calendar(*events: str, extra: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{extra}{body}END:VCALENDAR\r\n"


def test_google_weekly_rule_with_exdate_and_moved_instance_across_the_clock_change():
    blocks = parse_blocks(fixture("google.ics"), PARIS, NOW)
    assert spans(blocks) == [
        (z("2027-03-02T09:00"), z("2027-03-02T11:00")),
        (z("2027-03-09T09:00"), z("2027-03-09T11:00")),
        (z("2027-03-11T08:00"), z("2027-03-11T09:30")),  # a single event given in UTC
        # 16 March is an EXDATE; the 23 March class moved to Thursday 25, 14:00–16:00
        (z("2027-03-25T13:00"), z("2027-03-25T15:00")),
        # summer time from 28 March: 10:00 in Paris is 08:00 UTC
        (z("2027-03-30T08:00"), z("2027-03-30T10:00")),
        (z("2027-04-06T08:00"), z("2027-04-06T10:00")),
        (z("2027-04-13T08:00"), z("2027-04-13T10:00")),
    ]
    assert blocks[3].summary == "Cours de yoga (déplacé)"
    assert blocks[0].uid == "3k9v1q7s2n5m8c0e4t6b1a2d3f@google.com"
    assert all(
        b.start.tzinfo is not None and b.start.utcoffset().total_seconds() == 0 for b in blocks
    )


def test_outlook_windows_zone_name_all_day_and_free_time():
    blocks = parse_blocks(fixture("outlook.ics"), PARIS, NOW)
    assert spans(blocks) == [
        (z("2027-03-04T08:00"), z("2027-03-04T10:00")),  # "Romance Standard Time" = Paris
        (z("2027-03-04T23:00"), z("2027-03-05T23:00")),  # all-day 5 March, DTEND exclusive
    ]  # the TRANSPARENT / BUSYSTATUS:FREE event is not busy time
    assert [b.summary for b in blocks] == ["Commission urbanisme", "Bureau de vote"]


def test_an_all_day_event_is_a_whole_local_day_of_the_space():
    blocks = parse_blocks(fixture("outlook.ics"), "America/New_York", NOW)
    assert spans(blocks)[1] == (z("2027-03-05T05:00"), z("2027-03-06T05:00"))


def test_a_zone_from_elsewhere_is_taken_as_given():
    blocks = parse_blocks(fixture("new_york.ics"), PARIS, NOW)
    assert spans(blocks) == [(z("2027-03-08T14:00"), z("2027-03-08T15:00"))]


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        (PARIS, (z("2027-03-09T13:00"), z("2027-03-09T15:00"))),
        ("America/New_York", (z("2027-03-09T19:00"), z("2027-03-09T21:00"))),
    ],
)
def test_floating_times_are_the_space_wall_clock(tz, expected):
    assert spans(parse_blocks(fixture("floating.ics"), tz, NOW)) == [expected]


def test_transparent_and_cancelled_events_are_not_busy():
    blocks = parse_blocks(fixture("transparent_cancelled.ics"), PARIS, NOW)
    assert [(b.summary, b.start, b.end) for b in blocks] == [
        ("Livraison mobilier", z("2027-03-11T08:00"), z("2027-03-11T09:00"))
    ]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        # several days, DTEND exclusive; 28 March 2027 has 23 hours in Paris
        (
            ["UID:a\r\nDTSTART;VALUE=DATE:20270327\r\nDTEND;VALUE=DATE:20270329\r\n"],
            [(z("2027-03-26T23:00"), z("2027-03-28T22:00"))],
        ),
        # an all-day event without DTEND lasts one day
        (
            ["UID:b\r\nDTSTART;VALUE=DATE:20270402\r\n"],
            [(z("2027-04-01T22:00"), z("2027-04-02T22:00"))],
        ),
        # DURATION instead of DTEND
        (
            ["UID:c\r\nDTSTART:20270402T090000Z\r\nDURATION:PT90M\r\n"],
            [(z("2027-04-02T09:00"), z("2027-04-02T10:30"))],
        ),
        # a date-time without DTEND takes no time
        (["UID:d\r\nDTSTART:20270402T090000Z\r\n"], []),
        # RDATE adds an instance; a cancelled moved instance disappears
        (
            [
                "UID:e\r\nDTSTART:20270405T080000Z\r\nDTEND:20270405T090000Z\r\n"
                "RRULE:FREQ=DAILY;COUNT=3\r\nRDATE:20270410T080000Z\r\n",
                "UID:e\r\nRECURRENCE-ID:20270406T080000Z\r\nDTSTART:20270406T080000Z\r\n"
                "DTEND:20270406T090000Z\r\nSTATUS:CANCELLED\r\n",
            ],
            [
                (z("2027-04-05T08:00"), z("2027-04-05T09:00")),
                (z("2027-04-07T08:00"), z("2027-04-07T09:00")),
                (z("2027-04-10T08:00"), z("2027-04-10T09:00")),
            ],
        ),
        # past events and events beyond the horizon are left out; one under way is kept
        (
            [
                "UID:f\r\nDTSTART:20261001T080000Z\r\nDTEND:20261001T090000Z\r\n",
                "UID:g\r\nDTSTART:20261122T080000Z\r\nDTEND:20261122T120000Z\r\n",
                "UID:h\r\nDTSTART:20280601T080000Z\r\nDTEND:20280601T090000Z\r\n",
            ],
            [(z("2026-11-22T08:00"), z("2026-11-22T12:00"))],
        ),
    ],
)
def test_event_shapes(events, expected):
    assert spans(parse_blocks(calendar(*events), PARIS, NOW)) == expected


def test_an_endless_rule_stops_at_the_horizon_which_is_configurable():
    text = calendar(
        "UID:w\r\nDTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\nRRULE:FREQ=WEEKLY\r\n"
    )
    default = parse_blocks(text, PARIS, NOW)
    assert default[-1].start < z("2028-05-22T10:00") and len(default) in (78, 79)
    short = parse_blocks(text, PARIS, NOW, horizon_months=1)
    assert spans(short)[-1] == (z("2026-12-21T08:00"), z("2026-12-21T09:00"))


def test_too_many_events_is_an_error_not_a_hang():
    text = calendar(
        "UID:m\r\nDTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\nRRULE:FREQ=DAILY\r\n"
    )
    with pytest.raises(CalendarError, match="more than 50 busy events"):
        parse_blocks(text, PARIS, NOW, max_blocks=50)


TOO_OFTEN = (
    "The calendar repeats events too often: more than 12000 occurrences in the next 18 months."
)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            "DTSTART:20261123T080000Z\r\nDTEND:20261123T080001Z\r\nRRULE:FREQ=SECONDLY\r\n",
            TOO_OFTEN,
        ),
        (
            "DTSTART:20261123T080000Z\r\nDTEND:20261123T080100Z\r\nRRULE:FREQ=MINUTELY\r\n",
            TOO_OFTEN,
        ),
        ("DTSTART:20261123T080000Z\r\nDTEND:20261123T083000Z\r\nRRULE:FREQ=HOURLY\r\n", TOO_OFTEN),
        # not busy, and without an end: still expanded, so still priced
        (
            "DTSTART:20261123T080000Z\r\nTRANSP:TRANSPARENT\r\nRRULE:FREQ=SECONDLY\r\n",
            TOO_OFTEN,
        ),
        # long before the span: the rule would walk every second since 2010 to reach it
        (
            "DTSTART:20100101T080000Z\r\nDTEND:20100101T080001Z\r\nRRULE:FREQ=SECONDLY\r\n",
            TOO_OFTEN,
        ),
        ("DTSTART:20100101T080000Z\r\nRRULE:FREQ=MINUTELY;INTERVAL=2\r\n", TOO_OFTEN),
        (
            "DTSTART:20261123T080000Z\r\nRRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,30\r\n",
            TOO_OFTEN,
        ),
        # a date that never comes: the rule library would look for it until the year 9999
        (
            "DTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\n"
            "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\n",
            "A repeating event of the calendar never occurs (its rule matches no date).",
        ),
    ],
)
def test_a_rule_repeating_too_often_is_refused_at_once(event, message):
    started = time.monotonic()
    with pytest.raises(CalendarError) as caught:
        parse_blocks(calendar(f"UID:r\r\n{event}"), PARIS, NOW)
    assert str(caught.value) == message
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    ("event", "count"),
    [
        # a daily event over the whole 18-month horizon
        ("DTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\nRRULE:FREQ=DAILY\r\n", 547),
        # the same, started long ago: the rule is walked once, not once per slice of the span
        ("DTSTART:19900101T080000Z\r\nDTEND:19900101T090000Z\r\nRRULE:FREQ=DAILY\r\n", 548),
        (
            "DTSTART;TZID=Europe/Paris:20000103T090000\r\nDTEND;TZID=Europe/Paris:20000103T120000\r\n"
            "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\n",
            391,
        ),
        (
            "DTSTART:20261231T080000Z\r\nDTEND:20261231T090000Z\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=31\r\n",
            10,
        ),
        # rare but real: 29 February on a Monday (2044), not "never"
        ("DTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO\r\n", 0),
        # a rule counting a few seconds is fine
        (
            "DTSTART:20261123T080000Z\r\nDTEND:20261123T080001Z\r\nRRULE:FREQ=SECONDLY;COUNT=5\r\n",
            5,
        ),
    ],
)
def test_legitimate_rules_with_many_occurrences_are_read_quickly(event, count):
    started = time.monotonic()
    assert len(parse_blocks(calendar(f"UID:r\r\n{event}"), PARIS, NOW)) == count
    assert time.monotonic() - started < 3.0


def test_fifteen_daily_series_fit_the_budget():
    events = [
        f"UID:s{i}\r\nDTSTART:20200101T{8 + i % 10:02d}0000Z\r\nDTEND:20200101T{8 + i % 10:02d}3000Z\r\n"
        "RRULE:FREQ=DAILY\r\n"
        for i in range(15)
    ]
    assert len(parse_blocks(calendar(*events), PARIS, NOW)) == 15 * 548


def test_reading_a_calendar_has_a_time_budget():
    events = [
        f"UID:w{i}\r\nDTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        for i in range(3)
    ]
    with pytest.raises(CalendarError, match="took more than 0 seconds"):
        parse_blocks(calendar(*events), PARIS, NOW, max_seconds=0)


def test_own_exported_bookings_of_the_unit_are_skipped():
    text = calendar(
        "UID:booking-12@spaces.localhost\r\nDTSTART:20270402T090000Z\r\nDTEND:20270402T100000Z\r\n",
        "UID:booking-13@spaces.localhost\r\nDTSTART:20270403T090000Z\r\nDTEND:20270403T100000Z\r\n",
    )
    blocks = parse_blocks(text, PARIS, NOW, is_own=lambda uid: uid.startswith("booking-12@"))
    assert [b.uid for b in blocks] == ["booking-13@spaces.localhost"]


@pytest.mark.parametrize(
    ("uid", "domain", "expected"),
    [
        ("booking-12@spaces.localhost", None, 12),
        ("booking-12@spaces.localhost", "Spaces.Localhost", 12),
        ("booking-12@elsewhere.org", "spaces.localhost", None),
        ("booking-x@spaces.localhost", None, None),
        ("booking-12", None, None),
        ("3k9v1q7s2n5m8c0e4t6b1a2d3f@google.com", None, None),
        ("booking-99999999999999999999@spaces.localhost", None, None),
    ],
)
def test_own_booking_id(uid, domain, expected):
    assert own_booking_id(uid, domain) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (fixture("malformed.ics"), "could not be read"),
        ("", "empty"),
        ("<!doctype html><html><body>Connexion</body></html>", "web page"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", "not an iCalendar file"),
        ("just some text", "not an iCalendar file"),
        (
            calendar("UID:x\r\nDTSTART:2027-03-12 09:00\r\nDTEND:20270312T100000Z\r\n"),
            "could not be read",
        ),
        (
            calendar(
                "UID:x\r\nDTSTART:20270312T090000Z\r\nDTEND:20270312T100000Z\r\nRRULE:FREQ=SOMETIMES\r\n"
            ),
            "could not be read",
        ),
        (calendar("UID:x\r\nSUMMARY:no start\r\n"), "no start"),
    ],
)
def test_malformed_text_is_a_clear_error(text, message):
    with pytest.raises(CalendarError) as caught:
        parse_blocks(text, PARIS, NOW)
    assert message in str(caught.value)
    assert len(str(caught.value)) < 300


# --- the fetcher's pure checks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.10", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # shared address space
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:93.184.216.34", True),
        ("::ffff:10.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        # NAT64, well-known prefix: the embedded IPv4 address decides
        ("64:ff9b::7f00:1", False),  # 127.0.0.1
        ("64:ff9b::10.1.2.3", False),
        ("64:ff9b::a9fe:a9fe", False),  # 169.254.169.254
        ("64:ff9b::c0a8:10a", False),  # 192.168.1.10
        ("64:ff9b::5db8:d822", True),  # 93.184.216.34
        # NAT64, local-use prefix: a private network's own translator
        ("64:ff9b:1::a00:1", False),
        ("64:ff9b:1::5db8:d822", False),
        # 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
        ("2002:7f00:1::", False),
        ("2002:a00:1::1", False),  # 10.0.0.1
        ("2002:a9fe:a9fe::1", False),
        ("2002:5db8:d822::1", True),
        # IPv4-compatible (deprecated) ::a.b.c.d
        ("::127.0.0.1", False),
        ("::10.0.0.1", False),
        ("::192.168.1.10", False),
        ("::93.184.216.34", True),
        # Teredo (2001::/32): relay and client, the client obfuscated
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # client 127.0.0.1
        ("2001:0:5db8:d822:0:a2ff:f5fe:fefe", False),  # client 10.1.1.1 behind a public relay
        ("2001:db8::1", False),  # documentation
    ],
)
def test_only_public_addresses_are_reachable(address, public):
    assert is_public(address) is public


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://calendar.google.com/calendar/ical/x/basic.ics", True),
        ("http://example.org:8080/cal.ics", True),
        ("webcal://example.org/cal.ics", False),
        ("ftp://example.org/cal.ics", False),
        ("file:///etc/passwd", False),
        ("https://", False),
        ("https://user:secret@example.org/cal.ics", False),
        ("https://example.org:99999/cal.ics", False),
        ("/relative/cal.ics", False),
    ],
)
def test_url_shape(url, ok):
    if ok:
        check_url_shape(url)
    else:
        with pytest.raises(FetchError):
            check_url_shape(url)


def test_loopback_only_mode_refuses_other_hosts_without_any_lookup(monkeypatch):
    import socket

    import pytest

    from spaces.calendars.fetch import fetch_calendar

    def no_dns(*args, **kwargs):
        raise AssertionError("a DNS look-up was made")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    for url in (
        "https://calendar.example.org/basic.ics",
        "http://10.0.0.1/x.ics",
        "http://8.8.8.8/x.ics",
    ):
        with pytest.raises(FetchError):
            fetch_calendar(url, loopback_only=True, allow_private=True)
