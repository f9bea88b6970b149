"""Private iCalendar feeds through HTTP, and the account page that manages their addresses."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import icalendar
import pytest
from ical.calendar_stream import IcsCalendarStream
from sqlalchemy import select as sa_select

from spaces.db import transaction
from tests.factories import (
    api_token,
    bearer,
    log_in,
    make_user,
    post_form,
)

# 2027-03-01 is a Monday.


pytestmark = pytest.mark.world(people={"o": ("dominique@example.org", "Dominique Secret", None)})


def book(client, world, who="b", unit="pool", day="2027-03-01", start="09:00", end="13:00"):
    response = client.post(
        "/api/v1/bookings",
        json={"unit_id": world[unit], "start": f"{day}T{start}", "end": f"{day}T{end}"},
        headers=world[who],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def new_token(client, world, who="b", scope="me", target=None) -> dict:
    if target is None:
        payload = {"scope": scope}
    else:  # the space is an object in the world, the units are ids
        payload = {"scope": scope, "id": getattr(world[target], "id", world[target])}
    response = client.post("/api/v1/calendar-tokens", json=payload, headers=world[who])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def feed_path(token: dict) -> str:
    return "/calendars/" + token["url"].rpartition("/calendars/")[2]


def fetch(client, token: dict, **headers):
    return client.get(feed_path(token), headers=headers)


def events_of(response) -> dict[str, icalendar.Event]:
    """UID → event; the feed must also parse with the strict parser."""
    data = response.get_data()
    IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    calendar = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def uid(booking: dict) -> str:
    return f"booking-{booking['id']}@spaces.localhost"


# --- the feed --------------------------------------------------------------------------------


def test_my_feed_is_a_calendar_with_stable_uids(client, world):
    first = book(client, world)
    second = book(client, world, day="2027-03-02")
    token = new_token(client, world)
    one = fetch(client, token)
    assert one.status_code == 200
    assert one.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert one.headers["ETag"].startswith('"') and one.headers["Last-Modified"]
    assert "private" in one.headers["Cache-Control"]
    strict = IcsCalendarStream.calendar_from_ics(one.get_data(as_text=True))
    assert sorted(e.uid for e in strict.events) == sorted([uid(first), uid(second)])
    two = fetch(client, token)
    assert set(events_of(two)) == set(events_of(one)) == {uid(first), uid(second)}
    assert two.get_data() == one.get_data() and two.headers["ETag"] == one.headers["ETag"]
    event = events_of(one)[uid(first)]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART").isoformat() == "2027-03-01T08:00:00+00:00"
    assert "Open space" in str(event["SUMMARY"]) and "La Cantine" in str(event["SUMMARY"])
    assert "Tours" in str(event["LOCATION"])
    assert str(event["URL"]).endswith(f"/bookings/{first['id']}")


def test_times_are_utc_across_the_clock_change(client, world):
    before = book(client, world, day="2027-03-26", start="09:00", end="17:00")
    after = book(client, world, day="2027-03-29", start="09:00", end="17:00")
    body = fetch(client, new_token(client, world)).get_data(as_text=True)
    assert f"UID:{uid(before)}\r\nDTSTAMP:" in body
    events = events_of(fetch(client, new_token(client, world)))
    assert events[uid(before)].to_ical().count(b"DTSTART:20270326T080000Z") == 1
    assert events[uid(after)].to_ical().count(b"DTSTART:20270329T070000Z") == 1


def test_cancelling_raises_sequence_and_marks_the_event_cancelled(client, world):
    booking = book(client, world)
    token = new_token(client, world)
    before = events_of(fetch(client, token))[uid(booking)]
    cancelled = client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=world["b"])
    assert cancelled.status_code == 200
    after = events_of(fetch(client, token))[uid(booking)]
    assert str(after["STATUS"]) == "CANCELLED"
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")


def test_requests_are_tentative_and_declined_ones_cancelled(client, world):
    request = book(client, world, unit="room", start="10:00", end="12:00")
    token = new_token(client, world)
    assert str(events_of(fetch(client, token))[uid(request)]["STATUS"]) == "TENTATIVE"
    client.post(f"/api/v1/bookings/{request['id']}/decline", json={}, headers=world["h"])
    assert str(events_of(fetch(client, token))[uid(request)]["STATUS"]) == "CANCELLED"


def test_unchanged_feed_answers_304_to_if_none_match_and_if_modified_since(client, world):
    book(client, world)
    token = new_token(client, world)
    first = fetch(client, token)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    by_etag = fetch(client, token, **{"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.get_data() == b""
    assert by_etag.headers["ETag"] == etag
    by_date = fetch(client, token, **{"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    assert fetch(client, token, **{"If-None-Match": '"something-else"'}).status_code == 200


def test_a_new_booking_changes_the_etag_and_last_modified(client, world):
    book(client, world)
    token = new_token(client, world)
    first = fetch(client, token)
    newer = book(client, world, day="2027-03-03")
    second = fetch(client, token, **{"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert uid(newer) in events_of(second)
    assert second.last_modified >= first.last_modified
    # An old date says "changed" too.
    old = format_datetime(first.last_modified - timedelta(minutes=1), usegmt=True)
    assert fetch(client, token, **{"If-Modified-Since": old}).status_code == 200


def _statements_of(request):
    """Run ``request()`` and return (its result, the SQL statements it issued)."""
    import sqlalchemy as sa

    from spaces.extensions import db

    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("BEGIN"):  # SQLite's own (psycopg's are not statements)
            statements.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        return request(), statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


@pytest.mark.parametrize("bookings", [1, 12])
def test_a_304_renders_nothing_and_costs_the_same_few_statements(client, world, app_ctx, bookings):
    for day in range(bookings):
        book(client, world, who="o", day=f"2027-03-{1 + day % 5 + 7 * (day // 5):02d}")
    token = new_token(client, world, "h", "unit", "pool")
    fetch(client, token)  # the first fetch notes the token's use (at most hourly)
    full, statements_200 = _statements_of(lambda: fetch(client, token))
    assert full.status_code == 200 and full.get_data().count(b"BEGIN:VEVENT") == bookings
    revalidated, statements = _statements_of(
        lambda: fetch(client, token, **{"If-None-Match": full.headers["ETag"]})
    )
    assert revalidated.status_code == 304 and revalidated.get_data() == b""
    assert revalidated.headers["ETag"] == full.headers["ETag"]
    # The token (with its owner and unit), the owner's role, one light row per booking: no
    # booking read whole (its reference, its note), so no event built.
    assert len(statements) <= 3, "\n".join(statements)
    assert not any("bookings.reference" in s for s in statements)
    # The feed itself: the same, the bookings read whole once, and when it dropped out of view.
    assert len(statements_200) <= 4, "\n".join(statements_200)
    assert sum("bookings.reference" in s for s in statements_200) == 1


def test_the_etag_changes_with_what_the_feed_shows_and_only_then(client, world, app_ctx):
    from spaces.accounts.services import update_profile

    first = book(client, world, who="o")
    token = new_token(client, world, "h", "unit", "pool")

    def etag_and_revalidated():
        etag = fetch(client, token).headers["ETag"]
        # The 304 path computes the same ETag without building the feed.
        assert fetch(client, token, **{"If-None-Match": etag}).status_code == 304
        return etag

    seen = [etag_and_revalidated()]
    assert etag_and_revalidated() == seen[-1]  # nothing changed
    book(client, world, who="o", unit="room", start="10:00", end="12:00")  # another unit
    assert etag_and_revalidated() == seen[-1]
    book(client, world, who="o", day="2027-03-08")
    seen.append(etag_and_revalidated())
    cancelled = client.post(f"/api/v1/bookings/{first['id']}/cancel", headers=world["o"])
    assert cancelled.status_code == 200, cancelled.get_json()
    seen.append(etag_and_revalidated())
    renamed = client.patch(
        f"/api/v1/units/{world['pool']}", json={"name": "Plateau"}, headers=world["h"]
    )
    assert renamed.status_code == 200, renamed.get_json()
    seen.append(etag_and_revalidated())
    assert "Plateau" in fetch(client, token).get_data(as_text=True)
    with transaction():
        from spaces.accounts.models import User
        from spaces.extensions import db

        booker = db.session.scalar(sa_select(User).where(User.email == "dominique@example.org"))
        update_profile(booker, "Dominique Renommée", booker.locale)
    seen.append(etag_and_revalidated())
    assert "Dominique Renommée" in fetch(client, token).get_data(as_text=True)
    assert len(set(seen)) == len(seen), seen


def test_the_etag_follows_a_request_expiring_by_itself(client, world):
    from spaces.bookings.models import Booking
    from spaces.calendars import feeds
    from spaces.extensions import db

    request = book(client, world, unit="room", start="10:00", end="12:00")
    token = new_token(client, world)["token"]
    expires_at = db.session.get(Booking, request["id"]).expires_at
    etags = []
    for now in (expires_at - timedelta(minutes=1), expires_at + timedelta(minutes=1)):
        opened = feeds.open_token(token)
        built = feeds.feed(opened, now)
        assert feeds.feed_etag(opened, now) == built.etag
        assert feeds.feed_validators(opened, now) == (built.etag, built.last_modified)
        etags.append(built.etag)
    assert etags[0] != etags[1]


def test_a_revoked_address_answers_404_at_once(client, world):
    book(client, world)
    token = new_token(client, world)
    assert fetch(client, token).status_code == 200
    deleted = client.delete(f"/api/v1/calendar-tokens/{token['id']}", headers=world["b"])
    assert deleted.status_code == 204
    gone = fetch(client, token)
    assert gone.status_code == 404
    assert gone.mimetype == "text/plain"
    assert fetch(client, token, **{"If-None-Match": "*"}).status_code == 404


def test_unknown_addresses_are_plain_404s(client, world):
    for path in ("/calendars/nope.ics", "/calendars/" + "x" * 200 + ".ics"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/plain"


def test_my_feed_never_shows_someone_elses_booking(client, world):
    mine = book(client, world)
    theirs = book(client, world, who="o")
    theirs_room = book(client, world, who="o", unit="room", day="2027-03-02", start="10:00")
    body = fetch(client, new_token(client, world)).get_data(as_text=True)
    assert set(events_of(fetch(client, new_token(client, world)))) == {uid(mine)}
    assert "Dominique" not in body and "dominique@" not in body
    assert uid(theirs) not in body and uid(theirs_room) not in body


def test_a_hosts_unit_feed_names_the_bookers(client, world):
    mine = book(client, world)
    theirs = book(client, world, who="o", day="2027-03-02")
    elsewhere = book(client, world, who="o", unit="room", start="10:00", end="12:00")
    unit_feed = events_of(fetch(client, new_token(client, world, "h", "unit", "pool")))
    assert set(unit_feed) == {uid(mine), uid(theirs)}
    assert "Camille Martin" in str(unit_feed[uid(mine)]["SUMMARY"])
    assert "Dominique Secret" in str(unit_feed[uid(theirs)]["SUMMARY"])
    space_feed = events_of(fetch(client, new_token(client, world, "h", "space", "space")))
    assert set(space_feed) == {uid(mine), uid(theirs), uid(elsewhere)}
    assert str(space_feed[uid(elsewhere)]["STATUS"]) == "TENTATIVE"


def test_a_host_who_leaves_the_organisation_loses_the_feed(client, world):
    manager = {"m": bearer(api_token(make_user("manager@example.org", name="Manon")))}
    added = client.post(
        f"/api/v1/organisations/{world['organisation']}/members",
        json={"email": "manager@example.org", "role": "manager"},
        headers=world["h"],
    )
    assert added.status_code == 201, added.get_json()
    book(client, world)
    token = new_token(client, {**world, **manager}, "m", "unit", "pool")
    assert fetch(client, token).status_code == 200
    removed = client.delete(
        f"/api/v1/organisations/{world['organisation']}/members/{added.get_json()['user']['id']}",
        headers=world["h"],
    )
    assert removed.status_code == 204, removed.get_data(as_text=True)
    assert fetch(client, token).status_code == 404


# --- what stays in a feed, and for how long (the service, at chosen instants) ------------------


def test_cancelled_events_leave_the_feed_after_30_days(client, world):
    from spaces.bookings.models import Booking
    from spaces.calendars import feeds
    from spaces.extensions import db

    booking = book(client, world)
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", headers=world["b"])
    token = new_token(client, world)["token"]
    cancelled_at = db.session.get(Booking, booking["id"]).updated_at
    with transaction():
        soon = feeds.feed_for_token(token, cancelled_at + timedelta(days=29))
    assert uid(booking).encode() in soon.body
    with transaction():
        later = feeds.feed_for_token(token, cancelled_at + timedelta(days=31))
    assert uid(booking).encode() not in later.body
    assert later.etag != soon.etag
    # Leaving the feed is a change: Last-Modified says when.
    assert later.last_modified == cancelled_at + timedelta(days=30)


def test_an_expired_request_shows_as_cancelled_before_anyone_records_it(client, world):
    from spaces.bookings.models import Booking
    from spaces.calendars import feeds
    from spaces.extensions import db

    request = book(client, world, unit="room", start="10:00", end="12:00")
    token = new_token(client, world)["token"]
    expires_at = db.session.get(Booking, request["id"]).expires_at
    with transaction():
        feed = feeds.feed_for_token(token, expires_at + timedelta(hours=1))
    (event,) = icalendar.Calendar.from_ical(feed.body).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 1
    assert feed.last_modified == expires_at


# --- the account page ------------------------------------------------------------------------


def test_account_page_needs_a_login(client, world):
    response = client.get("/account/calendars")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_account_page_creates_lists_regenerates_and_revokes(client, world):
    log_in(client, "camille@example.org")
    assert "/account/calendars" in client.get("/account").get_data(as_text=True)
    created = post_form(client, "/account/calendars", {"scope": "me"}, page="/account/calendars")
    assert created.status_code == 302
    page = client.get("/account/calendars").get_data(as_text=True)
    listed = client.get("/api/v1/calendar-tokens").get_json()["items"]
    assert len(listed) == 1
    url = listed[0]["url"]
    assert f'value="{url}"' in page and "readonly" in page
    assert listed[0]["webcal_url"] in page
    assert "https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2F" in page
    assert "https://outlook.live.com/calendar/0/addfromweb?url=http" in page
    assert "data-copy=" in page
    # A host-only form is not offered to a booker.
    assert 'name="scope" value="unit"' not in page
    assert client.get(feed_path(listed[0])).status_code == 200

    regenerated = post_form(
        client,
        f"/account/calendars/{listed[0]['id']}/regenerate",
        {},
        page="/account/calendars",
    )
    assert regenerated.status_code == 302
    (renewed,) = client.get("/api/v1/calendar-tokens").get_json()["items"]
    assert renewed["token"] != listed[0]["token"] and renewed["scope"] == "me"
    assert client.get(feed_path(listed[0])).status_code == 404
    assert client.get(feed_path(renewed)).status_code == 200

    revoked = post_form(
        client, f"/account/calendars/{renewed['id']}/revoke", {}, page="/account/calendars"
    )
    assert revoked.status_code == 302
    assert client.get("/api/v1/calendar-tokens").get_json()["items"] == []
    assert client.get(feed_path(renewed)).status_code == 404


def test_hosts_get_unit_and_space_forms(client, world):
    log_in(client, "host@example.org")
    page = client.get("/account/calendars").get_data(as_text=True)
    assert 'name="scope" value="unit"' in page and 'name="scope" value="space"' in page
    assert "Salle Loire" in page
    created = post_form(
        client,
        "/account/calendars",
        {"scope": "unit", "id": world["room"]},
        page="/account/calendars",
    )
    assert created.status_code == 302
    (token,) = client.get("/api/v1/calendar-tokens").get_json()["items"]
    assert (token["scope"], token["unit_id"]) == ("unit", world["room"])
    assert "Salle Loire" in client.get("/account/calendars").get_data(as_text=True)


def test_forms_without_csrf_are_refused(client, world):
    log_in(client, "camille@example.org")
    assert client.post("/account/calendars", data={"scope": "me"}).status_code in (302, 400)
    assert client.get("/api/v1/calendar-tokens").get_json()["items"] == []
    assert client.post("/account/calendars/1/revoke").status_code == 400
