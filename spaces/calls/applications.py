"""Applications to a call: apply, read, shortlist, decline, withdraw, accept.

Accepting makes a confirmed term booking for the applicant through the booking rules
(``bookings.terms.request_term``), in the caller's transaction: when the term no longer fits,
the Conflict it raises rolls everything back, the application included.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.bookings import terms
from spaces.calls import notifications
from spaces.calls.models import LIVE_APPLICATION_STATUSES, Application, Call
from spaces.calls.services import can_manage_call, can_read_call, get_call, period_contains
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db


def _locked_call(call_id: int) -> Call:
    """The call, its row locked (PostgreSQL; SQLite's transaction already holds the write lock),
    so that two applications of one person, or two decisions, are never both taken."""
    call = db.session.scalar(
        sa.select(Call)
        .where(Call.id == call_id)
        .with_for_update(of=Call)
        .execution_options(populate_existing=True)
    )
    if call is None:
        raise NotFound()
    return call


def apply(actor: User, call_id: int, values: dict, now: datetime | None = None) -> Application:
    """A submitted application of ``actor`` to an open call.

    Raises NotFound (call not visible), Invalid (dates outside the call's period or reversed),
    Conflict(invalid_state) when the call is not open or the actor already has a live
    application to it.
    """
    now = now or utcnow()
    get_call(actor, call_id)
    call = _locked_call(call_id)
    start, end = values["start_date"], values["end_date"]
    if end < start:
        message = _l("The last day must not be before the first.")
        raise Invalid(message, fields={"end_date": [message]})
    if not period_contains(call, start, end):
        message = _l(
            "Choose dates between %(first)s and %(last)s.",
            first=call.occupation_from.isoformat(),
            last=call.occupation_until.isoformat(),
        )
        raise Invalid(
            message,
            fields={
                name: [message]
                for name, day in (("start_date", start), ("end_date", end))
                if not call.occupation_from <= day <= call.occupation_until
            },
        )
    if values.get("seats", 1) > call.unit.capacity:
        message = _l("At most %(n)s seats.", n=call.unit.capacity)
        raise Invalid(message, fields={"seats": [message]})
    if call.effective_status(now) != "open":
        raise Conflict(_l("This call is not taking applications."), code="invalid_state")
    existing = db.session.scalar(
        sa.select(Application.id).where(
            Application.call_id == call.id,
            Application.applicant_id == actor.id,
            Application.status.in_(LIVE_APPLICATION_STATUSES),
        )
    )
    if existing is not None:
        raise Conflict(_l("You have already applied to this call."), code="invalid_state")
    application = Application(
        call=call,
        applicant=actor,
        project=values["project"],
        planned_use=values["planned_use"],
        start_date=start,
        end_date=end,
        seats=values.get("seats") or 1,
        organisation_name=values.get("organisation_name") or "",
        contact_phone=values.get("contact_phone") or "",
        status="submitted",
    )
    db.session.add(application)
    db.session.flush()
    notifications.application_received(application)
    return application


def can_see(actor: User | None, application: Application) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return application.applicant_id == actor.id or can_read_call(actor, application.call)


def get_application(actor: User, application_id: int) -> Application:
    """The application if the actor made it or belongs to the call's organisation; NotFound
    for anyone else."""
    application = (
        db.session.get(Application, application_id) if 0 < application_id < 2**31 else None
    )
    if application is None or not can_see(actor, application):
        raise NotFound()
    return application


def applications_of_call(actor: User, call_id: int) -> list[Application]:
    """Every application to the call, oldest first (its organisation's members only)."""
    call = get_call(actor, call_id)
    if not can_read_call(actor, call):
        raise NotFound()
    return list(call.applications)


def my_applications(actor: User) -> list[Application]:
    """The actor's applications, newest first."""
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.applicant_id == actor.id)
            .order_by(Application.created_at.desc(), Application.id.desc())
        ).unique()
    )


def _for_decision(actor: User, application_id: int) -> Application:
    """The application, under its call's lock, if the actor may decide on it."""
    application = get_application(actor, application_id)
    _locked_call(application.call_id)
    db.session.refresh(application)
    if not can_manage_call(actor, application.call):
        raise Forbidden(
            _l(
                "Only the owners and managers of %(name)s can do this.",
                name=application.call.unit.space.organisation.name,
            )
        )
    return application


def _pending_or_conflict(application: Application) -> None:
    if not application.is_pending:
        raise Conflict(
            _l("This application has already been decided or withdrawn."), code="invalid_state"
        )


def _decide(application: Application, actor: User, status: str, now: datetime) -> None:
    application.status = status
    application.decided_at = now
    application.decided_by_id = actor.id


def shortlist(actor: User, application_id: int, now: datetime | None = None) -> Application:
    """submitted → shortlisted; the applicant is told (a visit may follow)."""
    now = now or utcnow()
    application = _for_decision(actor, application_id)
    if application.status != "submitted":
        raise Conflict(_l("Only a submitted application can be shortlisted."), code="invalid_state")
    _decide(application, actor, "shortlisted", now)
    db.session.flush()
    notifications.application_shortlisted(application)
    return application


def decline(
    actor: User, application_id: int, reason: str, now: datetime | None = None
) -> Application:
    """submitted or shortlisted → declined, with the reason the applicant reads."""
    now = now or utcnow()
    application = _for_decision(actor, application_id)
    _pending_or_conflict(application)
    _decide(application, actor, "declined", now)
    application.reason = reason.strip()[:500]
    db.session.flush()
    notifications.application_declined(application)
    return application


def withdraw(actor: User, application_id: int, now: datetime | None = None) -> Application:
    """The applicant takes a pending application back; the organisation's managers are told."""
    application = get_application(actor, application_id)
    _locked_call(application.call_id)
    db.session.refresh(application)
    if application.applicant_id != actor.id:
        raise Forbidden(_l("Only the applicant can withdraw an application."))
    _pending_or_conflict(application)
    application.status = "withdrawn"
    db.session.flush()
    notifications.application_withdrawn(application)
    return application


def accept(actor: User, application_id: int, now: datetime | None = None) -> Application:
    """submitted or shortlisted → accepted, with a confirmed term booking for the applicant
    over the application's dates. Conflict(unavailable) when the term no longer fits; the
    caller's transaction then rolls back and nothing changes."""
    now = now or utcnow()
    application = _for_decision(actor, application_id)
    _pending_or_conflict(application)
    call = application.call
    result = terms.request_term(
        actor,
        call.unit_id,
        application.start_date,
        application.end_date,
        application.seats,
        note=str(_l("Call for occupation: %(title)s", title=call.title))[:1000],
        booker=application.applicant,
        force_confirmed=True,
        notify=False,  # the acceptance e-mail carries the booking and its invitation
        now=now,
    )
    _decide(application, actor, "accepted", now)
    application.booking = result.first
    db.session.flush()
    notifications.application_accepted(application)
    return application
