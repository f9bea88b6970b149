"""Calendar feed speed: the pure iCalendar writer, and a unit feed through HTTP on SQLite.

Targets (on the project machine): 5,000 events written in ≤ 200 ms, a 100-event unit feed in
≤ 20 ms. Prints median and p95 for

- ``export.feed`` with 5,000 and 100 events (pure, no app);
- ``GET /calendars/<token>.ics`` for a 100-booking unit feed through the Flask test client on a
  fresh SQLite database (200 with the body, and 304 with If-None-Match).

    python bench/feeds.py [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def timed(function, runs: int) -> list[float]:
    function()  # warm up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def pure_events(count: int):
    from spaces.calendars.export import CalendarEvent, booking_uid

    base = datetime(2027, 3, 1, 8, tzinfo=UTC)
    stamp = datetime(2027, 1, 15, 10, 30, tzinfo=UTC)
    return [
        CalendarEvent(
            uid=booking_uid(i, "spaces.example"),
            start=base + timedelta(hours=i),
            end=base + timedelta(hours=i + 4),
            summary=f"Camille Dupont-Lefèvre · Open space ({i % 3 + 1} seats)",
            dtstamp=stamp,
            last_modified=stamp,
            sequence=i % 4,
            status=("CONFIRMED", "TENTATIVE", "CANCELLED")[i % 3],
            location="La Cantine, 1 rue Nationale, 37000 Tours",
            geo=(47.3941, 0.6848),
            description=f"Référence : ABCD{i:04d}\nPlaces : 2\nhttps://spaces.example/bookings/{i}",
            url=f"https://spaces.example/bookings/{i}",
        )
        for i in range(count)
    ]


def bench_pure(runs: int) -> dict:
    from spaces.calendars.export import feed

    results = {}
    for count in (5000, 100):
        events = pure_events(count)
        samples = timed(lambda events=events: feed(events, "Bench"), runs)
        size = len(feed(events, "Bench"))
        print(f"export.feed  {count:5d} events  {summary(samples)}   ({size / 1024:.0f} KiB)")
        results[f"pure_{count}"] = samples
    return results


def seed(app, count: int) -> str:
    """A host, a desk pool with ``count`` bookings of several bookers, and a unit feed token."""
    import secrets

    from flask_migrate import upgrade

    from spaces.bookings.models import Booking
    from spaces.calendars import tokens
    from spaces.db import transaction
    from spaces.extensions import db
    from tests.factories import make_space, make_user

    with app.app_context():
        upgrade()
        host = make_user("host@example.org", name="Léa Hôte")
        bookers = [make_user(f"b{i}@example.org", name=f"Booker {i}") for i in range(10)]
        space = make_space(host, name="La Cantine", units=1)
        unit = space.units[0]
        base = datetime(2027, 3, 1, 8, tzinfo=UTC)
        with transaction():
            for i in range(count):
                start = base + timedelta(days=i // 2, hours=(i % 2) * 5)
                db.session.add(
                    Booking(
                        reference=secrets.token_hex(4).upper(),
                        unit_id=unit.id,
                        user_id=bookers[i % len(bookers)].id,
                        start_at=start,
                        end_at=start + timedelta(hours=4),
                        seats=1 + i % 3,
                        status="confirmed" if i % 10 else "cancelled",
                        price_amount=1500,
                        note="Badge à l'accueil, merci" if i % 7 == 0 else "",
                    )
                )
        with transaction():
            token = tokens.create_token(host, "unit", unit.id)
        return token.token


def bench_http(runs: int) -> dict:
    from spaces import create_app

    with tempfile.TemporaryDirectory() as directory:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite3",
                "INSTANCE_PATH": directory,
                "SPACES_ENV": "testing",
                "TESTING": True,
                "SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
                "ARGON2_TIME_COST": 1,
                "ARGON2_MEMORY_COST": 1024,
                "REDIS_URL": None,
            }
        )
        token = seed(app, 100)
        client = app.test_client()
        path = f"/calendars/{token}.ics"
        first = client.get(path)
        assert first.status_code == 200, first.status
        assert first.get_data().count(b"BEGIN:VEVENT") == 100
        etag = first.headers["ETag"]

        def full():
            with app.app_context():
                response = client.get(path)
            assert response.status_code == 200

        def conditional():
            with app.app_context():
                response = client.get(path, headers={"If-None-Match": etag})
            assert response.status_code == 304

        results = {"http_200": timed(full, runs), "http_304": timed(conditional, runs)}
        print(f"GET unit feed  100 events  {summary(results['http_200'])}   (200, SQLite)")
        print(f"GET unit feed  100 events  {summary(results['http_304'])}   (304, If-None-Match)")
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print the raw samples as JSON too")
    args = parser.parse_args()
    results = bench_pure(args.runs)
    results.update(bench_http(args.runs))
    if args.json:
        print(json.dumps({k: [round(s * 1000, 3) for s in v] for k, v in results.items()}))


if __name__ == "__main__":
    main()
