"""Availability at scale (issue 11): median and p95 of what people do with dates, in process and
over HTTP through a real gunicorn, on a database built by ``bench/scale_data.py``.

Cases (``--only`` takes a comma-separated subset of the names in brackets):

- [free2h] units free for a 2-hour window, all units, no place: in process
  ``spaces.availability.filter.run_search(SearchQuery(start_text=…, end_text=…))``, and over HTTP
  ``GET /api/v1/search?start&end`` (a page of 20, as the API answers);
- [dated20km] a 20 km dated search, page of 20, around the population-weighted points of
  ``bench/search.py`` (same seed): ``run_search`` then the first 20 hits, and over HTTP.
  In process, once ``filter`` has ``find`` and ``hydrate_matches`` (the paged dated search), both
  cases time those instead, as the API calls them: ``find``, then ``hydrate_matches`` of the
  first 20 (see ``dated_page``);
- [booking] a booking, check + write + commit: in process as ``POST /api/v1/bookings`` does it
  (the unit's zone, ``requesting.request_booking`` inside ``transaction()``, after-commit e-mails
  to an outbox directory), and over HTTP with a bearer token; 2-hour slots on random units,
  future weekdays (the answers are counted: 201, or 409 when the slot is taken);
- [feed] a unit's iCalendar feed of 100 events (the bench host's unit feed token): 200, and 304
  with If-None-Match, through the app's test client in process and over HTTP;
- [week] one unit's week, ``GET /api/v1/units/{id}/availability?start&end`` (test client, HTTP);
- [noplace] search without a place, page of 20, ``GET /api/v1/search`` (test client, HTTP);
- [family] linked units: the week of the building with the most parts (``scale_data.py --family
  50``, or ``--family-only 50`` on a built database) — ``GET /api/v1/units/{id}/availability``
  (test client, HTTP), and the loader and engine alone (``unit_state`` + ``timeline``) — and the
  week of one of its offices (test client);
- [statements] the SQL statements of a dated search, page of 20 (20 km, and all units when there
  are at most ``--count-all-max`` units) and of a booking (SQLAlchemy ``before_cursor_execute``).

Every run gets a fresh session (as each request does), after ``--warmup`` uncounted runs; a case
stops after ``--runs`` runs, or after ``--budget`` seconds once 5 runs are counted (the slow
cases on main at 1,000,000 bookings). The bench's bookings stay in the database.

    python bench/availability.py --database-url sqlite:////tmp/scale.sqlite3
    python bench/availability.py --database-url postgresql://127.0.0.1:5432/spaces_bench \\
        --runs 100 --budget 90 --json /tmp/indico-pg.json
    python bench/availability.py --database-url ... --only dated20km,statements --no-http
    python bench/availability.py --database-url ... --url http://127.0.0.1:8000  # a running server

Only stable entry points are imported (``run_search``, ``SearchQuery``, ``request_booking``,
``transaction``, the API), so the integrator can re-run it on the faster code.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_kit as kit  # noqa: E402

CASES = ("free2h", "dated20km", "booking", "feed", "week", "noplace", "family", "statements")
PAGE = 20


def points(count: int, seed: int = 7) -> list[tuple[float, float]]:
    """bench/search.py's query points: communes drawn by population (same seed, same points)."""
    from search import points as search_points

    return search_points(count, seed)


def mean_note(outcomes: list, what: str = "hits") -> str:
    """'hits 329' (the mean), and the failed answers if any: 'hits 329, FAILED: 500×2'."""
    numbers = [o for o in outcomes if isinstance(o, int | float)]
    failed = [o for o in outcomes if not isinstance(o, int | float)]
    note = f"{what} {statistics.fmean(numbers):.0f}" if numbers else ""
    return note + (f", FAILED: {kit.statuses(failed)}" if failed else "")


def dated_page():
    """What a dated results page costs in process; returns a function of a SearchQuery giving the
    number of matches. With the paged dated search (``filter.find`` and ``hydrate_matches``), as
    ``GET /api/v1/search`` calls it: every match as light tuples, ORM objects for the first page
    only. Before it: ``run_search`` (every hit hydrated), then the first page."""
    from spaces.availability import filter as dated

    if hasattr(dated, "find") and hasattr(dated, "hydrate_matches"):

        def paged(query) -> int:
            matches = dated.find(query)
            dated.hydrate_matches(query, matches[:PAGE])
            return len(matches)

        return paged

    def whole(query) -> int:
        hits = dated.run_search(query)
        _page = hits[:PAGE]
        return len(hits)

    return whole


class Bench:
    def __init__(self, app, args):
        self.app, self.args = app, args
        self.figures: list[kit.Figure] = []
        self.n = args.runs + args.warmup  # inputs per case: warm-up ones first
        self.counts: dict[str, str] = {}
        rng = random.Random(args.seed)
        self.windows = kit.two_hour_windows(args.seed, self.n)
        self.points = points(self.n)
        self.dated = [
            (lat, lon, *self.windows[n % len(self.windows)])
            for n, (lat, lon) in enumerate(self.points)
        ]
        targets = kit.published_units(args.seed)
        self.targets = targets
        self.week_units = [rng.choice(targets) for _ in range(self.n)]
        monday = lambda day: day - timedelta(days=day.weekday())  # noqa: E731
        self.weeks = [monday(d) for d in kit.future_days(rng, self.n)]
        self.people = kit.bench_people(8, "availability")
        self.feed_unit, self.feed_events, self.feed_token = kit.host_feed_token()
        # The feed keeps its 100 events: the bench books elsewhere.
        self.targets = [t for t in targets if t.unit_id != self.feed_unit] or targets
        self.family = family_of_most_parts()
        if self.family is not None:  # nor in the family of linked units (it keeps its bookings)
            kept = {self.family[0], *self.family[1]}
            self.targets = [t for t in self.targets if t.unit_id not in kept] or self.targets

    def wanted(self, case: str) -> bool:
        return case in self.args.only

    def measure(self, label, inputs, run, **kwargs) -> None:
        from spaces.extensions import db

        self.figures.append(
            kit.measure(
                label,
                inputs,
                run,
                warmup=self.args.warmup,
                budget=self.args.budget,
                fresh=db.session.remove,
                **kwargs,
            )
        )

    # --- in process -------------------------------------------------------------------------------

    def in_process(self) -> None:
        from spaces.listings.search import SearchQuery

        page = dated_page()
        runs = self.n
        if self.wanted("free2h"):

            def free(window):
                return page(SearchQuery(start_text=window[0], end_text=window[1]))

            self.measure(
                "free 2 h, all units, in process",
                self.windows,
                free,
                note=lambda o: mean_note(o, "free units"),
            )
        if self.wanted("dated20km"):

            def dated(point):
                lat, lon, start, end = point
                return page(SearchQuery(lat, lon, radius_km=20, start_text=start, end_text=end))

            self.measure(
                "dated 20 km, page of 20, in process",
                self.dated,
                dated,
                note=lambda o: mean_note(o, "hits"),
            )
        if self.wanted("booking"):
            slots = kit.booking_slots(self.args.seed + 1, self.targets, runs)
            self.measure(
                "booking check + write, in process",
                list(enumerate(slots)),
                self.book,
                note=kit.statuses,
            )
        client = self.app.test_client()
        if self.wanted("feed"):
            self.feed(client, "in process (test client)")
        if self.wanted("week"):
            self.week(client, "in process (test client)")
        if self.wanted("noplace"):
            self.noplace(client, "in process (test client)")
        if self.wanted("family"):
            self.family_week(client, "in process (test client)")
            self.family_engine()

    def family_week(self, client, where: str) -> None:
        """The week of the building with the most parts, and of one of its offices."""
        if self.family is None:
            print("family: no unit with parts (scale_data.py --family-only 50)", flush=True)
            return
        parent, parts = self.family

        def week_of(unit_id):
            def one(monday):
                query = urlencode(
                    {"start": f"{monday}T00:00", "end": f"{monday + timedelta(7)}T00:00"}
                )
                status, body, _ = _unpack(
                    client.get(f"/api/v1/units/{unit_id}/availability?{query}")
                )
                return len(json.loads(body)["items"]) if status == 200 else str(status)

            return one

        segments = lambda o: mean_note(o, "segments")  # noqa: E731
        self.measure(
            f"building with {len(parts)} parts, its week, {where}",
            self.weeks,
            week_of(parent),
            note=segments,
        )
        if where.startswith("in process"):
            self.measure(
                f"an office of it, its week, {where}", self.weeks, week_of(parts[0]), note=segments
            )

    def family_engine(self) -> None:
        """The building's week through the loader and the engine alone (no HTTP, no JSON)."""
        if self.family is None:
            return
        from spaces.availability.engine import timeline
        from spaces.availability.loading import unit_state
        from spaces.db import utcnow
        from spaces.extensions import db
        from spaces.listings.models import Unit

        parent, parts = self.family

        def one(monday):
            unit = db.session.get(Unit, parent)
            tz = ZoneInfo(unit.space.timezone)
            start = datetime.combine(monday, datetime.min.time(), tz)
            end = start + timedelta(days=7)
            state = unit_state(unit, start, end, utcnow())
            return len(timeline(state, start, end))

        self.measure(
            f"building with {len(parts)} parts, its week, unit_state + timeline",
            self.weeks,
            one,
            note=lambda o: mean_note(o, "segments"),
        )

    def book(self, numbered) -> int:
        from spaces.accounts.models import User
        from spaces.bookings import requesting
        from spaces.db import transaction
        from spaces.errors import DomainError
        from spaces.extensions import db

        n, (target, start_text, end_text) = numbered
        actor = db.session.get(User, self.people[n % len(self.people)][0])
        tz = ZoneInfo(target.timezone)
        start = datetime.fromisoformat(start_text).replace(tzinfo=tz)
        end = datetime.fromisoformat(end_text).replace(tzinfo=tz)
        try:
            with transaction():
                requesting.request_booking(actor, target.unit_id, start, end, 1)
        except DomainError as error:
            return error.status
        return 201

    # --- through a client (the app's test client, or HTTP) ------------------------------------------

    def feed(self, client, where: str) -> None:
        path = f"/calendars/{self.feed_token}.ics"
        response = client.get(path)
        status, body, headers = _unpack(response)
        events = body.count(b"BEGIN:VEVENT")
        etag = headers.get("ETag")
        runs = [None] * self.n

        def full(_):
            status, body, _ = _unpack(client.get(path))
            return len(body) if status == 200 else str(status)

        def conditional(_):
            status, _, _ = _unpack(client.get(path, headers={"If-None-Match": etag}))
            return status

        self.measure(
            f"unit feed ({events} events), 200, {where}",
            runs,
            full,
            note=lambda o: mean_note([x / 1024 if isinstance(x, int) else x for x in o], "KiB"),
        )
        self.measure(f"unit feed, If-None-Match, {where}", runs, conditional, note=kit.statuses)

    def week(self, client, where: str) -> None:
        def one(pair):
            target, monday = pair
            query = urlencode({"start": f"{monday}T00:00", "end": f"{monday + timedelta(7)}T00:00"})
            status, _, _ = _unpack(
                client.get(f"/api/v1/units/{target.unit_id}/availability?{query}")
            )
            return status

        pairs = list(zip(self.week_units, self.weeks, strict=True))
        self.measure(f"one unit's week, {where}", pairs, one, note=kit.statuses)

    def noplace(self, client, where: str) -> None:
        def one(_):
            status, body, _ = _unpack(client.get(f"/api/v1/search?per_page={PAGE}"))
            return json.loads(body)["total"] if status == 200 else str(status)

        runs = [None] * self.n
        self.measure(
            f"no place, page of 20, {where}", runs, one, note=lambda o: mean_note(o, "total")
        )

    def http(self, url: str) -> None:
        client = kit.Client(url)
        runs = self.n
        if self.wanted("free2h"):

            def free(window):
                query = urlencode({"start": window[0], "end": window[1], "per_page": PAGE})
                status, body, _ = client.get(f"/api/v1/search?{query}")
                return json.loads(body)["total"] if status == 200 else str(status)

            self.measure(
                "free 2 h, all units, HTTP",
                self.windows,
                free,
                note=lambda o: mean_note(o, "free units"),
            )
        if self.wanted("dated20km"):

            def dated(point):
                lat, lon, start, end = point
                query = urlencode(
                    {"lat": lat, "lon": lon, "radius_km": 20, "start": start, "end": end}
                )
                status, body, _ = client.get(f"/api/v1/search?{query}&per_page={PAGE}")
                return json.loads(body)["total"] if status == 200 else str(status)

            self.measure(
                "dated 20 km, page of 20, HTTP", self.dated, dated, note=lambda o: mean_note(o)
            )
        if self.wanted("booking"):
            slots = kit.booking_slots(self.args.seed + 2, self.targets, runs)

            def book(numbered):
                n, (target, start, end) = numbered
                payload = {"unit_id": target.unit_id, "start": start, "end": end, "seats": 1}
                status, body, _ = client.post_json(
                    "/api/v1/bookings", payload, self.people[n % len(self.people)][1]
                )
                return status

            self.measure(
                "booking check + write, HTTP", list(enumerate(slots)), book, note=kit.statuses
            )
        if self.wanted("feed"):
            self.feed(client, "HTTP")
        if self.wanted("week"):
            self.week(client, "HTTP")
        if self.wanted("noplace"):
            self.noplace(client, "HTTP")
        if self.wanted("family"):
            self.family_week(client, "HTTP")
        client.close()

    # --- statements -------------------------------------------------------------------------------

    def statements(self, units: int) -> None:
        from spaces.extensions import db
        from spaces.listings.search import SearchQuery

        page = dated_page()  # a page of 20, as in the timed cases
        start, end = self.windows[0]
        searches = [("Paris", 48.8566, 2.3522), ("Tours", 47.3941, 0.6848)]
        searches.append(("point 1 of search.py", *self.points[0]))
        for name, lat, lon in searches:
            with kit.Statements(db.engine) as seen:
                hits = page(SearchQuery(lat, lon, radius_km=20, start_text=start, end_text=end))
            db.session.remove()
            self.report_count(f"dated search 20 km around {name} ({hits} hits)", seen)
        if units <= self.args.count_all_max:
            with kit.Statements(db.engine) as seen:
                hits = page(SearchQuery(start_text=start, end_text=end))
            db.session.remove()
            self.report_count(f"dated search, all {units} units ({hits} free)", seen)
        slots = kit.booking_slots(self.args.seed + 3, self.targets, 3)
        for n, slot in enumerate(slots):
            with kit.Statements(db.engine) as seen:
                status = self.book((n, slot))
            db.session.remove()
            self.report_count(f"booking {n + 1} (answer {status})", seen)

    def report_count(self, label: str, seen: kit.Statements) -> None:
        line = seen.kinds()
        self.counts[label] = line
        print(f"statements: {label}: {line}", flush=True)


def family_of_most_parts() -> tuple[int, list[int]] | None:
    """(the unit with the most parts, its parts' ids), or None when no unit has parts."""
    import sqlalchemy as sa

    from spaces.extensions import db
    from spaces.listings.models import Unit

    if "part_of" not in Unit.__table__.c:  # code from before linked units
        return None
    parent = db.session.scalar(
        sa.select(Unit.part_of)
        .where(Unit.part_of.is_not(None))
        .group_by(Unit.part_of)
        .order_by(sa.func.count().desc(), Unit.part_of)
        .limit(1)
    )
    if parent is None:
        return None
    parts = list(
        db.session.scalars(sa.select(Unit.id).where(Unit.part_of == parent).order_by(Unit.id))
    )
    db.session.remove()
    return parent, parts


def _unpack(response):
    """(status, body, headers) from the test client's response or Client.request's tuple."""
    if isinstance(response, tuple):
        status, body, raw = response
        return status, body, raw.headers
    return response.status_code, response.get_data(), response.headers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=None, help="REDIS_URL for the app (default none)")
    parser.add_argument("--runs", type=int, default=50, help="counted runs per case")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per case, at most")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", default=",".join(CASES), help=f"among {', '.join(CASES)}")
    parser.add_argument("--no-http", action="store_true", help="in process only")
    parser.add_argument("--no-in-process", action="store_true", help="HTTP only")
    parser.add_argument("--url", help="an already running server instead of starting gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--count-all-max", type=int, default=2000)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    args.only = {c.strip() for c in args.only.split(",") if c.strip()}
    if args.only - set(CASES):
        parser.error(f"unknown case(s): {', '.join(sorted(args.only - set(CASES)))}")
    from spaces.config import normalise_database_url

    database_url = normalise_database_url(args.database_url)
    app = kit.make_app(database_url, args.redis_url)
    with app.app_context():
        import sqlalchemy as sa

        from spaces.extensions import db

        backend = db.engine.dialect.name
        sizes = {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("spaces", "units", "bookings")
        }
        db.session.remove()
        header = f"{backend}: " + ", ".join(f"{n} {t}" for t, n in sizes.items())
        print(f"== {header}\n== {kit.machine()}", flush=True)
        bench = Bench(app, args)
        print(
            f"feed unit {bench.feed_unit}: {bench.feed_events} confirmed bookings; "
            f"{len(bench.targets)} published units",
            flush=True,
        )
        if not args.no_in_process:
            bench.in_process()
        if bench.wanted("statements"):
            bench.statements(sizes["units"])
        if not args.no_http:
            if args.url:
                bench.http(args.url)
            else:
                with kit.served(database_url, args.redis_url, args.workers, args.threads) as url:
                    print(f"gunicorn: {args.workers} workers × {args.threads} threads", flush=True)
                    bench.http(url)
        print(f"== done, load average {kit.load_average()}", flush=True)
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "backend": backend,
                        "sizes": sizes,
                        "machine": kit.machine(),
                        "figures": [f.row() for f in bench.figures],
                        "statements": bench.counts,
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
