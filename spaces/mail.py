"""The one way Spaces sends e-mail.

Transport, by configuration: ``MAIL_OUTBOX_DIR`` writes each message there as an ``.eml`` file
and logs one line (development, where it defaults to ``instance/outbox/``, and tests); ``SMTP_URL`` sends through SMTP (production); otherwise the message is logged
to the console. Services queue mail with ``queue_mail`` so it leaves only after the commit; with
``REDIS_URL`` it then goes through the job queue (the worker delivers it, so a slow SMTP server
never holds a request), otherwise it is delivered right after the commit.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import smtplib
import ssl
import tempfile
import uuid
from dataclasses import dataclass, field
from email import encoders
from email.charset import QP, Charset
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from spaces.db import after_commit
from spaces.text import is_breaking

log = logging.getLogger(__name__)

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


@dataclass
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "octet-stream"
    params: dict = field(default_factory=dict)


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on the configured ``BASE_URL``, the same within a request or without one.

    Never built from the request: its Host header is the client's to choose, and a reset link
    must not point at an attacker's site.
    """
    app = current_app._get_current_object()
    parts = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def mail_locale(locale: str | None) -> str:
    """The language a recipient's mail is written in: theirs, else the site's default (never the
    language of whoever's request caused the mail)."""
    return locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def render_mail(template: str, locale: str | None, **context) -> tuple[str, str]:
    """Render ``templates/mail/<template>.txt`` in the recipient's language: (subject, body).

    The template's first line is the subject.
    """
    with force_locale(mail_locale(locale)):
        text = render_template(f"mail/{template}.txt", **context)
    subject, _, body = text.strip("\n").partition("\n")
    return subject.strip(), body.lstrip("\n")


def header_text(value: str) -> str:
    """One line for a mail header: control characters and line separators become spaces.

    Names are checked at input, but a name stored before (or by another way) must not make
    every message about it fail: \r, \x0b, \x85 or \u2028 would end the header line.
    """
    text = "".join(" " if is_breaking(c) else c for c in value)
    return " ".join(text.split())


def _address(value: str) -> str:
    """A From/To header value, its display name encoded (RFC 2047) when it is not ASCII."""
    name, address = parseaddr(header_text(value))
    return formataddr((name, address), charset="utf-8") if address else header_text(value)


def _header(name: str, value: str) -> Header:
    """A header value the generator folds and, when it is not ASCII, encodes (RFC 2047)."""
    text = header_text(value)
    return Header(text, "us-ascii" if text.isascii() else "utf-8", header_name=name)


def build_message(to: str, subject: str, body: str, attachments=()) -> Message:
    """A MIME message: the text in UTF-8 (quoted-printable, readable in the outbox), then the
    attachments in base64.

    Built with the ``compat32`` classes, which take header strings as given: the modern
    ``EmailMessage`` parses every header it is handed, and that was most of the cost of a
    booking's e-mails (see bench/README.md). Readers parse it with any policy.
    """
    text = MIMENonMultipart("text", "plain")
    text.set_payload(body, _UTF8_QP)  # sets the charset and Content-Transfer-Encoding
    if attachments:
        message = MIMEMultipart("mixed")
        message.attach(text)
        for item in attachments:
            part = MIMEBase(item.maintype, item.subtype, **item.params)
            part.set_payload(item.content)
            encoders.encode_base64(part)
            part.add_header("Content-Disposition", "attachment", filename=item.filename)
            message.attach(part)
    else:
        message = text
    message["From"] = _address(current_app.config["MAIL_FROM"])
    message["To"] = _address(to)
    message["Subject"] = _header("Subject", subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="spaces.localhost")
    return message


def deliver(message: Message) -> None:
    """Hand a message to the configured transport; raises on SMTP failure."""
    outbox = current_app.config.get("MAIL_OUTBOX_DIR")
    smtp_url = current_app.config.get("SMTP_URL")
    if outbox:
        os.makedirs(outbox, exist_ok=True)
        name = f"{uuid.uuid4().hex}.eml"
        # Write then rename, so a reader never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=outbox, suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes(message))
        path = os.path.join(outbox, name)
        os.replace(tmp, path)
        subject = str(make_header(decode_header(message["Subject"] or "")))
        log.info("e-mail to %s, %r: %s", message["To"], subject, path)
    elif smtp_url:
        _send_smtp(smtp_url, message)
    else:
        log.info("e-mail (console transport)\n%s", message.as_string())


def _send_smtp(url: str, message: Message) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "smtps"
    port = parts.port or (465 if secure else 587)
    if secure:
        server = smtplib.SMTP_SSL(
            parts.hostname, port, timeout=20, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(parts.hostname, port, timeout=20)
    with server:
        if not secure and port != 25:
            server.starttls(context=ssl.create_default_context())
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        server.send_message(message)


def send_mail(to: str, template: str, locale: str | None = None, attachments=(), **context) -> None:
    """Render and deliver one message now."""
    subject, body = render_mail(template, locale, **context)
    deliver(build_message(to, subject, body, attachments))


def compose(
    to: str, template: str, locale: str | None = None, attachments=(), **context
) -> Message:
    """One message, rendered in the recipient's language, not sent."""
    subject, body = render_mail(template, locale, **context)
    return build_message(to, subject, body, attachments)


def queue_mail(
    session, to: str, template: str, locale: str | None = None, attachments=(), **context
) -> None:
    """Send the message after the current transaction commits (never for a rolled-back one).

    The message is rendered now, while the objects it speaks of are loaded, and delivered after
    the commit.
    """
    queue_message(session, compose(to, template, locale, attachments, **context))


def queue_message(session, message: Message) -> None:
    """Deliver a composed message after the current transaction commits (see ``queue_mail``)."""
    after_commit(session, lambda: deliver_later(message))


def deliver_later(message: Message) -> None:
    """Deliver through the job queue when ``REDIS_URL`` is set, else now.

    If Redis cannot take the job, the message is delivered now rather than lost.
    """
    if current_app.config.get("REDIS_URL"):
        from spaces import jobs

        try:
            jobs.enqueue("spaces.mail.deliver_raw", bytes(message))
            return
        except Exception:
            log.exception("could not queue an e-mail; delivering it now")
    deliver(message)


def deliver_raw(raw: bytes) -> None:
    """The queued job: deliver a message rendered (and serialised) by the app."""
    deliver(email.message_from_bytes(raw, policy=email.policy.default))
