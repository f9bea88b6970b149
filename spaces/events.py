"""The availability event bus: ``publish(unit_id, change)`` and ``subscribe(unit_ids)``.

Two implementations behind one interface: in-process (the embedded default, one server process)
and Redis pub/sub (``REDIS_URL``), where each process runs one subscriber thread that fans the
messages out to its own open streams. Events are published only after their transaction commits
(``publish_after_commit``), never for a rolled-back one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Iterable

from flask import Flask, current_app

from spaces.db import after_commit, utcnow

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "spaces:unit:"


class Subscription:
    """Events for some units, read with ``get(timeout)``; close it when the stream ends."""

    def __init__(self, broker: Broker, unit_ids: set[int]):
        self.broker = broker
        self.unit_ids = unit_ids
        self.queue: queue.Queue = queue.Queue(maxsize=1000)

    def get(self, timeout: float) -> dict | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def deliver(self, change: dict) -> None:
        # A stuck client loses events; it resynchronises from the version when it reconnects.
        with contextlib.suppress(queue.Full):
            self.queue.put_nowait(change)

    def close(self) -> None:
        self.broker.unsubscribe(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Broker:
    """In-process fan-out; the Redis broker reuses it for the local side."""

    def __init__(self):
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[Subscription]] = defaultdict(set)

    def publish(self, unit_id: int, change: dict) -> None:
        self._fan_out(unit_id, change)

    def _fan_out(self, unit_id: int, change: dict) -> None:
        with self._lock:
            targets = list(self._subscribers.get(unit_id, ()))
        for subscription in targets:
            subscription.deliver(change)

    def subscribe(self, unit_ids: Iterable[int]) -> Subscription:
        subscription = Subscription(self, set(unit_ids))
        with self._lock:
            for unit_id in subscription.unit_ids:
                self._subscribers[unit_id].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            for unit_id in subscription.unit_ids:
                subscribers = self._subscribers.get(unit_id)
                if subscribers is not None:
                    subscribers.discard(subscription)
                    if not subscribers:
                        del self._subscribers[unit_id]

    @property
    def open_subscriptions(self) -> int:
        with self._lock:
            return len({s for subs in self._subscribers.values() for s in subs})


class RedisBroker(Broker):
    """Publishes to Redis; one listener thread per process delivers to local subscribers."""

    def __init__(self, url: str):
        super().__init__()
        import redis

        self.redis = redis.Redis.from_url(url)
        # Pub/sub ignores the database number: name it in the channel so that two instances
        # sharing one Redis on different databases (staging and production) never cross.
        database = self.redis.connection_pool.connection_kwargs.get("db", 0)
        self.prefix = f"{CHANNEL_PREFIX}{database}:"
        self._listener: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def publish(self, unit_id: int, change: dict) -> None:
        self.redis.publish(f"{self.prefix}{unit_id}", json.dumps(change))

    def subscribe(self, unit_ids: Iterable[int]) -> Subscription:
        self._ensure_listener()
        return super().subscribe(unit_ids)

    def _ensure_listener(self) -> None:
        with self._start_lock:
            if self._listener is None or not self._listener.is_alive():
                ready = threading.Event()
                self._listener = threading.Thread(
                    target=self._listen, args=(ready,), name="spaces-events", daemon=True
                )
                self._listener.start()
                ready.wait(timeout=5)

    def _listen(self, ready: threading.Event) -> None:
        import time

        while True:
            try:
                pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(f"{self.prefix}*")
                ready.set()
                for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"].decode()
                    try:
                        unit_id = int(channel.rsplit(":", 1)[1])
                        change = json.loads(message["data"])
                    except (ValueError, IndexError):
                        continue
                    self._fan_out(unit_id, change)
            except Exception:  # Redis restarted or unreachable: retry, streams stay open
                log.exception("event listener lost Redis; retrying")
                ready.set()
                time.sleep(1)


def broker() -> Broker:
    return current_app.extensions["spaces_events"]


def publish_after_commit(session, unit_ids) -> None:
    """Publish each unit's new availability version once the transaction commits."""
    unit_ids = sorted(set(unit_ids))
    app = current_app._get_current_object()

    def send() -> None:
        import sqlalchemy as sa

        from spaces.extensions import db
        from spaces.listings.models import Unit

        bus = app.extensions["spaces_events"]
        changed_at = utcnow().isoformat()
        with db.engine.connect() as conn:  # not the session: it stays out of a new transaction
            rows = conn.execute(
                sa.select(Unit.id, Unit.availability_version).where(Unit.id.in_(unit_ids))
            ).all()
        for unit_id, version in rows:
            try:
                bus.publish(
                    unit_id, {"unit_id": unit_id, "version": version, "changed_at": changed_at}
                )
            except Exception:  # an event lost is a later refresh, never a failed booking
                log.exception("could not publish availability event")

    after_commit(session, send)


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["spaces_events"] = RedisBroker(url) if url else Broker()
