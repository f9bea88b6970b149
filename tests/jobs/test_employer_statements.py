"""The monthly statement e-mail: last month's statement, CSV attached, to each owner and manager
of each employer — exactly once per (organisation, month), whether the job runs twice, after a
restart, or from two worker processes at once (Redis queue, real ``flask worker`` processes)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from spaces.bookings.models import Booking
from spaces.db import transaction, utcnow
from spaces.employers.mailing import send_monthly_statements
from spaces.employers.models import StatementMailing
from spaces.extensions import db
from spaces.organisations import services as organisations
from tests.factories import make_organisation, make_space, make_unit, make_user

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
_refs = iter(range(10**6))


def _booked(unit, user, sponsor, start: datetime, amount: int, status="confirmed") -> int:
    """A booking row as the booking service leaves it (in the past: written directly)."""
    with transaction():
        booking = Booking(
            reference=f"T{next(_refs):07d}",
            unit_id=unit.id,
            user_id=user.id,
            sponsor_organisation_id=sponsor.id if sponsor else None,
            start_at=start,
            end_at=start + timedelta(hours=2),
            seats=1,
            status=status,
            price_amount=amount,
            currency="EUR",
        )
        db.session.add(booking)
    return booking.id


def _cast(month: date):
    """An employer with an owner (French), a manager (English) and a member who booked twice
    in ``month`` (8 € and 12 €, confirmed), once cancelled, once the month after; and an
    employer with no booking."""
    owner = make_user("rh@example.org", name="Hélène RH", locale="fr")
    manager = make_user("compta@example.org", name="Max Compta", locale="en")
    member = make_user("camille@example.org", name="Camille Martin")
    employer = make_organisation(owner, "Touraine Logistique", kind="employer")
    make_organisation(make_user("idle@example.org"), "Sans Réservation", kind="employer")
    with transaction():
        organisation = db.session.merge(employer)
        hr = db.session.merge(owner)
        organisations.add_member(hr, organisation, manager.email, "manager")
        organisations.add_member(hr, organisation, member.email, "member")
    host = make_user("host@example.org")
    space = make_space(host, name="La Cantine", units=0, publish=False)
    unit = make_unit(host, space, name="Open space")
    at = datetime.combine(month + timedelta(days=9), datetime.min.time(), PARIS) + timedelta(
        hours=9
    )
    _booked(unit, member, employer, at, 800)
    _booked(unit, member, employer, at + timedelta(days=1), 1200)
    _booked(unit, member, employer, at + timedelta(days=2), 500, status="cancelled")
    _booked(unit, member, None, at + timedelta(days=3), 999)
    _booked(unit, member, employer, at + timedelta(days=40), 700)
    return employer


def _clear_join_mails(outbox_dir: Path) -> None:
    for path in outbox_dir.glob("*.eml"):
        path.unlink()


def test_the_statement_is_mailed_once_with_its_csv(app_ctx, outbox, outbox_dir):
    month = date(2026, 11, 1)
    employer = _cast(month)
    _clear_join_mails(outbox_dir)
    first_of_december = datetime(2026, 12, 1, 8, tzinfo=PARIS)

    assert send_monthly_statements(first_of_december) == 2
    assert send_monthly_statements(first_of_december) == 0  # the same day, again
    assert send_monthly_statements(first_of_december + timedelta(days=3)) == 0  # days later
    messages = outbox.messages()
    assert sorted(str(m["To"]) for m in messages) == ["compta@example.org", "rh@example.org"]

    french = outbox.last("rh@example.org")
    assert str(french["Subject"]) == "Relevé mensuel, novembre 2026 : Touraine Logistique"
    body = outbox.body(french)
    assert "20,00\u00a0€" in body  # 8 € + 12 €: not the cancelled, not the unsponsored
    assert "- Camille Martin\u00a0: 20,00\u00a0€" in body
    assert any(f"/organisations/{employer.id}" in link for link in outbox.links(french))
    english = outbox.last("compta@example.org")
    assert str(english["Subject"]) == "Statement for November 2026: Touraine Logistique"
    assert "€20.00" in outbox.body(english)
    (attachment,) = list(english.iter_attachments())
    assert attachment.get_filename() == "statement-2026-11.csv"
    rows = list(csv.reader(io.StringIO(attachment.get_content())))
    assert rows[0][:2] == ["booking_id", "reference"] and len(rows) == 3
    assert [r[-3] for r in rows[1:]] == ["800", "1200"]
    mailings = db.session.scalars(sa.select(StatementMailing)).all()
    assert [(m.organisation_id, m.month, m.recipients) for m in mailings] == [
        (employer.id, "2026-11", 2)
    ]
    assert mailings[0].sent_at is not None

    # the next month has its own statement (the 7 € booking), once
    assert send_monthly_statements(datetime(2027, 1, 1, 8, tzinfo=PARIS)) == 2
    assert send_monthly_statements(datetime(2027, 1, 2, 8, tzinfo=PARIS)) == 0
    assert len(outbox) == 4


@pytest.mark.redis
@pytest.mark.slow
def test_two_worker_processes_send_each_statement_once(
    app, database, redis_url, outbox, outbox_dir, tmp_path
):
    from spaces import jobs

    app.config["REDIS_URL"] = None
    now = utcnow().astimezone(PARIS).date()
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(day=1)
    with app.app_context():
        _cast(last_month)
    _clear_join_mails(outbox_dir)
    app.config["REDIS_URL"] = redis_url
    with app.app_context():
        for _ in range(6):  # six runs queued (a restart, a double schedule...): one mail each
            jobs.enqueue("spaces.employers.mailing.send_monthly_statements_job")

    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "MAIL_OUTBOX_DIR": str(outbox_dir),
        "SPACES_ENV": "testing",
        "SECRET_KEY": "testing-key",
        "RATELIMIT_ENABLED": "0",
    }
    env.pop("SPACES_SCHEDULER", None)
    workers, logs = [], []
    for n in range(2):
        log = tmp_path / f"worker{n}.log"
        logs.append(log)
        with open(log, "wb") as output:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst"],
                    cwd=ROOT,
                    env={**env, "SPACES_INSTANCE_PATH": str(tmp_path / f"instance{n}")},
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        for worker, log in zip(workers, logs, strict=True):
            assert worker.wait(timeout=60) == 0, log.read_text()[-3000:]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    deadline = time.monotonic() + 10
    while len(outbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    recipients = sorted(str(m["To"]) for m in outbox.messages())
    assert recipients == ["compta@example.org", "rh@example.org"], recipients
    with app.app_context():
        rows = db.session.execute(
            sa.select(StatementMailing.month, StatementMailing.recipients)
        ).all()
    assert rows == [(f"{last_month:%Y-%m}", 2)]


def test_nothing_is_sent_for_a_month_without_sponsored_bookings(app_ctx, outbox):
    make_organisation(make_user("rh@example.org"), "Touraine Logistique", kind="employer")
    assert send_monthly_statements(datetime(2026, 12, 1, 8, tzinfo=UTC)) == 0
    assert len(outbox) == 0
