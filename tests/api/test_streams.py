"""Availability events over Server-Sent Events, in one process (the embedded broker)."""

from __future__ import annotations

import json
import queue
import threading
import time

import pytest

from tests.factories import api_token, bearer, make_bookable, make_space, make_user


@pytest.fixture
def unit(app_ctx):
    _space, (unit,) = make_bookable(make_user(), {"capacity": 2})
    return unit


class Reader:
    """Reads an event stream of the test client in a thread; lines arrive in ``lines``."""

    def __init__(self, client, url, headers=None, **kwargs):
        self.lines: queue.Queue = queue.Queue()
        self.response = client.get(url, headers=headers or {}, buffered=False, **kwargs)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for chunk in self.response.response:
            for line in (chunk.decode() if isinstance(chunk, bytes) else chunk).splitlines():
                self.lines.put(line)

    def next_event(self, timeout=2.0) -> dict | None:
        deadline = time.monotonic() + timeout
        event: dict = {}
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line.startswith("id: "):
                event["id"] = int(line[4:])
            elif line.startswith("data: "):
                event["data"] = json.loads(line[6:])
                return event
        return None

    def saw(self, prefix: str, timeout=2.5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.lines.get(timeout=0.1).startswith(prefix):
                    return True
            except queue.Empty:
                continue
        return False


def _book(client, unit_id, token, start="2027-03-01T09:00", end="2027-03-01T10:00", seats=1):
    return client.post(
        "/api/v1/bookings",
        json={"unit_id": unit_id, "start": start, "end": end, "seats": seats},
        headers=bearer(token),
    )


def test_a_booking_reaches_an_open_stream(app, client, unit):
    reader = Reader(app.test_client(), f"/api/v1/units/{unit.id}/availability/stream")
    assert reader.response.mimetype == "text/event-stream"
    assert reader.saw("retry: ")
    before = client.get(
        f"/api/v1/units/{unit.id}/availability?start=2027-03-01T09:00&end=2027-03-01T10:00"
    ).get_json()["version"]
    assert _book(client, unit.id, api_token(make_user())).status_code == 201
    event = reader.next_event()
    assert event is not None, "no event within 2 s"
    assert event["data"]["unit_id"] == unit.id and event["id"] == event["data"]["version"] > before


def test_no_event_for_a_refused_booking(app, client, unit):
    reader = Reader(app.test_client(), f"/api/v1/units/{unit.id}/availability/stream")
    assert reader.saw("retry: ")
    refused = _book(
        client, unit.id, api_token(make_user()), start="2027-03-06T09:00", end="2027-03-06T10:00"
    )  # Saturday
    assert refused.status_code == 409
    assert reader.next_event(timeout=1.5) is None


def test_reconnecting_with_an_old_last_event_id_gets_an_event_at_once(app, client, unit):
    _book(client, unit.id, api_token(make_user()))
    reader = Reader(
        app.test_client(),
        f"/api/v1/units/{unit.id}/availability/stream",
        headers={"Last-Event-ID": "0"},
    )
    event = reader.next_event(timeout=1)
    assert event is not None and event["id"] >= 1
    current = Reader(
        app.test_client(),
        f"/api/v1/units/{unit.id}/availability/stream",
        headers={"Last-Event-ID": str(event["id"])},
    )
    assert current.next_event(timeout=1) is None


def test_heartbeats_are_comments(app, unit):
    reader = Reader(app.test_client(), f"/api/v1/units/{unit.id}/availability/stream")
    assert reader.saw(": ping", timeout=2.5)


def test_too_many_streams_from_one_client_is_429(app, unit):
    app.config["STREAMS_PER_CLIENT"] = 2
    me = {"environ_overrides": {"REMOTE_ADDR": "192.0.2.77"}}
    url = f"/api/v1/units/{unit.id}/availability/stream"
    readers = [Reader(app.test_client(), url, **me) for _ in range(2)]
    assert all(r.response.status_code == 200 for r in readers)
    refused = app.test_client().get(url, **me)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    other = app.test_client().get(
        url, environ_overrides={"REMOTE_ADDR": "192.0.2.78"}, buffered=False
    )
    assert other.status_code == 200  # the limit is per client
    other.close()


def test_a_draft_units_stream_is_404(app, client, app_ctx):
    host = make_user()
    space = make_space(host, publish=False)
    assert client.get(f"/api/v1/units/{space.units[0].id}/availability/stream").status_code == 404


def _version(client, unit_id: int) -> int:
    return client.get(
        f"/api/v1/units/{unit_id}/availability?start=2027-03-01T09:00&end=2027-03-01T10:00"
    ).get_json()["version"]


def test_a_change_between_the_page_and_its_stream_is_sent_at_once(app, client, unit):
    # The page was made at version ``shown``; a booking commits before its stream is open: the
    # stream starts with an event for the unit, so the page refreshes instead of waiting for ever.
    shown = _version(client, unit.id)
    assert _book(client, unit.id, api_token(make_user())).status_code == 201
    reader = Reader(app.test_client(), f"/api/v1/availability/stream?units={unit.id}:{shown}")
    event = reader.next_event(timeout=2)
    assert event is not None, "the change made before subscribing was lost"
    assert event["data"]["unit_id"] == unit.id and event["data"]["version"] > shown


def test_a_page_that_is_up_to_date_gets_events_only_for_new_changes(app, client, unit):
    other = make_bookable(make_user(), {"capacity": 2})[1][0]
    shown = _version(client, unit.id)
    reader = Reader(
        app.test_client(),
        f"/api/v1/availability/stream?units={unit.id}:{shown},{other.id}",
    )
    assert reader.next_event(timeout=0.5) is None
    assert _book(client, unit.id, api_token(make_user())).status_code == 201
    event = reader.next_event(timeout=2)
    assert event is not None and event["data"]["version"] == shown + 1


@pytest.mark.parametrize("units", ["1:x", "1:", ":3", "1:2:3", "1:-1"])
def test_a_malformed_unit_version_is_422(client, unit, units):
    response = client.get(f"/api/v1/availability/stream?units={units}")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["units"] == [
        "Indiquez de 1 à 100 identifiants d'offres, séparés par des virgules."
    ]


def test_a_unit_stream_states_its_version_at_once_so_a_reconnect_catches_up(app, client, unit):
    # No event has reached the client yet when the connection drops; the unit changes meanwhile.
    # The stream gave its version as the event id at once, so the browser reconnects with it as
    # Last-Event-ID and is told about the change.
    shown = _version(client, unit.id)
    first = Reader(app.test_client(), f"/api/v1/units/{unit.id}/availability/stream")
    assert first.saw(f"id: {shown}", timeout=2)  # the browser keeps it as Last-Event-ID
    assert _book(client, unit.id, api_token(make_user())).status_code == 201
    again = Reader(
        app.test_client(),
        f"/api/v1/units/{unit.id}/availability/stream",
        headers={"Last-Event-ID": str(shown)},
    )
    event = again.next_event(timeout=2)
    assert event is not None and event["data"]["version"] == shown + 1


def test_a_stream_opens_with_a_pool_of_one_connection(database, instance_dir, unit):
    """Opening a stream never holds two connections at once: with hundreds of streams opening
    together, threads holding one and waiting for a second would starve the pool (500s)."""
    from spaces import create_app
    from tests.conftest import app_config

    small = create_app(
        app_config(
            database.url,
            instance_dir,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 2},
        )
    )
    reader = Reader(small.test_client(), f"/api/v1/units/{unit.id}/availability/stream")
    assert reader.response.status_code == 200
    assert reader.saw("retry:")
