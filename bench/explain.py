"""Query plans of what a dated search and a booking send to the database (issue 11).

Runs one dated search (``run_search``, 20 km around Paris by default, a 2-hour window on a future
weekday) and one booking (``request_booking`` inside ``transaction()``, as the API does),
capturing every statement with SQLAlchemy's ``before_cursor_execute``/``after_cursor_execute``
events. Statements are grouped by their SQL text; for each group (the costliest first, at most
``--max``), it prints how often it ran and its time, the statement with the parameters of its
slowest run, and its plan with those parameters:

- PostgreSQL: ``EXPLAIN (ANALYZE, BUFFERS)`` (writes too: inside a transaction rolled back after);
- SQLite: ``EXPLAIN QUERY PLAN``.

Output is Markdown (fenced blocks), ready for bench/README.md. The booking is real (it stays).

    python bench/explain.py --database-url postgresql://127.0.0.1:5432/spaces_bench
    python bench/explain.py --database-url sqlite:////tmp/scale.sqlite3 --lat 47.39 --lon 0.68
    python bench/explain.py --database-url ... --only search --max 5
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_kit as kit  # noqa: E402

WRITES = ("INSERT", "UPDATE", "DELETE")
MAX_SQL_CHARS = 2000


def groups(items: list) -> list[dict]:
    """Statements grouped by text, costliest first: count, total and slowest (with its params)."""
    by_text: dict[str, dict] = defaultdict(lambda: {"count": 0, "total": 0.0, "slowest": None})
    for text, parameters, elapsed, executemany in items:
        group = by_text[text]
        group["text"], group["count"] = text, group["count"] + 1
        group["total"] += elapsed
        group["executemany"] = executemany
        if group["slowest"] is None or elapsed > group["slowest"][1]:
            group["slowest"] = (parameters, elapsed)
    return sorted(by_text.values(), key=lambda g: -g["total"])


def explain(engine, text: str, parameters) -> tuple[str, str]:
    """(the statement with its values, its plan) on the engine's database."""
    keyword = text.lstrip().split(None, 1)[0].upper()
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            from psycopg import ClientCursor, Error

            # Client-side binding: the plan is the one for these very values.
            cursor = ClientCursor(raw.driver_connection)
            shown = cursor.mogrify(text, parameters)
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + text, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            except Error as error:  # e.g. the booking's INSERT again: its reference is taken
                raw.driver_connection.rollback()
                cursor.execute("EXPLAIN " + text, parameters)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                plan += f"\n(plan only: running it failed with {type(error).__name__})"
            raw.driver_connection.rollback()  # writes explained are undone
            cursor.close()
            return shown, plan
        cursor = raw.cursor()
        cursor.execute("EXPLAIN QUERY PLAN " + text, parameters)
        rows = cursor.fetchall()
        cursor.close()
        depth: dict[int, int] = {0: 0}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            lines.append("  " * (depth[node] - 1) + detail)
        if keyword in WRITES and not lines:
            lines = ["(a write: no plan to show)"]
        return f"{text}\n-- parameters: {parameters!r}", "\n".join(lines)
    finally:
        raw.close()


def report(engine, title: str, seen: kit.Statements, limit: int) -> None:
    found = groups(seen.items)
    total = sum(g["total"] for g in found)
    print(f"\n### {title}\n\n{seen.kinds()}, {len(found)} distinct, {total:.1f} ms in the database")
    for n, group in enumerate(found[:limit], start=1):
        keyword = group["text"].lstrip().split(None, 1)[0].upper()
        parameters, slowest = group["slowest"]
        print(
            f"\n#### {n}. {keyword}, ran {group['count']} times, {group['total']:.1f} ms in all,"
            f" slowest {slowest:.2f} ms\n"
        )
        if keyword not in ("SELECT", "WITH", *WRITES) or group["executemany"]:
            print("```sql\n" + group["text"][:MAX_SQL_CHARS] + "\n```")
            continue
        shown, plan = explain(engine, group["text"], parameters)
        if len(shown) > MAX_SQL_CHARS:
            shown = shown[:MAX_SQL_CHARS] + f" … ({len(shown)} characters)"
        print("```sql\n" + shown + "\n```\n\n```\n" + plan + "\n```")
    if len(found) > limit:
        print(f"\n({len(found) - limit} more distinct statements, {total:.1f} ms in all)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--lat", type=float, default=48.8566, help="default Paris")
    parser.add_argument("--lon", type=float, default=2.3522)
    parser.add_argument("--radius-km", type=float, default=20.0)
    parser.add_argument("--start", help="window start, local time (default: a future weekday)")
    parser.add_argument("--end")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--max", type=int, default=12, help="distinct statements explained")
    parser.add_argument("--only", default="search,booking")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    only = {c.strip() for c in args.only.split(",")}
    start, end = args.start, args.end
    if not start or not end:
        start, end = kit.two_hour_windows(args.seed, 1)[0]
    from spaces.config import normalise_database_url

    app = kit.make_app(normalise_database_url(args.database_url))
    with app.app_context():
        from spaces.availability.filter import run_search
        from spaces.extensions import db
        from spaces.listings.search import SearchQuery

        engine = db.engine
        print(f"## Plans, {engine.dialect.name} ({kit.machine()})")
        if "search" in only:
            query = SearchQuery(
                args.lat, args.lon, radius_km=args.radius_km, start_text=start, end_text=end
            )
            run_search(query)  # warm: the plans below are of a second run
            db.session.remove()
            with kit.Statements(engine) as seen:
                hits = run_search(query)
            db.session.remove()
            report(
                engine,
                f"Dated search, {args.radius_km:g} km around ({args.lat}, {args.lon}), "
                f"{start} to {end}: {len(hits)} hits",
                seen,
                args.max,
            )
        if "booking" in only:
            from spaces.accounts.models import User
            from spaces.bookings import requesting
            from spaces.db import transaction
            from spaces.errors import DomainError

            ((user_id, _),) = kit.bench_people(1, "explain")
            rng = random.Random(args.seed)
            targets = kit.published_units(args.seed, 50)
            target, start_text, end_text = kit.booking_slots(rng.randrange(10**6), targets, 1)[0]
            tz = ZoneInfo(target.timezone)
            with kit.Statements(engine) as seen:
                actor = db.session.get(User, user_id)
                try:
                    with transaction():
                        requesting.request_booking(
                            actor,
                            target.unit_id,
                            datetime.fromisoformat(start_text).replace(tzinfo=tz),
                            datetime.fromisoformat(end_text).replace(tzinfo=tz),
                            1,
                        )
                    answer = 201
                except DomainError as error:
                    answer = error.status
            db.session.remove()
            report(
                engine,
                f"Booking of unit {target.unit_id}, {start_text} to {end_text} (answer {answer})",
                seen,
                args.max,
            )
        db.engine.dispose()


if __name__ == "__main__":
    main()
