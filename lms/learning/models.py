"""Learner records.

Records are keyed by the course and the ids written in the course file, never by a version
or a position, so they survive every re-import. Records of items that a later version no
longer has are kept (never deleted): the item may come back, and history stays complete.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.core.db import Base, UTCDateTime, UUIDString, utcnow


class SectionVisit(Base):
    """A learner opened a section of an e-learning.

    Section ids are unique within a course, so (course, section id) names the section in
    every version, whichever lesson it sits in. Progress in the current version counts the
    visits whose section still exists there.
    """

    __tablename__ = "lms_section_visit"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    section_id: Mapped[str] = mapped_column(String(64))
    first_visited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_visited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Enrolment(Base):
    """A person in a course. Created by self-enrolment, by a coordinator or an admin, and
    later by assignments, always through ``learning.services.enrol``."""

    __tablename__ = "lms_enrolment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Identifies this enrolment outside the LMS (xAPI ``context.registration``).
    registration: Mapped[uuid.UUID] = mapped_column(UUIDString(), unique=True, default=uuid.uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    #: "self", "manager", "admin" or "assignment".
    source: Mapped[str] = mapped_column(String(20), default="self")
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Due date: the end of the last day (23:59 UTC of that day; ``statuses.due_day``).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The terms in force, settled by ``lms.assignments`` from the person's active assignments
    #: (or set by hand by a coordinator): mandatory or voluntary, where the due date comes from
    #: ("rule", "manual" or None), and whether an expired certificate makes it due again.
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    due_source: Mapped[str | None] = mapped_column(String(10))
    renews: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The section the learner last opened: "Continue" goes back there.
    last_section_id: Mapped[str | None] = mapped_column(String(64))
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the course's completion rule was first met; a fact that later edits never undo.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The progress summary (``lms.learning.summary``): what the reports read from the engine,
    #: computed for the course version ``summary_version_id`` and set to NULL in the same
    #: flush as any change to the records it was computed from. NULL: unknown (compute).
    summary_version_id: Mapped[int | None] = mapped_column(Integer)
    summary_progress: Mapped[float | None] = mapped_column(Float)
    summary_status: Mapped[str | None] = mapped_column(String(20))
    #: The ids of the modules done, separated by spaces (ids are slugs).
    summary_modules_done: Mapped[str | None] = mapped_column(Text)
    #: The latest recorded completion of any kind in this course.
    summary_last_completion_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()


class Completion(Base):
    """A completion, recorded once with its time: of an activity, a module or the course.

    ``item_id`` is the activity or module id from the course file (the course's own slug for
    kind "course"). Recorded completions stay when a course is edited later.
    """

    __tablename__ = "lms_completion"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "kind", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    #: "activity", "module" or "course".
    kind: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
