"""What the scale benchmarks share (issue 11): the app, timing, windows, people, HTTP, SQL counts.

Not a benchmark itself: ``availability.py``, ``throughput.py`` and ``explain.py`` import it. It
reaches the app only through stable entry points (the app factory, the models' tables, the
account and calendar-token services, the JSON API over HTTP), so that the scripts keep working
while the availability code changes underneath.
"""

from __future__ import annotations

import atexit
import http.client
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

_workdir: list[Path] = []


def workdir() -> Path:
    """A temporary directory for this process (instance folders, mail outboxes), removed at exit."""
    if not _workdir:
        path = Path(tempfile.mkdtemp(prefix="spaces-scale-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _workdir.append(path)
    return _workdir[0]


@contextmanager
def worker(database_url: str, redis_url: str) -> Iterator[None]:
    """``flask --app wsgi worker`` on the same database and Redis (it sends the queued e-mails)."""
    log = workdir() / "worker.log"
    env = {**os.environ, **{k: v for k, v in server_env(database_url, redis_url).items() if v}}
    env["SPACES_ENV"] = "testing"
    env["SECRET_KEY"] = "bench"
    with open(log, "ab") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def make_app(database_url: str, redis_url: str | None = None):
    """The app on ``database_url``, testing settings, no rate limit, quiet logs."""
    from spaces import create_app

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(workdir() / "instance"),
            "SPACES_ENV": "testing",
            "SECRET_KEY": "bench",
            "REDIS_URL": redis_url,
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX_DIR": str(workdir() / "outbox"),
            # A booking's e-mails as in production: a job on Redis, else the app's job threads,
            # not inline in the measured call as under tests.
            "JOBS_INLINE": False,
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    try:  # as a served worker is, before its first request (deploy/gunicorn.conf.py)
        from spaces.runtime import settle
    except ImportError:  # an older checkout
        pass
    else:
        settle(app)
    return app


def server_env(database_url: str, redis_url: str | None = None) -> dict:
    """Environment for a gunicorn serving the same database (see ``tests/servers.py``)."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": "0",
        "SPACES_INSTANCE_PATH": str(workdir() / "server-instance"),
        "MAIL_OUTBOX_DIR": str(workdir() / "server-outbox"),
        "PYTHONWARNINGS": "ignore",
        # Jobs (a booking's e-mails) as in production: on Redis for the worker when REDIS_URL is
        # set, else on the server's own job threads, not inline in the request as under tests.
        "JOBS_INLINE": "0",
    }


@contextmanager
def served(database_url: str, redis_url: str | None, workers: int, threads: int) -> Iterator[str]:
    """A real gunicorn (gthread) on a free loopback port; yields its base URL."""
    from tests.servers import gunicorn

    # The servers' own output (a log line per request, e-mails) goes to a file, not the figures.
    log = workdir() / "server.log"
    # The production settings file (its hooks warm each worker), under the options given here.
    config = ROOT / "deploy" / "gunicorn.conf.py"
    server = gunicorn(
        server_env(database_url, redis_url),
        workers=workers,
        threads=threads,
        timeout=60,
        config=str(config) if config.exists() else None,
    )
    saved = os.dup(2)
    with open(log, "ab") as handle:
        os.dup2(handle.fileno(), 2)  # inherited by the server processes when they start
        try:
            url = server.__enter__()
        except Exception:
            os.dup2(saved, 2)
            print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


# --- figures ---------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (as bench/search.py)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


@dataclass
class Figure:
    label: str
    samples: list[float]  # milliseconds
    note: str = ""

    def row(self) -> dict:
        s = self.samples
        return {
            "case": self.label,
            "n": len(s),
            "median_ms": round(statistics.median(s), 2) if s else None,
            "p95_ms": round(percentile(s, 0.95), 2) if s else None,
            "max_ms": round(max(s), 2) if s else None,
            "note": self.note,
        }

    def line(self) -> str:
        if not self.samples:
            return f"{self.label:<52} n=0     {self.note}"
        r = self.row()
        return (
            f"{self.label:<52} n={r['n']:<4} median {r['median_ms']:8.1f} ms   "
            f"p95 {r['p95_ms']:8.1f} ms   max {r['max_ms']:8.1f} ms   {self.note}"
        )


def measure(
    label: str,
    inputs: list,
    run: Callable[[object], object],
    *,
    warmup: int = 3,
    budget: float = 60.0,
    minimum: int = 5,
    fresh: Callable[[], None] | None = None,
    note: Callable[[list], str] | None = None,
) -> Figure:
    """Time ``run(x)`` for the inputs after the first ``warmup`` (run uncounted), calling
    ``fresh()`` after each (a new session, as a request gets). Stops when the inputs are
    exhausted, or after ``budget`` seconds once ``minimum`` runs are counted."""
    for x in inputs[:warmup]:
        run(x)
        if fresh:
            fresh()
    samples, outcomes = [], []
    deadline = time.monotonic() + budget
    inputs = inputs[warmup:]
    for x in inputs:
        started = time.perf_counter()
        outcomes.append(run(x))
        samples.append((time.perf_counter() - started) * 1000)
        if fresh:
            fresh()
        if len(samples) >= minimum and time.monotonic() > deadline:
            break
    figure = Figure(label, samples, note(outcomes) if note else "")
    if len(samples) < len(inputs):
        figure.note += f" (time budget: {len(samples)} of {len(inputs)} runs)"
    print(figure.line(), flush=True)
    return figure


def statuses(outcomes: list) -> str:
    """'201×40 409×3': how often each answer came."""
    counts = Counter(outcomes)
    return " ".join(f"{k}×{v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def cpu_model() -> str:
    """The processor's name and clock as Linux reports them (figures differ from one to the
    next: a slower machine is not a slower code)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "processor unknown"
    fields = dict(
        line.split(":", 1)
        for line in info.splitlines()
        if ":" in line and line[:3] in ("mod", "cpu")
    )
    name = fields.get("model name\t", "").strip() or "processor unknown"
    clock = fields.get("cpu MHz\t\t", "").strip()
    return f"{name}, {float(clock):.0f} MHz" if clock else name


def machine() -> str:
    import platform
    import sqlite3

    return (
        f"{datetime.now(UTC):%Y-%m-%dT%H:%MZ}, {os.cpu_count()} cores ({cpu_model()}), Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, load average "
        f"{load_average()}"
    )


# --- windows and targets --------------------------------------------------------------------------


def future_days(rng: random.Random, count: int, first: int = 7, last: int = 90) -> list[date]:
    """Weekdays between ``first`` and ``last`` days from today (inside the data's year)."""
    today = datetime.now(UTC).date()
    days = []
    while len(days) < count:
        day = today + timedelta(days=rng.randint(first, last))
        if day.weekday() < 5:
            days.append(day)
    return days


def two_hour_windows(seed: int, count: int) -> list[tuple[str, str]]:
    """(start, end) as the API takes them, without an offset (each space's own zone)."""
    rng = random.Random(seed)
    windows = []
    for day in future_days(rng, count):
        hour = rng.choice((9, 10, 14, 15, 16))
        windows.append((f"{day}T{hour:02d}:00", f"{day}T{hour + 2:02d}:00"))
    return windows


@dataclass(frozen=True, order=True)
class Target:
    unit_id: int
    timezone: str
    kind: str


def published_units(seed: int, count: int | None = None, kind: str | None = None) -> list[Target]:
    """Active units of published spaces, shuffled by ``seed`` (``count`` of them if given)."""
    import sqlalchemy as sa

    from spaces.extensions import db

    sql = (
        "SELECT u.id, s.timezone, u.kind FROM units u JOIN spaces s ON s.id = u.space_id"
        " WHERE s.status = 'published' AND u.active" + (" AND u.kind = :kind" if kind else "")
    )
    rows = db.session.execute(sa.text(sql), {"kind": kind} if kind else {}).all()
    db.session.remove()
    targets = sorted(Target(*row) for row in rows)
    random.Random(seed).shuffle(targets)
    return targets[:count] if count else targets


def booking_slots(seed: int, targets: list[Target], count: int) -> list[tuple[Target, str, str]]:
    """``count`` requests of 2 hours (1 seat) on the targets, on future weekdays, 9:00-17:00."""
    rng = random.Random(seed)
    slots = []
    for n, day in enumerate(future_days(rng, count, first=14, last=150)):
        target = targets[n % len(targets)]
        start = 9 * 60 + 30 * rng.randint(0, 12)
        start_text = f"{day}T{start // 60:02d}:{start % 60:02d}"
        end_text = f"{day}T{start // 60 + 2:02d}:{start % 60:02d}"
        slots.append((target, start_text, end_text))
    return slots


# --- people ---------------------------------------------------------------------------------------


def bench_people(count: int, prefix: str) -> list[tuple[int, str]]:
    """``count`` new accounts with an API token each: [(user id, clear token)]."""
    from spaces.accounts import services as accounts
    from spaces.accounts.models import User
    from spaces.db import transaction
    from spaces.extensions import db

    stamp = f"{int(time.time() * 1000)}"
    people = []
    with transaction():
        users = [
            User(email=f"{prefix}-{stamp}-{n}@bench.example", name=f"{prefix} {n}", locale="fr")
            for n in range(count)
        ]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            people.append((user.id, accounts.create_api_token(user, name="bench")))
    db.session.remove()
    return people


def feed_unit(events: int = 100) -> tuple[int, int]:
    """(unit id, confirmed bookings) of the unit with exactly ``events`` confirmed bookings
    (scale_data.py makes three such desk pools), or the closest to it."""
    import sqlalchemy as sa

    from spaces.extensions import db

    row = db.session.execute(
        sa.text(
            "SELECT unit_id, count(*) AS n FROM bookings WHERE status = 'confirmed'"
            " GROUP BY unit_id ORDER BY abs(count(*) - :n), unit_id LIMIT 1"
        ),
        {"n": events},
    ).first()
    db.session.remove()
    if row is None:
        raise SystemExit("no bookings: build the data with bench/scale_data.py")
    return row[0], row[1]


def host_feed_token(host_email: str = "host@bench.example", events: int = 100):
    """(unit id, confirmed bookings, token): a new unit feed token of the bench host (owner of
    the "Bench" organisation) for ``feed_unit(events)``."""
    import sqlalchemy as sa

    from spaces.accounts.models import User
    from spaces.calendars import tokens
    from spaces.db import transaction
    from spaces.extensions import db

    unit_id, count = feed_unit(events)
    host = db.session.scalar(sa.select(User).where(User.email == host_email))
    if host is None:
        raise SystemExit(f"no {host_email}: build the data with bench/scale_data.py")
    with transaction():
        value = tokens.create_token(host, "unit", unit_id).token
    db.session.remove()
    return unit_id, count, value


# --- HTTP -----------------------------------------------------------------------------------------


class Client:
    """One persistent HTTP/1.1 connection (keep-alive), as a browser or an API client keeps."""

    def __init__(self, base_url: str, timeout: float = 120):
        parts = urlsplit(base_url)
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """(status, body bytes, headers); reconnects once if the server closed the connection."""
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data, response
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers=headers)

    def post_json(self, path: str, payload: dict, token: str | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.request("POST", path, json.dumps(payload).encode(), headers)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


# --- SQL statements -------------------------------------------------------------------------------


class Statements:
    """Every statement the engine sends while active: ``with Statements(engine) as seen:``.

    ``seen.items`` holds (SQL text, parameters, milliseconds, executemany)."""

    def __init__(self, engine):
        self.engine = engine
        self.items: list[tuple[str, object, float, bool]] = []
        self._started: list[float] = []

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started.append(time.perf_counter())

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = (time.perf_counter() - self._started.pop()) * 1000 if self._started else 0.0
        self.items.append((statement, parameters, elapsed, executemany))

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)

    def kinds(self) -> str:
        """'41 statements: SELECT 38, INSERT 1, UPDATE 1, COMMIT…' (by first keyword)."""
        counts = Counter(text.lstrip().split(None, 1)[0].upper() for text, *_ in self.items)
        parts = ", ".join(f"{k} {v}" for k, v in counts.most_common())
        return f"{len(self.items)} statements ({parts})"
