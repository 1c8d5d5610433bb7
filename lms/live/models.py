"""Dates of live activities and who registered for them.

The course file declares a ``type: webinar`` or ``type: session`` activity; each date of it
is a ``LiveSession`` row, scheduled by a trainer (for everyone enrolled) or by a coordinator
(for the staff of one of their organisations: the collective follow-up moment).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.core.db import Base, UTCDateTime, utcnow
from lms.organisations.models import Organisation

REGISTERED = "registered"
WAITING = "waiting"
#: The date was cancelled: the person is told, keeps seeing it as cancelled, and may choose
#: another date of the activity.
CANCELLED = "cancelled"


class LiveSession(Base):
    """One date of a webinar or session: stored in UTC, shown in Belgian time."""

    __tablename__ = "lms_live_session"
    __table_args__ = (
        Index("ix_lms_live_session_activity", "course_id", "activity_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    activity_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Where it happens (an in-person session) and/or the link to join (a webinar).
    place: Mapped[str | None] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(String(500))
    #: Seats; None is no limit. Registrations beyond it wait.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: Kept equal to the number of registrations with status "registered". Registering
    #: takes a seat with one conditional UPDATE of this row, so two people can never both
    #: take the last seat (the row is the lock, on SQLite and PostgreSQL alike).
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    #: Only the staff of this organisation may register (a coordinator's collective moment);
    #: None: everyone enrolled in the course.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_organisation.id"), index=True
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Counts the changes people were told about (an edit, the cancellation): the .ics
    #: invitation's SEQUENCE, so calendars replace the event they have.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: A cancelled date takes no registrations, frees every seat and sends no reminders.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    organisation: Mapped[Organisation | None] = relationship()

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.seats_taken >= self.capacity

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


class LiveRegistration(Base):
    """A person registered for a date, or on its waiting list (first come, first served)."""

    __tablename__ = "lms_live_registration"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("lms_live_session.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    #: "registered", "waiting" or "cancelled" (the date was cancelled).
    status: Mapped[str] = mapped_column(String(12))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    #: When the reminder e-mail of the day before was queued.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    session: Mapped[LiveSession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
