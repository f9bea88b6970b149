"""Booking throughput over HTTP (issue 11): gunicorn on PostgreSQL, concurrent clients.

Two measurements on a database built by ``bench/scale_data.py``:

1. [throughput] ``--clients`` clients (default 16: ``--client-processes`` processes of threads,
   each client its own keep-alive connection and its own bearer token) book **different units**
   (each client has ``--units-per-client`` units of its own) for ``--seconds`` seconds after
   ``--warmup-seconds`` not counted: 2-hour slots on future weekdays, one request after the
   other, ``POST /api/v1/bookings``. Prints
   bookings/s (201 answers per second), requests/s, the latency median and p95 (all answers, and
   201 only), the answers counted (409: the slot was taken), then checks from the rows that no
   unit is overbooked (``scale_data.overbooked``: the peak of live seats against the capacity)
   and that the 201 answers match the bookings written.
2. [contention] ``--contenders`` clients (default 40) book the same 8-hour slot of a new desk
   pool of ``--capacity`` seats (default 3) at the same instant: exactly 3 must get 201, the
   others 409, and the rows must hold exactly 3 live bookings.

Exits with status 1 when a check fails. The server: ``--workers`` processes × ``--threads``
threads (gthread), as ``tests/servers.py`` starts it; e-mails go to an outbox directory (or the
job queue with ``--redis-url``).

    python bench/throughput.py --database-url postgresql://127.0.0.1:5432/spaces_bench
    python bench/throughput.py --database-url ... --clients 16 --seconds 30 --workers 3 --threads 4
    python bench/throughput.py --database-url ... --only contention
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_kit as kit  # noqa: E402

CASES = ("throughput", "contention")


# --- client processes (spawned: they import no app) ----------------------------------------------


def client_loop(url: str, token: str, slots: list, start_at: float, stop_at: float) -> list:
    """One client: book the slots one after the other from start_at until stop_at.

    Returns [(seconds from start_at to the answer, latency ms, status)] for the requests that
    were answered before stop_at."""
    client = kit.Client(url)
    client.get("/healthz")  # connect before the start
    results = []
    time.sleep(max(0.0, start_at - time.time()))
    for unit_id, start, end in slots:
        if time.time() >= stop_at:
            break
        began = time.perf_counter()
        try:
            status, _, _ = client.post_json(
                "/api/v1/bookings",
                {"unit_id": unit_id, "start": start, "end": end, "seats": 1},
                token,
            )
        except OSError as error:
            status = f"error {type(error).__name__}"
        latency = (time.perf_counter() - began) * 1000
        if time.time() <= stop_at:
            results.append((time.time() - start_at, latency, status))
    client.close()
    return results


def client_process(url: str, work: list, start_at: float, stop_at: float) -> list:
    """Runs in a client process: one thread per (token, slots) in ``work``."""
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        futures = [
            pool.submit(client_loop, url, token, slots, start_at, stop_at) for token, slots in work
        ]
        return [row for future in futures for row in future.result()]


def spread(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


def run_clients(url: str, work: list, processes: int, seconds: float) -> list:
    """Every client at once for ``seconds``: [(seconds from the start, latency ms, status)]."""
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 3.0  # every client connected and waiting
    stop_at = start_at + seconds
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        futures = [
            pool.submit(client_process, url, part, start_at, stop_at)
            for part in spread(work, processes)
            if part
        ]
        return [row for future in futures for row in future.result(timeout=seconds + 120)]


# --- the measurements -----------------------------------------------------------------------------


def throughput(args, url: str) -> dict:
    import sqlalchemy as sa
    from scale_data import overbooked

    from spaces.extensions import db

    targets = kit.published_units(args.seed, args.clients * args.units_per_client)
    if len(targets) < args.clients:
        raise SystemExit("not enough published units")
    people = kit.bench_people(args.clients, "throughput")
    rng = random.Random(args.seed)
    work = []
    for n, (_, token) in enumerate(people):
        mine = targets[n :: args.clients]
        # Far more slots than a client can send in the time given.
        count = int((args.seconds + args.warmup_seconds) * 400) + 100
        slots = kit.booking_slots(rng.randrange(10**9), mine, count)
        work.append((token, [(t.unit_id, start, end) for t, start, end in slots]))
    print(
        f"throughput: {args.clients} clients ({args.client_processes} processes), "
        f"{len(targets)} units ({args.units_per_client} each), {args.seconds:g} s after "
        f"{args.warmup_seconds:g} s of warm-up",
        flush=True,
    )
    everything = run_clients(url, work, args.client_processes, args.warmup_seconds + args.seconds)
    # The first seconds warm the workers (connections, caches): not counted.
    results = [row for row in everything if row[0] >= args.warmup_seconds]
    all_created = sum(1 for row in everything if row[2] == 201)
    answers = [status for _, _, status in results]
    latencies = [latency for _, latency, _ in results]
    created = [latency for _, latency, status in results if status == 201]
    figure = {
        "bookings_per_s": round(len(created) / args.seconds, 1),
        "requests_per_s": round(len(results) / args.seconds, 1),
        "answers": kit.statuses(answers),
        "latency_median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p95_ms": round(kit.percentile(latencies, 0.95), 1) if latencies else None,
        "created_median_ms": round(statistics.median(created), 1) if created else None,
        "created_p95_ms": round(kit.percentile(created, 0.95), 1) if created else None,
    }
    print(
        f"  {figure['bookings_per_s']} bookings/s ({figure['requests_per_s']} requests/s; "
        f"{figure['answers']}); latency median {figure['latency_median_ms']} ms, "
        f"p95 {figure['latency_p95_ms']} ms (201 only: {figure['created_median_ms']} / "
        f"{figure['created_p95_ms']} ms)",
        flush=True,
    )
    user_ids = [user_id for user_id, _ in people]
    with db.engine.connect() as connection:
        bad = overbooked(connection, [t.unit_id for t in targets])
        written = connection.execute(
            sa.text(
                f"SELECT count(*) FROM bookings WHERE user_id IN ({', '.join(map(str, user_ids))})"
            )
        ).scalar_one()
    figure["overbooked_units"] = len(bad)
    # Requests still in flight at the stop are written but not counted: at most one per client.
    figure["rows_written"] = written
    ok = not bad and all_created <= written <= all_created + args.clients
    print(
        f"  check: {'no unit overbooked' if not bad else f'{len(bad)} units OVERBOOKED {bad[:5]}'};"
        f" {written} bookings written for {all_created} answers 201 (warm-up included)"
        f" ({'ok' if ok else 'MISMATCH'})",
        flush=True,
    )
    figure["ok"] = ok
    return figure


def contention(args, url: str) -> dict:
    """``--contenders`` requests at once for the last ``--capacity`` seats of a new desk pool."""
    import holidays
    import sqlalchemy as sa
    from scale_data import overbooked

    from spaces.extensions import db

    tables = db.metadata.tables
    units, spaces = tables["units"], tables["spaces"]
    # A space without closures: the bench host's feed units' (scale_data keeps them open).
    feed_unit, _ = kit.feed_unit()
    space_id = db.session.scalar(sa.select(units.c.space_id).where(units.c.id == feed_unit))
    timezone = db.session.scalar(sa.select(spaces.c.timezone).where(spaces.c.id == space_id))
    with db.engine.begin() as connection:
        unit_id = connection.execute(
            sa.insert(units)
            .values(
                space_id=space_id,
                name=f"Trois postes (banc {int(time.time())})",
                kind="desk_pool",
                capacity=args.capacity,
                price_hour=300,
                price_half_day=1500,
                price_day=2500,
                booking_mode="instant",
                position=9,
                created_at=datetime.now(UTC),
            )
            .returning(units.c.id)
        ).scalar_one()
    db.session.remove()
    day = datetime.now(UTC).date() + timedelta(days=30)
    closed = holidays.France(years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    people = kit.bench_people(args.contenders, "contender")
    slot = [(unit_id, f"{day}T09:00", f"{day}T17:00")]
    work = [(token, slot) for _, token in people]
    results = run_clients(url, work, args.client_processes, 60.0)
    answers = [status for _, _, status in results]
    latencies = [latency for _, latency, _ in results]
    with db.engine.connect() as connection:
        live = connection.execute(
            sa.text("SELECT count(*) FROM bookings WHERE unit_id = :unit AND status = 'confirmed'"),
            {"unit": unit_id},
        ).scalar_one()
        bad = overbooked(connection, [unit_id])
    ok = (
        answers.count(201) == args.capacity
        and answers.count(409) == args.contenders - args.capacity
        and live == args.capacity
        and not bad
    )
    figure = {
        "unit_id": unit_id,
        "timezone": timezone,
        "answers": kit.statuses(answers),
        "confirmed_rows": live,
        "latency_max_ms": round(max(latencies), 1) if latencies else None,
        "ok": ok,
    }
    print(
        f"contention: {args.contenders} clients at once on a {args.capacity}-seat unit: "
        f"{figure['answers']}, {live} confirmed rows, slowest answer "
        f"{figure['latency_max_ms']} ms: {'ok' if ok else 'FAILED'}",
        flush=True,
    )
    return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=None, help="REDIS_URL for the app (default none)")
    parser.add_argument(
        "--worker",
        action="store_true",
        help="with --redis-url: run `flask worker` alongside (it sends the queued e-mails)",
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--units-per-client", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="counted")
    parser.add_argument("--warmup-seconds", type=float, default=3.0, help="not counted")
    parser.add_argument("--contenders", type=int, default=40)
    parser.add_argument("--capacity", type=int, default=3)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--only", default=",".join(CASES), help=f"among {', '.join(CASES)}")
    parser.add_argument("--url", help="an already running server instead of starting gunicorn")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    only = {c.strip() for c in args.only.split(",") if c.strip()}
    from spaces.config import normalise_database_url

    database_url = normalise_database_url(args.database_url)
    app = kit.make_app(database_url, args.redis_url)
    results: dict = {}
    with app.app_context():
        from spaces.extensions import db

        backend = db.engine.dialect.name
        if backend != "postgresql":
            print(f"note: {backend}, not PostgreSQL (issue 11's throughput is on PostgreSQL)")
        print(f"== {backend}\n== {kit.machine()}", flush=True)

        def measure(url: str) -> None:
            if "throughput" in only:
                results["throughput"] = throughput(args, url)
            if "contention" in only:
                results["contention"] = contention(args, url)

        if args.url:
            measure(args.url)
        else:
            with contextlib.ExitStack() as stack:
                if args.worker and args.redis_url:
                    stack.enter_context(kit.worker(database_url, args.redis_url))
                url = stack.enter_context(
                    kit.served(database_url, args.redis_url, args.workers, args.threads)
                )
                print(
                    f"gunicorn: {args.workers} workers × {args.threads} threads"
                    f"{', Redis' if args.redis_url else ''}"
                    f"{' and a worker sending the e-mails' if args.worker else ''}",
                    flush=True,
                )
                measure(url)
        print(f"== done, load average {kit.load_average()}", flush=True)
        db.session.remove()
        db.engine.dispose()
    if args.json:
        results.update(backend=backend, machine=kit.machine())
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if not all(figure.get("ok", True) for figure in results.values() if isinstance(figure, dict)):
        sys.exit(1)


if __name__ == "__main__":
    main()
