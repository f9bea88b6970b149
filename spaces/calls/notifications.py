"""Call e-mails, each in its recipient's language, leaving after the commit: a new application to
the organisation's managers; shortlisted, declined (with the reason) and accepted to the applicant.
"""

from __future__ import annotations

from spaces.extensions import db
from spaces.mail import external_url, queue_mail
from spaces.organisations.services import managers


def _send(user, template: str, application, link: str, **context) -> None:
    call = application.call
    queue_mail(
        db.session,
        user.email,
        template,
        user.locale,
        recipient=user,
        application=application,
        call=call,
        unit=call.unit,
        space=call.unit.space,
        link=link,
        **context,
    )


def application_received(application) -> None:
    """To each owner and manager of the call's organisation."""
    link = external_url("calls.review", call_id=application.call_id)
    for host in managers(application.call.unit.space.organisation):
        _send(host, "call_application_new", application, link)


def _to_applicant(template: str, application, **context) -> None:
    link = external_url("calls.my_applications")
    _send(application.applicant, template, application, link, **context)


def application_shortlisted(application) -> None:
    _to_applicant("call_application_shortlisted", application)


def application_declined(application) -> None:
    _to_applicant("call_application_declined", application)


def application_accepted(application) -> None:
    _to_applicant(
        "call_application_accepted",
        application,
        convention=external_url("calls.convention", application_id=application.id),
    )
