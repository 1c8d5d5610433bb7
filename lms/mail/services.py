"""Queueing and sending e-mail.

``queue_mail`` renders the message in the recipient's language and adds it to the session;
nothing leaves the machine until ``send_pending`` runs (``lms mail send``) after the commit. A
request that rolls back therefore never sends its mail.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.core.db import utcnow
from lms.mail.models import OutgoingMail


def queue_mail(
    session: Session,
    *,
    recipient: str,
    template: str,
    language: str,
    **context: Any,
) -> OutgoingMail:
    """Render ``lms/mail/<template>.subject.txt`` and ``.txt`` in ``language`` and queue them."""
    with force_locale(language):
        subject = render_template(f"lms/mail/{template}.subject.txt", **context).strip()
        body = render_template(f"lms/mail/{template}.txt", **context)
    mail = OutgoingMail(
        recipient=recipient, language=language, template=template, subject=subject, body=body
    )
    session.add(mail)
    session.flush()
    return mail


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(idstring=f"lms-{mail.id}")
    message.set_content(mail.body)
    message["Content-Language"] = mail.language  # after set_content, which clears Content-*
    return message


class FileBackend:
    """Writes each message as ``<instance>/mail/<id>.eml`` (the default, for demos and tests)."""

    def __init__(self, app: Flask) -> None:
        self.folder = Path(app.config["LMS_INSTANCE_PATH"]) / "mail"

    def send(self, messages: Iterable[tuple[OutgoingMail, EmailMessage]]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for mail, message in messages:
            (self.folder / f"{mail.id:08d}.eml").write_bytes(bytes(message))


class SMTPBackend:
    def __init__(self, app: Flask) -> None:
        self.config = app.config

    def send(self, messages: Iterable[tuple[OutgoingMail, EmailMessage]]) -> None:
        c = self.config
        with smtplib.SMTP(
            c["LMS_MAIL_SMTP_HOST"],
            int(c["LMS_MAIL_SMTP_PORT"]),
            timeout=c["LMS_MAIL_SMTP_TIMEOUT"],
        ) as smtp:
            if c["LMS_MAIL_SMTP_STARTTLS"]:
                smtp.starttls()
            if c["LMS_MAIL_SMTP_USERNAME"]:
                smtp.login(c["LMS_MAIL_SMTP_USERNAME"], c["LMS_MAIL_SMTP_PASSWORD"])
            for _mail, message in messages:
                smtp.send_message(message)


BACKENDS = {"file": FileBackend, "smtp": SMTPBackend}


def send_pending(session: Session, *, limit: int = 100) -> tuple[int, int]:
    """Send up to ``limit`` unsent messages, committing after each one. Returns (sent, failed).

    Each message is committed as sent right after it leaves, so a crash sends at most one
    message twice and never loses one.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = BACKENDS[app.config["LMS_MAIL_BACKEND"]](app)
    sender = app.config["LMS_MAIL_SENDER"]
    pending = session.scalars(
        select(OutgoingMail)
        .where(
            OutgoingMail.sent_at.is_(None),
            OutgoingMail.attempts < app.config["LMS_MAIL_MAX_ATTEMPTS"],
        )
        .order_by(OutgoingMail.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for mail in pending:
        mail.attempts += 1
        try:
            backend.send([(mail, build_message(mail, sender))])
        except (OSError, smtplib.SMTPException) as exc:
            mail.last_error = f"{type(exc).__name__}: {exc}"
            failed += 1
        else:
            mail.sent_at = utcnow()
            mail.last_error = None
            sent += 1
        session.commit()
    return sent, failed
