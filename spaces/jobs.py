"""Background jobs and the periodic schedule.

``enqueue(func_path, *args)`` is the one way to run work in the background:

- with ``REDIS_URL``, the call goes onto an RQ queue in Redis and ``flask --app wsgi worker``
  (``run_worker``) performs it;
- without it, the work runs in this process: inline when ``JOBS_INLINE`` is true (the default
  under tests, so they stay deterministic), otherwise on a small thread pool.

Services do not enqueue during a transaction: ``enqueue_after_commit`` runs ``enqueue`` once the
transaction commits, so a job always sees the rows that asked for it. A job is a dotted path to a
plain function; ``run_job`` gives it an app context of its own (its own database session), and the
function opens its own ``transaction()``.

The schedule (``TASKS``) enqueues periodic work when it is due: every calendar re-fetched every
``CALENDAR_SYNC_MINUTES`` (15), unanswered requests recorded as expired every
``EXPIRE_REQUESTS_MINUTES`` (5), day-before reminders once a day at ``REMINDERS_HOUR`` (10, local
time of ``BABEL_DEFAULT_TIMEZONE``). With Redis, the worker runs it, and a lease in Redis elects
one scheduler among several workers; the last runs are kept in Redis too, so a restart does not
repeat a daily task. Without Redis, the app runs it on a thread when ``SPACES_SCHEDULER=1``
(``./run`` sets it; tests never do), with its last runs in a file of the instance folder.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from werkzeug.utils import import_string

from spaces.db import after_commit

log = logging.getLogger(__name__)

QUEUE = "spaces"
KEY_PREFIX = "spaces:schedule"
JOB_TIMEOUT = 600
_EXTENSION = "spaces_jobs"


def setting(app: Flask, name: str, default, cast: Callable = str):
    """A job setting from the app config, else the environment, else ``default``."""
    value = app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return cast(value)
    except (TypeError, ValueError):
        log.warning("%s=%r is not valid; using %r", name, value, default)
        return default


def _flag(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


# --- enqueueing ---------------------------------------------------------------------------------


def enqueue(func_path: str, *args, job_id: str | None = None) -> None:
    """Run ``func_path(*args)`` in the background (see the module docstring for where).

    With a ``job_id``, a job still waiting or running under that id is not queued twice.
    """
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        _enqueue_rq(app, func_path, args, job_id)
    elif setting(app, "JOBS_INLINE", app.testing, _flag):
        run_job(app, func_path, args)
    else:
        _executor(app).submit(_run_logged, app, func_path, args)


def enqueue_after_commit(session, func_path: str, *args, job_id: str | None = None) -> None:
    """``enqueue`` once the current transaction commits; nothing if it rolls back."""
    after_commit(session, lambda: enqueue(func_path, *args, job_id=job_id))


def redis_connection(app: Flask):
    """One Redis client per app (it pools its connections and is thread-safe)."""
    state = app.extensions.setdefault(_EXTENSION, {})
    if state.get("redis") is None:
        import redis

        state["redis"] = redis.Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=5, health_check_interval=30
        )
    return state["redis"]


def _enqueue_rq(app: Flask, func_path: str, args: tuple, job_id: str | None) -> None:
    from rq import Queue
    from rq.exceptions import DuplicateJobError

    queue = Queue(QUEUE, connection=redis_connection(app))
    options = {"job_timeout": JOB_TIMEOUT, "result_ttl": 0, "failure_ttl": 24 * 3600}
    if job_id:
        # A finished job leaves no trace (result_ttl=0) and a failed one is kept for an hour,
        # so the id frees up and the next period can queue it again.
        options.update(job_id=job_id, unique=True, failure_ttl=3600)
    try:
        queue.enqueue("spaces.jobs.perform", func_path, *args, **options)
    except DuplicateJobError:
        log.info("job %s is already queued", job_id)


_LOCK = threading.Lock()


def _executor(app: Flask) -> ThreadPoolExecutor:
    state = app.extensions.setdefault(_EXTENSION, {})
    with _LOCK:
        if state.get("executor") is None:
            state["executor"] = ThreadPoolExecutor(max_workers=2, thread_name_prefix="spaces-job")
    return state["executor"]


# --- performing ---------------------------------------------------------------------------------


def run_job(app: Flask, func_path: str, args: tuple = ()) -> None:
    """Call the job's function in an app context of its own (a fresh database session)."""
    with app.app_context():
        import_string(func_path)(*args)


def _run_logged(app: Flask, func_path: str, args: tuple) -> None:
    try:
        run_job(app, func_path, args)
    except Exception:
        log.exception("background job %s%r failed", func_path, args)


def perform(func_path: str, *args) -> None:
    """The RQ entry point: the worker calls this with the job's dotted path and arguments."""
    if not has_app_context():
        raise RuntimeError("run the worker with `flask --app wsgi worker` (it needs the app)")
    run_job(current_app._get_current_object(), func_path, args)


# --- the schedule -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """Periodic work: ``func_path`` is enqueued when ``due(now, last_run)`` says so."""

    name: str
    func_path: str
    due: Callable[[datetime, datetime | None], bool]
    period: timedelta  # how often it may come due (sets the scheduler's pace)


def every(period: timedelta) -> Callable[[datetime, datetime | None], bool]:
    return lambda now, last: last is None or now - last >= period


def daily_at(hour: int, tz: ZoneInfo) -> Callable[[datetime, datetime | None], bool]:
    """Due once per local date, from ``hour`` on: a start before the hour waits for it, a start
    after it runs at once, and never twice the same local date (day-before reminders rely on
    that: two runs on one date would remind twice)."""

    def due(now: datetime, last: datetime | None) -> bool:
        local = now.astimezone(tz)
        if local.hour < hour:
            return False
        return last is None or last.astimezone(tz).date() < local.date()

    return due


def scheduled_tasks(app: Flask) -> list[Task]:
    """The periodic work ``create_app`` handed over (``init_app``); none if it gave none."""
    return list(app.extensions.get(_EXTENSION, {}).get("tasks", ()))


class FileState:
    """Last runs kept in a JSON file (one process: the in-process scheduler)."""

    def __init__(self, path: str | None):
        self.path = path
        self.runs: dict[str, str] = {}
        if path and os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as handle:
                    self.runs = json.load(handle)
            except (OSError, ValueError):
                self.runs = {}

    def lead(self) -> bool:
        return True

    def last(self, name: str) -> datetime | None:
        value = self.runs.get(name)
        return datetime.fromisoformat(value) if value else None

    def mark(self, name: str, when: datetime) -> None:
        self.runs[name] = when.isoformat()
        if self.path:
            tmp = f"{self.path}.tmp"
            try:
                with open(tmp, "w", encoding="utf-8") as handle:
                    json.dump(self.runs, handle)
                os.replace(tmp, self.path)
            except OSError:
                log.warning("could not save the schedule's last runs in %s", self.path)

    def release(self) -> None:
        pass


# Take or renew the lease when free or ours; refuse when another scheduler holds it.
_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisState:
    """Last runs in a Redis hash, and a lease so only one of several workers schedules."""

    def __init__(self, connection, lease_seconds: float):
        self.redis = connection
        self.me = uuid.uuid4().hex
        self.lease_ms = int(lease_seconds * 1000)

    def lead(self) -> bool:
        return bool(self.redis.eval(_LEASE, 1, f"{KEY_PREFIX}:lock", self.me, self.lease_ms))

    def last(self, name: str) -> datetime | None:
        value = self.redis.hget(f"{KEY_PREFIX}:last", name)
        return datetime.fromisoformat(value.decode()) if value else None

    def mark(self, name: str, when: datetime) -> None:
        self.redis.hset(f"{KEY_PREFIX}:last", name, when.isoformat())

    def release(self) -> None:
        self.redis.eval(_RELEASE, 1, f"{KEY_PREFIX}:lock", self.me)


def tick_seconds(schedule: list[Task]) -> float:
    """How often the scheduler wakes: a fraction of the shortest period, between 1 s and 30 s."""
    shortest = min(task.period.total_seconds() for task in schedule)
    return max(1.0, min(30.0, shortest / 3))


def run_due(app: Flask, state, schedule: list[Task], now: datetime | None = None) -> list[str]:
    """Enqueue the tasks that are due (if this scheduler leads); returns their names."""
    if not state.lead():
        return []
    now = now or datetime.now(UTC)
    started = []
    for task in schedule:
        if task.due(now, state.last(task.name)):
            state.mark(task.name, now)
            with app.app_context():
                enqueue(task.func_path, job_id=f"scheduled-{task.name}")
            started.append(task.name)
    return started


class Scheduler(threading.Thread):
    """A daemon thread that wakes every few seconds and enqueues what is due."""

    def __init__(self, app: Flask, state):
        super().__init__(name="spaces-scheduler", daemon=True)
        self.app = app
        self.state = state
        self.schedule = scheduled_tasks(app)
        self.pace = tick_seconds(self.schedule)
        self.stopping = threading.Event()

    def run(self) -> None:
        log.info(
            "scheduler started: %s (every %.0f s)",
            ", ".join(t.name for t in self.schedule),
            self.pace,
        )
        while not self.stopping.is_set():
            try:
                run_due(self.app, self.state, self.schedule)
            except Exception:  # Redis or the database away for a moment: try again next tick
                log.exception("scheduler tick failed")
            self.stopping.wait(self.pace)
        try:
            self.state.release()
        except Exception:
            log.warning("could not release the scheduler lease")

    def stop(self) -> None:
        self.stopping.set()


def init_app(app: Flask, tasks: list[Task]) -> None:
    """Keep the app's periodic ``tasks`` (given by ``create_app``: this module knows no domain),
    and start the in-process scheduler when asked (``SPACES_SCHEDULER=1``, no Redis, not tests)."""
    app.extensions.setdefault(_EXTENSION, {})["tasks"] = list(tasks)
    if not _flag(setting(app, "SPACES_SCHEDULER", "0")) or app.testing:
        return
    if app.config.get("REDIS_URL"):
        log.info("REDIS_URL is set: the worker (flask --app wsgi worker) runs the schedule")
        return
    path = os.path.join(app.instance_path, "schedule.json")
    scheduler = Scheduler(app, FileState(path))
    app.extensions.setdefault(_EXTENSION, {})["scheduler"] = scheduler
    scheduler.start()


# --- the worker -----------------------------------------------------------------------------------


def run_worker(app: Flask, *, burst: bool = False, schedule: bool = True) -> None:
    """Perform queued jobs until stopped (SIGTERM/SIGINT), running the schedule alongside."""
    from rq import Queue, SimpleWorker

    connection = redis_connection(app)
    connection.ping()
    scheduler = None
    if schedule:
        scheduler = Scheduler(app, None)
        scheduler.state = RedisState(connection, lease_seconds=max(10.0, scheduler.pace * 3))
        scheduler.start()
    # SimpleWorker performs jobs in this process (no fork): the app, its engine and its
    # connection pool are made once; each job still gets its own app context and session.
    worker = SimpleWorker([Queue(QUEUE, connection=connection)], connection=connection)
    try:
        worker.work(burst=burst, logging_level="INFO", with_scheduler=False)
    finally:
        if scheduler is not None:
            scheduler.stop()
            scheduler.join(timeout=5)
