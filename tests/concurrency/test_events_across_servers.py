"""Real time across processes: two gunicorn servers share the database and Redis; a booking
made on server A reaches a stream open on server B within 2 seconds."""

from __future__ import annotations

import http.client
import json
import queue
import threading
import time
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

import pytest

from tests.factories import api_token, make_space, make_unit, make_user, set_hours
from tests.servers import gunicorns


class StreamReader:
    """Reads an SSE stream over real HTTP in a thread; events land in ``events``."""

    def __init__(self, base: str, path: str, headers: dict | None = None):
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.conn.request("GET", path, headers=headers or {})
        self.response = self.conn.getresponse()
        self.events: queue.Queue = queue.Queue()
        self.ready = threading.Event()
        if self.response.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event = {}
        try:
            while True:
                line = self.response.fp.readline()
                if not line:
                    return
                text = line.decode().rstrip("\n")
                if text.startswith("retry:"):
                    self.ready.set()
                elif text.startswith("id: "):
                    event["id"] = int(text[4:])
                elif text.startswith("data: "):
                    event["data"] = json.loads(text[6:])
                    event["at"] = time.monotonic()
                    self.events.put(event)
                    event = {}
        except (OSError, ValueError, AttributeError):  # closed by the test
            return

    def close(self):
        self.conn.close()


def _post(url: str, token: str, payload: dict) -> int:
    request = Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    try:
        with urlopen(request, timeout=30) as response:
            return response.status
    except HTTPError as error:
        return error.code


@pytest.mark.redis
def test_booking_on_server_a_reaches_a_stream_on_server_b(app, app_ctx, database, redis_url):
    host = make_user()
    space = make_space(host, units=0, publish=False)
    unit = make_unit(host, space, capacity=2)
    set_hours(host, space)
    from spaces.db import transaction
    from spaces.listings import services

    with transaction():
        services.publish_space(host, space)
    token = api_token(make_user())
    env = {
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": "0",
        "STREAMS_PER_CLIENT": "3",
        "STREAM_HEARTBEAT_SECONDS": "0.5",  # a closed client is noticed at the next write
    }
    path = f"/api/v1/units/{unit.id}/availability/stream"
    with gunicorns(env, 2, workers=2, threads=8) as (server_a, server_b):
        stream = StreamReader(server_b, path)
        assert stream.response.status == 200
        assert stream.ready.wait(5)
        time.sleep(0.2)  # the subscriber thread of that worker is listening

        # A refused booking (Saturday: closed) sends nothing.
        assert (
            _post(
                f"{server_a}/api/v1/bookings",
                token,
                {"unit_id": unit.id, "start": "2027-03-06T09:00", "end": "2027-03-06T10:00"},
            )
            == 409
        )
        with pytest.raises(queue.Empty):
            stream.events.get(timeout=1.0)

        booked_at = time.monotonic()
        assert (
            _post(
                f"{server_a}/api/v1/bookings",
                token,
                {"unit_id": unit.id, "start": "2027-03-01T09:00", "end": "2027-03-01T10:00"},
            )
            == 201
        )
        event = stream.events.get(timeout=2.0)
        assert event["data"]["unit_id"] == unit.id
        assert event["at"] - booked_at < 2.0
        version = event["id"]

        # Reconnecting with an older Last-Event-ID gets one event at once, on either server.
        late = StreamReader(server_a, path, headers={"Last-Event-ID": str(version - 1)})
        assert late.events.get(timeout=1.0)["id"] == version
        late.close()
        time.sleep(1.5)  # the server notices the closed connection at its next heartbeat

        # The per-client limit holds across servers (counted in Redis): 3 open, the 4th is 429.
        second = StreamReader(server_a, path)
        third = StreamReader(server_b, path)
        fourth = StreamReader(server_a, path)
        try:
            assert (second.response.status, third.response.status) == (200, 200)
            assert fourth.response.status == 429
            assert json.loads(fourth.response.read())["error"]["code"] == "rate_limited"
        finally:
            for reader in (stream, second, third, fourth):
                reader.close()
