"""Search benchmark, in process: ``spaces.listings.search.search`` as the search page calls it.

Creates the app on DATABASE_URL, then times searches around random communes, drawn by population
like the people who search (a search around Paris is far more likely than around a hamlet;
``--uniform`` draws every commune alike): radius 5, 20 and 50 km, and one without a place (every
published unit, sorted by name). When search.py has ``rank`` and ``hydrate`` (the two-phase
search of ``bench/search-two-phase.patch``), it also times one page of 20 results. Each query runs
in a fresh session, as each web request does; a few warm-up queries are not counted. Prints, per
query type, the median and 95th percentile in milliseconds and the mean hit count.

    python bench/search.py --database-url sqlite:////tmp/bench.sqlite3
    python bench/search.py --database-url ... --breakdown   # where the 20 km time goes
    python bench/search.py --database-url ... --profile     # cProfile of the 20 km queries
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import make_app, read_communes  # noqa: E402

TARGET_P95_MS = 30.0  # radius 20 km, 10,000 spaces, SQLite and PostgreSQL


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def points(count: int, seed: int, uniform: bool = False) -> list[tuple[float, float]]:
    communes = read_communes()
    rng = random.Random(seed)
    weights = None if uniform else [c.population for c in communes]
    chosen = rng.choices(communes, weights=weights, k=count)
    return [(c.latitude, c.longitude) for c in chosen]


def timed(queries, run, warmup: int = 5) -> tuple[list[float], list[int]]:
    """Run each query in a fresh session; returns the durations (ms) and hit counts."""
    from spaces.extensions import db

    for query in queries[:warmup]:
        run(query)
        db.session.remove()
    durations, hits = [], []
    for query in queries:
        started = time.perf_counter()
        found = run(query)
        durations.append((time.perf_counter() - started) * 1000)
        hits.append(found)
        db.session.remove()
    return durations, hits


def search_count(query) -> int:
    from spaces.listings.search import search

    return len(search(query))


def page_count(query, per_page: int = 20) -> int:
    """What a results page costs once search is split in two phases: rank every match from
    plain rows, load only the page's units (``rank``/``hydrate``, when search.py has them)."""
    from spaces.listings.search import hydrate, rank

    ranked = rank(query)
    hydrate(query, ranked[:per_page])
    return len(ranked)


def report(label: str, durations: list[float], hits: list[int]) -> dict:
    row = {
        "query": label,
        "n": len(durations),
        "median_ms": statistics.median(durations),
        "p95_ms": percentile(durations, 0.95),
        "max_ms": max(durations),
        "mean_hits": statistics.fmean(hits),
    }
    print(
        f"{label:<28} n={row['n']:<4} median {row['median_ms']:7.1f} ms   "
        f"p95 {row['p95_ms']:7.1f} ms   max {row['max_ms']:7.1f} ms   "
        f"hits {row['mean_hits']:7.0f}",
        flush=True,
    )
    return row


def breakdown(queries) -> None:
    """Split the 20 km search into its steps (same code path as ``search``, timed apart)."""
    from spaces.extensions import db
    from spaces.geo.distance import bounding_box, distance_km
    from spaces.listings.models import Space, Unit
    from spaces.listings.search import candidates

    steps: dict[str, list[float]] = {
        "sql only (ids in the box)": [],
        "candidates() sql+orm": [],
        "geodesic distance": [],
        "sort": [],
    }
    rows, kept = [], []
    import sqlalchemy as sa

    for query in queries:
        db.session.remove()
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            query.latitude, query.longitude, query.radius_km
        )
        started = time.perf_counter()
        db.session.execute(
            sa.select(Unit.id, Space.latitude, Space.longitude)
            .join(Unit.space)
            .where(
                Space.status == "published",
                Unit.active.is_(True),
                Space.latitude.between(min_lat, max_lat),
                Space.longitude.between(min_lon, max_lon),
            )
        ).all()
        steps["sql only (ids in the box)"].append((time.perf_counter() - started) * 1000)
        db.session.remove()
        started = time.perf_counter()
        found = candidates(query)
        steps["candidates() sql+orm"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        distances = [
            (distance_km(query.latitude, query.longitude, s.latitude, s.longitude), u)
            for u, s in found
        ]
        steps["geodesic distance"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        inside = sorted((d, u.space.name.lower(), u.id) for d, u in distances if d <= 20)
        steps["sort"].append((time.perf_counter() - started) * 1000)
        rows.append(len(found))
        kept.append(len(inside))
    print(
        f"  20 km breakdown: {statistics.fmean(rows):.0f} candidate units in the box, "
        f"{statistics.fmean(kept):.0f} within the radius (mean)"
    )
    for name, values in steps.items():
        per_unit = sum(values) * 1000 / max(1, sum(rows))
        print(
            f"  {name:<28} median {statistics.median(values):7.1f} ms   "
            f"p95 {percentile(values, 0.95):7.1f} ms   {per_unit:5.1f} us per candidate unit"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--queries", type=int, default=200, help="per radius")
    parser.add_argument("--unlocated", type=int, default=20, help="searches without a place")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--uniform", action="store_true", help="every commune equally likely (not by population)"
    )
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    app = make_app(args.database_url)
    with app.app_context():
        import sqlalchemy as sa

        from spaces.extensions import db
        from spaces.listings import search as search_module
        from spaces.listings.models import Space, Unit
        from spaces.listings.search import SearchQuery

        backend = db.engine.dialect.name
        spaces = db.session.scalar(sa.select(sa.func.count()).select_from(Space))
        units = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
        print(f"{backend}: {spaces} spaces, {units} units")
        around = points(args.queries, args.seed, args.uniform)
        print(
            f"query points: {'uniform over communes' if args.uniform else 'communes by population'}"
        )
        results = []
        for radius in (5, 20, 50):
            queries = [SearchQuery(lat, lon, radius_km=radius) for lat, lon in around]
            results.append(report(f"radius {radius} km", *timed(queries, search_count)))
        unlocated = [SearchQuery()] * args.unlocated
        results.append(report("no place, by name", *timed(unlocated, search_count, warmup=2)))
        twenty = results[1]
        if hasattr(search_module, "rank"):
            for radius in (5, 20, 50):
                queries = [SearchQuery(lat, lon, radius_km=radius) for lat, lon in around]
                row = report(f"radius {radius} km, page of 20", *timed(queries, page_count))
                twenty = row if radius == 20 else twenty
            report("no place, page of 20", *timed([SearchQuery()] * 50, page_count, warmup=2))
        verdict = "met" if twenty["p95_ms"] <= TARGET_P95_MS else "MISSED"
        print(f"target radius 20 km p95 <= {TARGET_P95_MS:.0f} ms ({twenty['query']}): {verdict}")
        if args.breakdown:
            breakdown([SearchQuery(lat, lon, radius_km=20) for lat, lon in around])
        if args.profile:
            profiler = cProfile.Profile()
            queries = [SearchQuery(lat, lon, radius_km=20) for lat, lon in around]
            profiler.enable()
            timed(queries, search_count, warmup=0)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
