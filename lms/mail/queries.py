"""Reads of the mail outbox."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.core.health import Check
from lms.mail.models import OutgoingMail


def backlog(session: Session, max_attempts: int) -> int:
    """Messages still to send (not sent, not given up)."""
    return (
        session.scalar(
            select(func.count()).where(
                OutgoingMail.sent_at.is_(None), OutgoingMail.attempts < max_attempts
            )
        )
        or 0
    )


def backlog_check(app: Flask, session: Session) -> Check:
    waiting = backlog(session, int(app.config["LMS_MAIL_MAX_ATTEMPTS"]))
    limit = int(app.config["LMS_READY_MAIL_BACKLOG"])
    if waiting < limit:
        return Check(True, f"{waiting} waiting")
    return Check(False, f"{waiting} e-mails waiting (limit {limit}): is `lms mail send` running?")
