"""Term bookings at scale (issue 13): median and p95 of a term's check (the quote: rules, the one
loader over the term's days, the engine's ``fit_term``, the month/day price) and of a term booking
(check + write + commit), in process and over HTTP through a real gunicorn, on a database built
by ``bench/scale_data.py`` (presets ``indico`` and ``million``).

Cases (``--only`` takes a comma-separated subset of the names in brackets):

- [quote] ``GET /api/v1/units/{id}/quote?start_date&end_date``: in process
  ``quotes.quote_term`` (what the endpoint calls), and over HTTP;
- [book] a term booking, check + write + commit: in process as ``POST /api/v1/bookings`` does
  it (``terms.request_term`` inside ``transaction(expire_on_commit=False)``, after-commit e-mails
  to an outbox directory), and over HTTP with a bearer token (answers counted: 201, or 409 when
  a day is full);
- [search] ``GET /api/v1/search?start_date&end_date``, no place, page of 20: in process
  (``filter.find`` then ``hydrate_matches`` of the first 20), and over HTTP.

Terms are 30 days (``--days``), 1 seat, starting on random days 7 to 90 days ahead, on random
published units with a month price (the data's busiest weeks). Every run gets a fresh session,
after ``--warmup`` uncounted runs; a case stops after ``--runs`` runs, or after ``--budget``
seconds once 5 runs are counted. The bench's bookings stay in the database.

    python bench/terms.py --database-url sqlite:////tmp/scale.sqlite3
    python bench/terms.py --database-url postgresql://127.0.0.1:5432/spaces_bench \\
        --runs 100 --json /tmp/terms-indico-pg.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_kit as kit  # noqa: E402

CASES = ("quote", "book", "search")
PAGE = 20


def month_units(seed: int) -> list[int]:
    """Active units of published spaces with a month price, shuffled by ``seed``."""
    import sqlalchemy as sa

    from spaces.extensions import db

    rows = db.session.scalars(
        sa.text(
            "SELECT u.id FROM units u JOIN spaces s ON s.id = u.space_id"
            " WHERE s.status = 'published' AND u.active AND u.price_month IS NOT NULL"
            " ORDER BY u.id"
        )
    ).all()
    db.session.remove()
    units = list(rows)
    random.Random(seed).shuffle(units)
    return units


def terms_of(seed: int, units: list[int], count: int, days: int) -> list[tuple[int, date, date]]:
    """``count`` terms of ``days`` days: (unit id, first day, last day)."""
    rng = random.Random(seed)
    firsts = kit.future_days(rng, count, first=7, last=90)
    return [
        (units[n % len(units)], first, first + timedelta(days=days - 1))
        for n, first in enumerate(firsts)
    ]


def outcome_note(outcomes: list) -> str:
    return kit.statuses(outcomes)


class Bench:
    def __init__(self, app, args):
        self.app, self.args = app, args
        self.figures: list[kit.Figure] = []
        self.n = args.runs + args.warmup
        self.units = month_units(args.seed)
        if not self.units:
            raise SystemExit("no published unit with a month price in this database")
        self.people = kit.bench_people(8, "terms")

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

    def terms(self, salt: int) -> list[tuple[int, date, date]]:
        return terms_of(self.args.seed + salt, self.units, self.n, self.args.days)

    # --- in process -------------------------------------------------------------------------

    def in_process(self) -> None:
        if self.wanted("quote"):
            self.measure(
                f"term quote ({self.args.days} days), in process",
                self.terms(1),
                self.quote,
                note=outcome_note,
            )
        if self.wanted("book"):
            self.measure(
                f"term booking check + write ({self.args.days} days), in process",
                list(enumerate(self.terms(2))),
                self.book,
                note=outcome_note,
            )
        if self.wanted("search"):
            self.measure(
                f"term search ({self.args.days} days), all units, page of 20, in process",
                self.terms(3),
                self.search,
                note=lambda o: f"matches {sum(o) / max(1, len(o)):.0f}",
            )

    def quote(self, term) -> str:
        from spaces.bookings.quotes import quote_term
        from spaces.extensions import db
        from spaces.listings.models import Unit

        unit_id, first, last = term
        outcome = quote_term(db.session.get(Unit, unit_id), first, last, 1)
        return "ok" if outcome.ok else outcome.code

    def book(self, numbered) -> int:
        from spaces.accounts.models import User
        from spaces.bookings import terms
        from spaces.db import transaction
        from spaces.errors import DomainError
        from spaces.extensions import db

        n, (unit_id, first, last) = numbered
        actor = db.session.get(User, self.people[n % len(self.people)][0])
        try:
            with transaction(expire_on_commit=False):
                terms.request_term(actor, unit_id, first, last, 1)
        except DomainError as error:
            return error.status
        return 201

    def search(self, term) -> int:
        from spaces.availability.filter import find, hydrate_matches
        from spaces.listings.search import SearchQuery

        _unit, first, last = term
        query = SearchQuery(first_day=first, last_day=last)
        matches = find(query)
        hydrate_matches(query, matches[:PAGE])
        return len(matches)

    # --- HTTP -------------------------------------------------------------------------------

    def http(self, url: str) -> None:
        client = kit.Client(url)
        if self.wanted("quote"):

            def quote(term):
                unit_id, first, last = term
                query = urlencode({"start_date": first, "end_date": last})
                status, body, _ = client.get(f"/api/v1/units/{unit_id}/quote?{query}")
                if status != 200:
                    return str(status)
                answer = json.loads(body)
                return "ok" if answer["available"] else answer["code"]

            self.measure(
                f"term quote ({self.args.days} days), HTTP",
                self.terms(4),
                quote,
                note=outcome_note,
            )
        if self.wanted("book"):

            def book(numbered):
                n, (unit_id, first, last) = numbered
                payload = {
                    "unit_id": unit_id,
                    "start_date": first.isoformat(),
                    "end_date": last.isoformat(),
                }
                status, _body, _ = client.post_json(
                    "/api/v1/bookings", payload, self.people[n % len(self.people)][1]
                )
                return status

            self.measure(
                f"term booking check + write ({self.args.days} days), HTTP",
                list(enumerate(self.terms(5))),
                book,
                note=outcome_note,
            )
        if self.wanted("search"):

            def search(term):
                _unit, first, last = term
                query = urlencode({"start_date": first, "end_date": last, "per_page": PAGE})
                status, body, _ = client.get(f"/api/v1/search?{query}")
                return json.loads(body)["total"] if status == 200 else 0

            self.measure(
                f"term search ({self.args.days} days), all units, page of 20, HTTP",
                self.terms(6),
                search,
                note=lambda o: f"matches {sum(o) / max(1, len(o)):.0f}",
            )
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=None, help="REDIS_URL for the app (default none)")
    parser.add_argument("--runs", type=int, default=50, help="counted runs per case")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per case, at most")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--days", type=int, default=30, help="days per term")
    parser.add_argument("--only", default=",".join(CASES), help=f"among {', '.join(CASES)}")
    parser.add_argument("--no-http", action="store_true", help="in process only")
    parser.add_argument("--no-in-process", action="store_true", help="HTTP only")
    parser.add_argument("--url", help="an already running server instead of starting gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
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
        print(f"== {backend}: " + ", ".join(f"{n} {t}" for t, n in sizes.items()), flush=True)
        print(f"== {kit.machine()}", flush=True)
        bench = Bench(app, args)
        print(f"{len(bench.units)} published units with a month price", flush=True)
        if not args.no_in_process:
            bench.in_process()
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
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
