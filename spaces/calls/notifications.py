"""Call e-mails, each in its recipient's language, leaving after the commit: a new or withdrawn
application to the organisation's managers; shortlisted, declined (with the reason) and accepted to
the applicant.
"""

from __future__ import annotations

from spaces.bookings.notifications import invitation
from spaces.extensions import db
from spaces.mail import external_url, queue_mail
from spaces.organisations.services import managers


def _send(user, template: str, application, link: str, attachments=(), **context) -> None:
    call = application.call
    queue_mail(
        db.session,
        user.email,
        template,
        user.locale,
        attachments=attachments,
        recipient=user,
        application=application,
        call=call,
        unit=call.unit,
        space=call.unit.space,
        link=link,
        **context,
    )


def _to_managers(template: str, application) -> None:
    """To each owner and manager of the call's organisation, with the call's applications."""
    link = external_url("calls.review", call_id=application.call_id)
    for host in managers(application.call.unit.space.organisation):
        _send(host, template, application, link)


def application_received(application) -> None:
    _to_managers("call_application_new", application)


def application_withdrawn(application) -> None:
    """The applicant took it back: the managers may have been about to decide on it."""
    _to_managers("call_application_withdrawn", application)


def _to_applicant(template: str, application, **context) -> None:
    link = external_url("calls.my_applications")
    _send(application.applicant, template, application, link, **context)


def application_shortlisted(application) -> None:
    _to_applicant("call_application_shortlisted", application)


def application_declined(application) -> None:
    _to_applicant("call_application_declined", application)


def application_accepted(application) -> None:
    """The one message of an acceptance: the term booking (reference, price) with its calendar
    invitation, and the agreement's address (the booking sends no e-mail of its own)."""
    booking = application.booking
    _to_applicant(
        "call_application_accepted",
        application,
        attachments=(invitation(booking),) if booking is not None else (),
        convention=external_url("calls.convention", application_id=application.id),
    )
