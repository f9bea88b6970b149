"""The background worker as operators run it: a separate ``flask --app wsgi worker`` process on
the real Redis and the test database.

(a) A booking made through the app with REDIS_URL set leaves its e-mails on the queue: the
    outbox stays empty until the worker performs the jobs.
(b) The worker's schedule re-fetches every imported calendar every CALENDAR_SYNC_MINUTES: a
    calendar that nobody synced gets its busy blocks, and is fetched again a period later.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from spaces.availability.hours import Window
from spaces.calendars.models import BusyBlock, CalendarImport
from spaces.db import transaction
from spaces.extensions import db
from tests.factories import api_token, bearer, make_space, make_unit, make_user, set_hours

ROOT = Path(__file__).resolve().parents[2]
FEED = (ROOT / "tests" / "fixtures" / "ics" / "google.ics").read_bytes()


def wait_for(condition, timeout: float, what: str, worker: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}):\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


@pytest.mark.redis
@pytest.mark.slow
def test_worker_delivers_queued_mail_and_runs_the_calendar_schedule(
    app, database, redis_url, outbox, outbox_dir, httpserver, tmp_path
):
    from redis import Redis
    from rq import Queue

    app.config["REDIS_URL"] = redis_url
    httpserver.expect_request("/worker.ics").respond_with_data(
        FEED, content_type="text/calendar; charset=utf-8"
    )
    with app.app_context():
        host = make_user("host@example.org", locale="en")
        booker = make_user("camille@example.org", locale="en")
        space = make_space(host, units=0, publish=False)
        unit = make_unit(host, space, name="Salle Loire", capacity=3)
        set_hours(host, space, [Window(day, 8 * 60, 19 * 60) for day in range(5)])
        from spaces.listings import services

        with transaction():
            services.publish_space(host, space)
        # A calendar added before the worker existed: a row, and no job queued for it.
        with transaction():
            calendar_import = CalendarImport(
                unit_id=unit.id,
                created_by_id=host.id,
                source="url",
                url=httpserver.url_for("/worker.ics"),
                name="Agenda",
            )
            db.session.add(calendar_import)
        import_id, unit_id = calendar_import.id, unit.id
        token = api_token(booker)

    response = app.test_client().post(
        "/api/v1/bookings",
        json={"unit_id": unit_id, "start": "2027-03-01T09:00", "end": "2027-03-01T12:00"},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.get_json()
    connection = Redis.from_url(redis_url)
    queue = Queue("spaces", connection=connection)
    assert queue.count == 1  # the job that writes the booker's confirmation and the host's notice
    assert len(outbox) == 0  # nothing is written by the app itself
    assert httpserver.log == []

    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "MAIL_OUTBOX_DIR": str(outbox_dir),
        "SPACES_ENV": "testing",
        "SECRET_KEY": "testing-key",
        "SPACES_INSTANCE_PATH": str(tmp_path / "instance"),
        "CALENDAR_IMPORT_ALLOW_PRIVATE": "1",
        "CALENDAR_IMPORT_LOOPBACK_ONLY": "1",
        "CALENDAR_SYNC_MINUTES": "0.05",  # every 3 seconds
        "RATELIMIT_ENABLED": "0",
    }
    env.pop("SPACES_SCHEDULER", None)
    with open(log, "wb") as output:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        # (a) the worker performs the queued mail jobs
        wait_for(lambda: len(outbox) == 2, 30, "the two e-mails", worker, log)
        recipients = sorted(str(m["To"]) for m in outbox.messages())
        assert recipients == ["camille@example.org", "host@example.org"]

        # (b) the schedule syncs the calendar, then again one period later
        def blocks() -> int:
            with app.app_context():
                return db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(BusyBlock)
                    .where(BusyBlock.import_id == import_id)
                )

        wait_for(lambda: blocks() == 7, 30, "the busy blocks", worker, log)
        wait_for(lambda: len(httpserver.log) >= 2, 30, "a second periodic fetch", worker, log)
        with app.app_context():
            synced = db.session.get(CalendarImport, import_id)
            assert synced.last_success_at is not None and synced.last_error is None
        # the blocks are what the engine now refuses
        response = app.test_client().post(
            "/api/v1/bookings",
            json={"unit_id": unit_id, "start": "2027-03-02T10:00", "end": "2027-03-02T11:00"},
            headers=bearer(token),
        )
        assert response.status_code == 409
        assert response.get_json()["error"]["reason"] == "blocked"
    finally:
        worker.terminate()  # SIGTERM: RQ's warm shutdown
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        connection.close()
    assert worker.returncode == 0, log.read_text()[-3000:]
