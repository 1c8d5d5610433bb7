"""Assignment rules and the assignments they make.

A rule is data: "course C for the whole organisation O / department D / person P, mandatory or
voluntary, due by a fixed date or within N days, renewed when the certificate expires". One
service (``services.apply_rules``) keeps the people in line with the rules: when a person is
created, imported or moved and when a rule is created, changed or ended.

An ``Assignment`` records that a rule applies to a person (and since when). The enrolment it
made carries the terms in force (``Enrolment.mandatory``, ``due_at``, ``renews``), settled from
all of that person's active assignments for the course, so that reports read one row per
person and course. Ending a rule or leaving a department ends assignments; progress,
enrolments and certificates are never deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Course
from lms.core.db import Base, UTCDateTime, utcnow
from lms.learning.statuses import due_day
from lms.organisations.models import Department, Organisation

#: How a rule's due date is given.
DUE_NONE = "none"
DUE_FIXED = "fixed"  # a date: "by 30 June 2027"
DUE_RELATIVE = "relative"  # a number of days after the person was assigned (joined)
DUE_KINDS = (DUE_NONE, DUE_FIXED, DUE_RELATIVE)

#: Whom a rule covers.
TARGET_ORGANISATION = "organisation"
TARGET_DEPARTMENT = "department"
TARGET_PERSON = "person"


class AssignmentRule(Base):
    """A course assigned to everyone of an organisation, of one department, or to one person."""

    __tablename__ = "lms_assignment_rule"
    __table_args__ = (
        CheckConstraint("department_id IS NULL OR user_id IS NULL", name="one_target"),
        CheckConstraint("due_kind IN ('none', 'fixed', 'relative')", name="due_kind"),
        CheckConstraint("(due_kind = 'fixed') = (due_date IS NOT NULL)", name="fixed_has_date"),
        CheckConstraint(
            "(due_kind = 'relative') = (due_days IS NOT NULL)", name="relative_has_days"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The organisation whose coordinators own the rule (also for department and person rules).
    organisation_id: Mapped[int] = mapped_column(ForeignKey("lms_organisation.id"), index=True)
    #: Set: only this department; with neither this nor ``user_id``: the whole organisation.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("lms_department.id"))
    #: Set: only this person.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    mandatory: Mapped[bool] = mapped_column(Boolean, default=True)
    due_kind: Mapped[str] = mapped_column(String(10), default=DUE_NONE)
    #: For "fixed": the last day (inclusive).
    due_date: Mapped[date | None] = mapped_column(Date)
    #: For "relative": days after the day the person was assigned (for a newcomer: joined).
    due_days: Mapped[int | None] = mapped_column(Integer)
    #: When the person's certificate expires, they are due again on its last valid day.
    renew_on_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Ended rules stop applying; what people did stays.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    organisation: Mapped[Organisation] = relationship()
    department: Mapped[Department | None] = relationship()
    person: Mapped[User | None] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()

    @property
    def target(self) -> str:
        if self.user_id is not None:
            return TARGET_PERSON
        if self.department_id is not None:
            return TARGET_DEPARTMENT
        return TARGET_ORGANISATION

    @property
    def active(self) -> bool:
        return self.ended_at is None

    def covers(self, user: User) -> bool:
        """Whether this rule applies to ``user`` as they are now (active rules only)."""
        if self.ended_at is not None or not user.active:
            return False
        if self.user_id is not None:
            return self.user_id == user.id and user.organisation_id == self.organisation_id
        if user.organisation_id != self.organisation_id:
            return False
        return self.department_id is None or self.department_id == user.department_id

    def __repr__(self) -> str:
        return f"<AssignmentRule {self.id} course {self.course_id} -> {self.target}>"


class Assignment(Base):
    """A rule applies (or applied) to a person. One row per rule and person: a person who
    leaves the rule's department and comes back gets the same row back, with a new start."""

    __tablename__ = "lms_assignment"
    __table_args__ = (UniqueConstraint("rule_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("lms_assignment_rule.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    #: The enrolment the assignment made (or found): the person's record of the course.
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolment.id"), index=True)
    #: When the rule started applying to the person (relative due dates count from here).
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The due date this rule gives the person (end of the day, UTC); None: no due date.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When it stopped applying (the rule ended, or the person left its scope).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "rule-ended", "left" (moved or deactivated).
    end_reason: Mapped[str | None] = mapped_column(String(20))

    rule: Mapped[AssignmentRule] = relationship()
    user: Mapped[User] = relationship()

    @property
    def due_on(self) -> date | None:
        return due_day(self.due_at)
