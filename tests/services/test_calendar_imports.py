"""Calendar import services, the safe fetcher against a local server, the commands, and the job
plumbing (queue, schedule) — with a database and no HTTP client."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from werkzeug import Response

from spaces import jobs
from spaces.calendars import addresses, fetch, sources, sync
from spaces.calendars.errors import FetchError
from spaces.calendars.models import BusyBlock, CalendarImport
from spaces.db import transaction
from spaces.errors import Conflict, Forbidden, Invalid
from spaces.extensions import db
from spaces.listings.models import Unit
from tests.factories import make_space, make_unit, make_user, set_hours

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ics"
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def ics(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture
def world(app_ctx):
    app_ctx.config["CALENDAR_IMPORT_ALLOW_PRIVATE"] = True
    host = make_user("host@example.org", name="Léa", locale="en")
    stranger = make_user("someone@example.org", locale="en")
    space = make_space(host, units=0, publish=False)
    unit = make_unit(host, space, name="Salle Loire")
    set_hours(host, space)
    return {"host": host, "stranger": stranger, "unit": unit}


def blocks_of(import_id: int) -> list[tuple]:
    db.session.rollback()
    return list(
        db.session.execute(
            sa.select(BusyBlock.start_at, BusyBlock.end_at, BusyBlock.summary)
            .where(BusyBlock.import_id == import_id)
            .order_by(BusyBlock.start_at)
        )
    )


def version(unit_id: int) -> int:
    db.session.rollback()
    return db.session.get(Unit, unit_id).availability_version


def add_url(world, url: str) -> int:
    with transaction():
        return sources.add_import(world["host"], world["unit"], url=url).id


def test_an_uploaded_file_is_read_at_once(world):
    before = version(world["unit"].id)
    with transaction():
        added = sources.add_import(
            world["host"], world["unit"], content=ics("outlook.ics"), name="Mairie", now=NOW
        )
    assert added.source == "file" and added.blocks_count == 2 and added.last_error is None
    assert [b.summary for b in blocks_of(added.id)] == ["Commission urbanisme", "Bureau de vote"]
    assert version(world["unit"].id) == before + 1
    # a file is re-read at each sync (the horizon rolls on) without any download
    result = sync.sync_import(added.id, NOW)
    assert (result.blocks, result.error, result.changed) == (2, None, False)


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"content": ics("malformed.ics")}, Invalid, "file"),
        ({"content": "<html><body>Login</body></html>"}, Invalid, "file"),
        ({"url": "webcal://example.org/cal.ics"}, Invalid, "url"),
        ({"url": "https://user:pw@example.org/cal.ics"}, Invalid, "url"),
        ({}, Invalid, None),
    ],
)
def test_what_cannot_be_added(world, kwargs, error, field):
    with pytest.raises(error) as caught, transaction():
        sources.add_import(world["host"], world["unit"], **kwargs)
    if field:
        assert field in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarImport)) == 0


def test_only_managers_add_and_there_is_a_limit(world, monkeypatch):
    with pytest.raises(Forbidden), transaction():
        sources.add_import(world["stranger"], world["unit"], content=ics("floating.ics"))
    monkeypatch.setattr(sources, "MAX_IMPORTS_PER_UNIT", 2)
    for name in ("floating.ics", "new_york.ics"):
        with transaction():
            sources.add_import(world["host"], world["unit"], content=ics(name))
    with pytest.raises(Conflict), transaction():
        sources.add_import(world["host"], world["unit"], content=ics("outlook.ics"))


def test_a_sync_replaces_blocks_and_bumps_the_version_only_when_they_change(world, httpserver):
    state = {"body": ics("google.ics")}
    httpserver.expect_request("/cal.ics").respond_with_handler(
        lambda request: Response(state["body"], content_type="text/calendar")
    )
    import_id = add_url(world, httpserver.url_for("/cal.ics"))  # synced after the commit
    assert len(blocks_of(import_id)) == 7
    start = version(world["unit"].id)
    unchanged = sync.sync_import(import_id)
    assert (unchanged.changed, unchanged.blocks) == (False, 7)
    assert version(world["unit"].id) == start
    state["body"] = ics("floating.ics")
    changed = sync.sync_import(import_id)
    assert (changed.changed, changed.blocks) == (True, 1)
    assert [b.summary for b in blocks_of(import_id)] == ["Atelier couture"]
    assert version(world["unit"].id) == start + 1


def test_a_304_re_reads_the_kept_copy_so_the_horizon_rolls_on(world, httpserver, app):
    app.config["CALENDAR_IMPORT_HORIZON_MONTHS"] = 1
    weekly = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:w@x\r\n"
        "DTSTAMP:20261101T000000Z\r\nDTSTART:20261123T080000Z\r\nDTEND:20261123T090000Z\r\n"
        "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    requests = []

    def handler(request):
        requests.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"w1"':
            return Response(status=304)
        return Response(weekly, content_type="text/calendar", headers={"ETag": '"w1"'})

    httpserver.expect_request("/weekly.ics").respond_with_handler(handler)
    with transaction():
        import_id = sources.add_import(
            world["host"], world["unit"], url=httpserver.url_for("/weekly.ics")
        ).id
    first = sync.sync_import(import_id, NOW)
    last_before = blocks_of(import_id)[-1].start_at
    later = sync.sync_import(import_id, NOW + timedelta(days=14))
    assert requests[-1] == '"w1"' and later.not_modified and later.error is None
    assert later.changed and first.blocks == 5
    assert blocks_of(import_id)[-1].start_at == last_before + timedelta(days=14)


def test_a_sync_of_a_removed_import_does_nothing(world, httpserver):
    httpserver.expect_request("/cal.ics").respond_with_data(ics("floating.ics"))
    import_id = add_url(world, httpserver.url_for("/cal.ics"))
    calendar_import = db.session.get(CalendarImport, import_id)
    before = version(world["unit"].id)
    with transaction():
        sources.delete_import(world["host"], db.session.get(CalendarImport, import_id))
    assert version(world["unit"].id) == before + 1
    assert calendar_import is not None and sync.sync_import(import_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BusyBlock)) == 0


def test_an_unreachable_server_is_recorded(world):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    import_id = add_url(world, f"http://127.0.0.1:{port}/cal.ics")
    calendar_import = db.session.get(CalendarImport, import_id)
    assert calendar_import.last_error == "Could not connect to 127.0.0.1."
    assert calendar_import.last_attempt_at is not None and calendar_import.last_success_at is None


def test_errors_are_written_in_the_language_of_the_host(app_ctx):
    # any catalogued sentence shows the mechanism: msgid and values in, the host's language out
    assert sync.translated_error(FetchError("Not found."), "fr") == "Introuvable."
    assert (
        sync.translated_error(
            FetchError("The calendar is larger than %(size)s MB.", size="5"), "en"
        )
        == "The calendar is larger than 5 MB."
    )


# --- the fetcher against a local server --------------------------------------------------------


class SlowPeer:
    """A raw HTTP server on loopback that answers in one of several ways, some of them hostile:
    ``good`` sends a calendar; ``status`` trickles the status line a byte at a time; ``headers``
    sends one header line every 0.2 s, for ever; ``chunks`` trickles a chunked body."""

    CALENDAR = ics("floating.ics").encode()

    def __init__(self):
        self.mode = "good"
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/cal.ics"
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def trickle(self, conn, pieces, pause):
        for piece in pieces:
            if self.stop.wait(pause):
                return
            conn.sendall(piece)

    def answer(self, conn):
        with conn:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(4096)
            endless = (f"X-Slow-{i}: yes\r\n".encode() for i in range(10_000))
            try:
                if self.mode == "good":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
                        + f"Content-Length: {len(self.CALENDAR)}\r\n\r\n".encode()
                        + self.CALENDAR
                    )
                elif self.mode == "status":
                    self.trickle(conn, (bytes([b]) for b in b"HTTP/1.1 200 OK\r\n" * 100), 0.1)
                elif self.mode == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    self.trickle(conn, endless, 0.2)
                elif self.mode == "chunks":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    self.trickle(conn, (b"1\r\nx\r\n" for _ in range(10_000)), 0.2)
            except OSError:
                pass  # the client gave up: what it should do

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.listener.close()


@pytest.fixture
def slow_peer():
    peer = SlowPeer()
    yield peer
    peer.close()


@pytest.mark.parametrize("mode", ["status", "headers", "chunks"])
def test_one_deadline_covers_the_whole_exchange(world, app, slow_peer, mode):
    app.config["CALENDAR_IMPORT_TIMEOUT"] = 1
    import_id = add_url(world, slow_peer.url)  # synced after the commit
    assert [b.summary for b in blocks_of(import_id)] == ["Atelier couture"]
    first = db.session.get(CalendarImport, import_id).last_success_at
    slow_peer.mode = mode
    started = time.monotonic()
    result = sync.sync_import(import_id)
    assert time.monotonic() - started < 2.5
    assert result.error == "The calendar server did not answer within 1 seconds."
    assert result.last_success_at == first
    assert [b.summary for b in blocks_of(import_id)] == ["Atelier couture"]  # kept


def test_a_rule_repeating_every_second_fails_the_sync_quickly_and_keeps_the_blocks(
    world, httpserver
):
    state = {"body": ics("floating.ics")}
    httpserver.expect_request("/cal.ics").respond_with_handler(
        lambda request: Response(state["body"], content_type="text/calendar")
    )
    import_id = add_url(world, httpserver.url_for("/cal.ics"))
    for freq in ("SECONDLY", "MINUTELY"):
        state["body"] = (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:s@x\r\n"
            "DTSTAMP:20261101T000000Z\r\nDTSTART:20261123T080000Z\r\nDTEND:20261123T080001Z\r\n"
            f"RRULE:FREQ={freq}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        started = time.monotonic()
        result = sync.sync_import(import_id, NOW)
        assert time.monotonic() - started < 2
        assert result.error == (
            "The calendar repeats events too often: more than 12000 occurrences in the next "
            "18 months."
        )
        assert [b.summary for b in blocks_of(import_id)] == ["Atelier couture"]


def test_every_redirect_hop_is_checked(httpserver, monkeypatch):
    """A public address that redirects to a private one is refused at the second hop."""
    real = addresses.resolve

    def resolve(host, port, allow_private):
        if host == "localhost":  # pretend this name is public; 127.0.0.1 itself is not
            return ["127.0.0.1"]
        return real(host, port, allow_private)

    monkeypatch.setattr(addresses, "resolve", resolve)
    target = httpserver.url_for("/cal.ics").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/start").respond_with_response(
        Response(status=302, headers={"Location": target})
    )
    httpserver.expect_request("/cal.ics").respond_with_data(ics("floating.ics"))
    with pytest.raises(FetchError, match="local or private network"):
        fetch.fetch_calendar(httpserver.url_for("/start"), allow_private=False)
    assert [request.path for request, _ in httpserver.log] == ["/start"]
    fetched = fetch.fetch_calendar(httpserver.url_for("/start"), allow_private=True)
    assert fetched.url == target and "Atelier couture" in fetched.text


def test_an_unknown_host_name(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(FetchError, match="could not be found"):
        fetch.fetch_calendar("https://calendar.example.invalid/cal.ics")


def test_text_is_decoded_with_the_declared_charset(httpserver):
    body = (
        ics("floating.ics").replace("Atelier couture", "Atelier tricot et café").encode("latin-1")
    )
    httpserver.expect_request("/latin1.ics").respond_with_data(
        body, content_type="text/calendar; charset=ISO-8859-1"
    )
    assert (
        "café" in fetch.fetch_calendar(httpserver.url_for("/latin1.ics"), allow_private=True).text
    )


def test_addresses_with_accents_are_encoded(httpserver):
    httpserver.expect_request(
        "/agendas/salle-été.ics", query_string={"clé": "1"}
    ).respond_with_data(ics("floating.ics"))
    url = httpserver.url_for("/agendas/salle-été.ics") + "?clé=1"
    assert "Atelier couture" in fetch.fetch_calendar(url, allow_private=True).text


def test_an_unexpected_failure_is_recorded_not_raised(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sync, "fetch_calendar", broken)
    import_id = add_url(world, "https://calendar.example.org/cal.ics")
    result = sync.sync_import(import_id)
    assert result.error == "Something went wrong on our side. It has been logged."


# --- commands ---------------------------------------------------------------------------------


def test_calendars_sync_command(world, runner, httpserver):
    httpserver.expect_request("/good.ics").respond_with_data(ics("google.ics"))
    httpserver.expect_request("/gone.ics").respond_with_data("gone", status=410)
    add_url(world, httpserver.url_for("/good.ics"))
    gone = add_url(world, httpserver.url_for("/gone.ics"))
    result = runner.invoke(args=["calendars", "sync"])
    assert result.exit_code == 0, result.output
    assert f"calendar {gone}: No calendar was found at this address (HTTP 410)." in result.output
    assert (
        "2 calendar(s): 0 updated, 1 unchanged, 1 failed; 7 busy block(s) in all." in result.output
    )


def test_worker_needs_redis(runner):
    result = runner.invoke(args=["worker"])
    assert result.exit_code != 0
    assert "The worker needs REDIS_URL" in result.output


# --- jobs and the schedule ---------------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


@pytest.mark.parametrize(
    ("now", "last", "due"),
    [
        ("2026-11-23T09:59", None, False),  # waits for 10:00
        ("2026-11-23T10:00", None, True),
        ("2026-11-23T15:00", None, True),  # a late start runs at once
        ("2026-11-23T15:00", "2026-11-23T10:00", False),  # never twice the same date
        ("2026-11-24T09:00", "2026-11-23T10:00", False),
        ("2026-11-24T10:01", "2026-11-23T10:00", True),
        ("2027-03-28T10:00", "2027-03-27T10:00", True),  # across the clock change
    ],
)
def test_daily_task_runs_once_per_local_date_from_its_hour(now, last, due):
    rule = jobs.daily_at(10, PARIS)
    assert rule(paris(now), paris(last) if last else None) is due


def test_every():
    rule = jobs.every(timedelta(minutes=15))
    assert rule(NOW, None) and rule(NOW, NOW - timedelta(minutes=15))
    assert not rule(NOW, NOW - timedelta(minutes=14))


def test_the_schedule_enqueues_what_is_due_and_remembers_it(app_ctx, tmp_path, monkeypatch):
    queued = []
    monkeypatch.setattr(jobs, "enqueue", lambda path, *args, **kw: queued.append(path))
    app_ctx.config["CALENDAR_SYNC_MINUTES"] = 10
    schedule = jobs.scheduled_tasks(app_ctx)
    state = jobs.FileState(str(tmp_path / "schedule.json"))
    morning = paris("2026-11-23T09:00")
    assert jobs.run_due(app_ctx, state, schedule, morning) == [
        "calendar-sync",
        "expire-requests",
        "employer-statements",  # daily from 07:00
        "purge-search-log",  # daily from 03:00
    ]
    assert queued == [
        "spaces.calendars.sync.enqueue_all_syncs",
        "spaces.bookings.deciding.expire_requests_job",
        "spaces.employers.mailing.send_monthly_statements_job",
        "spaces.observatory.searchlog.purge_search_log_job",
    ]
    assert jobs.run_due(app_ctx, state, schedule, morning + timedelta(minutes=5)) == [
        "expire-requests"
    ]
    later = jobs.FileState(str(tmp_path / "schedule.json"))  # after a restart
    assert jobs.run_due(app_ctx, later, schedule, paris("2026-11-23T10:00")) == [
        "calendar-sync",
        "expire-requests",
        "reminders",
    ]
    assert jobs.run_due(app_ctx, later, schedule, paris("2026-11-23T10:00")) == []
    assert jobs.tick_seconds(schedule) == 30


def test_one_scheduler_leads_among_several_workers(redis_url):
    import redis

    connection = redis.Redis.from_url(redis_url)
    first, second = jobs.RedisState(connection, 5), jobs.RedisState(connection, 5)
    assert first.lead() and not second.lead() and first.lead()
    first.mark("calendar-sync", NOW)
    assert second.last("calendar-sync") == NOW
    first.release()
    assert second.lead() and not first.lead()
    connection.close()


def test_periodic_jobs_run(app_ctx, world, httpserver, outbox):
    """Each task of the schedule, run as the worker runs it, does its work: the calendar nobody
    synced is fetched, the request nobody answered is recorded as expired and its booker told,
    and tomorrow's booking gets its reminder."""
    from spaces.availability.hours import Window
    from spaces.bookings.models import Booking
    from spaces.bookings.requesting import request_booking

    host, unit = world["host"], world["unit"]
    set_hours(host, unit.space, [Window(day, 0, 24 * 60) for day in range(7)])  # tomorrow is open
    room = make_unit(host, unit.space, name="Salle Cher", kind="meeting_room", capacity=8)
    from spaces.listings import services as listings

    with transaction():
        room.booking_mode = "request"
        listings.publish_space(host, unit.space)
    booker = make_user("camille@example.org", name="Camille", locale="en")
    now = datetime.now(UTC)
    day = now.astimezone(PARIS).date() + timedelta(days=1)
    noon = datetime.combine(day, datetime.min.time(), PARIS) + timedelta(hours=12)
    with transaction():
        tomorrow = request_booking(booker, unit.id, noon, noon + timedelta(hours=1)).first
    with transaction():  # asked three days ago: the host had 48 hours to answer
        unanswered = request_booking(
            booker, room.id, noon, noon + timedelta(hours=2), now=now - timedelta(days=3)
        ).first
    tomorrow_id, unanswered_id = tomorrow.id, unanswered.id
    assert tomorrow.status == "confirmed" and unanswered.status == "requested"
    httpserver.expect_request("/periodic.ics").respond_with_data(
        ics("google.ics"), content_type="text/calendar"
    )
    with transaction():  # a calendar that was never synced: a row, no job queued for it
        calendar = CalendarImport(
            unit_id=unit.id,
            created_by_id=host.id,
            source="url",
            url=httpserver.url_for("/periodic.ics"),
            name="Agenda",
        )
        db.session.add(calendar)
    import_id = calendar.id
    sent_before = len(outbox)
    assert blocks_of(import_id) == [] and httpserver.log == []

    schedule = jobs.scheduled_tasks(app_ctx)
    assert {task.name for task in schedule} == {
        "calendar-sync",
        "expire-requests",
        "reminders",
        "employer-statements",
        "purge-search-log",
    }
    for task in schedule:
        jobs.run_job(app_ctx, task.func_path)

    assert len(httpserver.log) == 1 and len(blocks_of(import_id)) == 7
    assert db.session.get(CalendarImport, import_id).last_success_at is not None
    assert db.session.get(Booking, unanswered_id).status == "expired"
    assert db.session.get(Booking, tomorrow_id).status == "confirmed"
    subjects = sorted(str(m["Subject"]).split(",")[0] for m in outbox.messages()[sent_before:])
    assert subjects == [
        "Reminder: tomorrow at " + unit.space.name,
        "Your request expired: " + unit.space.name,
    ]
    assert all(str(m["To"]) == "camille@example.org" for m in outbox.messages()[sent_before:])


def test_queued_mail_goes_to_redis_when_configured(app, world, outbox, redis_url):
    from rq import Queue

    from spaces.mail import queue_mail

    app.config["REDIS_URL"] = redis_url
    with transaction():
        queue_mail(db.session, "someone@example.org", "calendar_collision", "en", **_mail(world))
    queue = Queue(jobs.QUEUE, connection=jobs.redis_connection(app))
    assert len(outbox) == 0 and queue.count == 1
    job = queue.jobs[0]
    assert job.func_name == "spaces.jobs.perform" and job.args[0] == "spaces.mail.deliver_raw"
    # what the worker will do with it
    jobs.perform(*job.args)
    assert outbox.last("someone@example.org")["Subject"].startswith("Your calendar overlaps")


def test_mail_is_delivered_at_once_when_redis_is_away(app, world, outbox):
    from spaces.mail import queue_mail

    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    with transaction():
        queue_mail(db.session, "someone@example.org", "calendar_collision", "en", **_mail(world))
    assert len(outbox) == 1


def _mail(world) -> dict:
    unit = db.session.get(Unit, world["unit"].id)
    calendar = CalendarImport(name="Agenda", url="https://example.org/cal.ics")
    return {
        "recipient": world["host"],
        "unit": unit,
        "space": unit.space,
        "calendar": calendar,
        "items": [],
        "link": "http://localhost/units/1/calendars",
    }
