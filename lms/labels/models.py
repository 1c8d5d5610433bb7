"""A counter's label: a status with a grant date, a warning date and a withdrawal date.

Labels are derived, never typed in: ``lms labels update`` (``services.update_labels``) grants,
warns and withdraws them from the certificates and head counts of each department. One row is
one period of holding the label; a department that earns it again after a withdrawal gets a
new row with a new verification code (the old code keeps saying when it was withdrawn).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.core.db import Base, UTCDateTime, utcnow
from lms.organisations.models import Department

HELD = "held"
WARNED = "warned"
WITHDRAWN = "withdrawn"


class CounterLabel(Base):
    """One period in which a department (a counter) holds the label."""

    __tablename__ = "lms_counter_label"
    __table_args__ = (
        # At most one label a department holds now: two runs of the job at once grant once.
        Index(
            "uq_lms_counter_label_open",
            "department_id",
            unique=True,
            sqlite_where=text("withdrawn_on IS NULL"),
            postgresql_where=text("withdrawn_on IS NULL"),
        ),
        CheckConstraint("warned_on IS NULL OR warned_on >= granted_on", name="warned_after_grant"),
        CheckConstraint(
            "withdrawn_on IS NULL OR withdrawn_on >= granted_on", name="withdrawn_after_grant"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Verification code without hyphens (``certification.codes``), shown as ``K7QM-2XRD-9TPA``.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("lms_department.id"), index=True)
    #: The course whose certificates earned it (``LMS_LABEL_COURSE`` at the time).
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    granted_on: Mapped[date] = mapped_column(Date)
    #: The day the share fell below the threshold and the coordinators were warned; cleared
    #: when the share recovers before the grace period ends (the audit log keeps the history).
    warned_on: Mapped[date | None] = mapped_column(Date)
    #: The day the label was taken away (the grace period after the warning had passed).
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    department: Mapped[Department] = relationship()

    @property
    def status(self) -> str:
        if self.withdrawn_on is not None:
            return WITHDRAWN
        return WARNED if self.warned_on is not None else HELD

    @property
    def display_code(self) -> str:
        from lms.certification.codes import format_code

        return format_code(self.code)

    def __repr__(self) -> str:
        return f"<CounterLabel {self.display_code} {self.status}>"
