"""Load check for real-time availability: N open event streams on one server while bookings run.

Starts PostgreSQL-or-SQLite + Redis backed gunicorn (one worker process, gthread with enough
threads), opens N Server-Sent-Event streams on one unit from one client process (a selector over
raw sockets), makes bookings through the API, and measures for every delivered event the delay
between the commit (the event's ``changed_at``, stamped right after the commit) and its arrival.
Prints median and p95 of that delay, and the server's memory per open stream.

    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/14 python bench/streams.py --streams 500 --bookings 20
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def seed(database_url: str, bookers: int = 5) -> tuple[int, int, list[str]]:
    """A published space with one 1,000-seat unit open every day, and API tokens for the
    bookers: (space id, unit id, tokens). ``live_page.py`` seeds the same way."""
    from spaces import create_app
    from spaces.availability.hours import Window
    from tests.factories import api_token, make_space, make_unit, make_user, set_hours

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SPACES_ENV": "testing",
            "SECRET_KEY": "bench",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        host = make_user()
        space = make_space(host, units=0, publish=False)
        unit = make_unit(host, space, capacity=1000)
        set_hours(host, space, [Window(d, 0, 1440) for d in range(7)])
        from spaces.db import transaction
        from spaces.listings import services

        with transaction():
            services.publish_space(host, space)
        return space.id, unit.id, [api_token(make_user()) for _ in range(bookers)]


def open_streams(
    port: int, path: str, count: int
) -> tuple[selectors.BaseSelector, list[socket.socket]]:
    selector = selectors.DefaultSelector()
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, data=bytearray())
        sockets.append(sock)
    return selector, sockets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--bookings", type=int, default=20)
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    _space_id, unit_id, tokens = seed(database_url)

    from tests.servers import gunicorn

    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": "0",
        "STREAMS_PER_CLIENT": str(args.streams + 10),
        "STREAM_MAX_SECONDS": "600",
    }
    import subprocess

    with gunicorn(env, workers=1, threads=args.streams + 32) as url:
        port = int(url.rsplit(":", 1)[1])
        master = int(subprocess.check_output(["pgrep", "-f", f"127.0.0.1:{port}", "-o"]).split()[0])
        before = sum(rss_kb(p) for p in worker_pids(master))
        selector, sockets = open_streams(
            port, f"/api/v1/units/{unit_id}/availability/stream", args.streams
        )
        time.sleep(2.0)
        after = sum(rss_kb(p) for p in worker_pids(master))
        delays: list[float] = []
        for n in range(args.bookings):
            day = 1 + n % 28
            payload = {
                "unit_id": unit_id,
                "start": f"2027-02-{day:02d}T{8 + n // 28:02d}:00",
                "end": f"2027-02-{day:02d}T{9 + n // 28:02d}:00",
            }
            request = Request(
                f"{url}/api/v1/bookings",
                data=json.dumps(payload).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {tokens[n % len(tokens)]}",
                },
            )
            try:
                urlopen(request, timeout=30).read()
            except HTTPError as error:
                print("booking refused", error.code, file=sys.stderr)
            deadline = time.time() + 5
            received = 0
            while received < args.streams and time.time() < deadline:
                for key, _ in selector.select(timeout=0.5):
                    chunk = key.fileobj.recv(65536)
                    now = time.time()
                    key.data.extend(chunk)
                    while b"\n\n" in key.data:
                        block, _, rest = bytes(key.data).partition(b"\n\n")
                        key.data[:] = rest
                        for line in block.decode().splitlines():
                            if line.startswith("data: "):
                                changed_at = datetime.fromisoformat(
                                    json.loads(line[6:])["changed_at"]
                                ).timestamp()
                                delays.append((now - changed_at) * 1000)
                                received += 1
        for sock in sockets:
            sock.close()
    delays.sort()
    p95 = delays[int(len(delays) * 0.95) - 1] if delays else float("nan")
    print(
        f"streams={args.streams} bookings={args.bookings} events={len(delays)} (expected {args.streams * args.bookings})"
    )
    print(
        f"commit→delivery delay: median {statistics.median(delays):.1f} ms, p95 {p95:.1f} ms, max {delays[-1]:.1f} ms"
    )
    print(
        f"server memory: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB with streams, {(after - before) / max(1, args.streams):.1f} KiB per open stream"
    )


if __name__ == "__main__":
    main()
