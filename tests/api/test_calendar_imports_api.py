"""Calendar imports over the API, with feeds served by a local HTTP server: each fixture's events
make the unit unavailable (a booking inside is a 409 "blocked", one outside a 201); a feed that
fails keeps its previous blocks and says why. The host's page is at the end.

2027-03-01 is a Monday; the unit is open Monday to Friday, 8:00–19:00, Europe/Paris.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from werkzeug import Response

from spaces.availability.hours import Window
from tests.factories import (
    api_token,
    bearer,
    log_in,
    make_space,
    make_unit,
    make_user,
    post_form,
    set_hours,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ics"


def ics(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def world(app_ctx):
    app_ctx.config["CALENDAR_IMPORT_ALLOW_PRIVATE"] = True
    host = make_user("host@example.org", name="Léa Hôte", locale="en")
    booker = make_user("camille@example.org", name="Camille", locale="en")
    member = make_user("member@example.org", name="Mo", locale="en")
    space = make_space(host, name="La Cantine", units=0, publish=False)
    unit = make_unit(host, space, name="Salle Loire", capacity=3)
    other = make_unit(host, space, name="Open space", capacity=3)
    set_hours(host, space, [Window(day, 8 * 60, 19 * 60) for day in range(5)])
    from spaces.db import transaction
    from spaces.listings import services
    from spaces.organisations import services as organisations

    with transaction():
        services.publish_space(host, space)
    with transaction():
        organisations.add_member(host, space.organisation, member.email, "member")
    return {
        "unit": unit.id,
        "other": other.id,
        "h": bearer(api_token(host)),
        "b": bearer(api_token(booker)),
        "m": bearer(api_token(member)),
    }


def add(client, world, url, unit=None, **extra):
    return client.post(
        f"/api/v1/units/{unit or world['unit']}/calendar-imports",
        json={"url": url, **extra},
        headers=world["h"],
    )


def sync(client, world, import_id):
    response = client.post(f"/api/v1/calendar-imports/{import_id}/sync", headers=world["h"])
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def book(client, world, start, end, unit=None):
    return client.post(
        "/api/v1/bookings",
        json={"unit_id": unit or world["unit"], "start": start, "end": end},
        headers=world["b"],
    )


def assert_blocked(client, world, start, end, unit=None):
    response = book(client, world, start, end, unit)
    assert response.status_code == 409, (start, response.get_json())
    error = response.get_json()["error"]
    assert (error["code"], error["reason"]) == ("unavailable", "blocked")


def assert_free(client, world, start, end, unit=None):
    response = book(client, world, start, end, unit)
    assert response.status_code == 201, (start, response.get_json())


def serve(httpserver, path: str, body: bytes, **headers):
    httpserver.expect_request(path).respond_with_data(
        body, content_type="text/calendar; charset=utf-8", headers=headers
    )
    return httpserver.url_for(path)


# --- each kind of feed, checked through bookings ---------------------------------------------


def test_google_weekly_rule_with_exdate_and_a_moved_instance(client, world, httpserver):
    url = serve(httpserver, "/calendar/ical/salle-loire/basic.ics", ics("google.ics"))
    response = add(client, world, url, name="Agenda Google")
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["url"] == url and created["name"] == "Agenda Google"
    # the first sync ran right after the commit (in-process under tests)
    result = sync(client, world, created["id"])
    assert result["blocks"] == 7 and result["error"] is None
    assert result["last_success_at"].endswith("+01:00")
    assert_blocked(client, world, "2027-03-02T10:00", "2027-03-02T11:00")
    assert_free(client, world, "2027-03-02T12:00", "2027-03-02T13:00")  # half-open: ends at 12
    assert_free(client, world, "2027-03-16T10:00", "2027-03-16T11:00")  # EXDATE
    assert_free(client, world, "2027-03-23T10:00", "2027-03-23T11:00")  # moved away…
    assert_blocked(client, world, "2027-03-25T14:30", "2027-03-25T15:30")  # …to Thursday
    assert_blocked(client, world, "2027-03-30T11:00", "2027-03-30T11:30")  # summer time
    assert_blocked(client, world, "2027-03-11T09:15", "2027-03-11T09:45")  # single UTC event
    # another unit of the same place is not affected
    assert_free(client, world, "2027-03-02T10:00", "2027-03-02T11:00", unit=world["other"])


def test_outlook_all_day_event_blocks_the_whole_local_day(client, world, httpserver):
    url = serve(httpserver, "/owa/calendar/abc/reachcalendar.ics", ics("outlook.ics"))
    import_id = add(client, world, url).get_json()["id"]
    assert sync(client, world, import_id)["blocks"] == 2
    assert_blocked(client, world, "2027-03-04T09:30", "2027-03-04T10:30")
    assert_blocked(client, world, "2027-03-05T08:00", "2027-03-05T09:00")
    assert_blocked(client, world, "2027-03-05T18:00", "2027-03-05T19:00")
    assert_free(client, world, "2027-03-03T10:00", "2027-03-03T11:00")  # TRANSPARENT / FREE
    timeline = client.get(
        f"/api/v1/units/{world['unit']}/availability",
        query_string={"start": "2027-03-05T00:00", "end": "2027-03-06T00:00"},
    ).get_json()
    assert {item["free"] for item in timeline["items"]} == {0}


def test_a_zone_from_another_continent(client, world, httpserver):
    url = serve(httpserver, "/ny.ics", ics("new_york.ics"))
    import_id = add(client, world, url).get_json()["id"]
    assert sync(client, world, import_id)["blocks"] == 1
    assert_blocked(client, world, "2027-03-08T15:00", "2027-03-08T16:00")  # 9:00 in New York
    assert_free(client, world, "2027-03-08T09:00", "2027-03-08T10:00")


def test_floating_times_are_local_to_the_space(client, world, httpserver):
    url = serve(httpserver, "/floating.ics", ics("floating.ics"))
    import_id = add(client, world, url).get_json()["id"]
    assert sync(client, world, import_id)["blocks"] == 1
    assert_blocked(client, world, "2027-03-09T15:00", "2027-03-09T16:00")
    assert_free(client, world, "2027-03-09T16:00", "2027-03-09T17:00")


def test_transparent_and_cancelled_events_do_not_block(client, world, httpserver):
    url = serve(httpserver, "/mixed.ics", ics("transparent_cancelled.ics"))
    import_id = add(client, world, url).get_json()["id"]
    assert sync(client, world, import_id)["blocks"] == 1
    assert_free(client, world, "2027-03-10T10:00", "2027-03-10T11:00")
    assert_free(client, world, "2027-03-10T15:00", "2027-03-10T16:00")
    assert_blocked(client, world, "2027-03-11T09:00", "2027-03-11T10:00")


# --- failures keep the previous blocks ---------------------------------------------------------


class Feed:
    """One address whose behaviour the test switches between syncs."""

    def __init__(self, httpserver):
        self.mode = "google"
        self.server = httpserver
        httpserver.expect_request("/feed.ics").respond_with_handler(self.handle)
        for hop in ("/loop-a", "/loop-b", "/r1", "/r2", "/r3", "/r4"):
            httpserver.expect_request(hop).respond_with_handler(self.redirect)
        self.url = httpserver.url_for("/feed.ics")

    def handle(self, request):
        if self.mode == "google":
            return Response(ics("google.ics"), content_type="text/calendar")
        if self.mode == "404":
            return Response("Not Found", status=404)
        if self.mode == "timeout":
            time.sleep(1.5)
            return Response(ics("google.ics"), content_type="text/calendar")
        if self.mode == "huge":
            return Response(b"X" * (6 * 1024 * 1024), content_type="text/calendar")
        if self.mode == "huge-stream":  # no Content-Length: the reader must stop by itself
            chunks = (b"BEGIN:VCALENDAR\r\n" + b"X" * (1024 * 1024 - 17) for _ in range(6))
            return Response(chunks, content_type="text/calendar", direct_passthrough=True)
        if self.mode == "malformed":
            return Response(ics("malformed.ics"), content_type="text/calendar")
        if self.mode == "loop":
            return Response(status=302, headers={"Location": "/loop-a"})
        if self.mode == "redirects":
            return Response(status=302, headers={"Location": "/r1"})
        raise AssertionError(self.mode)

    def redirect(self, request):
        following = {
            "/loop-a": "/loop-b",
            "/loop-b": "/loop-a",
            "/r1": "/r2",
            "/r2": "/r3",
            "/r3": "/r4",
            "/r4": "/feed.ics",
        }
        return Response(status=302, headers={"Location": following[request.path]})


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("404", "No calendar was found at this address (HTTP 404)."),
        ("timeout", "The calendar server did not answer within 0.5 seconds."),
        ("huge", "The calendar is larger than 5 MB."),
        ("huge-stream", "The calendar is larger than 5 MB."),
        ("malformed", "The calendar could not be read"),
        ("loop", "The address redirects in a loop."),
        ("redirects", "The address redirects more than 3 times."),
    ],
)
def test_a_failing_feed_keeps_its_blocks_and_says_why(
    client, world, httpserver, app, mode, message
):
    app.config["CALENDAR_IMPORT_TIMEOUT"] = 0.5
    feed = Feed(httpserver)
    import_id = add(client, world, feed.url).get_json()["id"]
    first = sync(client, world, import_id)
    assert first["blocks"] == 7 and first["error"] is None
    feed.mode = mode
    result = sync(client, world, import_id)
    assert result["error"].startswith(message), result
    assert result["blocks"] == 7
    assert result["last_success_at"] == first["last_success_at"]
    assert_blocked(client, world, "2027-03-02T10:00", "2027-03-02T11:00")
    listed = client.get(
        f"/api/v1/units/{world['unit']}/calendar-imports", headers=world["h"]
    ).get_json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["last_error"] == result["error"] and item["blocks"] == 7
    assert item["last_attempt_at"] > item["last_success_at"]
    # it works again once the feed is back, and the error is cleared
    if mode == "timeout":
        time.sleep(1.2)  # the local server answers one request at a time
    feed.mode = "google"
    again = sync(client, world, import_id)
    assert again["error"] is None and again["blocks"] == 7


def test_three_redirects_are_followed(client, world, httpserver):
    Feed(httpserver)  # serves /r2 → /r3 → /r4 → /feed.ics
    import_id = add(client, world, httpserver.url_for("/r2")).get_json()["id"]
    result = sync(client, world, import_id)
    assert (result["blocks"], result["error"]) == (7, None)
    assert [request.path for request, _ in httpserver.log][-3:] == ["/r3", "/r4", "/feed.ics"]


def test_a_changed_feed_replaces_the_blocks(client, world, httpserver):
    feed = Feed(httpserver)
    import_id = add(client, world, feed.url).get_json()["id"]
    assert sync(client, world, import_id)["blocks"] == 7
    httpserver.clear()
    url = serve(httpserver, "/feed.ics", ics("new_york.ics"))
    assert url == feed.url
    result = sync(client, world, import_id)
    assert result["blocks"] == 1 and result["changed"] is True
    assert_free(client, world, "2027-03-02T10:00", "2027-03-02T11:00")
    assert_blocked(client, world, "2027-03-08T15:00", "2027-03-08T16:00")


def test_not_modified_keeps_the_blocks(client, world, httpserver):
    seen = []

    def handler(request):
        seen.append((request.headers.get("If-None-Match"), request.headers.get("User-Agent")))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            ics("google.ics"),
            content_type="text/calendar",
            headers={"ETag": '"v1"', "Last-Modified": "Tue, 17 Nov 2026 08:00:00 GMT"},
        )

    httpserver.expect_request("/etag.ics").respond_with_handler(handler)
    import_id = add(client, world, httpserver.url_for("/etag.ics")).get_json()["id"]
    first = sync(client, world, import_id)
    second = sync(client, world, import_id)
    assert second["not_modified"] is True and second["error"] is None
    assert second["blocks"] == 7 and second["last_success_at"] >= first["last_success_at"]
    assert seen[0][0] is None and seen[-1][0] == '"v1"'
    assert seen[0][1].startswith("Spaces-CalendarImport/")
    assert_blocked(client, world, "2027-03-02T10:00", "2027-03-02T11:00")


def test_loopback_is_refused_unless_allowed(client, world, httpserver, app):
    app.config["CALENDAR_IMPORT_ALLOW_PRIVATE"] = False
    url = serve(httpserver, "/private.ics", ics("google.ics"))
    import_id = add(client, world, url).get_json()["id"]
    result = sync(client, world, import_id)
    assert "local or private network" in result["error"]
    assert result["blocks"] == 0
    assert httpserver.log == []  # not even one request went out
    assert_free(client, world, "2027-03-02T10:00", "2027-03-02T11:00")


# --- the unit's own export, and collisions -----------------------------------------------------


def unit_feed(client, world, unit_id: int) -> bytes:
    """The unit's own iCal export, as the host's calendar application would subscribe to it."""
    token = client.post(
        "/api/v1/calendar-tokens", json={"scope": "unit", "id": unit_id}, headers=world["h"]
    ).get_json()
    response = client.get("/calendars/" + token["url"].rpartition("/calendars/")[2])
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return response.get_data()


def test_importing_the_units_own_export_does_not_block_it(client, world, httpserver):
    mine = book(client, world, "2027-03-03T10:00", "2027-03-03T11:00").get_json()
    book(client, world, "2027-03-03T14:00", "2027-03-03T15:00", unit=world["other"])
    own = unit_feed(client, world, world["unit"])
    assert f"UID:booking-{mine['id']}@".encode() in own
    # the unit's own feed, and the other unit's feed (how a host links two units)
    serve(httpserver, "/own.ics", own)
    serve(httpserver, "/other.ics", unit_feed(client, world, world["other"]))
    own_id = add(client, world, httpserver.url_for("/own.ics")).get_json()["id"]
    other_id = add(client, world, httpserver.url_for("/other.ics")).get_json()["id"]
    assert sync(client, world, own_id)["blocks"] == 0
    assert sync(client, world, other_id)["blocks"] == 1
    assert_free(client, world, "2027-03-03T10:00", "2027-03-03T11:00")
    assert_blocked(client, world, "2027-03-03T14:00", "2027-03-03T15:00")


def test_a_collision_with_a_confirmed_booking_emails_the_hosts_once_and_keeps_it(
    client, world, httpserver, outbox
):
    booking = book(client, world, "2027-03-02T10:30", "2027-03-02T11:30").get_json()
    assert booking["status"] == "confirmed"
    before = len(outbox)
    url = serve(httpserver, "/google.ics", ics("google.ics"))
    import_id = add(client, world, url, name="Agenda yoga").get_json()["id"]
    message = outbox.last("host@example.org")
    assert len(outbox) == before + 1
    assert "overlaps a booking of Salle Loire" in message["Subject"]
    text = outbox.body(message)
    assert booking["reference"] in text and "Agenda yoga" in text
    assert any(f"/units/{world['unit']}/calendars" in link for link in outbox.links(message))
    # the booking stands
    fetched = client.get(f"/api/v1/bookings/{booking['id']}", headers=world["b"]).get_json()
    assert fetched["status"] == "confirmed"
    # a sync that finds the same collision does not write again
    sync(client, world, import_id)
    assert len(outbox) == before + 1


# --- shapes, rules and permissions -------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"url": "webcal://example.org/cal.ics"},
        {"url": "ftp://example.org/cal.ics"},
        {"url": "not an address"},
        {"url": ""},
        {},
        {"url": "https://" + "a" * 2000 + ".org/cal.ics"},
    ],
)
def test_only_http_addresses_are_accepted(client, world, payload):
    response = client.post(
        f"/api/v1/units/{world['unit']}/calendar-imports", json=payload, headers=world["h"]
    )
    assert response.status_code == 422, response.get_json()
    assert "url" in response.get_json()["error"]["fields"]


def test_the_same_address_twice_is_a_conflict(client, world, httpserver):
    url = serve(httpserver, "/twice.ics", ics("floating.ics"))
    assert add(client, world, url).status_code == 201
    response = add(client, world, url)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "duplicate"


def test_only_the_units_managers_see_and_change_its_imports(client, world, httpserver):
    url = serve(httpserver, "/private-to-hosts.ics", ics("floating.ics"))
    import_id = add(client, world, url).get_json()["id"]
    unit_path = f"/api/v1/units/{world['unit']}/calendar-imports"
    assert client.get(unit_path).status_code == 401
    assert client.get(unit_path, headers=world["b"]).status_code == 403
    assert client.get(unit_path, headers=world["m"]).status_code == 403
    assert client.post(unit_path, json={"url": url}, headers=world["m"]).status_code == 403
    for who in ("b", "m"):
        sync_path = f"/api/v1/calendar-imports/{import_id}/sync"
        assert client.post(sync_path, headers=world[who]).status_code == 403
        delete = client.delete(f"/api/v1/calendar-imports/{import_id}", headers=world[who])
        assert delete.status_code == 403
    assert (
        client.post("/api/v1/calendar-imports/999999/sync", headers=world["h"]).status_code == 404
    )
    assert client.delete("/api/v1/calendar-imports/999999", headers=world["h"]).status_code == 404
    assert (
        client.get("/api/v1/units/999999/calendar-imports", headers=world["h"]).status_code == 404
    )


def test_delete_removes_the_blocks(client, world, httpserver):
    url = serve(httpserver, "/delete-me.ics", ics("floating.ics"))
    import_id = add(client, world, url).get_json()["id"]
    assert_blocked(client, world, "2027-03-09T15:00", "2027-03-09T16:00")
    assert (
        client.delete(f"/api/v1/calendar-imports/{import_id}", headers=world["h"]).status_code
        == 204
    )
    assert_free(client, world, "2027-03-09T15:00", "2027-03-09T16:00")
    listed = client.get(f"/api/v1/units/{world['unit']}/calendar-imports", headers=world["h"])
    assert listed.get_json() == {"items": [], "total": 0, "page": 1}


# --- the host's page ---------------------------------------------------------------------------


@pytest.fixture
def host_client(app, world):
    client = app.test_client()
    log_in(client, "host@example.org")
    return client


def test_page_adds_an_address_and_shows_its_busy_times(host_client, world, httpserver):
    url = serve(httpserver, "/page.ics", ics("google.ics"))
    page = f"/units/{world['unit']}/calendars"
    response = post_form(
        host_client, page, {"action": "link", "url": url, "name": "Agenda"}, prefix="link"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    html = host_client.get(page).get_data(as_text=True)
    assert "Agenda" in html and "7 busy times ahead." in html
    assert "Last read successfully" in html


def test_page_shows_the_last_error_clearly_and_syncs_now(host_client, world, httpserver, app):
    feed = Feed(httpserver)
    page = f"/units/{world['unit']}/calendars"
    post_form(host_client, page, {"action": "link", "url": feed.url}, prefix="link")
    feed.mode = "404"
    html = host_client.get(page).get_data(as_text=True)
    import_id = int(html.split(f"/units/{world['unit']}/calendars/")[1].split("/")[0])
    response = post_form(
        host_client, f"{page}/{import_id}/sync", {}, page=page, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "The sync failed: No calendar was found at this address (HTTP 404)." in html
    assert 'role="alert"' in html and "The busy times read before are kept." in html


def test_page_uploads_a_file_and_refuses_a_broken_one(host_client, world):
    from io import BytesIO

    from tests.factories import csrf_from

    page = f"/units/{world['unit']}/calendars"
    token = csrf_from(host_client.get(page).get_data(as_text=True), "upload-csrf_token")

    def upload(name, content):
        return host_client.post(
            page,
            data={
                "action": "upload",
                "upload-csrf_token": token,
                "upload-file": (BytesIO(content), name),
            },
            content_type="multipart/form-data",
        )

    broken = upload("broken.ics", ics("malformed.ics"))
    assert broken.status_code == 422
    assert "The calendar could not be read" in broken.get_data(as_text=True)
    good = upload("outlook.ics", ics("outlook.ics"))
    assert good.status_code == 302
    html = host_client.get(page).get_data(as_text=True)
    assert "outlook.ics" in html and "Uploaded file" in html and "2 busy times ahead." in html


def test_page_lists_collisions(host_client, client, world, httpserver):
    book(client, world, "2027-03-04T09:00", "2027-03-04T10:00")
    url = serve(httpserver, "/collide.ics", ics("outlook.ics"))
    add(client, world, url, name="Mairie")
    html = host_client.get(f"/units/{world['unit']}/calendars").get_data(as_text=True)
    assert 'data-testid="collision"' in html and "Mairie" in html and "Camille" in html


def test_page_is_for_managers_only(app, world):
    visitor = app.test_client()
    assert visitor.get(f"/units/{world['unit']}/calendars").status_code == 302  # to log in
    log_in(visitor, "member@example.org")
    assert visitor.get(f"/units/{world['unit']}/calendars").status_code == 403
