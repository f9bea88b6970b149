"""The monthly statement e-mail: last month's statement, CSV attached, to each employer's owners
and managers — exactly once per (organisation, month).

Run daily by the scheduler (``schedule.py``); it does work only for the months not yet sent, so a
missed 1st is caught up the next day. Exactly once, with several workers or after a restart: the
``StatementMailing`` row for (organisation, month) is inserted and committed in a transaction of
its own *before* anything is sent; the unique constraint makes a second claim fail, and whoever
fails does nothing. A crash between the claim and the mail loses that mail (at most once, never
twice); ``sent_at`` stays NULL on such a row, for an operator to see.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from spaces.bookings.models import Booking
from spaces.db import transaction, utcnow
from spaces.employers.budget import default_zone, month_key, month_name
from spaces.employers.models import StatementMailing
from spaces.employers.statements import statement, statement_csv
from spaces.extensions import db
from spaces.mail import Attachment, external_url, mail_locale, queue_mail
from spaces.organisations.models import Organisation
from spaces.organisations.services import managers

log = logging.getLogger(__name__)


def previous_month(now: datetime) -> date:
    """The first day of the month before ``now``'s, on the site's default clock."""
    today = now.astimezone(default_zone()).date()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def employers_to_mail(first: date) -> list[int]:
    """Employers with confirmed sponsored bookings around ``first``'s month and no mailing
    recorded for it yet (the statement itself decides which bookings fall in the month)."""
    lo = datetime.combine(first, datetime.min.time(), tzinfo=default_zone()) - timedelta(days=1)
    hi = lo + timedelta(days=33)
    sent = sa.select(StatementMailing.organisation_id).where(
        StatementMailing.month == month_key(first)
    )
    return list(
        db.session.scalars(
            sa.select(Booking.sponsor_organisation_id)
            .join(Organisation, Organisation.id == Booking.sponsor_organisation_id)
            .where(
                Organisation.kind == "employer",
                Booking.status == "confirmed",
                Booking.start_at >= lo,
                Booking.start_at < hi,
                Booking.sponsor_organisation_id.not_in(sent),
            )
            .distinct()
            .order_by(Booking.sponsor_organisation_id)
        )
    )


def claim(organisation_id: int, month: str) -> bool:
    """Record, in a transaction of its own, that this month's statement is being sent; False
    when someone (another worker, an earlier run) already did."""
    try:
        with transaction():
            db.session.add(StatementMailing(organisation_id=organisation_id, month=month))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _statement_link(organisation_id: int, month: str) -> str:
    """The statement's page (the employer pages, ``employers.statement``), or the organisation's
    page where those pages are not installed."""
    try:
        return external_url("employers.statement", organisation_id=organisation_id, month=month)
    except BuildError:
        return external_url("organisations.detail", organisation_id=organisation_id)


def send_statement(organisation_id: int, first: date) -> int:
    """Claim, then e-mail the month's statement to the organisation's owners and managers;
    returns how many e-mails were queued (0 when it was claimed already or has no line)."""
    month = month_key(first)
    if not claim(organisation_id, month):
        return 0
    with transaction():
        organisation = db.session.get(Organisation, organisation_id)
        st = statement(organisation, month)
        recipients = managers(organisation) if st.lines else []
        attachment = Attachment(
            f"statement-{month}.csv",
            statement_csv(st).encode("utf-8"),
            "text",
            "csv",
            {"charset": "utf-8"},
        )
        for user in recipients:
            queue_mail(
                db.session,
                user.email,
                "employer_statement",
                user.locale,
                attachments=[attachment],
                recipient=user,
                organisation=organisation,
                statement=st,
                month_label=month_name(first, mail_locale(user.locale)),
                link=_statement_link(organisation.id, month),
            )
        mailing = db.session.scalar(
            sa.select(StatementMailing).where(
                StatementMailing.organisation_id == organisation_id,
                StatementMailing.month == month,
            )
        )
        mailing.sent_at, mailing.recipients = utcnow(), len(recipients)
    return len(recipients)


def send_monthly_statements(now: datetime | None = None) -> int:
    """E-mail last month's statement of every employer not yet mailed for it; returns how many
    e-mails were queued. Safe to run any number of times, from any number of processes."""
    first = previous_month(now or utcnow())
    with transaction():
        pending = employers_to_mail(first)
    return sum(send_statement(organisation_id, first) for organisation_id in pending)


def send_monthly_statements_job() -> None:
    """Periodic job (daily): last month's statements, once each."""
    sent = send_monthly_statements()
    log.info("%s monthly statement e-mail(s) sent", sent)
