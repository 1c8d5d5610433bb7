"""Reads of reminders: a person's reminders for the drill-down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from lms.accounts.models import User
from lms.mail.models import OutgoingMail
from lms.reminders.models import Reminder


@dataclass(frozen=True)
class ReminderLine:
    id: int
    course_id: int
    kind: str
    due_on: date | None
    created_at: datetime
    #: The coordinator who sent it (None: the reminder job).
    sender: str | None
    #: When the e-mail left (None: still in the outbox).
    mailed_at: datetime | None


def reminders_of(session: Session, user_id: int) -> list[ReminderLine]:
    """Every reminder a person got, newest first (one query)."""
    sender = aliased(User)
    rows = session.execute(
        select(
            Reminder.id,
            Reminder.course_id,
            Reminder.kind,
            Reminder.due_on,
            Reminder.created_at,
            sender.full_name,
            OutgoingMail.sent_at,
        )
        .outerjoin(sender, sender.id == Reminder.sent_by_id)
        .outerjoin(OutgoingMail, OutgoingMail.id == Reminder.mail_id)
        .where(Reminder.user_id == user_id)
        .order_by(Reminder.created_at.desc(), Reminder.id.desc())
    )
    return [ReminderLine(*row) for row in rows]
