"""Server-Sent Events of availability: one unit, or the units of a result page.

The database session is released before streaming: an open stream holds a thread and a broker
subscription, never a connection. Each stream lives at most ``STREAM_MAX_SECONDS`` (the browser
reconnects by itself with ``Last-Event-ID``), sends a comment every ``STREAM_HEARTBEAT_SECONDS``,
and a client (IP address) may hold ``STREAMS_PER_CLIENT`` at once — counted in Redis when it is
configured, so the limit holds across processes.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

from flask import Response, current_app, request

from spaces.db import utcnow
from spaces.errors import DomainError
from spaces.events import broker

_local_counts: Counter = Counter()
_local_lock = threading.Lock()


class TooManyStreams(DomainError):
    status = 429
    code = "rate_limited"
    default_message = "Too many open streams from this address: close some tabs and try again."


def _client_key() -> str:
    # remote_addr, never a raw X-Forwarded-For (spoofable): behind the proxy, ProxyFix sets it.
    return request.remote_addr or "?"


_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, tonumber(ARGV[1]) - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return 1
"""


class StreamSlot:
    """One of a client's limited stream slots; released when the stream ends.

    With Redis, each open stream is a member of a sorted set scored by its start, so a slot that
    a crashed process never released simply ages out after the longest stream life, and a late
    release can never push a count below zero.
    """

    def __init__(self, key: str, limit: int, redis_url: str | None, max_age: float):
        self.key, self.limit, self.max_age = key, limit, max_age
        self.member = uuid.uuid4().hex
        self.redis = None
        if redis_url:
            import redis

            self.redis = redis.Redis.from_url(redis_url)

    @property
    def _name(self) -> str:
        return f"spaces:streams:{self.key}"

    def acquire(self) -> bool:
        if self.redis is not None:
            script = self.redis.register_script(_ACQUIRE)
            return bool(
                script(keys=[self._name], args=[time.time(), self.max_age, self.limit, self.member])
            )
        with _local_lock:
            if _local_counts[self.key] >= self.limit:
                return False
            _local_counts[self.key] += 1
            return True

    def release(self) -> None:
        if self.redis is not None:
            self.redis.zrem(self._name, self.member)
            return
        with _local_lock:
            _local_counts[self.key] -= 1
            if _local_counts[self.key] <= 0:
                del _local_counts[self.key]


def _event(change: dict) -> str:
    return f"id: {change['version']}\nevent: availability\ndata: {json.dumps(change)}\n\n"


def last_event_id() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("last_event_id")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def stream_response(
    versions: dict[int, int],
    catch_up: list[dict],
    state_version: int | None = None,
    current_versions: Callable[[list[int]], dict[int, int]] | None = None,
) -> Response:
    """An event-stream response for these units (``versions``: what the caller read); the
    ``catch_up`` events are sent at once.

    An event published between the caller's read and the subscription would be lost: so once
    subscribed, ``current_versions`` (committed versions, read afresh) is asked again, and a unit
    that has moved meanwhile gets an event at once. ``state_version`` (a one-unit stream) is sent
    at once as the event id, without an event: a browser that reconnects before any event came
    then still sends ``Last-Event-ID`` and is caught up on what it missed while disconnected.
    """
    config = current_app.config
    heartbeat = config.get("STREAM_HEARTBEAT_SECONDS", 15)
    max_seconds = config.get("STREAM_MAX_SECONDS", 300)
    slot = StreamSlot(
        _client_key(),
        config.get("STREAMS_PER_CLIENT", 20),
        config.get("REDIS_URL"),
        max_seconds + 2 * heartbeat,
    )
    if not slot.acquire():
        raise TooManyStreams()
    from spaces.extensions import db

    # Give the request's connection back before anything else: ``current_versions`` takes one
    # of its own, and a thread holding two would starve the pool when hundreds of streams open
    # at once (every thread holding one, all waiting for a second). Nothing below uses it.
    db.session.remove()
    subscription = broker().subscribe(versions)
    if current_versions is not None:
        pending = {change["unit_id"]: change for change in catch_up}
        for unit_id, version in current_versions(list(versions)).items():
            if version > versions.get(unit_id, version):
                pending[unit_id] = {
                    "unit_id": unit_id,
                    "version": version,
                    "changed_at": utcnow().isoformat(),
                }
        catch_up = list(pending.values())

    def generate() -> Iterator[str]:
        try:
            yield f"retry: {config.get('STREAM_RETRY_MS', 3000)}\n\n"
            if state_version is not None and not catch_up:
                yield f"id: {state_version}\n\n"  # sets Last-Event-ID, dispatches nothing
            for change in catch_up:
                yield _event(change)
            deadline = time.monotonic() + max_seconds
            while time.monotonic() < deadline:
                change = subscription.get(
                    timeout=min(heartbeat, max(0.1, deadline - time.monotonic()))
                )
                yield _event(change) if change else ": ping\n\n"
        finally:
            subscription.close()
            slot.release()

    response = Response(generate(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events through unbuffered
    return response
