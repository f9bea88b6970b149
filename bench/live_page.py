"""The live-update promise, measured: from a booking's commit to the change on another open page.

Serves the app with gunicorn (one process; Redis pub/sub when ``REDIS_URL`` is set), opens a space
page in a headless Chromium (the system's, ``CHROMIUM_PATH``), waits until its event stream is
open, then makes bookings through the API one after the other. For each, the delay is measured
from the moment the booking's response is back (the commit is done; the booker sees
"confirmed") to the moment the watching page has replaced its coming days (the page's
``spaces:availability-refreshed`` event), both on this machine's clock. Prints median, p95 and
maximum; ``--busy N`` runs N busy loops (``while 1: pass``) meanwhile, as a loaded machine.

    DATABASE_URL=sqlite:////tmp/live.sqlite3 python bench/live_page.py --bookings 40 --busy 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.streams import seed  # noqa: E402  (the same seeded place as the streams bench)

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    "--no-first-run",
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(len(ordered) * fraction)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=40)
    parser.add_argument("--busy", type=int, default=0, help="busy loops running meanwhile")
    args = parser.parse_args()
    database_url = os.environ["DATABASE_URL"]
    space_id, unit_id, (token,) = seed(database_url, bookers=1)
    env = {"DATABASE_URL": database_url, "RATELIMIT_ENABLED": "0"}
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]

    from playwright.sync_api import sync_playwright

    from tests.servers import gunicorn

    busy = [subprocess.Popen([sys.executable, "-c", "while 1: pass"]) for _ in range(args.busy)]
    delays: list[float] = []
    try:
        with gunicorn(env, workers=1, threads=8) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(f"{url}/spaces/{space_id}")
            page.wait_for_selector("html[data-live=on]", timeout=30_000)
            page.evaluate(
                """() => { window.__updates = [];
                document.addEventListener('spaces:availability-refreshed',
                    () => window.__updates.push(Date.now())); }"""
            )
            tomorrow = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=1)).date()
            for n in range(args.bookings):
                start = f"{tomorrow}T{n % 24:02d}:00"
                end = f"{tomorrow}T{n % 24:02d}:30"
                request = Request(
                    f"{url}/api/v1/bookings",
                    data=json.dumps({"unit_id": unit_id, "start": start, "end": end}).encode(),
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Bearer {token}",
                    },
                )
                urlopen(request, timeout=60).read()
                committed = time.time() * 1000
                # Polled from here: wait_for_function evaluates a string, which the page's
                # Content-Security-Policy (no 'unsafe-eval') refuses. The delay is stamped by
                # the page itself, so the polling step does not enter the figure.
                deadline = time.monotonic() + 60
                while page.evaluate("() => window.__updates.length") <= n:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"update {n} never reached the page")
                    time.sleep(0.005)
                delays.append(page.evaluate(f"window.__updates[{n}]") - committed)
                time.sleep(0.3)  # one change at a time: each delay is one round trip
            browser.close()
    finally:
        for process in busy:
            process.kill()
            process.wait()
    print(f"bookings={len(delays)} busy_loops={args.busy} cores={os.cpu_count()}")
    print(
        f"commit→page update: median {statistics.median(delays):.0f} ms, "
        f"p95 {percentile(delays, 0.95):.0f} ms, max {max(delays):.0f} ms"
    )


if __name__ == "__main__":
    main()
