"""Reminders sent, weekly summaries sent, and how often a person wants reminders.

Every write of the reminder job is idempotent by a UNIQUE key: a reminder is one row per
(enrolment, kind, key), inserted in the same transaction as its e-mail in the outbox, so a
second run, a concurrent run or a run after a crash inserts nothing that is already there.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, utcnow

#: Automatic, some days before the due day (``LMS_REMINDER_DAYS_BEFORE``).
BEFORE_DUE = "before_due"
#: Automatic, while overdue (every ``LMS_REMINDER_OVERDUE_EVERY_DAYS`` days).
OVERDUE = "overdue"
#: Sent by a coordinator (from the people table or a person's page).
MANUAL = "manual"
REMINDER_KINDS = (BEFORE_DUE, OVERDUE, MANUAL)

#: How often a person wants reminders about VOLUNTARY courses (mandatory ones: always).
NORMAL = "normal"
ONLY_OVERDUE = "overdue"
NONE = "none"
FREQUENCIES = (NORMAL, ONLY_OVERDUE, NONE)


class Reminder(Base):
    """One reminder to one person about one course (an enrolment)."""

    __tablename__ = "lms_reminder"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "kind", "due_key"),
        CheckConstraint("kind IN ('before_due', 'overdue', 'manual')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolment.id"), index=True)
    #: The person reminded (the enrolment's), for the drill-down.
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    kind: Mapped[str] = mapped_column(String(12))
    #: What makes the reminder unique within its kind: before the due day,
    #: "<due day>:<days before>"; overdue, "<due day>:<number of the period overdue>"; by a
    #: coordinator, the day it was sent (at most one a day per course).
    due_key: Mapped[str] = mapped_column(String(40))
    #: The due day the reminder was about (None: no due date).
    due_on: Mapped[date | None] = mapped_column(Date)
    #: The coordinator who sent it (None: the reminder job).
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("lms_outgoing_mail.id"))


class ReminderSummary(Base):
    """The weekly summary of who is overdue, to one coordinator, once per ISO week."""

    __tablename__ = "lms_reminder_summary"
    __table_args__ = (UniqueConstraint("coordinator_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    #: ISO week, "2027-W12".
    week: Mapped[str] = mapped_column(String(8))
    #: Overdue courses listed in it.
    overdue: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("lms_outgoing_mail.id"))


class ReminderPreference(Base):
    """How often a person wants reminders about voluntary courses (no row: normal)."""

    __tablename__ = "lms_reminder_preference"
    __table_args__ = (
        CheckConstraint("voluntary IN ('normal', 'overdue', 'none')", name="voluntary"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), primary_key=True)
    voluntary: Mapped[str] = mapped_column(String(8), default=NORMAL)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
