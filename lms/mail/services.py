"""Queueing and sending e-mail.

``queue_mail`` renders the message in the recipient's language and adds it to the session;
nothing leaves the machine until ``send_pending`` runs (``lms mail send``) after the commit. A
request that rolls back therefore never sends its mail.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from sqlalchemy import update
from sqlalchemy.orm import Session

from lms.core.db import utcnow
from lms.core.workers import claim_rows, lease, worker_id
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
    # The same for every attempt: a message sent again after a crash (see send_pending) has
    # the Message-ID of the first copy, so that mail programs show it once.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    stamp = int(mail.created_at.timestamp()) if mail.created_at else 0
    message["Message-ID"] = f"<lms-{mail.id}.{stamp}@{domain}>"
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


def claim_batch(
    session: Session, *, worker: str, limit: int, max_attempts: int, lease: timedelta
) -> list[int]:
    """Claim up to ``limit`` unsent messages for ``worker`` (ids in order); commits. Free
    messages are unsent and not given up (``core.workers.claim_rows``)."""
    return claim_rows(
        session,
        OutgoingMail,
        OutgoingMail.sent_at.is_(None),
        OutgoingMail.attempts < max_attempts,
        worker=worker,
        limit=limit,
        held=lease,
    )


def _still_mine(session: Session, mail_id: int, worker: str, lease: timedelta) -> bool:
    """Renew the claim on one message just before it is sent; False if it was lost."""
    now = utcnow()
    result = session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.claimed_by == worker,
            OutgoingMail.sent_at.is_(None),
        )
        .values(claimed_until=now + lease, attempts=OutgoingMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def send_pending(
    session: Session, *, limit: int | None = None, worker: str | None = None
) -> tuple[int, int]:
    """Claim a batch of unsent messages and send them, committing after each one.

    Returns (sent, failed). Each message is committed as sent right after it leaves, so a
    crash can send the one message in flight twice (with the same Message-ID) and never loses
    one: the crashed worker's other claims expire and another worker sends them. Several
    workers may run at once (on SQLite the command allows only one, see core.workers).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = BACKENDS[app.config["LMS_MAIL_BACKEND"]](app)
    sender = app.config["LMS_MAIL_SENDER"]
    worker = worker or worker_id()
    held = lease(app)
    ids = claim_batch(
        session,
        worker=worker,
        limit=limit or int(app.config["LMS_MAIL_BATCH_SIZE"]),
        max_attempts=int(app.config["LMS_MAIL_MAX_ATTEMPTS"]),
        lease=held,
    )
    sent = failed = 0
    for mail_id in ids:
        if not _still_mine(session, mail_id, worker, held):
            continue  # the claim expired and another worker took the message
        mail = session.get(OutgoingMail, mail_id, populate_existing=True)
        assert mail is not None
        message = build_message(mail, sender)
        session.commit()  # no transaction stays open while the SMTP server is talked to
        try:
            backend.send([(mail, message)])
        except (OSError, smtplib.SMTPException) as exc:
            error: str | None = f"{type(exc).__name__}: {exc}"
            failed += 1
        else:
            error = None
            sent += 1
        session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id)
            .values(
                sent_at=None if error else utcnow(),
                last_error=error,
                claimed_by=None,
                claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
    return sent, failed
