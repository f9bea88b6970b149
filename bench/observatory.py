"""The territory observatory at scale (issue 15): median and p95 of its figures, in process, on a
database built by ``bench/scale_data.py`` (``--preset million``: 10,000 spaces, 1,000,000
bookings over a year centred on today).

Cases (``--only`` takes a comma-separated subset of the names in brackets):

- [territory] ``spaces.observatory.services.observatory`` for territories of ``--communes`` (50)
  communes over 12 months (the year ending today): the communes nearest to a commune drawn among
  those with spaces (seeded), so that each territory has supply, bookings and searches.
  Target: ≤ 500 ms p95;
- [host] ``space_stats`` of one space over the same 12 months (random spaces). Target: ≤ 100 ms
  p95;
- [opendata] ``open_data`` (the public CSV's rows, every commune with published spaces), 12 months;
- [search_log] ``record_search``: the one INSERT each search adds (own connection, own commit).

``--searches N`` first logs N searches spread over the year in the territories' communes (once:
the rows stay). Every run gets a fresh session, after ``--warmup`` uncounted runs; a case stops
after ``--runs`` runs or ``--budget`` seconds once 5 are counted.

    python bench/observatory.py --database-url postgresql://127.0.0.1:5432/spaces_bench
    python bench/observatory.py --database-url sqlite:////tmp/scale.sqlite3 --only territory
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_kit as kit  # noqa: E402

CASES = ("territory", "host", "opendata", "search_log")


def territories(count: int, size: int, seed: int) -> list[list[str]]:
    """``count`` territories of ``size`` communes: the communes nearest to a commune with spaces."""
    import sqlalchemy as sa

    from spaces.extensions import db
    from spaces.geo.nearby import communes_by_insee, communes_within
    from spaces.listings.models import Space

    rng = random.Random(seed)
    codes = sorted(
        db.session.scalars(
            sa.select(Space.insee_code).where(Space.insee_code.is_not(None)).distinct()
        )
    )
    known = communes_by_insee()
    found = []
    for code in rng.sample(codes, min(count, len(codes))):
        commune = known.get(code)
        if commune is None:
            continue
        near = communes_within(commune.latitude, commune.longitude, 30)
        found.append([c.insee for c in near[:size]])
    return found


def log_searches(territory_list: list[list[str]], count: int, first: date, seed: int) -> None:
    """``count`` rows as ``record_search`` writes them, in one multi-row insert (one commit per
    row took SQLite more than ten minutes for 100,000)."""
    import sqlalchemy as sa

    from spaces.db import transaction
    from spaces.extensions import db
    from spaces.observatory.models import SearchLog

    rng = random.Random(seed)
    codes = [code for t in territory_list for code in t]
    rows = []
    for _ in range(count):
        code = rng.choice(codes)
        when = datetime.combine(first, datetime.min.time(), UTC) + timedelta(
            seconds=rng.randrange(365 * 86400)
        )
        rows.append(
            {
                "searched_at": when,
                "insee_code": code,
                "radius_km": 10,
                "dated": rng.random() < 0.5,
                "results": rng.randrange(5),
            }
        )
    with transaction():
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(SearchLog), rows[start : start + 5000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--communes", type=int, default=50)
    parser.add_argument("--searches", type=int, default=0)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--json", help="write the figures there")
    args = parser.parse_args()
    only = set(args.only.split(","))

    app = kit.make_app(args.database_url)
    figures: list[kit.Figure] = []
    with app.app_context():
        import sqlalchemy as sa

        from spaces.extensions import db
        from spaces.listings.models import Space
        from spaces.observatory import services
        from spaces.observatory.searchlog import record_search

        last = datetime.now(UTC).date()
        first = last - timedelta(days=364)
        n = args.runs + args.warmup
        chosen = territories(n, args.communes, args.seed)

        def fresh():
            db.session.remove()

        if args.searches:
            log_searches(chosen, args.searches, first, args.seed)
        if "territory" in only:
            figures.append(
                kit.measure(
                    f"observatory, {args.communes} communes, 12 months",
                    chosen,
                    lambda codes: services.observatory(codes, first, last)["totals"]["bookings"],
                    warmup=args.warmup,
                    budget=args.budget,
                    fresh=fresh,
                    note=lambda out: f"bookings {sum(out) / max(1, len(out)):.0f}",
                )
            )
        if "host" in only:
            rng = random.Random(args.seed)
            ids = list(db.session.scalars(sa.select(Space.id).where(Space.status == "published")))
            picks = [rng.choice(ids) for _ in range(n)]
            fresh()
            figures.append(
                kit.measure(
                    "host statistics, one space, 12 months",
                    picks,
                    lambda sid: len(
                        services.space_stats(db.session.get(Space, sid), first, last)["units"]
                    ),
                    warmup=args.warmup,
                    budget=args.budget,
                    fresh=fresh,
                )
            )
        if "opendata" in only:
            figures.append(
                kit.measure(
                    "open data CSV rows, 12 months",
                    list(range(min(n, args.warmup + 5))),
                    lambda _: len(services.open_data(first, last)),
                    warmup=min(args.warmup, 1),
                    budget=args.budget,
                    fresh=fresh,
                )
            )
        if "search_log" in only:
            figures.append(
                kit.measure(
                    "search log INSERT",
                    list(range(n)),
                    lambda _: record_search("37132", 47.13, 0.99, 10, False, 3),
                    warmup=args.warmup,
                    budget=args.budget,
                )
            )
    if args.json:
        Path(args.json).write_text(json.dumps([f.row() for f in figures], indent=2))


if __name__ == "__main__":
    main()
