"""Learning plans, departments' suggested learning times, and the plan-prompt experiment.

A plan's "when" is an RFC 5545 recurrence (``rrule``, the value of an RRULE line, or None
for one date) from a first wall-clock time (``start_date`` + ``start_time`` in
``timezone``): the .ics download and the nudge job both read these same fields
(``lms.plans.recurrence``).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import Base, UTCDateTime, utcnow

PLACES = ("desk", "home", "training_room", "other")
PROMPT = "prompt"
NO_PROMPT = "no_prompt"
GROUPS = (PROMPT, NO_PROMPT)


class LearningPlan(Base):
    """A person's plan for one course (one per enrolment)."""

    __tablename__ = "lms_learning_plan"
    __table_args__ = (
        CheckConstraint("place IN ('desk', 'home', 'training_room', 'other')", name="place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolment.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    #: The RRULE value ("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH"); None: once, at the start.
    rrule: Mapped[str | None] = mapped_column(String(120))
    #: The first time, on the wall clock of ``timezone`` (the DTSTART).
    start_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(16))
    place_other: Mapped[str | None] = mapped_column(String(100))
    first_step: Mapped[str] = mapped_column(String(300), default="")
    if_then: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanPromptSkip(Base):
    """The person skipped the prompt for this enrolment: it is not shown by itself again
    (My learning still offers to make a plan)."""

    __tablename__ = "lms_plan_prompt_skip"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolment.id"), primary_key=True)
    skipped_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DepartmentPlanTime(Base):
    """A department's suggested learning time (protected time agreed with the team lead):
    its people see it as the default in the prompt."""

    __tablename__ = "lms_department_plan_time"

    department_id: Mapped[int] = mapped_column(ForeignKey("lms_department.id"), primary_key=True)
    #: Weekdays as RRULE BYDAY codes, "MO,TH".
    weekdays: Mapped[str] = mapped_column(String(20))
    start_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanExperiment(Base):
    """One run of the plan-prompt experiment: from ``started_at`` until ``ended_at``, each
    new enrolment is assigned to "no prompt" with probability ``share``. Changing the share
    ends the run and starts another, so each run compares groups drawn the same way."""

    __tablename__ = "lms_plan_experiment"
    __table_args__ = (CheckConstraint("share >= 0 AND share <= 0.5", name="share"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share: Mapped[float] = mapped_column(Float)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))


class PlanGroup(Base):
    """The group an enrolment was assigned to, once, at random, when it was created during
    a run of the experiment. Never changed afterwards."""

    __tablename__ = "lms_plan_group"
    __table_args__ = (CheckConstraint("grp IN ('prompt', 'no_prompt')", name="grp"),)

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolment.id"), primary_key=True)
    experiment_id: Mapped[int] = mapped_column(ForeignKey("lms_plan_experiment.id"), index=True)
    #: "prompt" or "no_prompt".
    grp: Mapped[str] = mapped_column(String(10))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanNudge(Base):
    """A nudge sent for one occurrence of a plan (at most one per occurrence)."""

    __tablename__ = "lms_plan_nudge"
    __table_args__ = (UniqueConstraint("plan_id", "occurrence_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("lms_learning_plan.id", ondelete="CASCADE"))
    #: The planned moment (UTC) this nudge was for.
    occurrence_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("lms_outgoing_mail.id"))
